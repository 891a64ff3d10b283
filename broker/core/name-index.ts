import { randomBytes } from 'node:crypto';

/**
 * One slot is 16 elements of one array: the name's hash, its length (shifted, with bit 0 set: 0 is
 * an empty slot), the value, then the name's first 52 octets four to an element (small integers,
 * stored in the array itself). The value beside its key: a lookup reads no second array.
 */
const WORDS = 16;
const VALUE = 2;
const FIRST_WORD = 3;
const INLINE = (WORDS - FIRST_WORD) * 4;
/** Names longer than a short string are not indexed: no frame can carry them. */
const MAX_NAME = 255;
const MIN_SLOTS = 16;
/** A lookup that has not found the name by then gives up, and its caller asks its Map (at most half full, runs are short). */
const MAX_PROBES = 64;

/**
 * Values by name, found from the name's UTF-8 octets where they lie in a frame: no string is
 * decoded, and a name of up to 52 octets is compared within the slot that holds its hash and its
 * value, so a lookup among many thousands of names reads one slot. (A Map keyed by the decoded
 * string reads its bucket, its entry and the stored key, each from elsewhere.) The price is memory:
 * 128 B a slot and at least two slots a name, about 256 B to 512 B per indexed name.
 *
 * Open addressing with linear probing, at most half full; deletion shifts the run back rather than
 * leaving tombstones. The hash is seeded per index, so names cannot be chosen to collide; and a
 * lookup gives up after MAX_PROBES, so even then it costs a bounded time and its caller finds the
 * value the usual way. This is only an index: the caller's Map stays the truth.
 */
export class NameIndex<T> {
  private readonly seed = randomBytes(4).readInt32LE(0);
  private slots: (number | T)[] = new Array<number | T>(MIN_SLOTS * WORDS).fill(0);
  /** names longer than INLINE: all their octets (the slot holds the first INLINE) */
  private long: (Buffer | undefined)[] = new Array<Buffer | undefined>(MIN_SLOTS).fill(undefined);
  private mask = MIN_SLOTS - 1;
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** The value named by `b` from `start`, `n` octets; undefined when not found (or not found soon). */
  find(b: Uint8Array, start: number, n: number): T | undefined {
    if (this.count === 0) return undefined;
    const h = this.hash(b, start, n);
    const slots = this.slots;
    const meta = (n << 1) | 1;
    let i = h & this.mask;
    for (let probes = 0; probes < MAX_PROBES; probes++) {
      const at = i * WORDS;
      const m = slots[at + 1];
      if (m === 0) return undefined;
      if (m === meta && slots[at] === h && this.holds(i, b, start, n)) return slots[at + VALUE] as T;
      i = (i + 1) & this.mask;
    }
    return undefined;
  }

  set(name: string, value: T): void {
    const key = Buffer.from(name);
    // a name with a lone surrogate encodes as U+FFFD, as another name would: found only by its Map
    if (key.length > MAX_NAME || key.toString() !== name) return;
    const h = this.hash(key, 0, key.length);
    const found = this.slotOf(key, h);
    if (found >= 0) {
      this.slots[found * WORDS + VALUE] = value;
      return;
    }
    if ((this.count + 1) * 2 > this.mask + 1) this.grow();
    let i = h & this.mask;
    while (this.slots[i * WORDS + 1] !== 0) i = (i + 1) & this.mask;
    const at = i * WORDS;
    this.slots[at] = h;
    this.slots[at + 1] = (key.length << 1) | 1;
    const inline = Math.min(key.length, INLINE);
    this.slots[at + VALUE] = value;
    for (let k = 0; k < inline; k += 4) this.slots[at + FIRST_WORD + (k >> 2)] = word(key, k, inline);
    this.long[i] = key.length > INLINE ? key : undefined;
    this.count++;
  }

  delete(name: string): void {
    const key = Buffer.from(name);
    if (key.length > MAX_NAME) return;
    let hole = this.slotOf(key, this.hash(key, 0, key.length));
    if (hole < 0) return;
    this.count--;
    // shift back each later slot of the run that may live in the hole (its home is not between the hole and it)
    for (let j = (hole + 1) & this.mask; this.slots[j * WORDS + 1] !== 0; j = (j + 1) & this.mask) {
      const home = (this.slots[j * WORDS] as number) & this.mask;
      const stays = hole <= j ? hole < home && home <= j : hole < home || home <= j;
      if (stays) continue;
      this.slots.copyWithin(hole * WORDS, j * WORDS, j * WORDS + WORDS);
      this.long[hole] = this.long[j];
      hole = j;
    }
    this.slots.fill(0, hole * WORDS, hole * WORDS + WORDS);
    this.long[hole] = undefined;
  }

  private slotOf(key: Buffer, h: number): number {
    const meta = (key.length << 1) | 1;
    for (let i = h & this.mask; this.slots[i * WORDS + 1] !== 0; i = (i + 1) & this.mask) {
      if (this.slots[i * WORDS + 1] === meta && this.slots[i * WORDS] === h && this.holds(i, key, 0, key.length)) return i;
    }
    return -1;
  }

  /** Whether slot `i` (whose length is `n`) holds the name `b` from `start`. */
  private holds(i: number, b: Uint8Array, start: number, n: number): boolean {
    const slots = this.slots;
    const at = i * WORDS + FIRST_WORD;
    const inline = n < INLINE ? n : INLINE;
    const whole = inline & ~3;
    let k = 0;
    for (; k < whole; k += 4) {
      const o = start + k;
      if (slots[at + (k >> 2)] !== (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24))) return false;
    }
    if (k < inline && slots[at + (k >> 2)] !== word(b, start + k, start + inline)) return false;
    if (n <= INLINE) return true;
    const rest = this.long[i] as Buffer;
    for (k = INLINE; k < n; k++) if (rest[k] !== b[start + k]) return false;
    return true;
  }

  /**
   * Seeded, four octets a step (a chain of multiplies is what costs, not the loads), then a final
   * mix so that the low bits, which pick the slot, depend on every octet.
   */
  private hash(b: Uint8Array, start: number, n: number): number {
    let h = this.seed ^ n;
    let k = start;
    const whole = start + (n & ~3);
    for (; k < whole; k += 4) {
      h = Math.imul(h ^ (b[k] | (b[k + 1] << 8) | (b[k + 2] << 16) | (b[k + 3] << 24)), 0x9e3779b1);
      h ^= h >>> 15;
    }
    const end = start + n;
    for (; k < end; k++) h = Math.imul(h ^ b[k], 0x01000193);
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    return h | 0;
  }

  private grow(): void {
    const [slots, long] = [this.slots, this.long];
    const capacity = (this.mask + 1) * 2;
    this.slots = new Array<number | T>(capacity * WORDS).fill(0);
    this.long = new Array<Buffer | undefined>(capacity).fill(undefined);
    this.mask = capacity - 1;
    for (let j = 0; j < long.length; j++) {
      if (slots[j * WORDS + 1] === 0) continue;
      let i = (slots[j * WORDS] as number) & this.mask;
      while (this.slots[i * WORDS + 1] !== 0) i = (i + 1) & this.mask;
      for (let k = 0; k < WORDS; k++) this.slots[i * WORDS + k] = slots[j * WORDS + k];
      this.long[i] = long[j];
    }
  }
}

/** Octets `k` onwards of `b`, up to four and not past `end`, as one word (missing octets 0). */
function word(b: Uint8Array, k: number, end: number): number {
  let w = 0;
  for (let s = 0; s < 4 && k + s < end; s++) w |= b[k + s] << (8 * s);
  return w;
}

import { randomBytes } from 'node:crypto';

/** Names longer than a short string are not indexed: no frame can carry them. */
const MAX_NAME = 255;
const MIN_SLOTS = 16;
/** A lookup that has not found the name by then gives up, and its caller asks its Map (at most three quarters full, runs are short). */
const MAX_PROBES = 64;

/** What the index holds: values that know their own name. */
export interface Named {
  readonly name: string;
}

/**
 * Values by name, found from the name's octets where they lie in a frame: no string is decoded.
 * A slot is two elements of one array, the name's hash and the value (0: empty), 16 B; the name
 * itself is the value's own, compared character by character with the octets. A lookup among many
 * thousands of names reads one slot and the value's name, which its caller reads anyway. (A Map
 * keyed by the decoded string reads its bucket, its entry and the stored key, each from elsewhere,
 * after making the string.) Small slots keep the index itself small (21 B to 43 B a name): with
 * 10,000 names it is 256 KiB, a quarter of a core's L2 cache, so its slots stay in the CPU's
 * caches and address translations beside the queues they lead to.
 *
 * Only ASCII names are indexed, whose octets are their characters; the others are found by the
 * caller's Map. Open addressing with linear probing, at most three quarters full (a lookup reads
 * 1.5 to 2.5 slots on average, mostly of one cache line); deletion shifts the run back rather than
 * leaving tombstones. The hash is seeded per index, so names cannot be chosen to
 * collide; and a lookup gives up after MAX_PROBES, so even then it costs a bounded time and its
 * caller finds the value the usual way. This is only an index: the caller's Map stays the truth.
 */
export class NameIndex<T extends Named> {
  private readonly seed = randomBytes(4).readInt32LE(0);
  private slots: (number | T)[] = new Array<number | T>(MIN_SLOTS * 2).fill(0);
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
    let i = h & this.mask;
    for (let probes = 0; probes < MAX_PROBES; probes++) {
      const v = slots[2 * i + 1];
      if (v === 0) return undefined;
      if (slots[2 * i] === h && sameChars((v as T).name, b, start, n)) return v as T;
      i = (i + 1) & this.mask;
    }
    return undefined;
  }

  /** Indexes `value` under its name (replacing the value of that name). */
  set(value: T): void {
    const name = value.name;
    if (name.length > MAX_NAME || !ascii(name)) return;
    const key = Buffer.from(name, 'latin1');
    const h = this.hash(key, 0, key.length);
    const found = this.slotOf(key, h);
    if (found >= 0) {
      this.slots[2 * found + 1] = value;
      return;
    }
    if ((this.count + 1) * 4 > (this.mask + 1) * 3) this.grow();
    let i = h & this.mask;
    while (this.slots[2 * i + 1] !== 0) i = (i + 1) & this.mask;
    this.slots[2 * i] = h;
    this.slots[2 * i + 1] = value;
    this.count++;
  }

  delete(name: string): void {
    if (name.length > MAX_NAME || !ascii(name)) return;
    const key = Buffer.from(name, 'latin1');
    let hole = this.slotOf(key, this.hash(key, 0, key.length));
    if (hole < 0) return;
    this.count--;
    const slots = this.slots;
    // shift back each later slot of the run that may live in the hole (its home is not between the hole and it)
    for (let j = (hole + 1) & this.mask; slots[2 * j + 1] !== 0; j = (j + 1) & this.mask) {
      const home = (slots[2 * j] as number) & this.mask;
      const stays = hole <= j ? hole < home && home <= j : hole < home || home <= j;
      if (stays) continue;
      slots[2 * hole] = slots[2 * j];
      slots[2 * hole + 1] = slots[2 * j + 1];
      hole = j;
    }
    slots[2 * hole] = 0;
    slots[2 * hole + 1] = 0;
  }

  private slotOf(key: Buffer, h: number): number {
    for (let i = h & this.mask; this.slots[2 * i + 1] !== 0; i = (i + 1) & this.mask) {
      if (this.slots[2 * i] === h && sameChars((this.slots[2 * i + 1] as T).name, key, 0, key.length)) return i;
    }
    return -1;
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
    const old = this.slots;
    const capacity = (this.mask + 1) * 2;
    this.slots = new Array<number | T>(capacity * 2).fill(0);
    this.mask = capacity - 1;
    for (let j = 0; j < old.length; j += 2) {
      if (old[j + 1] === 0) continue;
      let i = (old[j] as number) & this.mask;
      while (this.slots[2 * i + 1] !== 0) i = (i + 1) & this.mask;
      this.slots[2 * i] = old[j];
      this.slots[2 * i + 1] = old[j + 1];
    }
  }
}

/** Whether the ASCII string `name` is the `n` octets of `b` from `start`. */
function sameChars(name: string, b: Uint8Array, start: number, n: number): boolean {
  if (name.length !== n) return false;
  for (let k = 0; k < n; k++) if (name.charCodeAt(k) !== b[start + k]) return false;
  return true;
}

function ascii(name: string): boolean {
  for (let k = 0; k < name.length; k++) if (name.charCodeAt(k) > 0x7f) return false;
  return true;
}

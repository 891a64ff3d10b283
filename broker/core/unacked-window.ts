/**
 * Unsettled deliveries by delivery tag. Tags are handed out in increasing order and mostly settled
 * in that order (an ack with `multiple` settles a run from the oldest), so they live in a ring
 * indexed by tag: no hashing, and nothing allocated per delivery once the ring has grown. A Map
 * here made and dropped its hash table over and over as deliveries came and went, a fifth of all
 * the broker allocated in a publish → deliver → ack stream.
 *
 * Tags may skip (deliveries that need no ack take tags too); their slots stay empty. A delivery
 * left unsettled while many after it are settled would hold the ring open over a growing span of
 * empty slots, so when the ring is mostly empty and full-width its oldest entries move to a Map of
 * stragglers instead of the ring growing: memory stays a small multiple of what is unsettled.
 */
export class UnackedWindow<T> {
  private slots: Array<T | undefined> = new Array<T | undefined>(16).fill(undefined);
  private mask = 15;
  /** the ring covers tags [first, end): `first` is unsettled, or the ring is empty and first === end */
  private first = 0;
  private end = 0;
  private inRing = 0;
  /** entries older than `first`, in tag order (they only ever join at the young end) */
  private stragglers: Map<number, T> | undefined;

  get size(): number {
    return this.inRing + (this.stragglers === undefined ? 0 : this.stragglers.size);
  }

  /** Slots in the ring (what it costs in memory besides the stragglers). */
  get capacity(): number {
    return this.mask + 1;
  }

  /** `tag` must be greater than every tag added before. */
  add(tag: number, value: T): void {
    if (tag < this.end || !Number.isSafeInteger(tag)) throw new RangeError(`delivery tag ${tag} added out of order`);
    if (this.inRing === 0) this.first = this.end = tag;
    while (tag - this.first > this.mask) this.makeRoom(tag);
    this.slots[tag & this.mask] = value;
    this.end = tag + 1;
    this.inRing++;
  }

  get(tag: number): T | undefined {
    if (tag >= this.first) return tag < this.end ? this.slots[tag & this.mask] : undefined;
    return this.stragglers?.get(tag);
  }

  has(tag: number): boolean {
    return this.get(tag) !== undefined;
  }

  /** Takes the entry of `tag` out; undefined when there is none. */
  delete(tag: number): T | undefined {
    if (tag < this.first) {
      const s = this.stragglers;
      const v = s?.get(tag);
      if (v !== undefined) s!.delete(tag);
      return v;
    }
    if (tag >= this.end) return undefined;
    const i = tag & this.mask;
    const v = this.slots[i];
    if (v === undefined) return undefined;
    this.slots[i] = undefined;
    this.inRing--;
    if (tag === this.first) this.skipEmpty();
    return v;
  }

  /** The oldest tag held, or Infinity when none is. */
  oldestTag(): number {
    const s = this.stragglers;
    if (s !== undefined && s.size > 0) return s.keys().next().value as number;
    return this.inRing === 0 ? Infinity : this.first;
  }

  /** Takes out and returns the oldest entry (whose tag oldestTag() gave); undefined when empty. */
  shift(): T | undefined {
    const tag = this.oldestTag();
    return tag === Infinity ? undefined : this.delete(tag);
  }

  clear(): void {
    this.slots.fill(undefined);
    this.first = this.end = this.inRing = 0;
    this.stragglers = undefined;
  }

  *entries(): IterableIterator<[number, T]> {
    if (this.stragglers !== undefined) yield* this.stragglers.entries();
    for (let t = this.first; t < this.end; t++) {
      const v = this.slots[t & this.mask];
      if (v !== undefined) yield [t, v];
    }
  }

  [Symbol.iterator](): IterableIterator<[number, T]> {
    return this.entries();
  }

  *values(): IterableIterator<T> {
    for (const [, v] of this.entries()) yield v;
  }

  private skipEmpty(): void {
    if (this.inRing === 0) {
      this.first = this.end;
      return;
    }
    while (this.slots[this.first & this.mask] === undefined) this.first++;
  }

  /**
   * `tag` does not fit the ring: the ring doubles when at least a quarter of it is in use, else its
   * oldest entries become stragglers until `tag` fits.
   */
  private makeRoom(tag: number): void {
    const width = this.mask + 1;
    if (this.inRing * 4 >= width) {
      const old = this.slots;
      const slots = new Array<T | undefined>(width * 2).fill(undefined);
      const mask = width * 2 - 1;
      for (let t = this.first; t < this.end; t++) slots[t & mask] = old[t & this.mask];
      this.slots = slots;
      this.mask = mask;
      return;
    }
    const s = (this.stragglers ??= new Map());
    while (this.inRing > 0 && tag - this.first > this.mask) {
      const i = this.first & this.mask;
      s.set(this.first, this.slots[i] as T);
      this.slots[i] = undefined;
      this.inRing--;
      this.skipEmpty();
    }
    if (this.inRing === 0) this.first = this.end = tag;
  }
}

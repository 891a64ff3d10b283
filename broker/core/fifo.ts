/** A growable ring buffer: O(1) push, shift and peek without Array#shift's copying. */
export class Fifo<T> {
  private items: (T | undefined)[];
  private head = 0;
  private count = 0;

  constructor(capacity = 16) {
    this.items = new Array(capacity);
  }

  get length(): number {
    return this.count;
  }

  push(item: T): void {
    if (this.count === this.items.length) this.grow();
    this.items[(this.head + this.count) & (this.items.length - 1)] = item;
    this.count++;
  }

  shift(): T | undefined {
    if (this.count === 0) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) & (this.items.length - 1);
    this.count--;
    return item;
  }

  peek(): T | undefined {
    return this.count === 0 ? undefined : this.items[this.head];
  }

  /** The item `i` places behind the head, O(1); undefined past the end. */
  at(i: number): T | undefined {
    return i < 0 || i >= this.count ? undefined : this.items[(this.head + i) & (this.items.length - 1)];
  }

  /**
   * Removes the items among the first `within` that `drop` says to, keeping the order of the rest:
   * taken from the head they cost nothing more than shifts; further in, one compaction of the
   * queue behind them.
   */
  removeWhere(drop: (item: T) => boolean, within: number): number {
    const end = Math.min(within, this.count);
    let removed = 0;
    while (removed < end && drop(this.items[this.head] as T)) {
      this.shift();
      removed++;
    }
    const mask = this.items.length - 1;
    const stretch = end - removed;
    let write = 0;
    for (let read = 0; read < stretch; read++) {
      const item = this.items[(this.head + read) & mask] as T;
      if (drop(item)) continue;
      this.items[(this.head + write) & mask] = item;
      write++;
    }
    const gap = stretch - write;
    if (gap === 0) return removed;
    // close the gap: everything after the stretch moves forward by `gap`
    for (let read = stretch; read < this.count; read++) this.items[(this.head + read - gap) & mask] = this.items[(this.head + read) & mask];
    for (let k = this.count - gap; k < this.count; k++) this.items[(this.head + k) & mask] = undefined;
    this.count -= gap;
    return removed + gap;
  }

  clear(): void {
    this.items = new Array(16);
    this.head = 0;
    this.count = 0;
  }

  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = 0; i < this.count; i++) yield this.items[(this.head + i) & (this.items.length - 1)] as T;
  }

  private grow(): void {
    // Capacity stays a power of two so the index wrap is a mask.
    const next: (T | undefined)[] = new Array(this.items.length * 2);
    for (let i = 0; i < this.count; i++) next[i] = this.items[(this.head + i) & (this.items.length - 1)];
    this.items = next;
    this.head = 0;
  }
}

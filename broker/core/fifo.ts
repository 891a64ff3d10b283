/** The most a ring holds; beyond it, items queue in blocks of this many. A power of two. */
const BLOCK = 1024;

/**
 * A FIFO: O(1) push, shift, peek and at(i) without Array#shift's copying. Up to BLOCK items it is
 * a growable ring; a longer queue goes on in blocks of BLOCK behind the ring, so a backlog costs a
 * slot an item and one block at most beyond, not up to twice that as a doubled ring would, and
 * never holds the old ring and its double at once.
 */
export class Fifo<T> {
  /** the oldest items; when `blocks` is not empty it is a full-size ring (BLOCK) */
  private items: (T | undefined)[];
  private head = 0;
  private count = 0;
  /** items after the ring's, in order: every block full except the last, which holds `lastFill` */
  private blocks: (T | undefined)[][] = [];
  private lastFill = 0;

  constructor(capacity = 16) {
    this.items = new Array(Math.min(capacity, BLOCK));
  }

  get length(): number {
    const b = this.blocks.length;
    return b === 0 ? this.count : this.count + (b - 1) * BLOCK + this.lastFill;
  }

  push(item: T): void {
    if (this.blocks.length > 0 || this.count === BLOCK) {
      this.pushToBlock(item);
      return;
    }
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
    // the ring is empty only when everything is: the first block becomes the ring
    if (this.count === 0 && this.blocks.length > 0) this.ringFromBlock();
    return item;
  }

  peek(): T | undefined {
    return this.count === 0 ? undefined : this.items[this.head];
  }

  /** The item `i` places behind the head, O(1); undefined past the end. */
  at(i: number): T | undefined {
    if (i < 0) return undefined;
    if (i < this.count) return this.items[(this.head + i) & (this.items.length - 1)];
    const j = i - this.count;
    if (j >= this.length - this.count) return undefined;
    return this.blocks[Math.floor(j / BLOCK)][j % BLOCK];
  }

  /**
   * Removes the items among the first `within` that `drop` says to, keeping the order of the rest:
   * taken from the head they cost nothing more than shifts; further in, one compaction of the
   * queue behind them.
   */
  removeWhere(drop: (item: T) => boolean, within: number): number {
    if (this.blocks.length > 0) return this.removeFromBlocks(drop, within);
    const end = Math.min(within, this.count);
    let removed = 0;
    let headKept = false;
    while (removed < end) {
      if (!drop(this.items[this.head] as T)) {
        headKept = true;
        break;
      }
      this.shift();
      removed++;
    }
    const mask = this.items.length - 1;
    const stretch = end - removed;
    // the item that stopped the shifting stays where it is, asked once
    let write = headKept ? 1 : 0;
    for (let read = write; read < stretch; read++) {
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
    this.blocks = [];
    this.lastFill = 0;
  }

  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = 0; i < this.count; i++) yield this.items[(this.head + i) & (this.items.length - 1)] as T;
    const b = this.blocks;
    for (let k = 0; k < b.length; k++) {
      const n = k === b.length - 1 ? this.lastFill : BLOCK;
      for (let i = 0; i < n; i++) yield b[k][i] as T;
    }
  }

  private grow(): void {
    // Capacity stays a power of two so the index wrap is a mask.
    const next: (T | undefined)[] = new Array(this.items.length * 2);
    for (let i = 0; i < this.count; i++) next[i] = this.items[(this.head + i) & (this.items.length - 1)];
    this.items = next;
    this.head = 0;
  }

  private pushToBlock(item: T): void {
    const b = this.blocks;
    if (b.length === 0 || this.lastFill === BLOCK) {
      b.push(new Array(BLOCK));
      this.lastFill = 0;
    }
    b[b.length - 1][this.lastFill++] = item;
  }

  private ringFromBlock(): void {
    const first = this.blocks.shift() as (T | undefined)[];
    this.items = first;
    this.head = 0;
    if (this.blocks.length === 0) {
      this.count = this.lastFill;
      this.lastFill = 0;
    } else {
      this.count = BLOCK;
    }
  }

  /** removeWhere behind a ring: the rare case (a move's sources in a long queue), done by rebuilding. */
  private removeFromBlocks(drop: (item: T) => boolean, within: number): number {
    const all = [...this];
    const kept = all.filter((item, i) => i >= within || !drop(item));
    this.clear();
    for (const item of kept) this.push(item);
    return all.length - kept.length;
  }
}

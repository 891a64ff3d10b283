import { Fifo } from './fifo';
import type { QueueEntry } from './queue';

/** The messages of a queue waiting for a consumer, in delivery order. */
export interface ReadyList {
  readonly length: number;
  push(entry: QueueEntry): void;
  /** Puts a delivered entry back where it was by arrival order. */
  requeue(entry: QueueEntry): void;
  /** `entry` goes behind the entries given back before it, ahead of the rest (rabbit_fifo's returns). */
  giveBack(entry: QueueEntry): void;
  shift(): QueueEntry | undefined;
  peek(): QueueEntry | undefined;
  /** The entry `i` places from the head, without taking it: browsing a page costs the page, not the queue. */
  at(i: number): QueueEntry | undefined;
  /**
   * Takes out the entries of `chosen` found among the first `within` (moved messages leaving a
   * queue): one pass over that stretch, whatever the number taken. Returns those taken.
   */
  remove(chosen: ReadonlySet<QueueEntry>, within: number): QueueEntry[];
  clear(): void;
  [Symbol.iterator](): IterableIterator<QueueEntry>;
}

/**
 * FIFO with requeue to the original position. Every delivered entry arrived before every entry
 * still in `fifo`, so requeued entries always belong in front of it, kept sorted by arrival.
 */
export class FifoReadyList implements ReadyList {
  /** Kept here so that asking whether a queue is empty reads one object, not three. */
  private count = 0;
  private readonly fifo = new Fifo<QueueEntry>();
  private readonly requeued: QueueEntry[] = [];

  get length(): number {
    return this.count;
  }

  push(entry: QueueEntry): void {
    this.fifo.push(entry);
    this.count++;
  }

  requeue(entry: QueueEntry): void {
    const list = this.requeued;
    // Entries mostly come back oldest first, so the search from the end is short.
    let i = list.length;
    while (i > 0 && list[i - 1].seq > entry.seq) i--;
    list.splice(i, 0, entry);
    this.count++;
  }

  giveBack(entry: QueueEntry): void {
    this.requeued.push(entry);
    this.count++;
  }

  shift(): QueueEntry | undefined {
    if (this.count === 0) return undefined;
    this.count--;
    return this.requeued.length > 0 ? this.requeued.shift() : this.fifo.shift();
  }

  peek(): QueueEntry | undefined {
    return this.requeued.length > 0 ? this.requeued[0] : this.fifo.peek();
  }

  at(i: number): QueueEntry | undefined {
    const r = this.requeued.length;
    return i < r ? this.requeued[i] : this.fifo.at(i - r);
  }

  remove(chosen: ReadonlySet<QueueEntry>, within: number): QueueEntry[] {
    const taken: QueueEntry[] = [];
    let rest = within;
    if (this.requeued.length > 0) {
      const n = Math.min(rest, this.requeued.length);
      const kept = this.requeued.filter((e, i) => i >= n || !chosen.has(e) || (taken.push(e), false));
      rest -= n;
      this.requeued.splice(0, this.requeued.length, ...kept);
    }
    if (rest > 0 && taken.length < chosen.size) this.fifo.removeWhere((e) => chosen.has(e) && (taken.push(e), true), rest);
    this.count -= taken.length;
    return taken;
  }

  clear(): void {
    this.fifo.clear();
    this.requeued.length = 0;
    this.count = 0;
  }

  *[Symbol.iterator](): IterableIterator<QueueEntry> {
    yield* this.requeued;
    yield* this.fifo;
  }
}

/** x-max-priority: one FIFO per priority, highest first; equal priorities stay in arrival order. */
export class PriorityReadyList implements ReadyList {
  private readonly levels: FifoReadyList[];
  private count = 0;

  constructor(maxPriority: number) {
    this.levels = Array.from({ length: maxPriority + 1 }, () => new FifoReadyList());
  }

  get length(): number {
    return this.count;
  }

  push(entry: QueueEntry): void {
    this.levels[entry.priority].push(entry);
    this.count++;
  }

  giveBack(entry: QueueEntry): void {
    this.levels[entry.priority].giveBack(entry);
    this.count++;
  }

  requeue(entry: QueueEntry): void {
    this.levels[entry.priority].requeue(entry);
    this.count++;
  }

  shift(): QueueEntry | undefined {
    for (let p = this.levels.length - 1; p >= 0; p--) {
      const e = this.levels[p].shift();
      if (e !== undefined) {
        this.count--;
        return e;
      }
    }
    return undefined;
  }

  peek(): QueueEntry | undefined {
    for (let p = this.levels.length - 1; p >= 0; p--) {
      const e = this.levels[p].peek();
      if (e !== undefined) return e;
    }
    return undefined;
  }

  at(i: number): QueueEntry | undefined {
    if (i < 0 || i >= this.count) return undefined;
    for (let p = this.levels.length - 1; p >= 0; p--) {
      const level = this.levels[p];
      if (i < level.length) return level.at(i);
      i -= level.length;
    }
    return undefined;
  }

  remove(chosen: ReadonlySet<QueueEntry>, within: number): QueueEntry[] {
    const taken: QueueEntry[] = [];
    let rest = within;
    for (let p = this.levels.length - 1; p >= 0 && rest > 0; p--) {
      const level = this.levels[p];
      const n = level.length;
      if (n === 0) continue;
      taken.push(...level.remove(chosen, rest));
      rest -= n;
    }
    this.count -= taken.length;
    return taken;
  }

  clear(): void {
    for (const l of this.levels) l.clear();
    this.count = 0;
  }

  *[Symbol.iterator](): IterableIterator<QueueEntry> {
    for (let p = this.levels.length - 1; p >= 0; p--) yield* this.levels[p];
  }
}

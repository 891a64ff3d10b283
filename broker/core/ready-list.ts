import { Fifo } from './fifo';
import type { QueueEntry } from './queue';

/** The messages of a queue waiting for a consumer, in delivery order. */
export interface ReadyList {
  readonly length: number;
  push(entry: QueueEntry): void;
  /** Puts a delivered entry back where it was by arrival order. */
  requeue(entry: QueueEntry): void;
  shift(): QueueEntry | undefined;
  peek(): QueueEntry | undefined;
  /** The entry `i` places from the head, without taking it: browsing a page costs the page, not the queue. */
  at(i: number): QueueEntry | undefined;
  clear(): void;
  [Symbol.iterator](): IterableIterator<QueueEntry>;
}

/**
 * FIFO with requeue to the original position. Every delivered entry arrived before every entry
 * still in `fifo`, so requeued entries always belong in front of it, kept sorted by arrival.
 */
export class FifoReadyList implements ReadyList {
  private readonly fifo = new Fifo<QueueEntry>();
  private readonly requeued: QueueEntry[] = [];

  get length(): number {
    return this.fifo.length + this.requeued.length;
  }

  push(entry: QueueEntry): void {
    this.fifo.push(entry);
  }

  requeue(entry: QueueEntry): void {
    const list = this.requeued;
    // Entries mostly come back oldest first, so the search from the end is short.
    let i = list.length;
    while (i > 0 && list[i - 1].seq > entry.seq) i--;
    list.splice(i, 0, entry);
  }

  shift(): QueueEntry | undefined {
    return this.requeued.length > 0 ? this.requeued.shift() : this.fifo.shift();
  }

  peek(): QueueEntry | undefined {
    return this.requeued.length > 0 ? this.requeued[0] : this.fifo.peek();
  }

  at(i: number): QueueEntry | undefined {
    const r = this.requeued.length;
    return i < r ? this.requeued[i] : this.fifo.at(i - r);
  }

  clear(): void {
    this.fifo.clear();
    this.requeued.length = 0;
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

  clear(): void {
    for (const l of this.levels) l.clear();
    this.count = 0;
  }

  *[Symbol.iterator](): IterableIterator<QueueEntry> {
    for (let p = this.levels.length - 1; p >= 0; p--) yield* this.levels[p];
  }
}

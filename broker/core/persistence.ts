import type { Queue, QueueEntry } from './queue';

/**
 * What a durable queue tells the store about its persistent messages. The core calls these
 * synchronously; the store only queues records and writes them in batches (group commit), so none
 * of them waits for the disk.
 */
export interface QueuePersistence {
  /** A persistent message entered the queue: its record goes into the log. */
  stored(queue: Queue, entry: QueueEntry): void;
  /** First delivery, so that after a restart it comes back with redelivered=true. */
  delivered(queue: Queue, entry: QueueEntry): void;
  /** Acked, rejected, expired or dropped: the message is no longer the queue's. */
  removed(queue: Queue, entry: QueueEntry): void;
  /** The queue is deleted: everything it held below `seq` is gone. */
  purged(queue: Queue, seq: number): void;
}

/** The store as publishers see it: a confirm for a stored message waits for the fsync. */
export interface Durability {
  /** Calls back once everything written so far is on disk; ok=false if the write failed. */
  whenDurable(cb: (ok: boolean) => void): void;
  /**
   * A change to durable definitions (queue, exchange, binding, ...) is not on disk yet: whoever made
   * it answers only after whenDurable, and reports a failure instead of success.
   */
  changesPending(): boolean;
  /** Calls back once the definition changes made so far are on disk (ok), or failed to get there. */
  whenChangesDurable(cb: (ok: boolean) => void): void;
}

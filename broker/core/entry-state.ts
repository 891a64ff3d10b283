import type { Message } from './message';

/** An entry's expiry and store handle when it has both (a persistent message with a TTL): rare. */
class ExpiringStored {
  constructor(readonly expiresAt: number, readonly stored: object) {}
}

/**
 * What a queue knows of one message it holds (see QueueEntry in queue.ts). Most messages go to one
 * queue: a Message is itself the entry of the first queue that takes it (one object, not two), and
 * further queues get an Entry. Redelivered, priority and the quorum returns share one number, and
 * the expiry and the store's handle one field (`late`: mostly neither is there).
 */
export abstract class EntryState {
  /** Position in the queue's arrival order; -1 while a Message is no queue's entry yet. */
  seq = -1;
  /** redelivered (1) + priority × 2 (0–255) + returns × 512; arithmetic, so returns may grow past 32 bits */
  private flags = 0;
  /** 0 (no expiry, not stored), the expiry (ms since epoch), the store's handle, or both (ExpiringStored) */
  private late: number | object = 0;

  abstract get msg(): Message;

  /** Makes this the entry at `seq` of a queue. */
  protected place(seq: number, expiresAt: number, priority: number, redelivered: boolean): void {
    this.seq = seq;
    this.flags = priority * 2 + (redelivered ? 1 : 0);
    this.late = expiresAt;
  }

  /** ms since epoch, 0 for never */
  get expiresAt(): number {
    const l = this.late;
    return typeof l === 'number' ? l : l instanceof ExpiringStored ? l.expiresAt : 0;
  }

  /** The store's handle on this entry's log record; undefined for messages not on disk. */
  get stored(): object | undefined {
    const l = this.late;
    return typeof l === 'number' ? undefined : l instanceof ExpiringStored ? l.stored : l;
  }

  set stored(ref: object | undefined) {
    const expiresAt = this.expiresAt;
    this.late = ref === undefined ? expiresAt : expiresAt === 0 ? ref : new ExpiringStored(expiresAt, ref);
  }

  get redelivered(): boolean {
    return this.flags % 2 === 1;
  }

  set redelivered(v: boolean) {
    this.flags += (v ? 1 : 0) - (this.flags % 2);
  }

  /** 0 unless the queue has x-max-priority */
  get priority(): number {
    return Math.floor(this.flags / 2) % 256;
  }

  /** Quorum queues: how often the message came back unacked (x-delivery-count). */
  get returned(): number {
    return Math.floor(this.flags / 512);
  }

  set returned(n: number) {
    this.flags = (this.flags % 512) + n * 512;
  }
}

/** The entry of a queue that is not the message's first: the message is another queue's entry. */
export class Entry extends EntryState {
  constructor(
    readonly msg: Message,
    seq: number,
    expiresAt: number,
    priority: number,
    redelivered: boolean,
  ) {
    super();
    this.place(seq, expiresAt, priority, redelivered);
  }
}

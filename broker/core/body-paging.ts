import type { Message } from './message';

/** A queue's count of the messages it holds whose bodies the pager has sent to disk. */
export interface PagedCounts {
  messages: number;
  bytes: number;
}

/**
 * Bodies of queued messages beyond a memory budget go to disk (the transient pager). A queue tells
 * it when an entry starts and stops holding a message — ready or unacked alike — and the pager
 * counts holders on the message: the body's copy on disk is freed when the last one lets go.
 * Both calls are synchronous and never wait for the disk.
 */
export interface BodyPaging {
  /** A queue entry now holds `msg` (it entered a queue, or was restored into one); `counts` are its queue's. */
  held(msg: Message, counts: PagedCounts): void;
  /**
   * A queue entry let go of `msg` for good (acked, dropped, purged, moved, its queue deleted). The
   * body stays readable for the rest of this event-loop turn: a no-ack delivery is written after.
   */
  released(msg: Message, counts: PagedCounts): void;
}

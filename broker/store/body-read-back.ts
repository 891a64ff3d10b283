import { bringBodyIn, expectBodies, SLAB_MAX_BODY } from '../core/body-slabs';
import type { Queue, QueueEntry } from '../core/queue';
import type { Logger } from '../logger';
import type { MessageLog, Segment, StoredRef } from './message-log';

/** Bodies read per turn of the event loop: a few milliseconds of work between the broker's own. */
const TURN_BYTES = 1024 * 1024;
/** A stretch of a segment read at once: the bodies in it and the records between them. */
const STRETCH_MAX = 4 * 1024 * 1024;

/**
 * After recovery, the bodies of each queue's first messages — as many as the memory budget holds,
 * queue by queue — are read back into memory in the background, a stretch of the log at a time,
 * while the broker already serves. Until its body is in, a message is delivered from the log like
 * any paged-out one; one acked, moving (compaction) or already in memory meanwhile is left alone.
 * Start-up waits for none of it.
 */
export class BodyReadBack {
  private next = 0;
  private timer: NodeJS.Immediate | undefined;
  private readonly started = Date.now();
  private brought = 0;
  private bytes = 0;

  constructor(
    private readonly log: MessageLog,
    private readonly logger: Logger,
    /** in the order their bodies should come in, with the queue of each */
    private readonly entries: QueueEntry[],
    private readonly queues: Queue[],
    /** takes `bytes` of the store's memory budget, or says that they do not fit */
    private readonly admit: (bytes: number) => boolean,
  ) {}

  start(): void {
    this.timer = setImmediate(this.step);
  }

  /** Done, or the store closes: what is not in yet stays on disk. */
  stop(): void {
    clearImmediate(this.timer);
    this.timer = undefined;
    this.entries.length = 0;
    this.queues.length = 0;
    this.log.recovered();
  }

  private readonly step = (): void => {
    this.timer = undefined;
    let more: boolean;
    try {
      more = this.readTurn();
    } catch (err) {
      this.logger.warn(`reading recovered message bodies back into memory stopped: ${err instanceof Error ? err.message : String(err)}; the rest are read from the log when delivered`);
      more = false;
    }
    if (more) {
      this.timer = setImmediate(this.step);
      return;
    }
    if (this.brought > 0) {
      this.logger.info(`read the bodies of ${this.brought} recovered messages (${(this.bytes / 2 ** 20).toFixed(1)} MiB) back into memory in ${Date.now() - this.started} ms`);
    }
    this.stop();
  };

  /** One turn's worth of bodies; false once there are no more to read. */
  private readTurn(): boolean {
    let stretch: { segment: Segment; from: number; to: number; picked: number[] } | undefined;
    let turn = 0;
    while (this.next < this.entries.length && turn < TURN_BYTES) {
      const i = this.next++;
      const ref = this.entries[i].stored as StoredRef | undefined;
      if (ref === undefined || ref.released || ref.moving || this.entries[i].msg.isResident) continue;
      if (!this.admit(ref.length)) continue;
      turn += ref.length;
      const end = ref.offset + ref.length;
      if (stretch !== undefined && (stretch.segment !== ref.segment || ref.offset < stretch.to || end - stretch.from > STRETCH_MAX)) {
        this.bringIn(stretch.segment, stretch.from, stretch.to, stretch.picked);
        stretch = undefined;
      }
      if (stretch === undefined) stretch = { segment: ref.segment, from: ref.offset, to: end, picked: [i] };
      else {
        stretch.to = end;
        stretch.picked.push(i);
      }
    }
    if (stretch !== undefined) this.bringIn(stretch.segment, stretch.from, stretch.to, stretch.picked);
    return this.next < this.entries.length;
  }

  /** Reads [from, to) of `segment` and gives the picked entries, whose bodies lie there, their bodies. */
  private bringIn(segment: Segment, from: number, to: number, picked: number[]): void {
    const span = this.log.readSpan(segment, from, to);
    let small = 0;
    for (const i of picked) {
      const length = this.entries[i].msg.bodySize;
      if (length <= SLAB_MAX_BODY) small += length;
    }
    expectBodies(small);
    for (const i of picked) {
      const { msg, stored } = this.entries[i];
      const ref = stored as StoredRef;
      bringBodyIn(msg, span, ref.offset - from, ref.offset - from + ref.length);
      const p = this.queues[i].persisted;
      p.pagedOut--;
      p.pagedOutBytes -= ref.length;
      this.brought++;
      this.bytes += ref.length;
    }
    expectBodies(0);
  }
}

import {
  messageBodyAt, messageExchangeAt, messageExpiresAt, messagePropertiesAt, recordQueue, recordSeq, RecordType,
} from './log-records';
import type { LogReader, Segment } from './message-log';

// A record's numbers, one row of QueueRecords' columns.
const SEQ = 0;
/** its segment: an index into LogReplay.segments */
const SEG = 1;
const BODY_AT = 2;
const BODY_LENGTH = 3;
const RECORD_BYTES = 4;
const EXPIRES_AT = 5;
/** DEAD + DELIVERED + GAP × (index of the skipped stretch it was marked delivered for, plus one) */
const STATE = 6;
const STRIDE = 7;

const DEAD = 1;
const DELIVERED = 2;
const GAP = 4;

/** Below this many dead rows a queue's columns are not compacted while the log is read. */
export const COMPACT_MIN = 4096;

/**
 * The exchange, routing key and properties of a run of MESSAGE records that share them (a backlog
 * is mostly one publisher's messages to one key): decoded once, the properties kept as raw bytes,
 * as a publish keeps them.
 */
export class RecordMeta {
  constructor(
    readonly exchange: string,
    readonly routingKey: string,
    readonly properties: Buffer,
    /** the record's bytes from the exchange's length to the end of the properties, to compare the next one with */
    readonly head: Buffer,
  ) {}
}

/**
 * The MESSAGE records of one queue id still held at this point of the log. Records are rows of
 * numbers in one Float64Array, not objects: recovery reads a million of them. They come in the
 * order of their sequence numbers, so a DELIVERED or REMOVED record finds its row by binary search
 * (mostly at once: acks follow the queue's order). A record that arrives out of that order is a
 * copy compaction wrote of an older message: it is kept apart in `moved` and replaces the row of
 * the same sequence number, taking over its delivered mark.
 */
export class QueueRecords {
  private rows = new Float64Array(STRIDE * 64);
  /** each row's exchange, routing key and properties (shared by runs of rows): dropped with the row */
  private metas: RecordMeta[] = [];
  /** rows used; after finish(), the messages held, in queue order */
  length = 0;
  private dead = 0;
  /** rows below this are dead (a PURGED record) */
  private floor = 0;
  /** the highest sequence number a row was added with: later rows are higher */
  private lastSeq = -1;
  /** where the last lookup found its row */
  private hint = 0;
  private moved: Map<number, { row: Float64Array; meta: RecordMeta }> | undefined;
  /** the highest sequence number in any of the queue's records, held or not */
  highestSeq = -1;

  /** `compactMin`: tests lower it, to see compaction with few records */
  constructor(private readonly compactMin = COMPACT_MIN) {}

  add(seq: number, seg: number, bodyAt: number, bodyLength: number, recordBytes: number, expiresAt: number, meta: RecordMeta): void {
    if (seq > this.highestSeq) this.highestSeq = seq;
    let row: Float64Array;
    let at: number;
    let state = 0;
    if (seq > this.lastSeq) {
      this.lastSeq = seq;
      if ((this.length + 1) * STRIDE > this.rows.length) this.grow();
      row = this.rows;
      this.metas[this.length] = meta;
      at = this.length++ * STRIDE;
    } else {
      // seen before: the later copy counts, the delivered mark (and why it was set) carries over
      const before = this.moved?.get(seq);
      if (before !== undefined) state = before.row[STATE];
      else {
        const i = this.find(seq);
        if (i >= 0) {
          state = this.rows[i * STRIDE + STATE];
          this.kill(i);
        }
      }
      row = new Float64Array(STRIDE);
      at = 0;
      (this.moved ??= new Map()).set(seq, { row, meta });
    }
    row[at + SEQ] = seq;
    row[at + SEG] = seg;
    row[at + BODY_AT] = bodyAt;
    row[at + BODY_LENGTH] = bodyLength;
    row[at + RECORD_BYTES] = recordBytes;
    row[at + EXPIRES_AT] = expiresAt;
    row[at + STATE] = state;
  }

  delivered(seq: number): void {
    const moved = this.moved?.get(seq)?.row;
    if (moved !== undefined) {
      moved[STATE] = markDelivered(moved[STATE], -1);
      return;
    }
    const i = this.find(seq);
    if (i >= 0) this.rows[i * STRIDE + STATE] = markDelivered(this.rows[i * STRIDE + STATE], -1);
  }

  removed(seq: number): void {
    if (this.moved?.delete(seq) === true) return;
    const i = this.find(seq);
    if (i < 0) return;
    this.kill(i);
    this.compactIfMostlyDead();
  }

  /** Everything held below `seq` is gone. */
  purged(seq: number): void {
    const end = this.lowerBound(seq);
    for (let i = this.floor; i < end; i++) if (this.rows[i * STRIDE + STATE] % 2 === 0) this.kill(i);
    if (end > this.floor) this.floor = end;
    if (this.moved !== undefined) for (const s of this.moved.keys()) if (s < seq) this.moved.delete(s);
    this.compactIfMostlyDead();
  }

  /** Unreadable bytes were skipped: every message held so far may have had its delivery recorded there. */
  skipped(gap: number): void {
    for (let i = this.floor; i < this.length; i++) {
      const at = i * STRIDE + STATE;
      if (this.rows[at] % 2 === 0) this.rows[at] = markDelivered(this.rows[at], gap);
    }
    for (const { row } of this.moved?.values() ?? []) row[STATE] = markDelivered(row[STATE], gap);
  }

  /** The log is read: keeps only the rows of messages held, in sequence order, moved copies merged in. */
  finish(): void {
    const moved = this.moved === undefined ? [] : [...this.moved.values()].sort((a, b) => a.row[SEQ] - b.row[SEQ]);
    this.moved = undefined;
    // a backlog nobody consumed is already that
    if (moved.length === 0 && this.dead === 0) return;
    const rows = this.rows;
    const out = new Float64Array(Math.max(1, this.length - this.dead + moved.length) * STRIDE);
    const metas: RecordMeta[] = [];
    let n = 0;
    let m = 0;
    const takeMoved = (): void => {
      out.set(moved[m].row, n * STRIDE);
      metas[n++] = moved[m++].meta;
    };
    for (let i = this.floor; i < this.length; i++) {
      const at = i * STRIDE;
      if (rows[at + STATE] % 2 === 1) continue;
      while (m < moved.length && moved[m].row[SEQ] < rows[at + SEQ]) takeMoved();
      for (let k = 0; k < STRIDE; k++) out[n * STRIDE + k] = rows[at + k];
      metas[n++] = this.metas[i];
    }
    while (m < moved.length) takeMoved();
    this.rows = out;
    this.metas = metas;
    this.length = n;
    this.dead = 0;
    this.floor = 0;
  }

  // Row readers (after finish(), row i is the queue's i-th message).
  seq(i: number): number {
    return this.rows[i * STRIDE + SEQ];
  }
  segment(i: number): number {
    return this.rows[i * STRIDE + SEG];
  }
  bodyAt(i: number): number {
    return this.rows[i * STRIDE + BODY_AT];
  }
  bodyLength(i: number): number {
    return this.rows[i * STRIDE + BODY_LENGTH];
  }
  recordBytes(i: number): number {
    return this.rows[i * STRIDE + RECORD_BYTES];
  }
  expiresAt(i: number): number {
    return this.rows[i * STRIDE + EXPIRES_AT];
  }
  meta(i: number): RecordMeta {
    return this.metas[i];
  }
  isDelivered(i: number): boolean {
    return Math.floor(this.rows[i * STRIDE + STATE] / DELIVERED) % 2 === 1;
  }
  /** the skipped stretch it was marked delivered for, or -1 */
  gap(i: number): number {
    return Math.floor(this.rows[i * STRIDE + STATE] / GAP) - 1;
  }

  /** The live row with sequence number `seq`, or -1. */
  private find(seq: number): number {
    const rows = this.rows;
    let i = this.hint;
    // acks and deliveries mostly follow the queue's order: the next row, or the same
    if (i + 1 < this.length && rows[(i + 1) * STRIDE + SEQ] === seq) i++;
    else if (!(i < this.length && rows[i * STRIDE + SEQ] === seq)) {
      i = this.lowerBound(seq);
      if (i >= this.length || rows[i * STRIDE + SEQ] !== seq) return -1;
    }
    if (i < this.floor || rows[i * STRIDE + STATE] % 2 === 1) return -1;
    this.hint = i;
    return i;
  }

  /** The first row whose sequence number is `seq` or higher. */
  private lowerBound(seq: number): number {
    const rows = this.rows;
    let lo = this.floor;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (rows[mid * STRIDE + SEQ] < seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private kill(i: number): void {
    this.rows[i * STRIDE + STATE] += DEAD;
    this.dead++;
  }

  private grow(): void {
    const rows = new Float64Array(this.rows.length * 2);
    rows.set(this.rows);
    this.rows = rows;
  }

  /** A queue that was consumed as it was filled leaves mostly dead rows: they go, so memory follows what is held. */
  private compactIfMostlyDead(): void {
    if (this.dead < this.compactMin || this.dead * 2 < this.length) return;
    const rows = this.rows;
    let n = 0;
    for (let i = this.floor; i < this.length; i++) {
      const at = i * STRIDE;
      if (rows[at + STATE] % 2 === 1) continue;
      if (n !== i) {
        rows.copyWithin(n * STRIDE, at, at + STRIDE);
        this.metas[n] = this.metas[i];
      }
      n++;
    }
    this.metas.length = n;
    this.length = n;
    this.dead = 0;
    this.floor = 0;
    this.hint = 0;
  }
}

/** DELIVERED set; the gap is recorded only by the mark that set it */
function markDelivered(state: number, gap: number): number {
  if (Math.floor(state / DELIVERED) % 2 === 1) return state;
  return state + DELIVERED + (gap + 1) * GAP;
}

/**
 * Replays the message log into what each queue id still holds (see MessageLog.open for the order
 * and DurableStore.recoverMessages for what becomes of it). Costs per record a few numbers, no
 * object: decoding waits until a record is known to be held, and records sharing an exchange,
 * routing key and properties share one RecordMeta.
 */
export class LogReplay implements LogReader {
  readonly queues = new Map<number, QueueRecords>();
  /** the segments records were read from, in order; rows name theirs by index */
  readonly segments: Segment[] = [];
  /** the last record's, for the next to share if its bytes are the same */
  private lastMeta: RecordMeta | undefined;
  /** how many RecordMetas were made: runs of records that differ from the one before */
  metasMade = 0;
  /** where unreadable bytes were skipped, in order */
  readonly skips: string[] = [];
  highestQueueId = 0;
  private lastQueue: QueueRecords | undefined;
  private lastQueueId = -1;

  constructor(private readonly compactMin = COMPACT_MIN) {}

  message(buf: Buffer, off: number, segment: Segment, recordBytes: number): void {
    if (this.segments[this.segments.length - 1] !== segment) this.segments.push(segment);
    const id = recordQueue(buf, off);
    if (id > this.highestQueueId) this.highestQueueId = id;
    const pr = messagePropertiesAt(buf, off);
    const body = messageBodyAt(buf, pr);
    const meta = this.metaOf(buf, off, body);
    this.records(id).add(recordSeq(buf, off), this.segments.length - 1, body + 4, buf.readUInt32BE(body), recordBytes, messageExpiresAt(buf, off), meta);
  }

  mark(type: RecordType, id: number, seq: number): void {
    const q = id === this.lastQueueId ? this.lastQueue : this.queues.get(id);
    if (q === undefined) return;
    if (type === RecordType.Delivered) q.delivered(seq);
    else if (type === RecordType.Removed) q.removed(seq);
    else q.purged(seq);
  }

  skipped(where: string): void {
    for (const q of this.queues.values()) q.skipped(this.skips.length);
    this.skips.push(where);
  }

  /** The log is read. Returns, per skipped stretch, how many messages still held were marked delivered for it. */
  finish(): number[] {
    const suspects = this.skips.map(() => 0);
    for (const q of this.queues.values()) {
      q.finish();
      if (suspects.length === 0) continue;
      for (let i = 0; i < q.length; i++) {
        const gap = q.gap(i);
        if (gap >= 0) suspects[gap]++;
      }
    }
    return suspects;
  }

  private records(id: number): QueueRecords {
    if (id === this.lastQueueId && this.lastQueue !== undefined) return this.lastQueue;
    let q = this.queues.get(id);
    if (q === undefined) this.queues.set(id, (q = new QueueRecords(this.compactMin)));
    this.lastQueueId = id;
    this.lastQueue = q;
    return q;
  }

  /** The record's RecordMeta: the previous record's when the bytes are the same. */
  private metaOf(buf: Buffer, off: number, end: number): RecordMeta {
    const start = messageExchangeAt(off);
    const last = this.lastMeta;
    if (last !== undefined && sameBytes(last.head, buf, start, end)) return last;
    const head = Buffer.from(buf.subarray(start, end));
    const ex = 0;
    const rk = 1 + head[ex];
    const pr = rk + 1 + head[rk];
    this.metasMade++;
    return (this.lastMeta = new RecordMeta(
      head.toString('utf8', ex + 1, rk),
      head.toString('utf8', rk + 1, pr),
      head.subarray(pr + 4, end - start),
      head,
    ));
  }
}

/** Whether `buf[start, end)` holds the bytes of `a`: a loop, as these are a few dozen bytes and a native call costs more. */
function sameBytes(a: Buffer, buf: Buffer, start: number, end: number): boolean {
  if (a.length !== end - start) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== buf[start + i]) return false;
  return true;
}

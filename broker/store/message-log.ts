import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../logger';
import { FILE_MODE, syncDir, writeFileSynced } from './atomic-file';
import type { BodySource } from '../core/message';
import { encodeMark, encodeMessageHead, recordQueue, recordSeq, recordType, RecordType, Refusal, type MessageMeta } from './log-records';
import { SegmentChecks } from './parallel-segment-check';

/**
 * One file of the log, with the messages in it that some queue still holds: a list through the
 * refs themselves, so that holding one costs no allocation and no hashing (recovery adds a million).
 */
export class Segment {
  /** the live refs, oldest first */
  private first: StoredRef | undefined;
  private last: StoredRef | undefined;
  liveCount = 0;
  /** bytes of those messages' records: a mostly dead old segment is worth compacting */
  liveBytes = 0;
  /** chunks queued for this segment but not yet written */
  pendingWrites = 0;
  /** recovery skipped bytes of it: once nothing in it is live it is moved to quarantine/, never deleted */
  damaged = false;
  constructor(
    readonly id: number,
    readonly file: string,
    public fd: number,
    public size: number,
  ) {}

  add(ref: StoredRef): void {
    ref.prev = this.last;
    ref.next = undefined;
    if (this.last === undefined) this.first = ref;
    else this.last.next = ref;
    this.last = ref;
    this.liveCount++;
    this.liveBytes += ref.recordBytes;
  }

  remove(ref: StoredRef): void {
    if (ref.prev === undefined) this.first = ref.next;
    else ref.prev.next = ref.next;
    if (ref.next === undefined) this.last = ref.prev;
    else ref.next.prev = ref.prev;
    ref.prev = ref.next = undefined;
    this.liveCount--;
    this.liveBytes -= ref.recordBytes;
  }

  /** The live refs, oldest first; `ref.next` is read before `ref` is handed out, so it may be removed. */
  *live(): IterableIterator<StoredRef> {
    for (let ref = this.first; ref !== undefined; ) {
      const next = ref.next;
      yield ref;
      ref = next;
    }
  }
}

/**
 * A live message record: where its body sits on disk. Compaction moves it to a newer segment;
 * the store keeps this object and reads through it, so a move is invisible to the queue. It is
 * the body source of a message whose body is not in memory (read back on each use).
 */
export class StoredRef implements BodySource {
  /** the store's: which queue entry this record belongs to */
  owner: unknown = undefined;
  /** RELEASED, MOVING and DELIVERED in one number: there is one of these per stored message */
  private bits = 0;
  /** neighbours in its segment's list of live refs */
  prev: StoredRef | undefined = undefined;
  next: StoredRef | undefined = undefined;
  constructor(
    /** the queue id its record carries */
    readonly queue: number,
    public segment: Segment,
    public offset: number,
    readonly length: number,
    public recordBytes: number,
  ) {}

  get inMemory(): boolean {
    return false;
  }

  get released(): boolean {
    return (this.bits & RELEASED) !== 0;
  }

  set released(v: boolean) {
    this.bits = v ? this.bits | RELEASED : this.bits & ~RELEASED;
  }

  /** compaction is writing it again */
  get moving(): boolean {
    return (this.bits & MOVING) !== 0;
  }

  set moving(v: boolean) {
    this.bits = v ? this.bits | MOVING : this.bits & ~MOVING;
  }

  /** a DELIVERED record of it is in the log: compaction writes one again after moving it */
  get delivered(): boolean {
    return (this.bits & DELIVERED) !== 0;
  }

  set delivered(v: boolean) {
    this.bits = v ? this.bits | DELIVERED : this.bits & ~DELIVERED;
  }

  /** The body, wherever compaction has put the record by now. */
  read(): Buffer {
    const buf = Buffer.allocUnsafe(this.length);
    readFully(this.segment, buf, 0, this.length, this.offset);
    return buf;
  }
}

const RELEASED = 1;
const MOVING = 2;
const DELIVERED = 4;

/** Reads `length` bytes at `position` of a segment into `buf` at `at`. */
function readFully(segment: Segment, buf: Buffer, at: number, length: number, position: number): void {
  let done = 0;
  while (done < length) {
    const n = fs.readSync(segment.fd, buf, at + done, length - done, position + done);
    if (n === 0) throw new Error(`message log: short read in ${segment.file} at ${position + done}`);
    done += n;
  }
}

/** What recovery hears of the log, record by record, in the order they were written. */
export interface LogReader {
  /** A MESSAGE record accepted at `off` of `buf` (read its fields with log-records' readers); `buf` is reused after the call. */
  message(buf: Buffer, off: number, segment: Segment, recordBytes: number): void;
  /** A DELIVERED, REMOVED or PURGED record. */
  mark(type: RecordType, queue: number, seq: number): void;
  /** Bytes `where` could not be read and were skipped: the records in them are unknown. */
  skipped(where: string): void;
}

type Waiter = (ok: boolean) => void;
interface Chunk {
  segment: Segment;
  buf: Buffer;
  pos: number;
}

const EMPTY = Buffer.alloc(0);

/** messages/quarantine: bytes and segments recovery could not fully read, kept for a person */
const QUARANTINE = 'quarantine';

/**
 * An append-only log in fixed-size segment files, written in batches: records appended during one
 * event-loop turn (and while the previous batch was being written) go out in one writev per
 * segment and one fdatasync — group commit. Segments are deleted oldest first once nothing in them
 * is live, which is safe because a REMOVED record can only point at an older or the same segment.
 */
export class MessageLog {
  private readonly segments: Segment[] = [];
  private active!: Segment;
  /** chunks to write, each at its own offset: a failed write leaves a gap, never shifts what follows */
  private pending: Chunk[] = [];
  /** recovery's buffer for reading segments (see readSpan) */
  private scratch = EMPTY;
  private pendingWaiters: Waiter[] = [];
  private inflightWaiters: Waiter[] = [];
  private afterWrite: (() => void)[] = [];
  private needsSync = false;
  private flushing = false;
  private scheduled = false;
  /** requestFlush() was called: the next batch runs (and its waiters wait) even with no records */
  private preludeDue = false;
  /**
   * Runs before each batch is written and the batch waits for it: the store writes the definitions
   * there, so a queue is on disk before its messages. An error fails the batch's waiters.
   */
  prelude: (done: (err: Error | null) => void) => void = (done) => done(null);
  /** Called after each batch: the store compacts from here. */
  afterFlush: () => void = () => {};
  /** Called with the bytes of each write once the file system has them: the disk alarm counts them. */
  onWrite: (bytes: number) => void = () => {};
  /** bytes appended and fsynced, for the bench and the console */
  stats = { appended: 0, syncs: 0, batches: 0 };

  constructor(
    private readonly dir: string,
    private readonly segmentSize: number,
    private readonly log: Logger,
  ) {}

  /**
   * Opens the log, handing every intact record to `reader` in order. After a corrupt record the
   * scan resumes at the next record whose layout and checksum check out: only the bytes between are
   * skipped, and the segment is kept (see reclaim). Bad bytes with nothing intact after them at the
   * end of the last segment are what a crash in the middle of a write leaves: they are copied to
   * quarantine/ and cut off. Every skipped or removed range is logged with its reason, and handed
   * to `reader.skipped` (the records in it are unknown: the caller decides what that means for the rest).
   * Each segment is read whole, here into one buffer that is reused for the next, or by a second
   * thread that checks it too (SegmentChecks); call recovered() after.
   */
  open(reader: LogReader): void {
    fs.mkdirSync(this.dir, { recursive: true });
    const files = fs.readdirSync(this.dir).filter((f) => /^\d{8}\.seg$/.test(f)).sort();
    const started = performance.now();
    const checks = new SegmentChecks(files.map((f) => path.join(this.dir, f)), this.log);
    try {
      files.forEach((f, i) => this.replaySegment(f, i, i === files.length - 1, checks, reader));
    } finally {
      checks.close();
    }
    if (files.length > 0) {
      this.log.debug(`message log: read ${files.length} segments in ${(performance.now() - started).toFixed(0)} ms, ${checks.byWorker} of them read and checked by a second thread`);
    }
    if (this.segments.length === 0) this.roll();
    this.active = this.segments[this.segments.length - 1];
  }

  /** Segment file `f`, the `index`th, for open(): its records as `checks` found them, handed to `reader`. */
  private replaySegment(f: string, index: number, last: boolean, checks: SegmentChecks, reader: LogReader): void {
    const file = path.join(this.dir, f);
    // not O_APPEND: every write goes to the offset its refs were given (see writeBatch)
    const segment = new Segment(Number(f.slice(0, 8)), file, fs.openSync(file, last ? 'r+' : 'r'), 0);
    this.segments.push(segment);
    segment.size = fs.fstatSync(segment.fd).size;
    const { bytes, verdicts } = checks.take(index, segment.size, () => this.readSpan(segment, 0, segment.size));
    let off = 0;
    let k = 0;
    while (off < bytes.length) {
      const next = verdicts[k++];
      if (next >= 0) {
        if (recordType(bytes, off) === RecordType.Message) reader.message(bytes, off, segment, next - off);
        else reader.mark(recordType(bytes, off), recordQueue(bytes, off), recordSeq(bytes, off));
        off = next;
        continue;
      }
      const what = next === Refusal.Short ? 'a record longer than what follows it' : `a record with a ${next === Refusal.Checksum ? 'wrong checksum' : 'malformed layout'}`;
      const resumeAt = verdicts[k++];
      if (resumeAt >= 0) {
        this.log.warn(
          `message log: ${what} at ${f}:${off}; skipped bytes ${off}-${resumeAt - 1} (${resumeAt - off} bytes) to the next intact record. ` +
            `${f} is not deleted: once nothing in it is live it is moved to ${QUARANTINE}/`,
        );
        segment.damaged = true;
        reader.skipped(`${f}:${off}-${resumeAt - 1}`);
        off = resumeAt;
        continue;
      }
      if (last) {
        const copy = this.quarantine(`${f}.tail-at-${off}`, bytes.subarray(off));
        this.log.warn(
          `message log: ${what} at ${f}:${off} and no intact record after it (a write a crash interrupted): ` +
            `cut off the last ${bytes.length - off} bytes, a copy is in ${copy}`,
        );
        fs.truncateSync(file, off);
        segment.size = off;
        reader.skipped(`${f}:${off}-${bytes.length - 1}`);
      } else {
        this.log.warn(
          `message log: ${what} at ${f}:${off} and no intact record after it: skipped bytes ${off}-${bytes.length - 1} ` +
            `(${bytes.length - off} bytes). ${f} is not deleted: once nothing in it is live it is moved to ${QUARANTINE}/`,
        );
        segment.damaged = true;
        reader.skipped(`${f}:${off}-${bytes.length - 1}`);
      }
      break;
    }
  }

  /**
   * Bytes [from, to) of a segment, in a buffer reused by the next call: recovery reads whole
   * segments, and then the stretches where the bodies it keeps in memory lie.
   */
  readSpan(segment: Segment, from: number, to: number): Buffer {
    const length = to - from;
    if (this.scratch.length < length) this.scratch = Buffer.allocUnsafeSlow(Math.max(length, this.segmentSize));
    readFully(segment, this.scratch, 0, length, from);
    return this.scratch.subarray(0, length);
  }

  /** Recovery is over: the buffer it read segments into goes. */
  recovered(): void {
    this.scratch = EMPTY;
  }

  /** Keeps bytes recovery could not read, under messages/quarantine/, for a person to look at. */
  private quarantine(name: string, bytes: Buffer): string {
    const dir = path.join(this.dir, QUARANTINE);
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, name);
    writeFileSynced(file, bytes);
    syncDir(dir);
    return file;
  }

  /** Start-up failed: closes what open() opened; writes and deletes nothing. */
  abandon(): void {
    for (const s of this.segments) fs.closeSync(s.fd);
    this.segments.length = 0;
    this.pending = [];
  }

  appendMessage(meta: MessageMeta, body: Buffer): StoredRef {
    const { segment, offset, total } = this.write(meta, body);
    const ref = new StoredRef(meta.queue, segment, offset, body.length, total);
    this.retain(ref);
    return ref;
  }

  private write(meta: MessageMeta, body: Buffer): { segment: Segment; offset: number; total: number } {
    const head = encodeMessageHead(meta, body);
    const total = head.length + body.length;
    if (this.active.size > 0 && this.active.size + total > this.segmentSize) this.roll();
    const segment = this.active;
    const offset = segment.size + head.length;
    this.queue(segment, head);
    if (body.length > 0) this.queue(segment, body);
    this.needsSync = true;
    return { segment, offset, total };
  }

  /**
   * Compaction: writes the record again at the head of the log; once that is on disk the ref
   * points there, and the old segment no longer holds it.
   */
  rewrite(ref: StoredRef, meta: MessageMeta, body: Buffer): void {
    if (ref.released || ref.moving) return;
    ref.moving = true;
    const { segment, offset, total } = this.write(meta, body);
    this.afterWritten(() => {
      ref.moving = false;
      if (ref.released) return;
      this.release(ref);
      ref.released = false;
      ref.segment = segment;
      ref.offset = offset;
      ref.recordBytes = total;
      this.retain(ref);
    });
  }

  /** DELIVERED, REMOVED, PURGED: written with the next batch, never waited for. */
  appendMark(type: RecordType, queue: number, seq: number): void {
    const buf = encodeMark(type, queue, seq);
    if (this.active.size > 0 && this.active.size + buf.length > this.segmentSize) this.roll();
    this.queue(this.active, buf);
  }

  /** The message is gone for good; empty old segments are deleted after the next write. */
  release(ref: StoredRef): void {
    if (ref.released) return;
    ref.released = true;
    ref.segment.remove(ref);
  }

  retain(ref: StoredRef): void {
    ref.segment.add(ref);
  }

  /**
   * An old segment kept alive by a few long-lived messages pins every newer one (segments go oldest
   * first). When the oldest is mostly dead, hand its live records to `relocate`, a batch at a time.
   */
  compactionCandidates(max = 2000): StoredRef[] {
    if (this.segments.length < 3) return [];
    const oldest = this.segments[0];
    if (oldest === this.active || oldest.liveCount === 0 || oldest.liveBytes > this.segmentSize / 4) return [];
    const out: StoredRef[] = [];
    for (const ref of oldest.live()) {
      if (!ref.moving) out.push(ref);
      if (out.length >= max) break;
    }
    return out;
  }

  /** Calls back once everything appended so far is on disk (ok) or failed to get there. */
  whenDurable(cb: Waiter): void {
    if (this.pending.length > 0 || this.preludeDue) this.pendingWaiters.push(cb);
    else if (this.flushing) this.inflightWaiters.push(cb);
    else queueMicrotask(() => cb(true));
  }

  /** A batch is due even if no record is appended: the prelude has something to write. */
  requestFlush(): void {
    this.preludeDue = true;
    if (!this.scheduled && !this.flushing) {
      this.scheduled = true;
      setImmediate(this.flush);
    }
  }

  /** Runs `fn` after the records appended so far have been written (e.g. to page a body out). */
  afterWritten(fn: () => void): void {
    this.afterWrite.push(fn);
  }

  readBody(loc: StoredRef): Buffer {
    return loc.read();
  }

  get pendingBytes(): number {
    let n = 0;
    for (const p of this.pending) n += p.buf.length;
    return n;
  }

  get segmentCount(): number {
    return this.segments.length;
  }

  get diskBytes(): number {
    return this.segments.reduce((n, s) => n + s.size, 0);
  }

  /** Writes what is pending and waits for it: for shutdown. Resolves to whether it got to disk. */
  async close(): Promise<boolean> {
    const ok = await new Promise<boolean>((resolve) => this.whenDurable(resolve));
    for (const s of this.segments) fs.closeSync(s.fd);
    this.segments.length = 0;
    return ok;
  }

  /** Deletes leading segments with nothing live (never the active one). */
  reclaim(): void {
    while (this.segments.length > 1) {
      const s = this.segments[0];
      if (s.liveCount > 0 || s.pendingWrites > 0 || s === this.active) break;
      this.segments.shift();
      fs.closeSync(s.fd);
      if (s.damaged) {
        // parts of it could not be read: never deleted, set aside where recovery no longer reads it
        const dir = path.join(this.dir, QUARANTINE);
        fs.mkdirSync(dir, { recursive: true });
        const to = path.join(dir, path.basename(s.file));
        fs.renameSync(s.file, to);
        syncDir(this.dir);
        this.log.warn(`message log: nothing readable in ${path.basename(s.file)} is live any more; it had unreadable bytes, so it was moved to ${to}, not deleted`);
      } else {
        fs.rmSync(s.file, { force: true });
      }
    }
  }

  private queue(segment: Segment, buf: Buffer): void {
    segment.pendingWrites++;
    this.pending.push({ segment, buf, pos: segment.size });
    segment.size += buf.length;
    this.stats.appended += buf.length;
    if (!this.scheduled && !this.flushing) {
      this.scheduled = true;
      setImmediate(this.flush);
    }
  }

  private roll(): void {
    const id = this.segments.length > 0 ? this.segments[this.segments.length - 1].id + 1 : 1;
    const file = path.join(this.dir, `${String(id).padStart(8, '0')}.seg`);
    const segment = new Segment(id, file, fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_CREAT, FILE_MODE), 0);
    this.segments.push(segment);
    this.active = segment;
  }

  private readonly flush = (): void => {
    this.scheduled = false;
    if ((this.pending.length === 0 && !this.preludeDue) || this.flushing) return;
    this.preludeDue = false;
    const batch = this.pending;
    this.pending = [];
    this.inflightWaiters = this.pendingWaiters;
    this.pendingWaiters = [];
    const after = this.afterWrite;
    this.afterWrite = [];
    const sync = this.needsSync;
    this.needsSync = false;
    this.flushing = true;
    this.stats.batches++;
    const written = (preludeErr: Error | null, batchErr: Error | null): void => {
      const err = preludeErr ?? batchErr;
      this.flushing = false;
      for (const p of batch) p.segment.pendingWrites--;
      if (batchErr) this.log.error(`message log: write failed: ${batchErr.message}`);
      const waiters = this.inflightWaiters;
      this.inflightWaiters = [];
      for (const w of waiters) w(!err);
      if (!err) for (const fn of after) fn();
      this.reclaim();
      this.afterFlush();
      if (this.pending.length > 0 || this.preludeDue) this.flush();
    };
    // the records go out even when the prelude failed (their waiters hear of the failure): the log
    // stays one sequence, and a message of a queue whose definition is not on disk is kept unattributed
    this.prelude((preludeErr) => this.writeBatch(batch, sync, (batchErr) => written(preludeErr, batchErr)));
  };

  /**
   * One writev per run of adjacent chunks of a segment, each at its own offset, then one fdatasync
   * per segment touched. A short write (a disk that filled up mid-way) fails the batch like an error:
   * its records are not confirmed, and the bytes left out stay a gap that recovery skips over,
   * while later records still land at the offsets their refs hold.
   */
  private writeBatch(batch: Chunk[], sync: boolean, done: (err: Error | null) => void): void {
    const runs: { segment: Segment; pos: number; bytes: number; bufs: Buffer[] }[] = [];
    for (const p of batch) {
      const last = runs[runs.length - 1];
      if (last !== undefined && last.segment === p.segment && last.pos + last.bytes === p.pos) {
        last.bufs.push(p.buf);
        last.bytes += p.buf.length;
      } else runs.push({ segment: p.segment, pos: p.pos, bytes: p.buf.length, bufs: [p.buf] });
    }
    let i = 0;
    let failed: Error | null = null;
    const next = (err: Error | null): void => {
      // the other runs are still written: a later batch's records must not sit after a gap of ours
      failed ??= err;
      if (i === runs.length) {
        if (!sync) return done(failed);
        const touched = [...new Set(runs.map((r) => r.segment))];
        let left = touched.length;
        this.stats.syncs += touched.length;
        for (const s of touched) {
          fs.fdatasync(s.fd, (e) => {
            failed ??= e;
            if (--left === 0) done(failed);
          });
        }
        return;
      }
      const run = runs[i++];
      fs.writev(run.segment.fd, run.bufs, run.pos, (e, written) => {
        // told once on disk, so a sample taken on hearing it already sees the space they took
        if (written > 0) this.onWrite(written);
        if (e === null && written !== run.bytes) {
          e = Object.assign(new Error(`short write to ${run.segment.file} at ${run.pos} (${written} of ${run.bytes} bytes): the disk is full?`), { code: 'ENOSPC' });
        }
        next(e);
      });
    };
    next(null);
  }
}

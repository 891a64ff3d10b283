import fs from 'node:fs';
import { describeError } from '../core/contained';
import type { Logger } from '../logger';

/** RabbitMQ's default disk_free_limit: 50 MB. */
export const DEFAULT_DISK_FREE_LIMIT = 50_000_000;

/**
 * How often free space is sampled, as RabbitMQ's disk monitor does it: as often as the space left
 * above the limit could be filled by a fast writer (250 MB/s), at least every 200 ms and at most
 * every 5 s. 1 GB above the limit is a sample every 4 s; 50 MB above, five a second.
 */
const FAST_WRITER_BYTES_PER_MS = 250_000;
const MIN_INTERVAL_MS = 200;
const MAX_INTERVAL_MS = 5000;
/** samples brought forward by bytes written come at most this often */
const RESAMPLE_MS = 10;

export type StatFs = (dir: string, cb: (err: NodeJS.ErrnoException | null, stats: { bavail: number | bigint; bsize: number | bigint }) => void) => void;

export interface DiskAlarmOptions {
  /** where a failed sample is told, once until one succeeds */
  log?: Logger;
  /** fs.statfs; tests pass their own */
  statfs?: StatFs;
}

/**
 * Watches the free space of the file system that holds DATA_DIR. Below the limit publishers are
 * blocked (connection.blocked "low on disk"), as RabbitMQ's disk alarm does, so a filling disk stops
 * taking messages before it refuses writes; above it again they are released. One statfs a sample,
 * off the hot path; the timer never throws, and a sample that fails keeps the last state.
 */
export class DiskAlarm {
  active = false;
  /** bytes free to this process at the last sample; -1 before the first */
  free = -1;
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private sampleFailed = false;
  /** bytes the store wrote since the sample in hand */
  private written = 0;
  private sampling = false;
  private sampleAgain = false;
  /** a sample brought forward by the estimate is scheduled */
  private soon = false;
  private sampledAt = 0;
  private readonly statfs: StatFs;

  constructor(
    readonly dir: string,
    readonly limitBytes: number,
    private readonly onChange: (active: boolean) => void,
    private readonly options: DiskAlarmOptions = {},
  ) {
    this.statfs = options.statfs ?? ((d, cb) => fs.statfs(d, cb));
  }

  /** Takes the first sample at once: a broker started on a full disk blocks its first publisher. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.sample();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /**
   * The store wrote `bytes` (the file system has them). They are counted against the last sample, so
   * that a writer faster than the sampling (a tmpfs, a loaded machine whose timers run late) makes
   * the alarm look again as soon as the estimate reaches the limit, not up to an interval later when
   * the disk may be full. Only a sample sets the alarm: an estimate that errs cannot make it flap.
   */
  noteWritten(bytes: number): void {
    this.written += bytes;
    if (this.active || this.stopped || this.free < 0 || this.free - this.written >= this.limitBytes) return;
    this.sampleSoon();
  }

  /** The next sample brought forward: after the one running, and RESAMPLE_MS after the last. */
  private sampleSoon(): void {
    if (this.sampling) {
      this.sampleAgain = true;
      return;
    }
    if (this.soon) return;
    this.soon = true;
    clearTimeout(this.timer);
    this.schedule(Math.max(0, this.sampledAt + RESAMPLE_MS - Date.now()));
  }

  /** One sample, then the next one scheduled: never throws. */
  private sample(): void {
    this.soon = false;
    this.sampling = true;
    const writtenBefore = this.written;
    const settle = (next: number): void => {
      this.sampling = false;
      this.sampledAt = Date.now();
      if (this.sampleAgain) {
        this.sampleAgain = false;
        if (!this.active && this.free - this.written < this.limitBytes) next = Math.min(next, RESAMPLE_MS);
      }
      this.schedule(next);
    };
    try {
      this.statfs(this.dir, (err, s) => {
        let next = MIN_INTERVAL_MS;
        try {
          if (err !== null) throw err;
          this.sampleFailed = false;
          // what was written while statfs ran may or may not be in its answer: it stays counted
          this.written = Math.max(0, this.written - writtenBefore);
          next = this.check(Number(s.bavail) * Number(s.bsize));
        } catch (e) {
          this.failed(e);
        }
        settle(next);
      });
    } catch (e) {
      this.failed(e);
      settle(MIN_INTERVAL_MS);
    }
  }

  private failed(err: unknown): void {
    if (!this.sampleFailed) this.options.log?.warn(`disk alarm: cannot read the free space of ${this.dir}: ${describeError(err)}; keeping the last state`);
    this.sampleFailed = true;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => this.sample(), ms);
    this.timer.unref();
  }

  /** Applies a sample of `free` bytes; returns when to sample next. */
  check(free: number): number {
    this.free = free;
    const over = free < this.limitBytes;
    if (over !== this.active) {
      this.active = over;
      this.onChange(over);
    }
    const headroom = Math.max(0, free - this.limitBytes);
    return Math.min(MAX_INTERVAL_MS, Math.max(MIN_INTERVAL_MS, Math.floor(headroom / FAST_WRITER_BYTES_PER_MS)));
  }
}

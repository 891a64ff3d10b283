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

  /** One sample, then the next one scheduled: never throws. */
  private sample(): void {
    try {
      this.statfs(this.dir, (err, s) => {
        let next = MIN_INTERVAL_MS;
        try {
          if (err !== null) throw err;
          this.sampleFailed = false;
          next = this.check(Number(s.bavail) * Number(s.bsize));
        } catch (e) {
          this.failed(e);
        }
        this.schedule(next);
      });
    } catch (e) {
      this.failed(e);
      this.schedule(MIN_INTERVAL_MS);
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

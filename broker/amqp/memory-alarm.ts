import { readFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import { describeError } from '../core/contained';
import type { Logger } from '../logger';

/** RabbitMQ's default vm_memory_high_watermark: 40% of the machine's memory. */
export const DEFAULT_HIGH_WATERMARK = 0.4;

/**
 * Share of the JavaScript heap's limit above which publishers are blocked. V8 ends the process when
 * the heap is full, whatever the machine has left — 8 million small messages fill a 4 GiB heap at
 * 4.5 GB resident, long before 40 % of a large machine — so the heap has a watermark of its own.
 * And not only when full: four mark-compacts in a row with the old generation at 80 % of its limit
 * and the program getting under 40 % of the time ("ineffective mark-compacts near heap limit") end
 * it too, which a busy machine reaches easily. The watermark stays clear of that line.
 */
export const DEFAULT_HEAP_WATERMARK = 0.7;

/**
 * How often memory is sampled: four times a second, and twenty times once above half a watermark —
 * a flood of small messages grows the heap by tens of MB a second, so a small heap can go from
 * half full to full between two samples a second apart. A sample costs a few microseconds.
 */
const SAMPLE_MS = 250;
const SAMPLE_NEAR_MS = 50;

/**
 * Timers run late on a loaded machine, so what clients send also brings a sample forward: once they
 * have sent half the room left under the nearer watermark, and never more often than every 256 KiB.
 */
const MIN_READ_ALLOWANCE = 256 * 1024;

/** Cgroup limits at or above this mean "no limit" (v1 writes 2^63 rounded to the page). */
const NO_LIMIT = 2 ** 60;

/**
 * The memory this process may really have: the machine's, or less when a cgroup (container, systemd
 * unit) limits it — v2 memory.max, v1 memory.limit_in_bytes, or what Node reads of them.
 */
export function availableMemory(): number {
  let limit = totalmem();
  const consider = (n: number | undefined) => {
    if (n !== undefined && Number.isFinite(n) && n > 0 && n < NO_LIMIT && n < limit) limit = n;
  };
  const constrained = (process as { constrainedMemory?: () => number | undefined }).constrainedMemory;
  if (typeof constrained === 'function') {
    try {
      consider(constrained());
    } catch {
      // not supported here
    }
  }
  for (const file of ['/sys/fs/cgroup/memory.max', '/sys/fs/cgroup/memory/memory.limit_in_bytes']) {
    try {
      consider(Number(readFileSync(file, 'latin1').trim())); // "max" is NaN: no limit
    } catch {
      // no such cgroup version here
    }
  }
  return limit;
}

/**
 * The heap's limit that matters: the old generation's when `--max-old-space-size` was given (the
 * V8 limit adds the young generation, which a full old space does not get to use), else V8's.
 */
export function heapLimit(): number {
  const flags = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  let oldSpaceMb: number | undefined;
  for (const f of flags) {
    const m = /^--max[-_]old[-_]space[-_]size=(\d+)$/.exec(f);
    if (m) oldSpaceMb = Number(m[1]);
  }
  const v8Limit = getHeapStatistics().heap_size_limit;
  return oldSpaceMb !== undefined && oldSpaceMb > 0 ? Math.min(oldSpaceMb * 1024 * 1024, v8Limit) : v8Limit;
}

export interface MemoryAlarmOptions {
  /** Share of heapLimit() above which the alarm goes off (default DEFAULT_HEAP_WATERMARK). */
  heapWatermark?: number;
  /** Where a failed sample is told, once (e.g. EMFILE reading /proc when descriptors run out). */
  log?: Logger;
}

/**
 * Samples the process's memory four times a second, twenty times when near a watermark. Above either high-water mark — resident memory
 * above the watermark of the memory the process may have (the machine's or its cgroup's), or the
 * JavaScript heap above its share of the heap limit — publishers are blocked (connection.blocked,
 * then no more reading from their sockets); below both again they are released. Sampling, not
 * per-message accounting, keeps this off the hot path. The timer never throws: a sample that fails
 * is skipped (the heap is still watched when resident memory cannot be read).
 */
export class MemoryAlarm {
  /** The resident-memory watermark, in bytes. */
  readonly limitBytes: number;
  /** The heap watermark, in bytes of V8's used heap. */
  readonly heapLimitBytes: number;
  active = false;
  /** Which limit set the alarm off last: for the log line. */
  reason = '';
  private timer: NodeJS.Timeout | undefined;
  private sampleFailed = false;
  private stopped = false;
  private lastRss = 0;
  private readonly log: Logger | undefined;
  /** bytes read from clients since the last sample, and how many bring the next one forward */
  private readSinceSample = 0;
  private readAllowance = MIN_READ_ALLOWANCE;

  constructor(
    watermark: number,
    private readonly onChange: (active: boolean) => void,
    options: MemoryAlarmOptions = {},
  ) {
    // a watermark above 1 is taken as an absolute number of bytes, as RabbitMQ's {absolute, N}
    this.limitBytes = watermark > 1 ? watermark : Math.floor(availableMemory() * watermark);
    this.heapLimitBytes = Math.floor(heapLimit() * (options.heapWatermark ?? DEFAULT_HEAP_WATERMARK));
    this.log = options.log;
  }

  start(): void {
    this.stopped = false;
    this.schedule(SAMPLE_MS);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => this.schedule(this.sample() ? SAMPLE_NEAR_MS : SAMPLE_MS), ms);
    this.timer.unref();
  }

  /** Clients sent `bytes`: a sample now if they may have filled half the room left at the last one. */
  noteRead(bytes: number): void {
    this.readSinceSample += bytes;
    if (this.readSinceSample > this.readAllowance && !this.stopped) this.sample();
  }

  /** One sample, from the timer or noteRead: never throws. Returns whether memory is near a watermark. */
  sample(): boolean {
    this.readSinceSample = 0;
    try {
      let rss = 0;
      try {
        rss = process.memoryUsage.rss();
        this.lastRss = rss;
        this.sampleFailed = false;
      } catch (err) {
        // reading /proc needs a descriptor; with none left, go by the heap alone for now
        if (!this.sampleFailed) this.log?.warn(`memory alarm: cannot read resident memory, watching the heap only: ${describeError(err)}`);
        this.sampleFailed = true;
      }
      const heapUsed = getHeapStatistics().used_heap_size;
      this.check(rss, heapUsed);
      const room = Math.min(this.heapLimitBytes - heapUsed, this.sampleFailed ? Infinity : this.limitBytes - rss);
      this.readAllowance = Math.max(MIN_READ_ALLOWANCE, room / 2);
      return rss > this.limitBytes / 2 || heapUsed > this.heapLimitBytes / 2;
    } catch (err) {
      if (!this.sampleFailed) this.log?.error(`memory alarm: sampling failed: ${describeError(err)}`);
      this.sampleFailed = true;
      return true;
    }
  }

  /** Resident memory now, or as last sampled when it cannot be read (no descriptor left): never throws. */
  residentMemory(): number {
    try {
      return (this.lastRss = process.memoryUsage.rss());
    } catch {
      return this.lastRss;
    }
  }

  check(rss = process.memoryUsage.rss(), heapUsed = getHeapStatistics().used_heap_size): void {
    const overRss = rss > this.limitBytes;
    const overHeap = heapUsed > this.heapLimitBytes;
    const over = overRss || overHeap;
    if (over !== this.active) {
      this.active = over;
      this.reason = overHeap
        ? `JavaScript heap ${heapUsed} bytes above ${this.heapLimitBytes}`
        : overRss ? `resident memory ${rss} bytes above ${this.limitBytes}` : '';
      this.onChange(over);
    }
  }
}

import { totalmem } from 'node:os';

/** RabbitMQ's default vm_memory_high_watermark: 40% of the machine's memory. */
export const DEFAULT_HIGH_WATERMARK = 0.4;

/**
 * Samples the process's resident memory once a second. Above the high-water mark publishers are
 * blocked (connection.blocked, then no more reading from their sockets); below it again they are
 * released. Sampling, not per-message accounting, keeps this off the hot path.
 */
export class MemoryAlarm {
  readonly limitBytes: number;
  active = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    watermark: number,
    private readonly onChange: (active: boolean) => void,
  ) {
    // a watermark above 1 is taken as an absolute number of bytes, as RabbitMQ's {absolute, N}
    this.limitBytes = watermark > 1 ? watermark : Math.floor(totalmem() * watermark);
  }

  start(intervalMs = 1000): void {
    this.timer = setInterval(() => this.check(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  check(rss = process.memoryUsage.rss()): void {
    const over = rss > this.limitBytes;
    if (over !== this.active) {
      this.active = over;
      this.onChange(over);
    }
  }
}

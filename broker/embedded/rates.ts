// Rates for the `*_details: {rate}` fields. A sampler reads every object's counters every 5 s
// while the API is in use (it stops after a quiet spell), and keeps per object the change per
// second since the previous sample. Objects are WeakMap keys: deleted ones are simply forgotten.
import type { Counters } from './counters';
import { reportToStderr } from '../core/contained';
import type { SampleDetails } from './history';

export type Collector = (record: (obj: object, values: Counters) => void) => void;

export const SAMPLE_INTERVAL_MS = 5_000;
/** With no request for this long, sampling stops until the next one. */
export const IDLE_STOP_MS = 120_000;

export class RateSampler {
  private readonly last = new WeakMap<object, { t: number; values: Counters }>();
  private readonly rates = new WeakMap<object, Counters>();
  private timer: NodeJS.Timeout | undefined;
  private lastUse = 0;

  constructor(
    private readonly collect: Collector,
    private readonly intervalMs = SAMPLE_INTERVAL_MS,
    private readonly idleMs = IDLE_STOP_MS,
  ) {}

  /** Called on each request: starts sampling (with a first sample now) if it was not running. */
  touch(now = Date.now()): void {
    this.lastUse = now;
    if (this.timer !== undefined) return;
    this.sample(now);
    this.timer = setInterval(() => {
      try {
        if (Date.now() - this.lastUse > this.idleMs) this.stop();
        else this.sample();
      } catch (err) {
        reportToStderr('rate sampling', err); // a timer must not throw out to the process
      }
    }, this.intervalMs);
    this.timer.unref();
  }

  get running(): boolean {
    return this.timer !== undefined;
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  sample(now = Date.now()): void {
    this.collect((obj, values) => this.record(obj, values, now));
  }

  record(obj: object, values: Counters, now: number): void {
    const prev = this.last.get(obj);
    if (prev !== undefined && now > prev.t) {
      const seconds = (now - prev.t) / 1000;
      const rates: Counters = {};
      for (const k of Object.keys(values)) rates[k] = round1((values[k] - (prev.values[k] ?? 0)) / seconds);
      this.rates.set(obj, rates);
    }
    this.last.set(obj, { t: now, values });
  }

  rate(obj: object, key: string): number {
    return this.rates.get(obj)?.[key] ?? 0;
  }

  /** The rates of one object, for withDetails. */
  rateOf(obj: object): RateOf {
    return (key) => this.rate(obj, key);
  }

  /** Rates add up: a total's rate is the sum of its parts' rates. */
  rateSum(objs: readonly object[]): RateOf {
    return (key) => round1(objs.reduce((n, o) => n + this.rate(o, key), 0));
  }
}

export function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

export type WithDetails = Record<string, number | ({ rate: number } & Partial<SampleDetails>)>;
export type RateOf = (key: string) => number;

/**
 * `{k: v, k_details: {rate}}` for each key, as RabbitMQ writes counters; with `history` (when the
 * query asked for a range) the details also carry `samples`, `avg_rate` and `avg`.
 */
export function withDetails(values: Counters, keys: readonly string[], rate: RateOf, history?: Map<string, SampleDetails>): WithDetails {
  const out: WithDetails = {};
  for (const k of keys) {
    out[k] = values[k] ?? 0;
    out[`${k}_details`] = { rate: rate(k), ...history?.get(k) };
  }
  return out;
}

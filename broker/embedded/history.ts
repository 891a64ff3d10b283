// Ten minutes of each vhost's counters at five-second steps: RabbitMQ's "basic" sample retention,
// behind `?msg_rates_age=&msg_rates_incr=` (and `lengths_age`/`lengths_incr`) on the overview and
// vhost endpoints, so a chart opened now can draw the minutes before it. Sampling runs from the
// moment the management layer exists, whether anyone asks or not: it reads O(1) counters of every
// queue and connection once per step, nothing per message.
import type { Counters } from './counters';
import { reportToStderr } from '../core/contained';
import { round1 } from './rates';

export const HISTORY_INCR_MS = 5_000;
export const HISTORY_AGE_MS = 600_000;
/** Samples kept per vhost: the whole age plus the one at its far edge. */
const CAPACITY = HISTORY_AGE_MS / HISTORY_INCR_MS + 1;

interface Sample {
  t: number;
  values: Counters;
}

export interface SamplePoint {
  sample: number;
  timestamp: number;
}

export interface SampleDetails {
  samples: SamplePoint[];
  avg_rate: number;
  avg: number;
}

/** What a request asked for: `age` and `incr` in seconds, as RabbitMQ's query parameters give them. */
export interface HistoryRange {
  age: number;
  incr: number;
}

export class CounterHistory {
  private readonly rings = new Map<string, Sample[]>();

  /**
   * Records each vhost's counters at `now`, filed under the nearest step boundary (timers fire a
   * little late; a sample filed just after its boundary would be missed by it) and replacing any
   * at or after it. Vhosts missing from `counters` are forgotten.
   */
  record(counters: Map<string, Counters>, now: number): void {
    for (const name of this.rings.keys()) if (!counters.has(name)) this.rings.delete(name);
    for (const [name, values] of counters) this.recordOne(name, values, now);
  }

  /** Records one name's counters at `now` as `record` does, leaving the others alone. */
  recordOne(name: string, values: Counters, now: number): void {
    const t = Math.round(now / HISTORY_INCR_MS) * HISTORY_INCR_MS;
    let ring = this.rings.get(name);
    if (ring === undefined) this.rings.set(name, (ring = []));
    while (ring.length > 0 && ring[ring.length - 1].t >= t) ring.pop();
    ring.push({ t, values });
    if (ring.length > CAPACITY) ring.shift();
  }

  /** When the oldest sample kept for `vhost` was taken. */
  oldest(vhost: string): number | undefined {
    return this.rings.get(vhost)?.[0]?.t;
  }

  /**
   * The `keys` summed over `vhosts` at every `incr` boundary of the last `age` seconds, newest
   * first, as RabbitMQ lists them. A boundary takes the newest sample at or before it; boundaries
   * older than the history repeat its oldest sample, so a counter shows no rate before sampling
   * began rather than a jump from zero. With `sampledOnly` (one name whose sampling began late, as
   * a watched queue's) those older boundaries are left out instead: nobody measured them.
   */
  details(vhosts: readonly string[], keys: readonly string[], range: HistoryRange, now: number, sampledOnly = false): Map<string, SampleDetails> {
    const incrMs = range.incr * 1000;
    const newest = Math.floor(now / incrMs) * incrMs;
    let count = Math.floor(range.age / range.incr) + 1;
    if (sampledOnly) {
      const oldest = Math.min(...vhosts.map((v) => this.oldest(v) ?? newest));
      count = Math.max(1, Math.min(count, Math.floor((newest - oldest) / incrMs) + 1));
    }
    const stamps = Array.from({ length: count }, (_, i) => newest - i * incrMs);
    const sums = new Map<string, number[]>(keys.map((k) => [k, new Array<number>(count).fill(0)]));
    for (const vhost of vhosts) {
      const ring = this.rings.get(vhost);
      if (ring === undefined || ring.length === 0) continue;
      let j = ring.length - 1;
      stamps.forEach((ts, i) => {
        while (j > 0 && ring[j].t > ts) j--;
        const values = ring[j].values;
        for (const k of keys) sums.get(k)![i] += values[k] ?? 0;
      });
    }
    const out = new Map<string, SampleDetails>();
    const seconds = (count - 1) * range.incr;
    for (const [k, values] of sums) {
      const total = values.reduce((a, b) => a + b, 0);
      out.set(k, {
        samples: values.map((sample, i) => ({ sample, timestamp: stamps[i] })),
        avg_rate: seconds > 0 ? round1((values[0] - values[count - 1]) / seconds) : 0,
        avg: round1(total / count),
      });
    }
    return out;
  }
}

/** Calls `sample` on every HISTORY_INCR_MS boundary of the wall clock while `alive` says so. */
export function sampleOnBoundaries(sample: () => boolean): () => void {
  let timer: NodeJS.Timeout | undefined;
  const next = () => {
    const wait = HISTORY_INCR_MS - (Date.now() % HISTORY_INCR_MS);
    timer = setTimeout(() => {
      let again = true;
      try {
        again = sample();
      } catch (err) {
        reportToStderr('history sampling', err); // a timer must not throw out to the process
      }
      if (again) next();
    }, wait);
    timer.unref();
  };
  next();
  return () => clearTimeout(timer);
}

/**
 * The range to answer for what a caller asked (`<prefix>_age`, `<prefix>_incr` in seconds), or
 * undefined when it asked for none. Ages beyond what is kept are cut to it; the step is at least
 * the sampling step, and a whole number of them.
 */
export function clampRange(asked: { age: number; incr: number } | undefined): HistoryRange | undefined {
  if (asked === undefined) return undefined;
  const { age, incr } = asked;
  if (!(age > 0) || !(incr > 0)) return undefined;
  const step = HISTORY_INCR_MS / 1000;
  const incrS = Math.max(step, Math.round(incr / step) * step);
  return { age: Math.min(Math.floor(age), HISTORY_AGE_MS / 1000), incr: incrS };
}

// The queue page's chart series from the API's sample history: RabbitMQ lists samples newest
// first; charts want time ascending. Counts (ready, unacked) are drawn as sampled; message
// counters (publish, deliver_get, ack) become rates between neighbouring samples.
import type { RateHistory } from './types';

export interface ChartSeries {
  times: number[];
  /** one array per key, aligned with times */
  values: Record<string, number[]>;
}

/** Timestamps common to the given histories, oldest first, with each one's value there (0 when absent). */
export function countSeries(histories: Record<string, RateHistory | undefined>): ChartSeries {
  const keys = Object.keys(histories);
  const times = [...new Set(keys.flatMap((k) => histories[k]?.samples?.map((s) => s.timestamp) ?? []))].sort((a, b) => a - b);
  const values: Record<string, number[]> = {};
  for (const k of keys) {
    const at = new Map((histories[k]?.samples ?? []).map((s) => [s.timestamp, s.sample]));
    values[k] = times.map((t) => at.get(t) ?? 0);
  }
  return { times, values };
}

/**
 * Per-second rates between neighbouring samples, stamped at the later one. A counter that went
 * down (a queue deleted and declared again) gives 0 for that step, not a negative rate; a key
 * with no history (no such messages yet) is 0 throughout.
 */
export function rateSeries(histories: Record<string, RateHistory | undefined>): ChartSeries {
  const counts = countSeries(histories);
  const times = counts.times.slice(1);
  const values: Record<string, number[]> = {};
  for (const [k, v] of Object.entries(counts.values)) {
    values[k] = times.map((t, i) => {
      const dt = (t - counts.times[i]) / 1000;
      const d = v[i + 1] - v[i];
      return dt > 0 && d > 0 ? d / dt : 0;
    });
  }
  return { times, values };
}

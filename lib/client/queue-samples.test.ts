import { describe, expect, it } from 'vitest';
import { countSeries, rateSeries } from './queue-samples';

const h = (...pairs: [number, number][]) => ({ rate: 0, samples: pairs.map(([timestamp, sample]) => ({ timestamp, sample })) });

describe('queue samples', () => {
  it('puts counts oldest first on the union of timestamps', () => {
    const s = countSeries({ ready: h([10_000, 3], [5_000, 1]), unacked: h([10_000, 2]) });
    expect(s.times).toEqual([5_000, 10_000]);
    expect(s.values).toEqual({ ready: [1, 3], unacked: [0, 2] });
  });

  it('turns counters into per-second rates between samples, never negative', () => {
    const s = rateSeries({ publish: h([15_000, 5], [10_000, 30], [5_000, 10], [0, 0]), ack: undefined });
    expect(s.times).toEqual([5_000, 10_000, 15_000]);
    expect(s.values.publish).toEqual([2, 4, 0]);
    expect(s.values.ack).toEqual([0, 0, 0]);
  });
});

// A bounded run of the wire fuzzer (wire-fuzz.ts): a few hundred generated cases against a broker
// in this process while an amqplib connection publishes and consumes beside them. The seed is
// random unless FUZZ_SEED is set; a failure prints the seed and the path that replay the minimal
// case with `npm run fuzz -- --seed S --path P`. Long runs: `npm run fuzz -- --minutes 20`.
import { expect, test } from 'vitest';
import { describeReport, runWireFuzz } from './wire-fuzz';

const seed = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);

test('the broker survives generated wire input, answers it with protocol errors, and serves a healthy client throughout', async () => {
  const report = await runWireFuzz({
    runs: 600,
    ...(seed === undefined ? {} : { seed }),
    // bounded on a loaded machine: fewer cases rather than a timeout
    timeLimitMs: 25_000,
    latencyBoundMs: 2000,
    heapBoundBytes: 64 * 1048576,
  });
  const text = describeReport(report);
  console.log(text);
  expect(report.failure, text).toBeUndefined();
  expect(report.endProblems, text).toEqual([]);
  expect(report.runs, 'cases run before the time limit').toBeGreaterThanOrEqual(100);
  expect(report.side.received, 'the side connection kept working').toBeGreaterThan(0);
}, 60_000);

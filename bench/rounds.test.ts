import { expect, it } from 'vitest';
import { combineRounds, median } from './rounds';
import type { ScenarioOutcome } from './types';

const round = (values: Record<string, number> | undefined, extra: Partial<ScenarioOutcome> = {}): ScenarioOutcome => ({
  id: 's', name: 'scenario', elapsedMs: 1000, ...(values ? { values, details: { queues: 10 } } : {}), ...extra,
});

it('takes the middle figure of an odd count and the mean of the two middle ones of an even count', () => {
  expect(median([300, 100, 200])).toBe(200);
  expect(median([4, 1, 3, 2])).toBe(2.5);
  expect(median([7])).toBe(7);
});

it('gives each metric its median over the rounds, and keeps every round\'s figure in run order', () => {
  const c = combineRounds([round({ rate: 310_000, cpu: 3.1 }), round({ rate: 190_000, cpu: 5.2 }), round({ rate: 280_000, cpu: 3.4 })]);
  expect(c.values).toEqual({ rate: 280_000, cpu: 3.4 });
  expect(c.details).toEqual({ queues: 10, rounds: 3, 'rate rounds': '310000, 190000, 280000', 'cpu rounds': '3.1, 5.2, 3.4' });
  expect(c.elapsedMs).toBe(3000);
  expect(c.error).toBeUndefined();
});

it('measures over the rounds that ran, names the ones that failed, and fails only when all did', () => {
  const some = combineRounds([round(undefined, { error: 'timed out after 60 s' }), round({ rate: 100 }), round({ rate: 300 })]);
  expect(some.values).toEqual({ rate: 200 });
  expect(some.details?.rounds).toBe(2);
  expect(some.notes).toEqual(['round 1 of 3 failed: timed out after 60 s']);
  const none = combineRounds([round(undefined, { error: 'broker gone' }), round(undefined, { error: 'broker gone again' })]);
  expect(none.error).toBe('broker gone');
  expect(none.values).toBeUndefined();
  expect(none.notes).toEqual(['round 1 of 2 failed: broker gone', 'round 2 of 2 failed: broker gone again']);
});

it('leaves a single round as it was', () => {
  const one = round({ rate: 5 }, { notes: ['connection.blocked'] });
  expect(combineRounds([one])).toBe(one);
});

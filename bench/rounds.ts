// `--rounds N`: every scenario runs N times, round after round (10 queues, 10,000 queues, 10 queues,
// ...), and the report gives each metric's median. On a shared machine one 3-second run can be a
// third off the next identical one; running the rows that are compared with each other
// alternately and taking medians keeps a slow minute from landing on one side of a comparison.

import type { ScenarioOutcome } from './types';

/** The median: the middle value, or the mean of the two middle ones. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * One outcome for a scenario's rounds: each metric's median over the rounds that measured it, and
 * every round's figure in `details` (`<metric> rounds`, in run order). Rounds that failed are
 * named in the notes; only when all failed is the outcome an error.
 */
export function combineRounds(rounds: readonly ScenarioOutcome[]): ScenarioOutcome {
  if (rounds.length === 0) throw new Error('combineRounds: no rounds');
  if (rounds.length === 1) return rounds[0];
  const first = rounds[0];
  const measured = rounds.filter((r) => r.error === undefined && r.values !== undefined);
  const elapsedMs = rounds.reduce((sum, r) => sum + r.elapsedMs, 0);
  const notes = [...new Set(rounds.flatMap((r) => r.notes ?? []))];
  rounds.forEach((r, i) => {
    if (r.error !== undefined) notes.push(`round ${i + 1} of ${rounds.length} failed: ${r.error}`);
  });
  if (measured.length === 0) return { id: first.id, name: first.name, error: first.error, elapsedMs, notes };
  const values: Record<string, number> = {};
  const details: Record<string, number | string | boolean> = { ...measured[measured.length - 1].details, rounds: measured.length };
  const keys = new Set(measured.flatMap((r) => Object.keys(r.values!)));
  for (const key of keys) {
    const figures = measured.map((r) => r.values![key]).filter((v) => Number.isFinite(v));
    if (figures.length === 0) continue;
    values[key] = median(figures);
    details[`${key} rounds`] = figures.map((v) => Number(v.toPrecision(6))).join(', ');
  }
  return { id: first.id, name: first.name, values, details, elapsedMs, ...(notes.length > 0 ? { notes } : {}) };
}

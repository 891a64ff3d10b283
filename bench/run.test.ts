// The command line, and a short real run in rounds: a full run takes minutes and is what
// `npm run bench` is for (bench/smoke.test.ts runs every scenario once).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bench = (args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'bench/run.ts', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });

it('npm run bench exits 2 on a bad or unknown flag, naming it, then the usage', () => {
  const bad = bench(['--duration', 'long']);
  expect(bad.status).toBe(2);
  expect(bad.stderr).toMatch(/^bench: --duration must be a number of seconds above 0 and at most 3600, got "long"\n\nUsage: npm run bench/);
  const unknown = bench(['--repeat', '3']);
  expect(unknown.status).toBe(2);
  expect(unknown.stderr).toMatch(/^bench: unknown option --repeat\n\nUsage: npm run bench/);
  const rounds = bench(['--rounds', '0']);
  expect(rounds.status).toBe(2);
  expect(rounds.stderr).toMatch(/^bench: --rounds must be a whole number from 1 to 100, got "0"\n/);
  const url = bench(['--url', 'http://localhost:15672']);
  expect(url.status).toBe(2);
  expect(url.stderr).toMatch(/^bench: --url must be an amqp:\/\/ URL, got "http:\/\/localhost:15672"\n/);
}, 60_000);

it('npm run bench --rounds 3 runs the scenarios round after round and reports each figure\'s median', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warren-bench-rounds-'));
  const json = path.join(dir, 'rounds.json');
  try {
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'bench/run.ts', '--only', 'lean-16b-1q,spread-16b-10q', '--duration', '0.2', '--rounds', '3', '--json', json],
      { cwd: ROOT, encoding: 'utf8', timeout: 120_000 },
    );
    expect(run.status, run.stderr.slice(-2000)).toBe(0);
    // alternately: lean, spread, lean, spread, lean, spread
    const started = [...run.stderr.matchAll(/\[Warren\] (.*) \(round (\d) of 3\) \.\.\./g)].map((m) => `${m[1].includes('10 queues') ? 'spread' : 'lean'} ${m[2]}`);
    expect(started).toEqual(['lean 1', 'spread 1', 'lean 2', 'spread 2', 'lean 3', 'spread 3']);
    expect(run.stdout).toMatch(/^Benchmark: 0.2 s per scenario, median of 3 rounds,/);
    const report = JSON.parse(fs.readFileSync(json, 'utf8')) as {
      rounds: number;
      targets: { outcomes: { id: string; values: Record<string, number>; details: Record<string, unknown> }[] }[];
    };
    expect(report.rounds).toBe(3);
    const outcomes = report.targets[0].outcomes;
    expect(outcomes.map((o) => o.id)).toEqual(['lean-16b-1q', 'spread-16b-10q']);
    for (const o of outcomes) {
      expect(o.details.rounds).toBe(3);
      const figures = String(o.details['rate rounds']).split(', ').map(Number);
      expect(figures).toHaveLength(3);
      expect(o.values.rate).toBeCloseTo([...figures].sort((a, b) => a - b)[1], -1);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 150_000);

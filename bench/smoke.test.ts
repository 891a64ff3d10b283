// Every benchmark scenario runs end to end against a Warren it starts, briefly: a scenario broken by
// a change to the broker or the bench fails here, not in the next person's hour-long run. No figure
// is judged (speed lives in the README's table from `npm run bench`), only that each one was measured.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

interface Outcome {
  id: string;
  values: Record<string, number>;
  error?: string;
}
interface Report {
  scenarios: { id: string; metrics: { key: string }[] }[];
  targets: { label: string; error?: string; outcomes: Outcome[] }[];
}

it('npm run bench --duration 0.3 measures every scenario on Warren, each metric a number', () => {
  const json = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'warren-bench-smoke-')), 'smoke.json');
  try {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--duration', '0.3', '--json', json], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 240_000,
      // the backlog and memory scenarios' millions of messages are for the real run
      env: { ...process.env, BENCH_BACKLOG: '20000', BENCH_MEMORY_MESSAGES: '20000' },
    });
    expect(run.status, run.stderr.slice(-3000)).toBe(0);
    const report = JSON.parse(fs.readFileSync(json, 'utf8')) as Report;
    const [warren] = report.targets;
    expect(warren.error).toBeUndefined();
    expect(warren.outcomes.map((o) => o.id)).toEqual(report.scenarios.map((s) => s.id));
    for (const s of report.scenarios) {
      const o = warren.outcomes.find((x) => x.id === s.id)!;
      expect(o.error, s.id).toBeUndefined();
      for (const m of s.metrics) expect(Number.isFinite(o.values[m.key]), `${s.id} ${m.key}: ${o.values[m.key]}`).toBe(true);
    }
  } finally {
    fs.rmSync(path.dirname(json), { recursive: true, force: true });
  }
}, 300_000);

it('npm run bench:recovery fills, restarts and reports every message recovered', () => {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'bench/recovery.ts', '--messages', '20000', '--size', '256'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 120_000,
  });
  expect(run.status, run.stderr.slice(-3000)).toBe(0);
  const row = run.stdout.split('\n').find((l) => l.startsWith('| Warren |'));
  // | Warren | messages | size | recovered | log replay | ready | RSS | read back | RSS after |
  const cells = row?.split('|').map((c) => c.trim());
  expect(cells?.[4], run.stdout).toBe('20,000');
  expect(cells?.[5]).toMatch(/^\d+ ms$/);
  expect(cells?.[6]).toMatch(/^\d+\.\d\d s$/);
}, 150_000);

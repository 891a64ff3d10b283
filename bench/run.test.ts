// Only the command line: a real run takes minutes and is what `npm run bench` is for.
import { spawnSync } from 'node:child_process';
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
  const unknown = bench(['--rounds', '3']);
  expect(unknown.status).toBe(2);
  expect(unknown.stderr).toMatch(/^bench: unknown option --rounds\n\nUsage: npm run bench/);
  const url = bench(['--url', 'http://localhost:15672']);
  expect(url.status).toBe(2);
  expect(url.stderr).toMatch(/^bench: --url must be an amqp:\/\/ URL, got "http:\/\/localhost:15672"\n/);
}, 60_000);

// `npm run broker` as people run it: a child process, its exit code and what it prints.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, test } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SETTINGS = ['AMQP_PORT', 'PORT', 'HOST', 'DATA_DIR', 'LOG_LEVEL'];
const dataDir = mkdtempSync(path.join(tmpdir(), 'warren-cli-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** The caller's own AMQP_PORT or LOG_LEVEL must not decide the outcome. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of SETTINGS) delete env[name];
  return { ...env, DATA_DIR: dataDir, ...extra };
}

function broker(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'broker/cli.ts', ...args], { cwd: ROOT, env: cleanEnv(env), encoding: 'utf8', timeout: 30_000 });
}

test('a bad flag value exits 2 naming the flag and the value, then the usage', () => {
  const r = broker(['--amqp-port', 'abc']);
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(/^warren: --amqp-port must be a port number from 0 to 65535, got "abc"\n\nUsage: npm run broker/);
  expect(r.stdout).toBe('');
});

test('a bad variable, an unknown flag and a missing value exit 2 too; --help exits 0', () => {
  const env = broker([], { LOG_LEVEL: 'loud' });
  expect(env.status).toBe(2);
  expect(env.stderr).toMatch(/^warren: LOG_LEVEL must be one of debug, info, warn, error, silent; got "loud"\n/);
  const unknown = broker(['--port', '8080']);
  expect(unknown.status).toBe(2);
  expect(unknown.stderr).toMatch(/^warren: unknown option --port\n\nUsage:/);
  const missing = broker(['--data-dir']);
  expect(missing.status).toBe(2);
  expect(missing.stderr).toMatch(/^warren: --data-dir needs a value\n/);
  const help = broker(['--help']);
  expect(help.status).toBe(0);
  expect(help.stdout).toMatch(/^Usage: npm run broker[\s\S]*--amqp-port[\s\S]*--host[\s\S]*--data-dir[\s\S]*--log-level/);
}, 60_000);

test('flags reach the broker: it listens where --amqp-port and --host say', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'broker/cli.ts', '--amqp-port', '0', '--host=127.0.0.1', '--log-level', 'WARN'], {
    cwd: ROOT,
    env: cleanEnv({ HOST: '::1', AMQP_PORT: 'not used: the flag wins' }),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const line = await new Promise<string>((resolve) => child.stdout!.on('data', (d: Buffer) => resolve(d.toString())));
  expect(line).toMatch(/^Warren broker listening on amqp:\/\/127\.0\.0\.1:\d+\n/);
  expect(line).not.toMatch(/:0\n/);
  child.kill('SIGTERM');
  expect(await exited).toBe(0);
}, 30_000);

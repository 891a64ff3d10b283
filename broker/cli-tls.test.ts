// `npm run broker` with AMQPS as people configure it: flags or variables name the files, the broker
// announces both URLs and takes amqplib over TLS; files that cannot be used exit 2 naming them.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import amqp from 'amqplib';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { makePki, type Pki } from '../scripts/test-pki';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SETTINGS = /^(AMQPS?_PORT|PORT|HOST|DATA_DIR|LOG_LEVEL|TLS_.*)$/;
const dataDir = mkdtempSync(path.join(tmpdir(), 'warren-cli-tls-'));
let pki: Pki;

beforeAll(() => {
  pki = makePki();
});
afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
  pki?.remove();
});

function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of Object.keys(env)) if (SETTINGS.test(name)) delete env[name];
  return { ...env, DATA_DIR: dataDir, ...extra };
}

function broker(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'broker/cli.ts', ...args], { cwd: ROOT, env: cleanEnv(env), encoding: 'utf8', timeout: 30_000 });
}

test('a TLS file that cannot be read, or a certificate without its key, exits 2 naming it', () => {
  const missing = broker(['--amqps-port', '0', '--tls-cert', '/nonexistent/server.pem', '--tls-key', pki.serverKey]);
  expect(missing.status).toBe(2);
  expect(missing.stderr).toMatch(/^warren: --tls-cert: cannot read "\/nonexistent\/server\.pem": no such file\n\nUsage: npm run broker/);
  const alone = broker([], { TLS_CERT: pki.serverCert });
  expect(alone.status).toBe(2);
  expect(alone.stderr).toMatch(/^warren: --tls-cert \(TLS_CERT\) needs --tls-key \(TLS_KEY\) too\n/);
  const help = broker(['--help']);
  expect(help.stdout).toMatch(/--amqps-port[\s\S]*--tls-cert[\s\S]*--tls-key[\s\S]*--tls-ca[\s\S]*--tls-verify-peer[\s\S]*--tls-fail-if-no-peer-cert/);
}, 60_000);

test('a key of another certificate exits 2 naming both files', () => {
  const r = broker(['--amqp-port', '0', '--host', '127.0.0.1', '--amqps-port', '0', '--tls-cert', pki.serverCert, '--tls-key', pki.client('x').key]);
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(/^warren: the TLS files ".*server\.pem", ".*client-\d+\.key" cannot be used together: .*\n$/);
  expect(r.stdout).toBe('');
}, 30_000);

test('AMQPS from the environment: both URLs announced, amqplib connects over TLS, SIGTERM exits 0', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'broker/cli.ts', '--amqp-port', '0', '--host', '127.0.0.1', '--log-level', 'warn'], {
    cwd: ROOT,
    env: cleanEnv({ AMQPS_PORT: '0', TLS_CERT: pki.serverCert, TLS_KEY: pki.serverKey, TLS_CA: pki.caFile, TLS_VERIFY_PEER: 'true', TLS_FAIL_IF_NO_PEER_CERT: 'true' }),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    const line = await new Promise<string>((resolve) => child.stdout!.on('data', (d: Buffer) => resolve(d.toString())));
    const m = /^Warren broker listening on amqp:\/\/127\.0\.0\.1:\d+ and amqps:\/\/127\.0\.0\.1:(\d+)\n/.exec(line);
    expect(m, line).not.toBeNull();
    const client = pki.client('someone');
    const conn = await amqp.connect(`amqps://guest:guest@127.0.0.1:${m![1]}`, {
      ca: [fs.readFileSync(pki.caFile)], cert: fs.readFileSync(client.cert), key: fs.readFileSync(client.key), servername: 'localhost',
    });
    const ch = await conn.createChannel();
    await ch.assertQueue('', { exclusive: true });
    await conn.close();
  } finally {
    child.kill('SIGTERM');
  }
  expect(await exited).toBe(0);
}, 30_000);

// `npm run bench:recovery [-- --messages N --size B]`: how long Warren takes to come back with a
// backlog of persistent messages. Fills a durable queue through a Warren process, stops it, starts
// a fresh one on the same DATA_DIR and reports the time its recovery log line gives, and the time
// until the AMQP port answers.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import amqp from 'amqplib';
import { freePort } from './start-warren';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

function startWarren(dataDir: string, port: number, onLine: (l: string) => void) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'broker/cli.ts'], {
    cwd: ROOT,
    env: { ...process.env, AMQP_PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr.on('data', (c: Buffer) => c.toString().split('\n').filter(Boolean).forEach(onLine));
  return child;
}

async function waitForPort(port: number): Promise<void> {
  for (;;) {
    const ok = await new Promise<boolean>((res) => {
      const s = net.connect(port, '127.0.0.1', () => (s.destroy(), res(true)));
      s.on('error', () => res(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

const messages = arg('messages', 1_000_000);
const size = arg('size', 1024);
const dataDir = await mkdtemp(join(tmpdir(), 'warren-recovery-'));
try {
  let port = await freePort();
  let child = startWarren(dataDir, port, () => {});
  await waitForPort(port);
  const conn = await amqp.connect(`amqp://guest:guest@127.0.0.1:${port}`);
  const ch = await conn.createConfirmChannel();
  await ch.assertQueue('recovery', { durable: true });
  const body = Buffer.alloc(size, 0x72);
  const t0 = performance.now();
  for (let i = 0; i < messages; i++) {
    if (!ch.sendToQueue('recovery', body, { persistent: true })) await new Promise((r) => ch.once('drain', r));
  }
  await ch.waitForConfirms();
  const fillSec = (performance.now() - t0) / 1000;
  process.stderr.write(`filled ${messages} × ${size} B in ${fillSec.toFixed(1)} s\n`);
  await conn.close();
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));

  port = await freePort();
  let reported = '';
  const t1 = performance.now();
  child = startWarren(dataDir, port, (l) => {
    if (l.includes('recovered')) reported = l;
  });
  await waitForPort(port);
  const readySec = (performance.now() - t1) / 1000;
  const ms = /in (\d+) ms/.exec(reported)?.[1];
  const check = await amqp.connect(`amqp://guest:guest@127.0.0.1:${port}`);
  const q = await (await check.createChannel()).checkQueue('recovery');
  await check.close();
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  console.log('| recovery | messages | size | recovered | log replay | process start to AMQP ready |');
  console.log('|:---|---:|---:|---:|---:|---:|');
  console.log(`| Warren | ${messages.toLocaleString('en')} | ${size} B | ${q.messageCount.toLocaleString('en')} | ${ms ?? '?'} ms | ${readySec.toFixed(2)} s |`);
} finally {
  await rm(dataDir, { recursive: true, force: true });
}

// `npm run bench:recovery [-- --messages N --size B]`: how long Warren takes to come back with a
// backlog of persistent messages. Fills a durable queue through a Warren process, stops it, starts
// a fresh one on the same DATA_DIR and reports the time its recovery log line gives, the time
// until the AMQP port answers, the broker's RSS then, and how long reading the first bodies back
// into memory (in the background, after start-up) took and the RSS after it.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
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

/** The resident set of process `pid` (Linux), in MiB; '?' elsewhere. */
function rssMiB(pid: number | undefined): string {
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? '?' : String(Math.round(Number(kb) / 1024));
  } catch {
    return '?';
  }
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
  let readBack = '';
  const t1 = performance.now();
  child = startWarren(dataDir, port, (l) => {
    if (/recovered \d+ durable queues/.test(l)) reported = l;
    if (l.includes('back into memory')) readBack = l;
  });
  await waitForPort(port);
  const readySec = (performance.now() - t1) / 1000;
  const rssReady = rssMiB(child.pid);
  const ms = /in (\d+) ms/.exec(reported)?.[1];
  const check = await amqp.connect(`amqp://guest:guest@127.0.0.1:${port}`);
  const q = await (await check.createChannel()).checkQueue('recovery');
  await check.close();
  // bodies within the memory budget come back into memory after start-up; wait for that (or 60 s)
  for (const until = Date.now() + 60_000; readBack === '' && Date.now() < until;) await new Promise((r) => setTimeout(r, 50));
  const readBackMs = /in (\d+) ms/.exec(readBack)?.[1];
  const rssAfter = rssMiB(child.pid);
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  console.log('| recovery | messages | size | recovered | log replay | process start to AMQP ready | RSS at ready | bodies back in memory (background) | RSS after |');
  console.log('|:---|---:|---:|---:|---:|---:|---:|---:|---:|');
  console.log(
    `| Warren | ${messages.toLocaleString('en')} | ${size} B | ${q.messageCount.toLocaleString('en')} | ${ms ?? '?'} ms | ${readySec.toFixed(2)} s | ` +
      `${rssReady} MiB | ${readBackMs === undefined ? '—' : `${readBackMs} ms`} | ${rssAfter} MiB |`,
  );
} finally {
  await rm(dataDir, { recursive: true, force: true });
}

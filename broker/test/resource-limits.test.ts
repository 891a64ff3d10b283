// Warren only: the headless broker (`npm run broker`) under real resource limits — a small heap, few
// file descriptors — must turn clients away (connection.blocked, refused connections) and live on,
// never die with every message in it. Each case runs its own child process.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import amqp from 'amqplib';
import { afterAll, afterEach, expect, test } from 'vitest';
import { createBroker } from '../index';
import { RawClient } from './raw-client';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const children: ChildProcess[] = [];

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'warren-limits-'));

afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

interface Child {
  process: ChildProcess;
  port: number;
  /** stderr so far: the broker's log */
  log(): string;
  exited(): boolean;
}

/** Starts `node [nodeArgs] --import tsx broker/cli.ts`, through `wrap` (e.g. prlimit) if given. Under
 * 64 descriptors tsx's loader (parallel module reads, its esbuild service) can itself run out while
 * the broker's modules load (EMFILE, or no esbuild service, before anything listens): that start is
 * tried again, up to five times. */
async function startBroker(nodeArgs: string[], env: Record<string, string> = {}, wrap: string[] = []): Promise<Child> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(nodeArgs, env, wrap);
    } catch (err) {
      const loaderRanOut = wrap.length > 0 && /before listening/.test((err as Error).message);
      if (!loaderRanOut || attempt === 5) throw err;
    }
  }
}

async function startOnce(nodeArgs: string[], env: Record<string, string>, wrap: string[]): Promise<Child> {
  const argv = [...wrap, process.execPath, ...nodeArgs, '--import', 'tsx', 'broker/cli.ts'];
  const p = spawn(argv[0], argv.slice(1), {
    cwd: ROOT,
    env: { ...process.env, AMQP_PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', DATA_DIR: dataDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(p);
  let out = '';
  let err = '';
  let exited = false;
  p.on('exit', () => {
    exited = true;
  });
  p.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const port = await new Promise<number>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`broker did not start: ${err}`)), 20_000);
    p.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on amqp:\/\/[^:]+:(\d+)/.exec(out);
      if (m) {
        clearTimeout(t);
        resolve(Number(m[1]));
      }
    });
    p.on('exit', (code) => reject(new Error(`broker exited (${code}) before listening: ${err}`)));
  });
  return { process: p, port, log: () => err, exited: () => exited };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('a flood of small messages under a 96 MB heap gets connection.blocked before the heap runs out', async () => {
  const broker = await startBroker(['--max-old-space-size=96']);
  const url = `amqp://guest:guest@127.0.0.1:${broker.port}`;
  const conn = await amqp.connect(url);
  conn.on('error', () => {});
  let blocked = false;
  conn.on('blocked', () => {
    blocked = true;
  });
  const ch = await conn.createConfirmChannel();
  await ch.assertQueue('flood', { durable: false });
  const body = Buffer.alloc(16, 'x');
  let confirmed = 0;
  const deadline = Date.now() + 40_000;
  while (!blocked && !broker.exited() && Date.now() < deadline) {
    try {
      for (let i = 0; i < 2000; i++) {
        ch.sendToQueue('flood', body, {}, (e) => {
          if (!e) confirmed++;
        });
      }
    } catch {
      await sleep(200); // the channel closed: the broker is gone, which the checks below report
      break;
    }
    // let the socket drain: the client must not be the one that runs out of memory
    await new Promise((r) => setImmediate(r));
    if ((conn as unknown as { connection: { stream: net.Socket } }).connection.stream.writableLength > 4 * 1024 * 1024) await sleep(5);
  }
  expect(broker.exited(), `broker died: ${broker.log().slice(-2000)}`).toBe(false);
  console.log(`${confirmed} messages confirmed before connection.blocked`);
  expect(blocked, 'connection.blocked within 40 s').toBe(true);
  expect(broker.log()).toMatch(/memory alarm: JavaScript heap \d+ bytes above \d+, blocking publishers/);
  await sleep(500);

  // the broker answers, and what it confirmed is there
  const other = await amqp.connect(url).catch((err: Error) => {
    throw new Error(`${err.message}; the broker ${broker.exited() ? 'exited' : 'is running'}; its log: ${broker.log().slice(-2000)}`);
  });
  try {
    const och = await other.createChannel();
    const { messageCount } = await och.checkQueue('flood');
    expect(confirmed).toBeGreaterThan(10_000);
    expect(messageCount).toBeGreaterThanOrEqual(confirmed);
    const m = await och.get('flood', { noAck: true });
    expect(m && m.content.equals(body)).toBe(true);
  } finally {
    await other.close();
  }
  expect(broker.exited()).toBe(false);
  conn.close().catch(() => {});
}, 60_000);

/** A client that completed the handshake, or null when the broker turned it away. */
async function tryConnect(port: number): Promise<RawClient | null> {
  let c: RawClient;
  try {
    c = await RawClient.connect(port);
  } catch {
    return null;
  }
  try {
    const a = await c.tryHandshake({ replyMs: 2000 });
    if (a.result.kind === 'open-ok') return c;
  } catch {
    // closed or reset before connection.start
  }
  c.destroy();
  return null;
}

test('out of file descriptors, the broker turns clients away, lives, and accepts again once some close', async () => {
  // the connection cap set above the descriptor limit, so that the descriptors run out first
  // limited once it listens: loading under 64 descriptors is not what this test is about
  const broker = await startBroker([], { AMQP_MAX_CONNECTIONS: '1000' });
  execFileSync('prlimit', ['--pid', String(broker.process.pid), '--nofile=64:64']);
  const open: RawClient[] = [];
  try {
    for (let i = 0; i < 80; i++) {
      const c = await tryConnect(broker.port);
      if (c === null) break;
      open.push(c);
    }
    expect(open.length, 'some connections accepted').toBeGreaterThan(10);
    expect(open.length, 'refused before 80 on 64 descriptors').toBeLessThan(64);
    // a few more attempts while out, and the memory alarm's timer runs with no descriptor to read /proc
    for (let i = 0; i < 5; i++) expect(await tryConnect(broker.port)).toBeNull();
    await sleep(1500);
    expect(broker.exited(), `broker died: ${broker.log().slice(-2000)}`).toBe(false);

    for (const c of open.splice(0, 10)) c.destroy();
    await sleep(300);
    for (let i = 0; i < 5; i++) {
      const c = await tryConnect(broker.port);
      expect(c, `connection ${i} after closing 10`).not.toBeNull();
      open.push(c!);
    }
    expect(broker.exited()).toBe(false);
    // libuv closes what it cannot accept without telling Node, so the broker cannot log the refusals;
    // the memory alarm's timer says once that it cannot read /proc, and nothing is said per client
    expect(broker.log().match(/cannot read resident memory/g) ?? [], broker.log()).toHaveLength(1);
    expect(broker.log().split('\n').length, broker.log()).toBeLessThan(10);
  } finally {
    for (const c of open) c.destroy();
  }
}, 60_000);

test('past its connection cap the AMQP listener closes new clients at once, and accepts again below it', async () => {
  const broker = await createBroker({ port: 0, host: '127.0.0.1', logLevel: 'silent', maxConnections: 3 });
  const open: RawClient[] = [];
  try {
    for (let i = 0; i < 3; i++) {
      const c = await tryConnect(broker.port);
      expect(c, `connection ${i}`).not.toBeNull();
      open.push(c!);
    }
    expect(await tryConnect(broker.port)).toBeNull();
    open.shift()!.destroy();
    await sleep(100);
    const again = await tryConnect(broker.port);
    expect(again).not.toBeNull();
    open.push(again!);
  } finally {
    for (const c of open) c.destroy();
    await broker.close();
  }
});

test('with 64 descriptors and the default cap, clients past the cap are refused with one log line', async () => {
  const broker = await startBroker([], {}, ['prlimit', '--nofile=64:64', '--']);
  const open: RawClient[] = [];
  try {
    for (let i = 0; i < 64; i++) {
      const c = await tryConnect(broker.port);
      if (c === null) break;
      open.push(c);
    }
    expect(open.length).toBeGreaterThan(0);
    for (let i = 0; i < 5; i++) expect(await tryConnect(broker.port)).toBeNull();
    // refused by the cap, before the descriptors ran out: said once, and /proc still readable
    expect(broker.log().match(/refusing new connections: \d+ connections, the most accepted at once/g) ?? [], broker.log()).toHaveLength(1);
    await sleep(1200);
    expect(broker.log()).not.toContain('cannot read resident memory');
    open.shift()!.destroy();
    await sleep(200);
    const again = await tryConnect(broker.port);
    expect(again).not.toBeNull();
    open.push(again!);
    expect(broker.log()).toContain('accepting connections again');
    expect(broker.exited()).toBe(false);
  } finally {
    for (const c of open) c.destroy();
  }
}, 30_000);

// How long a big RabbitMQ vhost takes to open in the console. Seeds N queues and M bindings in a
// fresh vhost of a real cluster (AMQP declares over parallel channels), then times
//   (a) the console server's first snapshot of that vhost through the remote broker API (cold, then
//       a second watch while the first is held: what every further browser gets), and
//   (b) Chromium opening the graph of a real `npm start -- --no-embedded --rabbitmq ...` until the
//       toolbar counts N queues: the first time (and a reload), and after a console restart, which
//       reads the vhost opened before ahead while it starts,
// and deletes the vhost (unless --keep). Also times RabbitMQ's own listings, to show the floor.
//
//   npx tsx bench/cluster-scale.ts [--queues 10000] [--bindings 20000] [--exchanges 20]
//        [--management http://127.0.0.1:15701] [--amqp amqp://127.0.0.1:5701] [--vhost e-scale-x]
//        [--keep] [--no-browser] [--no-floor] [--opens 1]
// --opens N times the first open N times, each by a fresh console process with an empty DATA_DIR.
// With --vhost naming a vhost that already holds the queues, seeding is skipped (and it is kept).
// Prints progress to stderr and one JSON line of figures to stdout.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import amqp from 'amqplib';
import type { Row, TopologySnapshot } from '../broker/index';
import { RemoteBrokerApi } from '../lib/rabbitmq/remote-broker';
import { freePort } from '../lib/testing/processes';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: {
    queues: { type: 'string', default: '10000' },
    bindings: { type: 'string', default: '20000' },
    exchanges: { type: 'string', default: '20' },
    management: { type: 'string', default: 'http://127.0.0.1:15701' },
    amqp: { type: 'string', default: 'amqp://127.0.0.1:5701' },
    vhost: { type: 'string' },
    keep: { type: 'boolean', default: false },
    'no-browser': { type: 'boolean', default: false },
    'no-floor': { type: 'boolean', default: false },
    channels: { type: 'string', default: '16' },
    /** first opens to time, each by a fresh console process with nothing known */
    opens: { type: 'string', default: '1' },
  },
});
const N = Number(args.queues);
const M = Number(args.bindings);
const X = Number(args.exchanges);
const GUEST = { username: 'guest', password: 'guest' };
const AUTH = `Basic ${Buffer.from('guest:guest').toString('base64')}`;

function log(text: string): void {
  process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${text}\n`);
}

async function rabbit(method: string, urlPath: string, body?: unknown): Promise<Response> {
  return fetch(`${args.management}${urlPath}`, {
    method,
    headers: { authorization: AUTH, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(300_000),
  });
}

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: Math.round(performance.now() - t0), value };
}

const queueName = (i: number) => `q${String(i).padStart(5, '0')}`;

/** Queues q00000.., exchanges x0..; binding j goes from x(j % X) to queue (j % N) with key k.j. */
async function seed(vhost: string): Promise<void> {
  const v = encodeURIComponent(vhost);
  if (!(await rabbit('PUT', `/api/vhosts/${v}`, {})).ok) throw new Error(`could not create vhost ${vhost}`);
  await rabbit('PUT', `/api/permissions/${v}/guest`, { configure: '.*', write: '.*', read: '.*' });
  const conn = await amqp.connect(`${args.amqp!.replace('://', '://guest:guest@')}/${v}`);
  try {
    const channels = await Promise.all(Array.from({ length: Number(args.channels) }, () => conn.createChannel()));
    for (let x = 0; x < X; x++) await channels[0].assertExchange(`x${x}`, 'topic', { durable: false });
    const run = async (count: number, what: string, one: (ch: amqp.Channel, i: number) => Promise<unknown>) => {
      let next = 0;
      let done = 0;
      const t0 = Date.now();
      await Promise.all(
        channels.map(async (ch) => {
          for (let i = next++; i < count; i = next++) {
            await one(ch, i);
            if (++done % 2000 === 0) log(`${what}: ${done}/${count} (${Math.round((done * 1000) / (Date.now() - t0))}/s)`);
          }
        }),
      );
    };
    await run(N, 'queues', (ch, i) => ch.assertQueue(queueName(i), { durable: false }));
    await run(M, 'bindings', (ch, j) => ch.bindQueue(queueName(j % N), `x${j % X}`, `k.${j}`));
  } finally {
    await conn.close();
  }
}

async function countOf(vhost: string): Promise<number> {
  const res = await rabbit('GET', `/api/queues/${encodeURIComponent(vhost)}?disable_stats=true&columns=name&page=1&page_size=1`);
  if (!res.ok) return 0;
  return Number(((await res.json()) as Row).total_count ?? 0);
}

/** RabbitMQ's own cost of the listings a snapshot needs, each alone. */
async function listingFloor(vhost: string): Promise<Record<string, number>> {
  const v = encodeURIComponent(vhost);
  const out: Record<string, number> = {};
  const probes: [string, string][] = [
    ['queues all columns', `/api/queues/${v}`],
    ['queues disable_stats', `/api/queues/${v}?disable_stats=true&enable_queue_totals=true`],
    ['queues disable_stats + columns', `/api/queues/${v}?disable_stats=true&columns=name,type,durable,auto_delete,exclusive,arguments,policy,node`],
    ['queues one page of 500 (columns)', `/api/queues/${v}?disable_stats=true&columns=name,type,durable,auto_delete,exclusive,arguments,policy,node&page=2&page_size=500`],
    ['queues names only', `/api/queues/${v}?disable_stats=true&columns=name`],
    ['bindings whole vhost', `/api/bindings/${v}`],
    ['bindings of one exchange', `/api/exchanges/${v}/x1/bindings/source`],
    ['exchanges', `/api/exchanges/${v}?disable_stats=true`],
    ['definitions of the vhost', `/api/definitions/${v}`],
  ];
  for (const [label, url] of probes) {
    try {
      const { ms } = await timed(async () => (await rabbit('GET', url)).arrayBuffer());
      out[label] = ms;
      log(`RabbitMQ ${label}: ${ms} ms`);
    } catch (err) {
      // the cluster gave up on it (a listing with every stat can outlast its idle timeout)
      out[label] = -1;
      log(`RabbitMQ ${label}: failed (${err instanceof Error ? err.message : String(err)})`);
    }
  }
  return out;
}

async function serverSnapshot(vhost: string): Promise<{ coldMs: number; warmMs: number; queues: number; bindings: number }> {
  const api = new RemoteBrokerApi({ name: 'bench', managementUrl: args.management!, amqpUrl: args.amqp, credentials: GUEST });
  const listener = { topology() {}, stats() {}, flow() {}, gone() {} };
  try {
    const actor = await api.authenticate('guest', 'guest', '127.0.0.1');
    const cold = await timed(() => api.watchVhost(actor, vhost, listener));
    const snap: TopologySnapshot = cold.value.snapshot;
    log(`server: first snapshot ${cold.ms} ms (${snap.queues.length} queues, ${snap.bindings.length} bindings)`);
    const warm = await timed(() => api.watchVhost(actor, vhost, listener));
    log(`server: second watch ${warm.ms} ms`);
    warm.value.close();
    cold.value.close();
    return { coldMs: cold.ms, warmMs: warm.ms, queues: snap.queues.length, bindings: snap.bindings.length };
  } finally {
    await api.close();
  }
}

/**
 * A real console process and Chromium: login to the graph showing N queues, then (`reload`) a reload.
 * Started twice on one DATA_DIR: first with nothing known, then as a restart, which reads the vhost
 * opened before ahead while it starts; the browser logs in as soon as the console answers.
 */
async function browserOpen(vhost: string, dataDir: string, label: string, thenReload: boolean): Promise<Record<string, number>> {
  const { chromium } = await import('@playwright/test');
  const port = await freePort();
  const spec = `cluster=${args.management!.replace('://', '://guest:guest@')},${args.amqp}`;
  const env = { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
  const child = spawn('npm', ['start', '--', '--no-embedded', '--rabbitmq', spec], { cwd: ROOT, env, detached: true, stdio: 'ignore' });
  const base = `http://127.0.0.1:${port}`;
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  try {
    const deadline = Date.now() + 600_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}`);
      if (Date.now() > deadline) throw new Error('npm start did not answer /api/health');
      try {
        if ((await fetch(`${base}/api/health`, { signal: AbortSignal.timeout(2_000) })).ok) break;
      } catch {
        // not yet
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    // when the stream's snapshot arrives, and how big it is: server and wire, apart from drawing
    let snapshotAt = 0;
    let snapshotBytes = 0;
    let socketAt = 0;
    let vhostAskedAt = 0;
    page.on('websocket', (ws) => {
      socketAt = performance.now();
      ws.on('framesent', (f) => {
        if (typeof f.payload === 'string' && f.payload.startsWith('{"type":"vhost"')) vhostAskedAt = performance.now();
      });
      ws.on('framereceived', (f) => {
        const text = typeof f.payload === 'string' ? f.payload : f.payload.toString('utf8', 0, 40);
        if (text.startsWith('{"type":"snapshot"')) {
          snapshotAt = performance.now();
          snapshotBytes = typeof f.payload === 'string' ? Buffer.byteLength(f.payload) : f.payload.length;
        }
      });
    });
    await page.addInitScript((v) => localStorage.setItem('warren.vhost', v), vhost);
    // when the page itself has the snapshot (Playwright hears of a frame later, through the devtools
    // protocol, which copies the whole payload), and when the console's handler is done with it
    await page.addInitScript(() => {
      const Native = window.WebSocket;
      const w = window as unknown as { __snapshotIn?: number; __snapshotHandled?: number };
      window.WebSocket = class extends Native {
        constructor(url: string | URL, protocols?: string | string[]) {
          super(url, protocols);
          this.addEventListener('message', (e: MessageEvent) => {
            if (typeof e.data !== 'string' || !e.data.startsWith('{"type":"snapshot"')) return;
            w.__snapshotIn = Date.now();
            setTimeout(() => (w.__snapshotHandled = Date.now()), 0);
          });
        }
      } as typeof WebSocket;
    });
    const inPage = async (wall0: number) => {
      const got = await page.evaluate(() => {
        const w = window as unknown as { __snapshotIn?: number; __snapshotHandled?: number };
        return [w.__snapshotIn ?? 0, w.__snapshotHandled ?? 0];
      });
      return { inPageMs: got[0] - wall0, handledMs: got[1] - wall0 };
    };
    await page.goto(`${base}/`);
    await page.getByLabel('Username').fill('guest');
    await page.getByLabel('Password').fill('guest');
    const stat = page.locator('.toolbar-stat');
    const want = new RegExp(`\\b${N.toLocaleString('en-US').replace(/,/g, ',?')} queues`);
    let t0 = performance.now();
    let wall0 = Date.now();
    log(`browser (${label}): login clicked at ${new Date(wall0).toISOString().slice(11, 23)}`);
    const first = await timed(async () => {
      await page.getByRole('button', { name: 'Log in' }).click();
      await stat.filter({ hasText: want }).waitFor({ timeout: 300_000 });
    });
    const firstSnapshot = Math.round(snapshotAt - t0);
    const firstIn = await inPage(wall0);
    log(`browser (${label}): login to ${await stat.textContent()} in ${first.ms} ms (socket opened after ${Math.round(socketAt - t0)} ms, vhost asked after ${Math.round(vhostAskedAt - t0)} ms, snapshot of ${snapshotBytes} bytes in the page after ${firstIn.inPageMs} ms, handled after ${firstIn.handledMs} ms, heard by Playwright after ${firstSnapshot} ms)`);
    await page.screenshot({ path: path.join(ROOT, 'test-results', 'cluster-scale.png') }).catch(() => {});
    if (!thenReload) return { firstMs: first.ms, firstSnapshotInPageMs: firstIn.inPageMs, firstSnapshotHandledMs: firstIn.handledMs, snapshotBytes };
    t0 = performance.now();
    wall0 = Date.now();
    const reload = await timed(async () => {
      await page.reload();
      await stat.filter({ hasText: want }).waitFor({ timeout: 300_000 });
    });
    const reloadIn = await inPage(wall0);
    log(`browser: reload to ${await stat.textContent()} in ${reload.ms} ms (snapshot in the page after ${reloadIn.inPageMs} ms, handled after ${reloadIn.handledMs} ms)`);
    return {
      firstMs: first.ms, firstSnapshotInPageMs: firstIn.inPageMs, firstSnapshotHandledMs: firstIn.handledMs,
      reloadMs: reload.ms, reloadSnapshotInPageMs: reloadIn.inPageMs, snapshotBytes,
    };
  } finally {
    await browser.close();
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      // gone
    }
    await new Promise((r) => setTimeout(r, 3_000));
  }
}

async function main(): Promise<void> {
  const vhost = args.vhost ?? `e-scale-${process.pid}`;
  const reuse = args.vhost !== undefined && (await countOf(vhost)) >= N;
  const figures: Record<string, unknown> = { vhost, queues: N, bindings: M, exchanges: X };
  try {
    if (!reuse) {
      const s = await timed(() => seed(vhost));
      figures.seedMs = s.ms;
      log(`seeded ${N} queues, ${M} bindings in ${s.ms} ms`);
    }
    if (!args['no-floor']) figures.rabbitmq = await listingFloor(vhost);
    figures.server = await serverSnapshot(vhost);
    if (!args['no-browser']) {
      const opens = Math.max(1, Number(args.opens));
      const firsts: Record<string, number>[] = [];
      for (let i = 0; i < opens; i++) {
        const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'warren-scale-'));
        try {
          firsts.push(await browserOpen(vhost, dataDir, `nothing known, ${i + 1}/${opens}`, true));
          if (i === opens - 1) figures.browserAfterRestart = await browserOpen(vhost, dataDir, 'after a console restart', false);
        } finally {
          fs.rmSync(dataDir, { recursive: true, force: true });
        }
      }
      figures.browser = firsts.length === 1 ? firsts[0] : firsts;
      if (firsts.length > 1) figures.firstOpensMs = firsts.map((f) => f.firstMs);
    }
  } finally {
    if (!args.keep && !reuse) {
      await rabbit('DELETE', `/api/vhosts/${encodeURIComponent(vhost)}`).catch(() => undefined);
      log(`deleted vhost ${vhost}`);
    }
  }
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});

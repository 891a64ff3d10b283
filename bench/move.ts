// `npx tsx bench/move.ts [--messages N] [--durable 0|1]`: how fast a move runs and what it costs the
// rest of the broker. Fills a queue with N messages (default 200,000; persistent into a durable
// queue on a DATA_DIR with --durable 1) through AMQP, then moves 1 in 100 chosen by a filter and
// then all the rest to another queue through the broker API, without a rate limit. Prints
// messages a second for each and the longest event-loop stall seen meanwhile (what other clients
// would have waited at worst).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import amqp from 'amqplib';
import { createBroker, type Actor, type Broker } from '../broker/index';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const N = arg('messages', 200_000);
const DURABLE = arg('durable', 1) === 1;

async function timedMove(broker: Broker, admin: Actor, from: string, to: string, selection: { kind: 'all' } | { kind: 'filter'; expression: string }) {
  const stall = monitorEventLoopDelay({ resolution: 5 });
  stall.enable();
  const t = performance.now();
  const job = await broker.startTransfer(admin, '/', from, { mode: 'move', selection, target: { exchange: '', routingKey: to }, rate: 0 });
  let view = job;
  while (view.state === 'running') {
    await new Promise((r) => setTimeout(r, 20));
    view = await broker.getTransfer(admin, '/', job.id);
  }
  const s = (performance.now() - t) / 1000;
  stall.disable();
  return { moved: view.done, s, rate: view.done / s, maxStallMs: stall.max / 1e6, state: view.state };
}

async function main() {
  const dataDir = DURABLE ? fs.mkdtempSync(path.join(os.tmpdir(), 'warren-move-bench-')) : undefined;
  const broker = await createBroker({ port: 0, host: '127.0.0.1', logLevel: 'error', dataDir });
  const admin = await broker.authenticate('guest', 'guest', '127.0.0.1');
  const conn = await amqp.connect(`amqp://guest:guest@127.0.0.1:${broker.port}`);
  const ch = await conn.createConfirmChannel();
  for (const q of ['move-src', 'move-dst']) await ch.assertQueue(q, { durable: DURABLE });
  const body = Buffer.alloc(100, 'x');
  for (let i = 0; i < N; i++) {
    if (!ch.sendToQueue('move-src', body, { persistent: DURABLE, headers: { i } })) await new Promise((r) => ch.once('drain', r));
  }
  await ch.waitForConfirms();
  console.log(`filled ${N.toLocaleString('en-US')} ${DURABLE ? 'persistent messages into a durable queue' : 'transient messages'}`);
  const filtered = await timedMove(broker, admin, 'move-src', 'move-dst', { kind: 'filter', expression: 'headers.i % 100 == 50' });
  const all = await timedMove(broker, admin, 'move-src', 'move-dst', { kind: 'all' });
  for (const [what, r] of [['filter (1 in 100)', filtered], ['all the rest', all]] as const) {
    console.log(`${what.padEnd(18)} ${r.state} ${r.moved.toLocaleString('en-US')} in ${r.s.toFixed(2)} s = ${Math.round(r.rate).toLocaleString('en-US')} msg/s, longest stall ${r.maxStallMs.toFixed(1)} ms`);
  }
  const dst = await broker.getQueue(admin, '/', 'move-dst');
  console.log(`target holds ${String(dst?.messages_ready)}`);
  await conn.close();
  await broker.close();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

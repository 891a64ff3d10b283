// A remote RabbitMQ as the product serves it: one real `npm start -- --rabbitmq cluster=...` process
// beside the embedded broker. The default broker keeps RabbitMQ's paths; the cluster answers under
// /brokers/cluster/ with its own data and its own words; /api/brokers names both and gives away no
// URL or password; the live feed of the cluster arrives over /brokers/cluster/api/ws.
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveClient, sleep } from '../live/testing';
import { freePort, stopGroup } from '../testing/processes';
import { findRabbitMq, NO_RABBITMQ } from './testing';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** `npm start` builds the console first when its build is missing or stale. */
const START_LIMIT_MS = 420_000;
const STOP_LIMIT_MS = 15_000;
/** the cluster's configured account; the test checks it never leaves the server */
const SECRET = `pw-${crypto.randomBytes(6).toString('hex')}`;
const SERVICE_USER = `warren-console-${crypto.randomBytes(3).toString('hex')}`;

const target = await findRabbitMq();
if (target === undefined) console.warn(NO_RABBITMQ);

const GUEST = `Basic ${Buffer.from('guest:guest').toString('base64')}`;
let base = '';
let stopWarren: (() => Promise<void>) | undefined;

/** `npm start -- ...args` on free ports with a data dir of its own, once it answers /api/health. */
async function startWarren(args: string[]): Promise<{ base: string; amqpPort: number; stop(): Promise<void> }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'warren-served-remote-'));
  const port = await freePort();
  const amqpPort = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), AMQP_PORT: String(amqpPort), DATA_DIR: dataDir, LOG_LEVEL: 'warn', HOST: '127.0.0.1' };
  for (const k of Object.keys(env)) if (/^(VITEST|NODE_ENV$|TEST$)/.test(k)) delete env[k];
  const c: ChildProcess = spawn('npm', ['start', '--', ...args], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    output.push(chunk.toString('utf8'));
    if (output.length > 200) output.splice(0, output.length - 200);
  };
  c.stdout?.on('data', keep);
  c.stderr?.on('data', keep);
  const stop = async () => {
    const pgid = c.pid;
    if (pgid !== undefined) await stopGroup(pgid, STOP_LIMIT_MS);
    fs.rmSync(dataDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  };
  const deadline = Date.now() + START_LIMIT_MS - 10_000;
  for (;;) {
    if (c.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`npm start ${args.join(' ')} did not serve /api/health:\n${output.join('')}`);
    }
    try {
      if ((await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(2_000) })).status === 200) return { base: url, amqpPort, stop };
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
}

async function rabbit(method: string, urlPath: string, body?: unknown): Promise<Response> {
  return fetch(`${target!.config.managementUrl}${urlPath}`, {
    method,
    headers: { authorization: GUEST, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
}

async function call(method: string, urlPath: string, body?: unknown): Promise<{ status: number; text: string; body: unknown }> {
  const res = await fetch(`${base}${urlPath}`, {
    method,
    headers: { authorization: GUEST, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = text;
  }
  return { status: res.status, text, body: parsed };
}

describe.skipIf(target === undefined)('npm start with --rabbitmq', () => {
  const vhost = `warren-served-${crypto.randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    // an administrator of the cluster whose password only the console process knows
    expect((await rabbit('PUT', `/api/users/${SERVICE_USER}`, { password: SECRET, tags: 'administrator' })).ok).toBe(true);
    expect((await rabbit('PUT', `/api/vhosts/${vhost}`)).ok).toBe(true);
    expect((await rabbit('PUT', `/api/permissions/${vhost}/guest`, { configure: '.*', write: '.*', read: '.*' })).ok).toBe(true);
    expect((await rabbit('PUT', `/api/permissions/%2F/${SERVICE_USER}`, { configure: '.*', write: '.*', read: '.*' })).ok).toBe(true);
    const mgmt = new URL(target!.config.managementUrl);
    const started = await startWarren(['--rabbitmq', `cluster=http://${SERVICE_USER}:${SECRET}@${mgmt.host},${target!.config.amqpUrl}`]);
    base = started.base;
    stopWarren = started.stop;
  }, START_LIMIT_MS);

  afterAll(async () => {
    await stopWarren?.();
    await rabbit('DELETE', `/api/vhosts/${vhost}`).catch(() => {});
    await rabbit('DELETE', `/api/users/${SERVICE_USER}`).catch(() => {});
  }, STOP_LIMIT_MS + 20_000);

  it('lists both brokers for the switcher, with no URL or password in sight', async () => {
    const r = await call('GET', '/api/brokers');
    expect(r.status).toBe(200);
    expect(r.body).toEqual([
      { name: 'warren', kind: 'warren', default: true, live: 'embedded' },
      { name: 'cluster', kind: 'rabbitmq', default: false, live: expect.any(String) },
    ]);
    expect(r.text).not.toContain(SECRET);
    expect(r.text).not.toContain(SERVICE_USER);
  });

  it('keeps RabbitMQ paths for the embedded broker and serves the cluster under /brokers/cluster/', async () => {
    const own = await call('GET', '/api/overview');
    expect(own.status).toBe(200);
    const remote = await call('GET', '/brokers/cluster/api/overview');
    expect(remote.status).toBe(200);
    const direct = (await (await rabbit('GET', '/api/overview')).json()) as { cluster_name: string; node: string };
    expect(remote.body).toMatchObject({ cluster_name: direct.cluster_name, product_name: 'RabbitMQ' });
    expect((own.body as { cluster_name: string }).cluster_name).not.toBe(direct.cluster_name);
    expect((await call('GET', '/brokers/nosuch/api/overview')).status).toBe(404);
    // the console user's own credentials reach the cluster: a wrong password is the cluster's 401
    const bad = await fetch(`${base}/brokers/cluster/api/overview`, { headers: { authorization: `Basic ${Buffer.from('guest:nope').toString('base64')}` } });
    expect(bad.status).toBe(401);
  });

  it('declares through the cluster, and its refusals read as the cluster words them', async () => {
    const x = `/api/exchanges/${encodeURIComponent(vhost)}/orders`;
    expect((await call('PUT', `/brokers/cluster${x}`, { type: 'direct', durable: true })).status).toBe(201);
    expect((await call('PUT', `/brokers/cluster${x}`, { type: 'direct', durable: true })).status).toBe(204);
    const ours = await call('PUT', `/brokers/cluster${x}`, { type: 'fanout', durable: true });
    const theirs = await rabbit('PUT', x, { type: 'fanout', durable: true });
    expect(ours.status).toBe(theirs.status);
    expect(ours.body).toEqual(await theirs.json());
    const q = await call('GET', `/brokers/cluster/api/exchanges/${encodeURIComponent(vhost)}/orders`);
    expect(q.body).toMatchObject({ name: 'orders', type: 'direct', vhost });
    // and the embedded broker knows nothing of it
    expect((await call('GET', `/api/exchanges/${encodeURIComponent(vhost)}/orders`)).status).toBe(404);
  });

  it('answers browsing the cluster with 501 and why; imports JSON Lines into it through its publish', async () => {
    const qpath = `/api/queues/${encodeURIComponent(vhost)}/browse-q`;
    expect((await call('PUT', `/brokers/cluster${qpath}`, { durable: false })).status).toBe(201);
    const r = await call('GET', `/brokers/cluster${qpath}/messages`);
    expect(r.status).toBe(501);
    expect((r.body as { reason: string }).reason).toMatch(/redelivered/);
    const move = await call('POST', `/brokers/cluster${qpath}/messages/move`, { all: true, target: { queue: 'elsewhere' } });
    expect(move.status).toBe(501);
    expect((move.body as { reason: string }).reason).toMatch(/shovel/);
    expect((await call('POST', `/brokers/cluster${qpath}/messages/return/preview`, { all: true })).status).toBe(501);
    expect((await call('GET', `/brokers/cluster/api/message-transfers/${encodeURIComponent(vhost)}/999`)).status).toBe(404);
    const line = JSON.stringify({ routing_key: 'browse-q', properties: { headers: { a: 1 } }, payload: Buffer.from('hi').toString('base64') });
    const imp = await fetch(`${base}/brokers/cluster/api/exchanges/${encodeURIComponent(vhost)}/amq.default/import`, { method: 'POST', headers: { authorization: GUEST }, body: line });
    expect(imp.status).toBe(202);
    const job = (await imp.json()) as { id: string; mode: string; total: number };
    expect(job).toMatchObject({ mode: 'import', total: 1 });
    // the import runs as a job on the cluster too, its progress and end through the same endpoint
    const jobPath = `/brokers/cluster/api/message-transfers/${encodeURIComponent(vhost)}/${job.id}`;
    await expect.poll(async () => ((await call('GET', jobPath)).body as { state: string }).state, { timeout: 10_000 }).toBe('done');
    expect((await call('GET', jobPath)).body).toMatchObject({ done: 1, failed: 0, unroutable: 0 });
    expect((await fetch(`${base}/brokers/cluster/api/exchanges/${encodeURIComponent(vhost)}/no-such-x/import`, { method: 'POST', headers: { authorization: GUEST }, body: line })).status).toBe(404);
    const got = await rabbit('POST', `${qpath}/get`, { count: 1, ackmode: 'ack_requeue_false', encoding: 'auto' });
    expect(await got.json()).toMatchObject([{ payload: 'hi', properties: { headers: { a: 1 } } }]);
  });

  it('streams the cluster\'s topology over /brokers/cluster/api/ws: a snapshot, then an AMQP declare as a diff', async () => {
    const live = await LiveClient.open(`${base.replace('http', 'ws')}/brokers/cluster/api/ws`, { origin: base });
    try {
      live.send({ type: 'auth', username: 'guest', password: 'guest' });
      const hello = await live.take('hello', () => true, 10_000);
      expect(hello.user).toBe('guest');
      live.send({ type: 'vhost', vhost });
      const snap = await live.take('snapshot', () => true, 15_000);
      expect(snap.exchanges.map((e) => e.name)).toContain('orders');
      const conn = await amqp.connect(`${target!.config.amqpUrl!.replace('amqp://', 'amqp://guest:guest@')}/${encodeURIComponent(vhost)}`);
      try {
        const ch = await conn.createChannel();
        const started = Date.now();
        await ch.assertQueue('from-amqp', { durable: false });
        const diff = await live.take('diff', (m) => m.changes.some((c) => c.op === 'add' && c.kind === 'queue' && c.item.name === 'from-amqp'), 7_000);
        console.log(`a queue declared over AMQP reached the browser feed in ${Date.now() - started} ms`);
        expect(diff.changes.length).toBeGreaterThan(0);
      } finally {
        await conn.close();
      }
      expect((await call('GET', '/api/brokers')).body).toContainEqual(expect.objectContaining({ name: 'cluster', live: expect.stringMatching(/^(events|polling)$/) }));
    } finally {
      live.ws.close();
    }
  });

  it('turns the cluster\'s firehose on for a browser over /api/ws: measured flow events, tracing off when the browser leaves', async () => {
    const tracing = async () => ((await (await rabbit('GET', `/api/vhosts/${encodeURIComponent(vhost)}`)).json()) as { tracing: boolean }).tracing;
    const live = await LiveClient.open(`${base.replace('http', 'ws')}/brokers/cluster/api/ws`, { origin: base });
    try {
      live.send({ type: 'auth', username: 'guest', password: 'guest' });
      await live.take('hello', () => true, 10_000);
      live.send({ type: 'vhost', vhost });
      await live.take('snapshot', () => true, 15_000);
      live.send({ type: 'firehose', on: true });
      expect(await live.take('firehose', () => true, 20_000)).toMatchObject({ on: true });
      expect(await tracing()).toBe(true);
      const conn = await amqp.connect(`${target!.config.amqpUrl!.replace('amqp://', 'amqp://guest:guest@')}/${encodeURIComponent(vhost)}`);
      try {
        const ch = await conn.createChannel();
        await ch.assertQueue('traced', { durable: false });
        ch.publish('', 'traced', Buffer.from('seen'));
        const flow = await live.take('flow', (m) => m.events.some((e) => e.kind === 'published' && e.routingKey === 'traced'), 20_000);
        expect(flow.events.find((e) => e.kind === 'published')).toMatchObject({ exchange: '', queues: ['traced'] });
      } finally {
        await conn.close();
      }
    } finally {
      live.ws.close();
    }
    // the browser went: its watch, and with it the firehose Warren turned on
    const started = Date.now();
    while ((await tracing()) && Date.now() - started < 20_000) await sleep(200);
    expect(await tracing()).toBe(false);
  });
});

describe.skipIf(target === undefined)('a browser consumer on the cluster, through npm start --rabbitmq', () => {
  let warren: Awaited<ReturnType<typeof startWarren>> | undefined;
  const vhost = `warren-consume-${crypto.randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    expect((await rabbit('PUT', `/api/vhosts/${vhost}`)).ok).toBe(true);
    expect((await rabbit('PUT', `/api/permissions/${vhost}/guest`, { configure: '.*', write: '.*', read: '.*' })).ok).toBe(true);
    expect((await rabbit('PUT', `/api/queues/${vhost}/work`, { durable: true })).ok).toBe(true);
    warren = await startWarren(['--rabbitmq', `cluster=${target!.config.managementUrl.replace('://', '://guest:guest@')},${target!.config.amqpUrl}`]);
  }, START_LIMIT_MS);

  afterAll(async () => {
    await warren?.stop();
    await rabbit('DELETE', `/api/vhosts/${vhost}`).catch(() => {});
  }, STOP_LIMIT_MS + 10_000);

  it('gets the messages over /brokers/cluster/api/ws, acks one and requeues one, and the cluster keeps only the requeued', async () => {
    for (const body of ['one', 'two']) {
      const r = await rabbit('POST', `/api/exchanges/${vhost}/amq.default/publish`, { routing_key: 'work', payload: body, payload_encoding: 'string', properties: {} });
      expect(await r.json()).toEqual({ routed: true });
    }
    const live = await LiveClient.open(`${warren!.base.replace('http', 'ws')}/brokers/cluster/api/ws`, { origin: warren!.base });
    try {
      live.send({ type: 'auth', username: 'guest', password: 'guest' });
      await live.take('hello', () => true, 10_000);
      live.send({ type: 'vhost', vhost });
      await live.take('snapshot', () => true, 15_000);
      live.send({ type: 'consume', id: 'c1', queue: 'work', prefetch: 5, ack: 'manual' });
      await live.take('consume-ok', () => true, 10_000);
      const first = await live.take('delivery', (m) => m.message.payload === 'one', 10_000);
      const second = await live.take('delivery', (m) => m.message.payload === 'two', 10_000);
      live.send({ type: 'ack', id: 'c1', deliveryTag: first.message.deliveryTag });
      live.send({ type: 'nack', id: 'c1', deliveryTag: second.message.deliveryTag, requeue: true });
      const again = await live.take('delivery', (m) => m.message.payload === 'two' && m.message.redelivered, 10_000);
      live.send({ type: 'cancel', id: 'c1' });
      await live.take('cancelled', () => true, 10_000);
      expect(again.message.redelivered).toBe(true);
    } finally {
      live.ws.close();
    }
    // the cluster holds 'two' (requeued when the consumer went), not 'one' (acked)
    const got = await rabbit('POST', `/api/queues/${vhost}/work/get`, { count: 5, ackmode: 'ack_requeue_true', encoding: 'auto' });
    expect(((await got.json()) as { payload: string }[]).map((m) => m.payload)).toEqual(['two']);
  });
});

describe.skipIf(target === undefined)('npm start --no-embedded --rabbitmq', () => {
  let solo: Awaited<ReturnType<typeof startWarren>> | undefined;

  beforeAll(async () => {
    solo = await startWarren(['--no-embedded', '--rabbitmq', `solo=${target!.config.managementUrl.replace('://', '://guest:guest@')},${target!.config.amqpUrl}`]);
  }, START_LIMIT_MS);

  afterAll(async () => {
    await solo?.stop();
  }, STOP_LIMIT_MS + 5_000);

  it('serves the cluster at RabbitMQ\'s own paths and runs no broker of its own', async () => {
    const brokers = await fetch(`${solo!.base}/api/brokers`);
    expect(await brokers.json()).toEqual([{ name: 'solo', kind: 'rabbitmq', default: true, live: expect.any(String) }]);
    const overview = await fetch(`${solo!.base}/api/overview`, { headers: { authorization: GUEST } });
    const direct = (await (await rabbit('GET', '/api/overview')).json()) as { cluster_name: string };
    expect(await overview.json()).toMatchObject({ product_name: 'RabbitMQ', cluster_name: direct.cluster_name });
    // /api/health names the port clients should use: the cluster's
    expect(await (await fetch(`${solo!.base}/api/health`)).json()).toEqual({ ok: true, amqpPort: Number(new URL(target!.config.amqpUrl!).port) });
    const refused = await new Promise<boolean>((resolve) => {
      const sock = net.connect(solo!.amqpPort, '127.0.0.1');
      sock.once('connect', () => (sock.destroy(), resolve(false)));
      sock.once('error', () => resolve(true));
    });
    expect(refused).toBe(true);
  });
});

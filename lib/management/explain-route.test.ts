// POST /api/exchanges/{vhost}/{name}/explain as `npm start` serves it: the explanation of a topic
// route with an alternate exchange, nothing published by asking, and a user without write
// permission on the exchange refused as a publish is; bad input answered with a 400, never a 500.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, stopGroup } from '../testing/processes';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const START_LIMIT_MS = 420_000;
let child: ChildProcess | undefined;
let dataDir = '';
let base = '';
let amqpPort = 0;
const output: string[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'warren-explain-'));
  const port = await freePort();
  amqpPort = await freePort();
  base = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), AMQP_PORT: String(amqpPort), HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
  for (const k of Object.keys(env)) if (/^(VITEST|NODE_ENV$|TEST$)/.test(k)) delete env[k];
  const c = spawn('npm', ['start'], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  child = c;
  const keep = (b: Buffer) => {
    output.push(b.toString('utf8'));
    if (output.length > 200) output.splice(0, output.length - 200);
  };
  c.stdout?.on('data', keep);
  c.stderr?.on('data', keep);
  let gone = false;
  c.once('exit', () => (gone = true));
  const deadline = Date.now() + START_LIMIT_MS - 10_000;
  for (;;) {
    if (gone || Date.now() > deadline) throw new Error(`npm start did not serve /api/health:\n${output.join('').slice(-4000)}`);
    try {
      if ((await fetch(`${base}/api/health`, { signal: AbortSignal.timeout(2_000) })).status === 200) break;
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
}, START_LIMIT_MS);

afterAll(async () => {
  if (child?.pid !== undefined) await stopGroup(child.pid, 15_000);
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
}, 40_000);

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

async function call(method: string, urlPath: string, body?: unknown, authorization = basic('guest', 'guest')): Promise<{ status: number; body: any }> {
  const res = await fetch(base + urlPath, {
    method,
    headers: { authorization, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? undefined : JSON.parse(text) };
}

describe('npm start serves routing explained', () => {
  it('explains a topic route, the alternate exchange and mandatory, and publishes nothing', async () => {
    const conn = await amqp.connect(`amqp://guest:guest@127.0.0.1:${amqpPort}`);
    const ch = await conn.createChannel();
    await ch.assertExchange('ex-unrouted', 'fanout', { durable: false });
    await ch.assertExchange('ex-logs', 'topic', { durable: false, arguments: { 'alternate-exchange': 'ex-unrouted' } });
    await ch.assertQueue('ex-errors', { durable: false });
    await ch.assertQueue('ex-lost', { durable: false });
    await ch.bindQueue('ex-errors', 'ex-logs', '*.error.#');
    await ch.bindQueue('ex-lost', 'ex-unrouted', '');

    const hit = await call('POST', '/api/exchanges/%2F/ex-logs/explain', { routing_key: 'app.error.db', mandatory: true });
    expect(hit.status).toBe(200);
    expect(hit.body).toMatchObject({ queues: ['ex-errors'], outcome: 'routed', computedBy: 'broker' });
    expect(hit.body.visits[0].bindings[0]).toMatchObject({
      destination: 'ex-errors', matched: true, reason: "pattern '*.error.#' matches: '*' = 'app', 'error' = 'error', '#' = 'db'",
    });
    expect(hit.body.alternateExchanges).toEqual([{ from: 'ex-logs', to: 'ex-unrouted', routingKey: 'app.error.db', outcome: 'not-needed' }]);

    const miss = await call('POST', '/api/exchanges/%2F/ex-logs/explain', { routing_key: 'app.info', properties: { headers: { CC: ['x.debug'] } } });
    expect(miss.body).toMatchObject({ queues: ['ex-lost'], cc: ['x.debug'], outcome: 'routed' });
    expect(miss.body.alternateExchanges[0].outcome).toBe('used');

    const none = await call('POST', '/api/exchanges/%2F/amq.direct/explain', { routing_key: 'nowhere', mandatory: true });
    expect(none.body).toMatchObject({ queues: [], outcome: 'returned' });

    // explaining published nothing
    expect((await ch.checkQueue('ex-errors')).messageCount).toBe(0);
    expect((await ch.checkQueue('ex-lost')).messageCount).toBe(0);
    await conn.close();
  });

  it('asks for write permission on the exchange, as a publish does', async () => {
    expect((await call('PUT', '/api/users/ex-reader', { password: 'pw', tags: 'management' })).status).toBe(201);
    expect((await call('PUT', '/api/permissions/%2F/ex-reader', { configure: '', write: '^only-this$', read: '.*' })).status).toBe(201);
    const r = await call('POST', '/api/exchanges/%2F/amq.topic/explain', { routing_key: 'k' }, basic('ex-reader', 'pw'));
    expect(r).toEqual({ status: 400, body: { error: 'bad_request', reason: "403 ACCESS_REFUSED - access to exchange 'amq.topic' in vhost '/' refused for user 'ex-reader'" } });
  });

  it('answers bad input with RabbitMQ-style 400s and 404 words', async () => {
    expect((await call('POST', '/api/exchanges/%2F/amq.topic/explain', '{nope')).status).toBe(400);
    expect((await call('POST', '/api/exchanges/%2F/amq.topic/explain', { routing_key: 'x'.repeat(256) })).body).toEqual({ error: 'bad_request', reason: ['too_long', 'routing_key'] });
    expect((await call('POST', '/api/exchanges/%2F/amq.topic/explain', { routing_key: 'k', mandatory: 'yes' })).status).toBe(400);
    const cc = Array.from({ length: 300 }, (_, i) => `k${i}`);
    expect((await call('POST', '/api/exchanges/%2F/amq.topic/explain', { routing_key: 'k', properties: { headers: { CC: cc } } })).status).toBe(400);
    const missing = await call('POST', '/api/exchanges/%2F/no-such/explain', { routing_key: 'k' });
    expect(missing).toEqual({ status: 400, body: { error: 'bad_request', reason: "404 NOT_FOUND - no exchange 'no-such' in vhost '/'" } });
  });
});

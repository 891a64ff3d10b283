// Browsing through the HTTP port of a real `npm start`: pages of ready and unacked messages as
// amqplib clients left them, a whole body by id, and nothing changed by the reading — the
// consumer afterwards gets every message in order, none redelivered, and the queue's counters
// did not move. Read permission is needed, bad parameters are 400s that say what was wrong.
import amqp, { type ChannelModel } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NPM_START_LIMIT_MS, basicAuth, callServed, startServed, type Served } from '../testing/npm-start';

let served: Served;
let conn: ChannelModel;

beforeAll(async () => {
  served = await startServed('browse');
  conn = await amqp.connect(served.amqpUrl());
}, NPM_START_LIMIT_MS);

afterAll(async () => {
  await conn?.close().catch(() => undefined);
  await served?.stop();
}, 30_000);

const auth = basicAuth;
const call = (method: string, path: string, body?: unknown, user = 'guest', password = 'guest') => callServed(served, method, path, body, user, password);

interface Page {
  total: number;
  messages: { position: number; id: number; payload: string; payload_bytes: number; truncated: boolean; redelivered: boolean; routing_key: string; properties: Record<string, unknown>; consumer_tag?: string; delivery_tag?: number }[];
}

const text = (b64: string) => Buffer.from(b64, 'base64').toString('utf8');

describe('GET /api/queues/{vhost}/{name}/messages on npm start', () => {
  it('pages ready messages without consuming them: order, redelivered and counters unchanged', async () => {
    const ch = await conn.createConfirmChannel();
    await ch.assertQueue('served-browse', { durable: true });
    for (let i = 0; i < 12; i++) ch.sendToQueue('served-browse', Buffer.from(i === 3 ? JSON.stringify({ n: i, big: 'y'.repeat(5000) }) : `msg-${i}`), { persistent: true, headers: { i, nested: { k: [1, 'two'] } }, messageId: `id-${i}` });
    await ch.waitForConfirms();
    const before = await call('GET', '/api/queues/%2F/served-browse');
    const r = await call('GET', '/api/queues/%2F/served-browse/messages?offset=2&limit=3&body_limit=100');
    expect(r.status).toBe(200);
    const page = r.body as unknown as Page;
    expect(page.total).toBe(12);
    expect(page.messages.map((m) => m.position)).toEqual([2, 3, 4]);
    expect(text(page.messages[0].payload)).toBe('msg-2');
    expect(page.messages[0].properties).toMatchObject({ message_id: 'id-2', delivery_mode: 2, headers: { i: 2, nested: { k: [1, 'two'] } } });
    const big = page.messages[1];
    expect(big.truncated).toBe(true);
    expect(Buffer.from(big.payload, 'base64').length).toBe(100);
    // "load all": the one message whole, by id
    const whole = await call('GET', `/api/queues/%2F/served-browse/messages/${big.id}?position=${big.position}`);
    expect(whole.status).toBe(200);
    expect(JSON.parse(text(whole.body?.payload as string))).toMatchObject({ n: 3 });
    expect(whole.body?.truncated).toBe(false);

    const after = await call('GET', '/api/queues/%2F/served-browse');
    for (const k of ['messages_ready', 'messages_unacknowledged']) expect(after.body?.[k]).toBe(before.body?.[k]);
    const stats = (after.body?.message_stats ?? {}) as Record<string, unknown>;
    expect(stats.get ?? 0).toBe(0);
    expect(stats.deliver ?? 0).toBe(0);
    expect(stats.redeliver ?? 0).toBe(0);

    const got: { i: number; redelivered: boolean }[] = [];
    await ch.consume('served-browse', (m) => m && got.push({ i: Number(m.properties.headers?.i), redelivered: m.fields.redelivered }), { noAck: true });
    await expect.poll(() => got.length, { timeout: 10_000 }).toBe(12);
    expect(got.map((g) => g.i)).toEqual([...Array(12).keys()]);
    expect(got.some((g) => g.redelivered)).toBe(false);
    await ch.close();
  });

  it('lists unacked messages apart, with the consumer and delivery tag that hold them', async () => {
    const ch = await conn.createChannel();
    await ch.assertQueue('served-held', { durable: false });
    for (let i = 0; i < 4; i++) ch.sendToQueue('served-held', Buffer.from(`h${i}`));
    await ch.prefetch(3);
    const held: number[] = [];
    const { consumerTag } = await ch.consume('served-held', (m) => m && held.push(m.fields.deliveryTag));
    await expect.poll(() => held.length).toBe(3);
    const r = await call('GET', '/api/queues/%2F/served-held/messages?state=unacked');
    expect(r.status).toBe(200);
    const page = r.body as unknown as Page;
    expect(page.total).toBe(3);
    expect(page.messages.map((m) => [text(m.payload), m.consumer_tag, m.delivery_tag])).toEqual([
      ['h0', consumerTag, 1],
      ['h1', consumerTag, 2],
      ['h2', consumerTag, 3],
    ]);
    const ready = (await call('GET', '/api/queues/%2F/served-held/messages')).body as unknown as Page;
    expect(ready.messages.map((m) => text(m.payload))).toEqual(['h3']);
    await ch.close();
  });

  it('filters ready messages with a CEL expression within a budget; a bad expression is a 400 with its position', async () => {
    const ch = await conn.createConfirmChannel();
    await ch.assertQueue('served-filter', { durable: false });
    for (let i = 0; i < 200; i++) ch.sendToQueue('served-filter', Buffer.from(JSON.stringify({ n: i, tier: i % 7 === 0 ? 'gold' : 'std' })), { headers: { attempt: i % 4 } });
    await ch.waitForConfirms();
    const r = await call('POST', '/api/queues/%2F/served-filter/messages/filter', { expression: 'json.tier == "gold" && headers.attempt == 0' });
    expect(r.status).toBe(200);
    const page = r.body as unknown as { matches: Page['messages']; scanned: number; next_cursor: number | null; stopped: string };
    expect(page.stopped).toBe('end');
    expect(page.next_cursor).toBeNull();
    expect(page.scanned).toBe(200);
    expect(page.matches.map((m) => JSON.parse(text(m.payload)).n)).toEqual([0, 28, 56, 84, 112, 140, 168, 196]);
    // a budget of 50 messages: a cursor to go on from
    const part = (await call('POST', '/api/queues/%2F/served-filter/messages/filter', { expression: 'true', limit: 500, max_scanned: 50 })).body;
    expect(part).toMatchObject({ scanned: 50, next_cursor: 50, stopped: 'scan_budget' });
    const bad = await call('POST', '/api/queues/%2F/served-filter/messages/filter', { expression: 'json.tier == ' });
    expect(bad.status).toBe(400);
    expect(bad.body?.reason).toMatch(/^filter expression: .* at position \d+$/);
    expect((await call('POST', '/api/queues/%2F/served-filter/messages/filter', { expression: 7 })).status).toBe(400);
    expect((await call('POST', '/api/queues/%2F/served-filter/messages/filter', { expression: 'true', max_ms: 10_000 })).status).toBe(400);
    await ch.close();
  });

  it('exports JSON Lines and imports them into an exchange: bodies whole, header types byte for byte, order kept', async () => {
    const ch = await conn.createConfirmChannel();
    await ch.assertQueue('served-export', { durable: false });
    await ch.assertExchange('served-import-x', 'fanout', { durable: false });
    await ch.assertQueue('served-imported', { durable: false });
    await ch.bindQueue('served-imported', 'served-import-x', '');
    const big = Buffer.alloc(200_000, 0xab);
    ch.sendToQueue('served-export', Buffer.from('first'), { headers: { small: { '!': 'int16', value: 7 }, when: { '!': 'timestamp', value: 1700000000 }, f: { '!': 'float', value: 1.5 } }, correlationId: 'c-1' });
    ch.sendToQueue('served-export', big, { headers: { n: 2 } });
    ch.sendToQueue('served-export', Buffer.from([0, 1, 2]), { priority: 3 });
    await ch.waitForConfirms();
    const exported = await fetch(`${served.base}/api/queues/%2F/served-export/messages/export`, { headers: { authorization: auth('guest', 'guest') } });
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-type')).toBe('application/x-ndjson');
    const file = await exported.text();
    const lines = file.trim().split('\n').map((l) => JSON.parse(l) as { payload: string; payload_bytes: number; properties_raw: string; properties: Record<string, unknown> });
    expect(lines).toHaveLength(3);
    expect(Buffer.from(lines[1].payload, 'base64').equals(big)).toBe(true);
    expect(lines[0].properties).toMatchObject({ correlation_id: 'c-1', headers: { small: 7 } });
    // the queue was only read
    expect((await call('GET', '/api/queues/%2F/served-export')).body?.messages_ready).toBe(3);

    const imported = await fetch(`${served.base}/api/exchanges/%2F/served-import-x/import?rate=50`, { method: 'POST', headers: { authorization: auth('guest', 'guest'), 'content-type': 'application/x-ndjson' }, body: file });
    expect(imported.status).toBe(202);
    const job = (await imported.json()) as { id: string; mode: string; total: number };
    expect(job).toMatchObject({ mode: 'import', total: 3, queue: null, target: { exchange: 'served-import-x' } });
    await expect.poll(async () => (await call('GET', `/api/message-transfers/%2F/${job.id}`)).body?.state).toBe('done');
    expect((await call('GET', `/api/message-transfers/%2F/${job.id}`)).body).toMatchObject({ done: 3, failed: 0, unroutable: 0, remaining: 0 });
    await expect.poll(async () => (await call('GET', '/api/queues/%2F/served-imported')).body?.messages_ready).toBe(3);
    const again = (await (await fetch(`${served.base}/api/queues/%2F/served-imported/messages/export`, { headers: { authorization: auth('guest', 'guest') } })).text()).trim().split('\n').map((l) => JSON.parse(l) as { payload: string; properties_raw: string });
    expect(again.map((l) => l.properties_raw)).toEqual(lines.map((l) => l.properties_raw));
    expect(again.map((l) => l.payload)).toEqual(lines.map((l) => l.payload));

    // a filter narrows the export; a bad line refuses the whole import, naming it
    const gold = (await (await fetch(`${served.base}/api/queues/%2F/served-export/messages/export?expression=${encodeURIComponent('size < 10')}`, { headers: { authorization: auth('guest', 'guest') } })).text()).trim().split('\n');
    expect(gold).toHaveLength(2);
    const bad = await fetch(`${served.base}/api/exchanges/%2F/served-import-x/import`, { method: 'POST', headers: { authorization: auth('guest', 'guest') }, body: `${file}{"routing_key":"x","payload":"not base64!"}\n` });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { reason: string }).reason).toBe('line 4: payload must be base64');
    expect((await call('GET', '/api/queues/%2F/served-imported')).body?.messages_ready).toBe(3);
    await ch.close();
  });

  it('imports as a job: progress while it runs at its rate, cancel mid-way, what arrived is what it published', async () => {
    const ch = await conn.createConfirmChannel();
    await ch.assertExchange('served-slow-x', 'fanout', { durable: false });
    await ch.assertQueue('served-slow', { durable: false });
    await ch.bindQueue('served-slow', 'served-slow-x', '');
    const N = 3000;
    const file = Array.from({ length: N }, (_, i) => JSON.stringify({ routing_key: 'k', properties: { headers: { i } }, payload: Buffer.from(`m-${i}`).toString('base64') })).join('\n');
    const started = await fetch(`${served.base}/api/exchanges/%2F/served-slow-x/import?rate=200`, { method: 'POST', headers: { authorization: auth('guest', 'guest'), 'content-type': 'application/x-ndjson' }, body: file });
    expect(started.status).toBe(202);
    const job = (await started.json()) as { id: string; state: string; total: number; rate_limit: number };
    expect(job).toMatchObject({ state: 'running', total: N, rate_limit: 200 });
    const path = `/api/message-transfers/%2F/${job.id}`;
    // under way: some published, not all, at about its rate
    await expect.poll(async () => (await call('GET', path)).body?.done as number, { timeout: 20_000 }).toBeGreaterThan(100);
    const mid = (await call('GET', path)).body as { state: string; done: number; rate: number };
    expect(mid.state).toBe('running');
    expect(mid.done).toBeLessThan(N);
    expect(mid.rate).toBeGreaterThan(0);
    expect(mid.rate).toBeLessThanOrEqual(210);
    const cancelled = await call('DELETE', path);
    expect(cancelled.status).toBe(200);
    await expect.poll(async () => (await call('GET', path)).body?.state).toBe('cancelled');
    const end = (await call('GET', path)).body as { done: number; failed: number; unroutable: number; remaining: number; rate: number };
    console.log(`import at 200/s cancelled after ${end.done} of ${N}, measured ${end.rate}/s`);
    expect(end.done).toBeLessThan(N);
    expect(end.done + end.remaining).toBe(N);
    expect(end.failed + end.unroutable).toBe(0);
    // nothing more arrives after the cancel, and what arrived is what the job published
    await new Promise((r) => setTimeout(r, 500));
    expect((await call('GET', '/api/queues/%2F/served-slow')).body?.messages_ready).toBe(end.done);

    // refused at once: an exchange that is not there, a user who may not write to it
    expect((await fetch(`${served.base}/api/exchanges/%2F/no-such-x/import`, { method: 'POST', headers: { authorization: auth('guest', 'guest') }, body: file.split('\n')[0] })).status).toBe(404);
    expect((await call('PUT', '/api/users/import-nowrite', { password: 'pw', tags: 'management' })).status).toBe(201);
    expect((await call('PUT', '/api/permissions/%2F/import-nowrite', { configure: '.*', write: '^other$', read: '.*' })).status).toBe(201);
    const refused = await fetch(`${served.base}/api/exchanges/%2F/served-slow-x/import`, { method: 'POST', headers: { authorization: auth('import-nowrite', 'pw') }, body: file.split('\n')[0] });
    expect(refused.status).toBe(401);
    // someone else's job is not theirs to see or cancel
    expect((await call('GET', path, undefined, 'import-nowrite', 'pw')).status).toBe(404);
    await ch.close();
  });

  it('needs read permission on the queue; a missing queue is 404, bad parameters 400', async () => {
    expect((await call('PUT', '/api/users/browse-noread', { password: 'pw', tags: 'management' })).status).toBe(201);
    expect((await call('PUT', '/api/permissions/%2F/browse-noread', { configure: '.*', write: '.*', read: '^other$' })).status).toBe(201);
    const refused = await call('GET', '/api/queues/%2F/served-held/messages', undefined, 'browse-noread', 'pw');
    expect(refused).toEqual({ status: 401, body: { error: 'not_authorised', reason: 'Access refused.' } });
    expect((await call('GET', '/api/queues/%2F/no-such-queue/messages')).status).toBe(404);
    const badLimit = await call('GET', '/api/queues/%2F/served-held/messages?limit=501');
    expect(badLimit.status).toBe(400);
    expect(badLimit.body?.reason).toBe('limit must be a whole number from 0 to 500, not 501');
    expect((await call('GET', '/api/queues/%2F/served-held/messages?state=all')).status).toBe(400);
    expect((await call('GET', '/api/queues/%2F/served-held/messages/abc')).status).toBe(400);
    // an id no longer in the queue
    expect((await call('GET', '/api/queues/%2F/served-held/messages/999999?position=0')).status).toBe(404);
  });
});

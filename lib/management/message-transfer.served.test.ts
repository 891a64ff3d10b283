// Moving, copying and returning messages through the HTTP port of a real `npm start`, with amqplib
// clients filling the queues and reading the results: chosen, filtered and all messages reach
// their destination in order and (for a move) leave the source; a rate-limited job shows progress
// and stops when cancelled, losing nothing; dead letters go back to the exchange and routing key
// of their x-death entry, those whose exchange is gone stay and are counted; permissions are a
// shovel's (read on the source, write on the destination); bad input is a 400 that says why.
import amqp, { type Channel, type ChannelModel } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NPM_START_LIMIT_MS, basicAuth, callServed, startServed, type Served } from '../testing/npm-start';

let served: Served;
let conn: ChannelModel;

beforeAll(async () => {
  served = await startServed('transfer');
  conn = await amqp.connect(served.amqpUrl());
}, NPM_START_LIMIT_MS);

afterAll(async () => {
  await conn?.close().catch(() => undefined);
  await served?.stop();
}, 30_000);

const auth = basicAuth;
const call = (method: string, path: string, body?: unknown, user = 'guest', password = 'guest') => callServed(served, method, path, body, user, password);

interface Job {
  id: string;
  state: string;
  done: number;
  failed: number;
  no_origin: number;
  duplicates: number;
  remaining: number;
  first_error: string | null;
}

async function finished(id: string): Promise<Job> {
  let job: Job | undefined;
  await expect
    .poll(async () => {
      job = (await call('GET', `/api/message-transfers/%2F/${id}`)).body as unknown as Job;
      return job.state;
    }, { timeout: 30_000 })
    .not.toBe('running');
  return job as Job;
}

/** Every message of a queue, taken, as their bodies in order. */
async function drain(ch: Channel, queue: string): Promise<string[]> {
  const out: string[] = [];
  for (;;) {
    const m = await ch.get(queue, { noAck: true });
    if (m === false) return out;
    out.push(m.content.toString());
  }
}

async function fill(ch: Channel, queue: string, n: number, opts: { prefix?: string; persistent?: boolean } = {}) {
  for (let i = 0; i < n; i++) ch.sendToQueue(queue, Buffer.from(`${opts.prefix ?? 'm'}-${i}`), { persistent: opts.persistent ?? true, headers: { i } });
  await (ch as amqp.ConfirmChannel).waitForConfirms();
}

describe('moving and copying messages on npm start', () => {
  it('moves chosen messages by id, and a filter\'s matches to an exchange keeping their routing keys', async () => {
    const ch = await conn.createConfirmChannel();
    for (const q of ['mv-src', 'mv-dst', 'mv-even']) await ch.assertQueue(q, { durable: true });
    await ch.assertExchange('mv-x', 'direct', { durable: true });
    await ch.bindQueue('mv-even', 'mv-x', 'mv-src');
    await fill(ch, 'mv-src', 10);
    const page = (await call('GET', '/api/queues/%2F/mv-src/messages?limit=10')).body as { messages: { id: number; position: number }[] };
    const ids = [page.messages[1], page.messages[4]].map((m) => ({ id: m.id, position: m.position }));
    const r = await call('POST', '/api/queues/%2F/mv-src/messages/move', { ids, target: { queue: 'mv-dst' } });
    expect(r.status).toBe(202);
    const job = await finished((r.body as unknown as Job).id);
    expect(job).toMatchObject({ state: 'done', done: 2, failed: 0 });
    // the filter: even i, to an exchange with each message's own routing key (the source queue's name)
    const f = await call('POST', '/api/queues/%2F/mv-src/messages/move', { expression: 'headers.i % 2 == 0', target: { exchange: 'mv-x' } });
    expect(f.status).toBe(202);
    // m-4 already left
    expect(await finished((f.body as unknown as Job).id)).toMatchObject({ state: 'done', done: 4, failed: 0 });
    expect(await drain(ch, 'mv-dst')).toEqual(['m-1', 'm-4']);
    expect(await drain(ch, 'mv-even')).toEqual(['m-0', 'm-2', 'm-6', 'm-8']);
    expect(await drain(ch, 'mv-src')).toEqual(['m-3', 'm-5', 'm-7', 'm-9']);
    await ch.close();
  });

  it('copies all messages, leaving the source as it was', async () => {
    const ch = await conn.createConfirmChannel();
    for (const q of ['cp-src', 'cp-dst']) await ch.assertQueue(q, { durable: true });
    await fill(ch, 'cp-src', 300);
    const r = await call('POST', '/api/queues/%2F/cp-src/messages/copy', { all: true, target: { exchange: 'amq.default', routing_key: 'cp-dst' } });
    expect(r.status).toBe(202);
    expect(await finished((r.body as unknown as Job).id)).toMatchObject({ state: 'done', done: 300, failed: 0 });
    const want = [...Array(300).keys()].map((i) => `m-${i}`);
    expect(await drain(ch, 'cp-dst')).toEqual(want);
    expect(await drain(ch, 'cp-src')).toEqual(want);
    await ch.close();
  });

  it('a rate-limited move shows progress and stops when cancelled, every message in one queue or the other', async () => {
    const ch = await conn.createConfirmChannel();
    for (const q of ['slow-src', 'slow-dst']) await ch.assertQueue(q, { durable: true });
    await fill(ch, 'slow-src', 200);
    const started = Date.now();
    const r = await call('POST', '/api/queues/%2F/slow-src/messages/move', { all: true, target: { queue: 'slow-dst' }, rate: 40 });
    const id = (r.body as unknown as Job).id;
    await expect.poll(async () => ((await call('GET', `/api/message-transfers/%2F/${id}`)).body as unknown as Job).done, { timeout: 20_000 }).toBeGreaterThan(0);
    const c = await call('DELETE', `/api/message-transfers/%2F/${id}`);
    expect(c.status).toBe(200);
    const job = await finished(id);
    expect(job.state).toBe('cancelled');
    // the rate holds: no more than 40 a second (and a first slice of 40) — a slow machine only moves fewer
    expect(job.done).toBeLessThanOrEqual(40 * ((Date.now() - started) / 1000) + 40);
    expect(job.done).toBeLessThan(200);
    const moved = await drain(ch, 'slow-dst');
    const left = await drain(ch, 'slow-src');
    expect(moved.length).toBe(job.done);
    expect([...moved, ...left].sort()).toEqual([...Array(200).keys()].map((i) => `m-${i}`).sort());
    expect((await call('GET', '/api/message-transfers/%2F/999999')).status).toBe(404);
    await ch.close();
  });

  it('runs at most 4 transfers a vhost at once; a deleted source fails its job', async () => {
    const ch = await conn.createConfirmChannel();
    for (const q of ['many-src', 'many-dst']) await ch.assertQueue(q, { durable: true });
    await fill(ch, 'many-src', 50);
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await call('POST', '/api/queues/%2F/many-src/messages/copy', { all: true, target: { queue: 'many-dst' }, rate: 1 });
      expect(r.status).toBe(202);
      ids.push(String(r.body?.id));
    }
    const fifth = await call('POST', '/api/queues/%2F/many-src/messages/copy', { all: true, target: { queue: 'many-dst' }, rate: 1 });
    expect(fifth.status).toBe(400);
    expect(String(fifth.body?.reason)).toContain('already runs 4 message transfers');
    await ch.deleteQueue('many-src');
    for (const id of ids) {
      const job = await finished(id);
      expect(job.state).toBe('failed');
      expect(job.first_error).toContain("queue 'many-src' in vhost '/' was deleted");
    }
    await ch.close();
  });

  it('a move through an exchange that routes back into the source takes each message once', async () => {
    const ch = await conn.createConfirmChannel();
    await ch.assertQueue('loop-src', { durable: true });
    await ch.assertExchange('loop-x', 'fanout', { durable: true });
    await ch.bindQueue('loop-src', 'loop-x', '');
    await fill(ch, 'loop-src', 20);
    const r = await call('POST', '/api/queues/%2F/loop-src/messages/move', { all: true, target: { exchange: 'loop-x' } });
    expect(await finished((r.body as unknown as Job).id)).toMatchObject({ state: 'done', done: 20 });
    expect(await drain(ch, 'loop-src')).toEqual([...Array(20).keys()].map((i) => `m-${i}`));
    await ch.close();
  });

  it('unroutable copies are failures whose sources stay', async () => {
    const ch = await conn.createConfirmChannel();
    await ch.assertQueue('nr-src', { durable: true });
    await ch.assertExchange('nr-x', 'direct', { durable: false });
    await fill(ch, 'nr-src', 3);
    const r = await call('POST', '/api/queues/%2F/nr-src/messages/move', { all: true, target: { exchange: 'nr-x' } });
    const job = await finished((r.body as unknown as Job).id);
    expect(job).toMatchObject({ state: 'done', done: 0, failed: 3 });
    expect(job.first_error).toContain('unroutable');
    expect(await drain(ch, 'nr-src')).toHaveLength(3);
    await ch.close();
  });

  it('needs read on the source and write on the destination; bad input is a 400', async () => {
    const ch = await conn.createConfirmChannel();
    for (const q of ['perm-src', 'perm-dst']) await ch.assertQueue(q, { durable: true });
    await fill(ch, 'perm-src', 2);
    expect((await call('PUT', '/api/users/mover', { password: 'pw', tags: 'management' })).status).toBeLessThan(300);
    // reads perm-src only, writes only to an exchange 'perm-ok'
    expect((await call('PUT', '/api/permissions/%2F/mover', { configure: '', write: '^perm-ok$', read: '^perm-src$' })).status).toBeLessThan(300);
    const noWrite = await call('POST', '/api/queues/%2F/perm-src/messages/move', { all: true, target: { queue: 'perm-dst' } }, 'mover', 'pw');
    expect(noWrite.status).toBe(401);
    expect(noWrite.body?.reason).toBe('Access refused.');
    const noRead = await call('POST', '/api/queues/%2F/perm-dst/messages/copy', { all: true, target: { exchange: 'perm-ok' } }, 'mover', 'pw');
    expect(noRead.status).toBe(401);

    const bad = async (body: unknown, contains: string) => {
      const r = await call('POST', '/api/queues/%2F/perm-src/messages/move', body);
      expect(r.status).toBe(400);
      expect(String(r.body?.reason)).toContain(contains);
    };
    await bad({ target: { queue: 'perm-dst' } }, 'exactly one of');
    await bad({ all: true, expression: 'true', target: { queue: 'perm-dst' } }, 'exactly one of');
    await bad({ all: true, target: { queue: 'perm-dst' }, rate: -1 }, 'rate');
    await bad({ all: true, target: 'perm-dst' }, 'target must be');
    await bad({ expression: 'headers.i >', target: { queue: 'perm-dst' } }, '');
    await bad({ all: true, target: { queue: 'perm-src' } }, 'into itself');
    const missing = await call('POST', '/api/queues/%2F/no-such-queue/messages/move', { all: true, target: { queue: 'perm-dst' } });
    expect(missing.status).toBe(404);
    expect(await drain(ch, 'perm-src')).toHaveLength(2);
    await ch.close();
  });
});

describe('returning dead letters to their origin on npm start', () => {
  it('previews and republishes to the first x-death entry\'s exchange and keys; a gone exchange leaves its messages', async () => {
    const ch = await conn.createConfirmChannel();
    await ch.assertExchange('orders', 'direct', { durable: true });
    await ch.assertExchange('temp-orders', 'direct', { durable: true });
    await ch.assertExchange('dlx', 'fanout', { durable: true });
    await ch.assertQueue('dead', { durable: true });
    await ch.bindQueue('dead', 'dlx', '');
    await ch.assertQueue('work', { durable: true, arguments: { 'x-dead-letter-exchange': 'dlx' } });
    await ch.bindQueue('work', 'orders', 'order.created');
    await ch.bindQueue('work', 'temp-orders', 'temp.key');
    for (let i = 0; i < 4; i++) ch.publish('orders', 'order.created', Buffer.from(`o-${i}`), { persistent: true });
    ch.publish('temp-orders', 'temp.key', Buffer.from('t-0'), { persistent: true });
    await ch.waitForConfirms();
    // reject them all: dead-lettered into 'dead'
    await ch.prefetch(10);
    let seen = 0;
    const { consumerTag } = await ch.consume('work', (m) => {
      if (m === null) return;
      seen++;
      ch.nack(m, false, false);
    });
    await expect.poll(() => seen, { timeout: 10_000 }).toBe(5);
    await ch.cancel(consumerTag);
    await expect.poll(async () => (await call('GET', '/api/queues/%2F/dead')).body?.messages_ready, { timeout: 10_000 }).toBe(5);
    await ch.deleteExchange('temp-orders');

    const p = await call('POST', '/api/queues/%2F/dead/messages/return/preview', { all: true });
    expect(p.status).toBe(200);
    const dest = (p.body as { destinations: { exchange: string; routing_keys: string[]; stays: string | null }[] }).destinations;
    expect(dest).toHaveLength(5);
    expect(dest.filter((d) => d.stays === null).map((d) => [d.exchange, d.routing_keys])).toEqual(Array(4).fill(['orders', ['order.created']]));
    expect(dest.find((d) => d.stays !== null)).toMatchObject({ exchange: 'temp-orders', stays: "exchange 'temp-orders' no longer exists" });

    const r = await call('POST', '/api/queues/%2F/dead/messages/return', { all: true });
    expect(r.status).toBe(202);
    expect(await finished((r.body as unknown as Job).id)).toMatchObject({ state: 'done', done: 4, no_origin: 1, failed: 0 });
    expect(await drain(ch, 'work')).toEqual(['o-0', 'o-1', 'o-2', 'o-3']);
    expect(await drain(ch, 'dead')).toEqual(['t-0']);
    await ch.close();
  });
});

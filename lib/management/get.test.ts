import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, list, obj, startApi, type TestApi } from './testing';

let api: TestApi;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api.close());

const get = (queue: string, body: Record<string, unknown>) => api.post(`/api/queues/%2F/${queue}/get`, body);
const messages = async (queue: string) => obj(await api.get(`/api/queues/%2F/${queue}`)).messages;

/** Declares `queue` (with `args`) and puts `bodies` in it over AMQP. */
async function fill(queue: string, bodies: (string | Buffer)[], args: Record<string, unknown> = {}) {
  const conn = await api.connect();
  const ch = await conn.createChannel();
  await ch.assertQueue(queue, { durable: false, arguments: args });
  for (const b of bodies) ch.sendToQueue(queue, typeof b === 'string' ? Buffer.from(b) : b, { headers: { n: 1 }, contentType: 'text/plain' });
  await eventually(async () => (await messages(queue)) === bodies.length);
  await conn.close();
}

describe('POST /api/queues/{vhost}/{name}/get', () => {
  it('returns messages in RabbitMQ’s shape and requeues them with ack_requeue_true', async () => {
    await fill('g1', ['one', 'two', 'three']);
    const first = list(await get('g1', { count: 2, ackmode: 'ack_requeue_true', encoding: 'auto' }));
    expect(first).toEqual([
      {
        payload_bytes: 3, redelivered: false, exchange: '', routing_key: 'g1', message_count: 2,
        properties: { content_type: 'text/plain', headers: { n: 1 } }, payload: 'one', payload_encoding: 'string',
      },
      expect.objectContaining({ payload: 'two', message_count: 1, redelivered: false }),
    ]);
    const again = list(await get('g1', { count: 5, ackmode: 'ack_requeue_true', encoding: 'auto' }));
    expect(again.map((m) => [m.payload, m.redelivered])).toEqual([['one', true], ['two', true], ['three', false]]);
    expect(await messages('g1')).toBe(3);
    expect(obj(await api.get('/api/queues/%2F/g1')).messages_unacknowledged).toBe(0);
  });

  it('removes messages with ack_requeue_false', async () => {
    await fill('g2', ['a', 'b']);
    expect(list(await get('g2', { count: 1, ackmode: 'ack_requeue_false', encoding: 'auto' }))[0].payload).toBe('a');
    expect(await messages('g2')).toBe(1);
  });

  it('requeues with reject_requeue_true and dead-letters with reject_requeue_false', async () => {
    await api.put('/api/exchanges/%2F/g-dlx', { type: 'fanout' });
    await api.put('/api/queues/%2F/g-dead', {});
    await api.post('/api/bindings/%2F/e/g-dlx/q/g-dead', {});
    await fill('g3', ['x', 'y'], { 'x-dead-letter-exchange': 'g-dlx' });
    list(await get('g3', { count: 1, ackmode: 'reject_requeue_true', encoding: 'auto' }));
    expect(await messages('g3')).toBe(2);
    list(await get('g3', { count: 1, ackmode: 'reject_requeue_false', encoding: 'auto' }));
    expect(await messages('g3')).toBe(1);
    const dead = list(await get('g-dead', { count: 1, ackmode: 'ack_requeue_false', encoding: 'auto' }));
    expect(dead[0].payload).toBe('x');
    const headers = (dead[0].properties as { headers: Record<string, unknown> }).headers;
    expect(headers['x-first-death-reason']).toBe('rejected');
    expect(headers['x-first-death-queue']).toBe('g3');
  });

  it('encodes binary payloads in base64, on request or when not UTF-8, and truncates', async () => {
    await fill('g4', [Buffer.from([0, 1, 2, 0xff]), 'hello world']);
    const auto = list(await get('g4', { count: 2, ackmode: 'ack_requeue_true', encoding: 'auto', truncate: 5 }));
    expect(auto.map((m) => [m.payload, m.payload_encoding, m.payload_bytes])).toEqual([
      ['AAEC/w==', 'base64', 4],
      ['hello', 'string', 11],
    ]);
    const b64 = list(await get('g4', { count: 2, ackmode: 'ack_requeue_true', encoding: 'base64' }));
    expect(b64[1]).toMatchObject({ payload: Buffer.from('hello world').toString('base64'), payload_encoding: 'base64' });
  });

  it('answers [] for an empty queue and counts get_empty', async () => {
    await api.put('/api/queues/%2F/g5', {});
    expect(list(await get('g5', { count: 3, ackmode: 'ack_requeue_true', encoding: 'auto' }))).toEqual([]);
  });

  it('counts gets in message_stats', async () => {
    const stats = obj(await api.get('/api/queues/%2F/g1')).message_stats as Record<string, number>;
    expect(stats.get).toBe(5);
    expect(stats.redeliver).toBe(2);
    expect(stats.deliver_get).toBe(5);
  });

  it('refuses bad requests with RabbitMQ’s reasons', async () => {
    const missing = await api.post('/api/queues/%2F/nosuch/get', { count: 1, ackmode: 'ack_requeue_true', encoding: 'auto' });
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ error: 'not_found', reason: "NOT_FOUND - no queue 'nosuch' in vhost '/'" });
    expect((await get('g1', { ackmode: 'ack_requeue_true', encoding: 'auto' })).body).toEqual({ error: 'bad_request', reason: '[{key_missing,count}]' });
    expect((await get('g1', { count: 1, ackmode: 'ack_requeue_true' })).body).toEqual({ error: 'bad_request', reason: '[{key_missing,encoding}]' });
    expect((await get('g1', { count: 'x', ackmode: 'ack_requeue_true', encoding: 'auto' })).body).toEqual({ error: 'bad_request', reason: ['not_integer', 'x'] });
    expect((await get('g1', { count: 1, ackmode: 'ack_requeue_true', encoding: 'bogus' })).body).toEqual({
      error: 'bad_request', reason: 'Unsupported encoding. Please use auto or base64.',
    });
    expect((await get('g1', { count: 1, ackmode: 'bogus', encoding: 'auto' })).status).toBe(400);
    expect((await get('g1', { count: 1, ackmode: 'ack_requeue_true', encoding: 'auto', truncate: 'x' })).status).toBe(400);
    expect(await messages('g1')).toBe(3);
  });

  it('needs read permission on the queue', async () => {
    await api.put('/api/users/reader', { password: 'reader', tags: 'management' });
    await api.put('/api/permissions/%2F/reader', { configure: '.*', write: '.*', read: '^$' });
    const r = await api.post('/api/queues/%2F/g1/get', { count: 1, ackmode: 'ack_requeue_true', encoding: 'auto' }, { user: 'reader' });
    expect(r.status).toBe(401);
    expect(r.body).toEqual({ error: 'not_authorised', reason: "ACCESS_REFUSED - access to queue 'g1' in vhost '/' refused for user 'reader'" });
  });

  it('leaves an AMQP consumer’s share alone and lets it have requeued messages', async () => {
    await fill('g6', ['p', 'q']);
    const conn = await api.connect();
    const ch = await conn.createChannel();
    const got = list(await get('g6', { count: 2, ackmode: 'ack_requeue_true', encoding: 'auto' }));
    expect(got).toHaveLength(2);
    const seen: [string, boolean][] = [];
    await ch.consume('g6', (m) => m && seen.push([m.content.toString(), m.fields.redelivered]), { noAck: true });
    await eventually(() => seen.length === 2);
    expect(seen).toEqual([['p', true], ['q', true]]);
    await conn.close();
  });
});

describe('with a data directory', () => {
  it('queues declared and messages published over HTTP survive a restart', async () => {
    const dataDir = await mkdtemp(`${tmpdir()}/warren-mgmt-`);
    try {
      const first = await startApi({ dataDir });
      expect((await first.put('/api/queues/%2F/kept', { durable: true })).status).toBe(201);
      const r = await first.post('/api/exchanges/%2F/amq.default/publish', {
        properties: { delivery_mode: 2 }, routing_key: 'kept', payload: 'stays', payload_encoding: 'string',
      });
      expect(r.body).toEqual({ routed: true });
      await first.close();
      const second = await startApi({ dataDir });
      try {
        expect(obj(await second.get('/api/queues/%2F/kept')).messages).toBe(1);
        const got = list(await second.post('/api/queues/%2F/kept/get', { count: 1, ackmode: 'ack_requeue_false', encoding: 'auto' }));
        expect(got[0]).toMatchObject({ payload: 'stays', properties: { delivery_mode: 2 } });
      } finally {
        await second.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

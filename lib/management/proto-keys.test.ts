// `__proto__`, `constructor` and `prototype` are ordinary keys wherever JSON or an AMQP field table
// becomes a table: stored and shown as given, with no effect on the broker (a hidden
// `x-max-length: 0` through `__proto__` once dropped every message while the API showed `{}`).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, obj, startApi, type TestApi } from './testing';

let api: TestApi;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api.close());

// JSON.parse makes `__proto__` an own key; an object literal would set the prototype instead.
const TRICKY = '{"__proto__":{"x-max-length":0,"x-overflow":"reject-publish"},"constructor":{"x-max-length":0},"prototype":{"x-message-ttl":0}}';
const tricky = (): Record<string, unknown> => JSON.parse(TRICKY) as Record<string, unknown>;

const depth = async (q: string): Promise<number> => obj(await api.get(`/api/queues/%2F/${q}`)).messages as number;
const publish = (rk: string, properties: unknown = {}) =>
  api.request('POST', '/api/exchanges/%2F/amq.default/publish', undefined, {
    raw: `{"routing_key":${JSON.stringify(rk)},"payload":"m","payload_encoding":"string","properties":${JSON.stringify(properties)}}`,
    headers: { 'content-type': 'application/json' },
  });

describe('__proto__ and friends as keys', () => {
  it('HTTP queue arguments: shown and stored as given, and no hidden x-max-length', async () => {
    const r = await api.request('PUT', '/api/queues/%2F/proto-q1', undefined, {
      raw: `{"durable":false,"arguments":${TRICKY}}`,
      headers: { 'content-type': 'application/json' },
    });
    expect(r.status).toBe(201);
    const q = await api.get('/api/queues/%2F/proto-q1');
    expect(q.text).toContain('"__proto__":{"x-max-length":0');
    expect(obj(q).arguments).toEqual(tricky());
    expect(Object.keys(obj(q).arguments as object).sort()).toEqual(['__proto__', 'constructor', 'prototype']);
    expect((await publish('proto-q1')).body).toEqual({ routed: true });
    expect((await publish('proto-q1')).body).toEqual({ routed: true });
    await eventually(async () => (await depth('proto-q1')) === 2);
  });

  it('HTTP message headers keep __proto__ as a header', async () => {
    await api.put('/api/queues/%2F/proto-q2', {});
    const r = await api.request('POST', '/api/exchanges/%2F/amq.default/publish', undefined, {
      raw: `{"routing_key":"proto-q2","payload":"m","payload_encoding":"string","properties":{"headers":${TRICKY}}}`,
      headers: { 'content-type': 'application/json' },
    });
    expect(r.body).toEqual({ routed: true });
    const got = await api.post('/api/queues/%2F/proto-q2/get', { count: 1, ackmode: 'ack_requeue_false', encoding: 'auto' });
    expect(got.text).toContain('"__proto__":{');
    const m = (got.body as { properties: { headers: Record<string, unknown> } }[])[0];
    expect(Object.keys(m.properties.headers).sort()).toEqual(['__proto__', 'constructor', 'prototype']);
    expect(m.properties.headers).toEqual(tricky());
  });

  it('definitions import: queue arguments keep __proto__ and do nothing', async () => {
    const r = await api.request('POST', '/api/definitions', undefined, {
      raw: `{"queues":[{"name":"proto-q3","vhost":"/","durable":true,"auto_delete":false,"arguments":${TRICKY}}]}`,
      headers: { 'content-type': 'application/json' },
    });
    expect(r.status).toBeLessThan(300);
    expect(obj(await api.get('/api/queues/%2F/proto-q3')).arguments).toEqual(tricky());
    expect((await publish('proto-q3')).body).toEqual({ routed: true });
    await eventually(async () => (await depth('proto-q3')) === 1);
  });

  it('policy definitions: a __proto__ key is not a hidden max-length', async () => {
    await api.put('/api/queues/%2F/proto-q4', {});
    const r = await api.request('PUT', '/api/policies/%2F/proto-p', undefined, {
      raw: '{"pattern":"^proto-q4$","apply-to":"queues","definition":{"__proto__":{"max-length":0},"message-ttl":600000}}',
      headers: { 'content-type': 'application/json' },
    });
    // RabbitMQ refuses the unknown key; whatever the answer, nothing hidden applies
    expect(r.status).toBe(400);
    if (r.status < 300) expect(obj(await api.get('/api/policies/%2F/proto-p')).definition).toEqual(JSON.parse('{"__proto__":{"max-length":0},"message-ttl":600000}'));
    expect((await publish('proto-q4')).body).toEqual({ routed: true });
    await eventually(async () => (await depth('proto-q4')) === 1);
  });

  it('AMQP: arguments, headers and client properties with __proto__ are plain keys', async () => {
    const conn = await api.connect();
    const ch = await conn.createChannel();
    await ch.assertQueue('proto-q5', { durable: false, arguments: tricky() });
    expect(obj(await api.get('/api/queues/%2F/proto-q5')).arguments).toEqual(tricky());
    ch.sendToQueue('proto-q5', Buffer.from('a'), { headers: tricky() });
    ch.sendToQueue('proto-q5', Buffer.from('b'));
    await eventually(async () => (await depth('proto-q5')) === 2);
    // read back over HTTP: amqplib's own decoder would turn `__proto__` into a prototype
    const got = await api.post('/api/queues/%2F/proto-q5/get', { count: 1, ackmode: 'ack_requeue_false', encoding: 'auto' });
    const m = (got.body as { properties: { headers: Record<string, unknown> } }[])[0];
    expect(m.properties.headers).toEqual(tricky());

    // client properties: amqplib merges them into a plain object itself, so `__proto__` cannot be
    // sent from it (broker/amqp/field-table.test.ts decodes one); `constructor` can
    const c2 = await api.connect({ name: 'proto-conn' });
    await c2.createChannel();
    const amqplib = await import('amqplib');
    const c3 = await amqplib.connect(api.amqpUrl(), { clientProperties: { constructor: 'c', prototype: 'p', marker: 'proto-client' } });
    try {
      let mine: Record<string, unknown> | undefined;
      await eventually(async () => {
        const conns = (await api.get('/api/connections')).body as { client_properties: Record<string, unknown> }[];
        mine = conns.find((c) => c.client_properties.marker === 'proto-client')?.client_properties;
        return mine !== undefined;
      });
      expect(mine).toMatchObject({ constructor: 'c', prototype: 'p' });
      const without = ((await api.get('/api/connections')).body as { client_properties: Record<string, unknown> }[]).find(
        (c) => c.client_properties.connection_name === 'proto-conn',
      );
      expect(Object.keys(without?.client_properties ?? {})).not.toContain('constructor');
    } finally {
      await c3.close();
    }
  });

  it('a table where a string is expected is still a 4xx with its text, not a failure', async () => {
    await api.put('/api/exchanges/%2F/proto-hx', { type: 'headers' });
    await api.put('/api/queues/%2F/proto-q6', {});
    const r = await api.post('/api/bindings/%2F/e/proto-hx/q/proto-q6', { routing_key: '', arguments: { 'x-match': { a: 1 } } });
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.status).toBeLessThan(500);
    expect(r.text).toContain('[object Object]');
    const d = await api.post('/api/definitions', {
      exchanges: [{ name: 'proto-hx2', vhost: '/', type: 'headers', durable: true, auto_delete: false, internal: false, arguments: {} }],
      bindings: [{ source: 'proto-hx2', vhost: '/', destination: 'proto-q6', destination_type: 'queue', routing_key: '', arguments: { 'x-match': { a: 1 } } }],
    });
    expect(d.status).toBe(400);
    expect(d.text).toContain('[object Object]');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConsumeMessage } from 'amqplib';
import { eventually, obj, startApi, type TestApi } from './testing';

let api: TestApi;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api.close());

const publish = (exchange: string, body: Record<string, unknown>, opts = {}) =>
  api.post(`/api/exchanges/%2F/${encodeURIComponent(exchange)}/publish`, body, opts);
const msg = (routing_key: string, payload: string, extra: Record<string, unknown> = {}) => ({
  properties: {}, routing_key, payload, payload_encoding: 'string', ...extra,
});

describe('POST /api/exchanges/{vhost}/{name}/publish', () => {
  it('publishes through the default exchange (amq.default) to an AMQP consumer, properties and all', async () => {
    const conn = await api.connect();
    const ch = await conn.createChannel();
    await ch.assertQueue('pub1', { durable: false });
    const got: ConsumeMessage[] = [];
    await ch.consume('pub1', (m) => m && got.push(m), { noAck: true });
    const properties = {
      headers: { h: 1, s: 'x', nested: { a: [1, 'b'] } }, content_type: 'text/plain', delivery_mode: 2, priority: 3, correlation_id: 'c',
      reply_to: 'r', expiration: '60000', message_id: 'm', timestamp: 1700000000, type: 't', user_id: 'guest', app_id: 'a', content_encoding: 'utf8',
    };
    const r = await publish('amq.default', { properties, routing_key: 'pub1', payload: 'hello', payload_encoding: 'string' });
    expect([r.status, r.body]).toEqual([200, { routed: true }]);
    await eventually(() => got.length === 1);
    const m = got[0];
    expect(m.content.toString()).toBe('hello');
    expect(m.fields).toMatchObject({ exchange: '', routingKey: 'pub1', redelivered: false });
    expect(m.properties).toMatchObject({
      contentType: 'text/plain', deliveryMode: 2, priority: 3, correlationId: 'c', replyTo: 'r', expiration: '60000', messageId: 'm',
      timestamp: 1700000000, type: 't', userId: 'guest', appId: 'a', contentEncoding: 'utf8', headers: { h: 1, s: 'x', nested: { a: [1, 'b'] } },
    });
    await conn.close();
  });

  it('decodes base64 payloads', async () => {
    await api.put('/api/queues/%2F/pub2', {});
    expect((await publish('amq.default', msg('pub2', 'AAEC/w==', { payload_encoding: 'base64' }))).body).toEqual({ routed: true });
    const got = (await api.post('/api/queues/%2F/pub2/get', { count: 1, ackmode: 'ack_requeue_false', encoding: 'base64' })).body as { payload: string }[];
    expect(got[0].payload).toBe('AAEC/w==');
  });

  it('says routed false when nothing took the message', async () => {
    expect((await publish('amq.default', msg('nowhere', 'x'))).body).toEqual({ routed: false });
    expect((await publish('amq.topic', msg('a.b', 'x'))).body).toEqual({ routed: false });
  });

  it('routes through exchanges with bindings and counts publish_in/out', async () => {
    await api.put('/api/exchanges/%2F/pub-x', { type: 'topic' });
    await api.put('/api/queues/%2F/pub3', {});
    await api.post('/api/bindings/%2F/e/pub-x/q/pub3', { routing_key: 'a.*' });
    expect((await publish('pub-x', msg('a.b', 'x'))).body).toEqual({ routed: true });
    expect((await publish('pub-x', msg('b.b', 'x'))).body).toEqual({ routed: false });
    const stats = obj(await api.get('/api/exchanges/%2F/pub-x')).message_stats;
    expect(stats).toMatchObject({ publish_in: 2, publish_out: 1 });
    expect((obj(await api.get('/api/overview')).message_stats as Record<string, number>).publish).toBeGreaterThanOrEqual(2);
  });

  it('refuses bad requests as RabbitMQ does', async () => {
    const cases: [Record<string, unknown>, unknown][] = [
      [{ properties: {}, routing_key: 'k', payload: 'x' }, '[{key_missing,payload_encoding}]'],
      [{ properties: {}, payload: 'x', payload_encoding: 'string' }, '[{key_missing,routing_key}]'],
      [{ routing_key: 'k', payload: 'x', payload_encoding: 'string' }, '[{key_missing,properties}]'],
      [msg('k', 'x', { payload_encoding: 'bogus' }), ['unsupported_encoding', 'bogus']],
      [msg('k', '###', { payload_encoding: 'base64' }), ['not_base64', '###']],
      [msg('k', 'x', { properties: { delivery_mode: 'x' } }), ['not_int', 'delivery_mode']],
    ];
    for (const [body, reason] of cases) {
      const r = await publish('amq.default', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body).toEqual({ error: 'bad_request', reason });
    }
    expect((await publish('amq.default', msg('k', 'x', { properties: { bogus: 1 } }))).status).toBe(200);
  });

  it('quotes AMQP errors: missing exchange, internal exchange, user_id, permission', async () => {
    expect((await publish('nosuch', msg('k', 'x'))).body).toEqual({ error: 'bad_request', reason: "404 NOT_FOUND - no exchange 'nosuch' in vhost '/'" });
    await api.put('/api/exchanges/%2F/pub-internal', { type: 'fanout', internal: true });
    expect(obj(await publish('pub-internal', msg('k', 'x'))).reason).toBe("403 ACCESS_REFUSED - cannot publish to internal exchange 'pub-internal' in vhost '/'");
    expect(obj(await publish('amq.default', msg('k', 'x', { properties: { user_id: 'bob' } }))).reason).toBe(
      "406 PRECONDITION_FAILED - user_id property set to 'bob' but authenticated user was 'guest'",
    );
    await api.put('/api/users/nowrite', { password: 'nowrite', tags: 'management' });
    await api.put('/api/permissions/%2F/nowrite', { configure: '.*', write: '^$', read: '.*' });
    const r = await publish('amq.default', msg('k', 'x'), { user: 'nowrite' });
    expect(r.status).toBe(400);
    expect(obj(r).reason).toBe("403 ACCESS_REFUSED - access to exchange 'amq.default' in vhost '/' refused for user 'nowrite'");
  });
});

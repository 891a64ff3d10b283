import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { list, obj, startApi, type TestApi } from './testing';

let api: TestApi;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api.close());

describe('/api/exchanges', () => {
  it('lists the built-in exchanges, the default one as ""', async () => {
    const names = list(await api.get('/api/exchanges/%2F?columns=name,type')).map((e) => `${e.name}:${e.type}`);
    expect(names).toEqual([':direct', 'amq.direct:direct', 'amq.fanout:fanout', 'amq.headers:headers', 'amq.match:headers', 'amq.rabbitmq.trace:topic', 'amq.topic:topic']);
    const def = obj(await api.get('/api/exchanges/%2F/amq.default'));
    expect(def).toEqual({
      arguments: {}, auto_delete: false, durable: true, internal: false, name: '', type: 'direct', vhost: '/', incoming: [], outgoing: [],
    });
  });

  it('declares with PUT (201), accepts the same again (204), refuses another type (400)', async () => {
    expect((await api.put('/api/exchanges/%2F/ex1', { type: 'topic', durable: true, arguments: { 'alternate-exchange': 'ae' } })).status).toBe(201);
    expect((await api.put('/api/exchanges/%2F/ex1', { type: 'topic', durable: true, arguments: { 'alternate-exchange': 'ae' } })).status).toBe(204);
    const r = await api.put('/api/exchanges/%2F/ex1', { type: 'direct', durable: true });
    expect(r.body).toEqual({
      error: 'bad_request', reason: "inequivalent arg 'type' for exchange 'ex1' in vhost '/': received 'direct' but current is 'topic'",
    });
    expect(obj(await api.get('/api/exchanges/%2F/ex1'))).toMatchObject({
      name: 'ex1', type: 'topic', durable: true, auto_delete: false, internal: false, arguments: { 'alternate-exchange': 'ae' },
    });
  });

  it('defaults to a transient direct exchange', async () => {
    expect((await api.put('/api/exchanges/%2F/ex2', {})).status).toBe(201);
    expect(obj(await api.get('/api/exchanges/%2F/ex2'))).toMatchObject({ type: 'direct', durable: false });
  });

  it('refuses unknown types, bad booleans, reserved names and the default exchange', async () => {
    expect((await api.put('/api/exchanges/%2F/ex3', { type: 'bogus' })).body).toEqual({ error: 'bad_request', reason: "unknown exchange type 'bogus'" });
    expect((await api.put('/api/exchanges/%2F/ex3', { type: 'direct', internal: 'no' })).body).toEqual({ error: 'bad_request', reason: ['not_boolean', 'no'] });
    expect((await api.get('/api/exchanges/%2F/ex3')).status).toBe(404);
    for (const name of ['amq.foo', 'amq.default']) {
      const r = await api.put(`/api/exchanges/%2F/${name}`, { type: 'direct' });
      expect(r.status, name).toBe(401);
      expect(r.body).toEqual({ error: 'not_authorised', reason: 'Access refused.' });
    }
    expect((await api.put('/api/exchanges/%2F/amq.direct', { type: 'direct', durable: true })).status).toBe(204);
    expect((await api.put('/api/exchanges/%2F/amq.direct', { type: 'direct' })).status).toBe(400);
  });

  it('deletes (204), honours if-unused, refuses built-ins, 404 for missing', async () => {
    await api.put('/api/exchanges/%2F/ex4', { type: 'fanout' });
    await api.put('/api/queues/%2F/exq', {});
    await api.post('/api/bindings/%2F/e/ex4/q/exq', {});
    const inUse = await api.del('/api/exchanges/%2F/ex4?if-unused=true');
    expect(inUse.body).toEqual({ error: 'bad_request', reason: "exchange 'ex4' in vhost '/' in use" });
    expect((await api.del('/api/exchanges/%2F/ex4')).status).toBe(204);
    expect((await api.get('/api/exchanges/%2F/ex4')).status).toBe(404);
    expect((await api.del('/api/exchanges/%2F/ex4')).status).toBe(404);
    expect(list(await api.get('/api/queues/%2F/exq/bindings'))).toHaveLength(1);
    expect((await api.del('/api/exchanges/%2F/amq.direct')).status).toBe(401);
    expect((await api.del('/api/exchanges/%2F/amq.default')).status).toBe(401);
  });

  it('lists bindings on either side of an exchange', async () => {
    await api.put('/api/exchanges/%2F/src', { type: 'topic' });
    await api.put('/api/exchanges/%2F/dst', { type: 'fanout' });
    await api.put('/api/queues/%2F/srcq', {});
    await api.post('/api/bindings/%2F/e/src/e/dst', { routing_key: 'order.#' });
    await api.post('/api/bindings/%2F/e/src/q/srcq', { routing_key: 'x' });
    const source = list(await api.get('/api/exchanges/%2F/src/bindings/source'));
    expect(source.map((b) => [b.destination, b.destination_type, b.properties_key])).toEqual([
      ['dst', 'exchange', 'order.%23'],
      ['srcq', 'queue', 'x'],
    ]);
    expect(list(await api.get('/api/exchanges/%2F/dst/bindings/destination'))).toEqual([
      { source: 'src', vhost: '/', destination: 'dst', destination_type: 'exchange', routing_key: 'order.#', arguments: {}, properties_key: 'order.%23' },
    ]);
    expect(list(await api.get('/api/exchanges/%2F/amq.default/bindings/source')).map((b) => b.destination)).toContain('srcq');
    expect((await api.get('/api/exchanges/%2F/nosuch/bindings/source')).status).toBe(404);
  });

  it('shows exchanges of every visible vhost', async () => {
    await api.put('/api/vhosts/v2');
    await api.put('/api/exchanges/v2/there', { type: 'direct' });
    expect(list(await api.get('/api/exchanges?columns=vhost,name'))).toContainEqual({ vhost: 'v2', name: 'there' });
  });
});

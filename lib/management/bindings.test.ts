import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { list, startApi, type TestApi } from './testing';

let api: TestApi;
beforeAll(async () => {
  api = await startApi();
  await api.put('/api/exchanges/%2F/bx', { type: 'topic' });
  await api.put('/api/exchanges/%2F/bx2', { type: 'fanout' });
  await api.put('/api/exchanges/%2F/hx', { type: 'headers' });
  await api.put('/api/queues/%2F/bq', {});
});
afterAll(() => api.close());

describe('/api/bindings', () => {
  it('binds with POST: 201 and a Location naming the binding', async () => {
    const r = await api.post('/api/bindings/%2F/e/bx/q/bq', { routing_key: 'k*#.x y/z', arguments: {} });
    expect(r.status).toBe(201);
    expect(r.headers.get('location')).toBe('bq/k%252A%2523.x%2By%252Fz');
    const withArgs = await api.post('/api/bindings/%2F/e/bx/q/bq', { routing_key: 'k1', arguments: { a: 1 } });
    expect(withArgs.headers.get('location')).toMatch(/^bq\/k1~[A-Za-z0-9_-]{6}$/);
    expect((await api.post('/api/bindings/%2F/e/bx/e/bx2', {})).headers.get('location')).toBe('bx2/~');
  });

  it('lists the bindings between two ends and finds one by properties_key', async () => {
    const between = list(await api.get('/api/bindings/%2F/e/bx/q/bq'));
    expect(between.map((b) => b.routing_key)).toEqual(['k*#.x y/z', 'k1']);
    const key = String(between[1].properties_key);
    const one = await api.get(`/api/bindings/%2F/e/bx/q/bq/${encodeURIComponent(key)}`);
    expect(one.body).toEqual({
      source: 'bx', vhost: '/', destination: 'bq', destination_type: 'queue', routing_key: 'k1', arguments: { a: 1 }, properties_key: key,
    });
    expect((await api.get('/api/bindings/%2F/e/bx/q/bq/k%252A%2523.x%2By%252Fz')).status).toBe(200);
    expect((await api.get('/api/bindings/%2F/e/bx/q/bq/nosuch')).status).toBe(404);
    expect(list(await api.get('/api/bindings/%2F/e/bx/e/bx2'))).toEqual([
      { source: 'bx', vhost: '/', destination: 'bx2', destination_type: 'exchange', routing_key: '', arguments: {}, properties_key: '~' },
    ]);
    expect((await api.get('/api/bindings/%2F/e/bx/e/bx2/~')).body).toMatchObject({ destination: 'bx2', properties_key: '~' });
    expect((await api.get('/api/bindings/%2F/e/bx/e/bx2/nosuch')).status).toBe(404);
  });

  it('lists every binding of a vhost, default ones included, and of all vhosts', async () => {
    const all = list(await api.get('/api/bindings/%2F'));
    expect(all[0]).toEqual({ source: '', vhost: '/', destination: 'bq', destination_type: 'queue', routing_key: 'bq', arguments: {}, properties_key: 'bq' });
    expect(all.map((b) => `${b.source}>${b.destination}`)).toEqual(['>bq', 'bx>bq', 'bx>bq', 'bx>bx2']);
    expect(list(await api.get('/api/bindings'))).toHaveLength(4);
  });

  it('unbinds by properties_key (204), then 404', async () => {
    const key = String(list(await api.get('/api/bindings/%2F/e/bx/q/bq'))[1].properties_key);
    expect((await api.del(`/api/bindings/%2F/e/bx/q/bq/${encodeURIComponent(key)}`)).status).toBe(204);
    expect((await api.del(`/api/bindings/%2F/e/bx/q/bq/${encodeURIComponent(key)}`)).status).toBe(404);
    expect(list(await api.get('/api/bindings/%2F/e/bx/q/bq'))).toHaveLength(1);
    expect((await api.del('/api/bindings/%2F/e/bx/e/bx2/~')).status).toBe(204);
  });

  it('refuses missing ends, the default exchange and bad x-match', async () => {
    expect((await api.post('/api/bindings/%2F/e/nosuch/q/bq', {})).body).toEqual({ error: 'not_found', reason: "no exchange 'nosuch' in vhost '/'" });
    expect((await api.post('/api/bindings/%2F/e/bx/q/nosuch', {})).body).toEqual({ error: 'not_found', reason: "no queue 'nosuch' in vhost '/'" });
    expect((await api.post('/api/bindings/%2F/e/bx/e/nosuch', {})).status).toBe(404);
    expect((await api.post('/api/bindings/%2F/e/amq.default/q/bq', {})).status).toBe(401);
    expect((await api.del('/api/bindings/%2F/e/amq.default/q/bq/bq')).status).toBe(401);
    const xm = await api.post('/api/bindings/%2F/e/hx/q/bq', { arguments: { 'x-match': 'bogus' } });
    expect(xm.status).toBe(400);
    expect(String((xm.body as { reason: string }).reason)).toMatch(/^Invalid x-match field value/);
    expect((await api.post('/api/bindings/%2F/e/bx/q/bq', { arguments: [] })).status).toBe(400);
    expect((await api.get('/api/bindings/%2F/e/nosuch/q/bq')).status).toBe(404);
  });

  it('needs write on the destination and read on the source', async () => {
    await api.put('/api/users/binder', { password: 'binder', tags: 'management' });
    await api.put('/api/permissions/%2F/binder', { configure: '.*', write: '^bq$', read: '^$' });
    const r = await api.post('/api/bindings/%2F/e/bx/q/bq', { routing_key: 'p' }, { user: 'binder' });
    expect(r.body).toEqual({ error: 'not_authorised', reason: 'Access refused.' });
    await api.put('/api/permissions/%2F/binder', { configure: '.*', write: '^bq$', read: '^bx$' });
    expect((await api.post('/api/bindings/%2F/e/bx/q/bq', { routing_key: 'p' }, { user: 'binder' })).status).toBe(201);
  });
});

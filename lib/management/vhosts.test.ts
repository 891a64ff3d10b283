import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, list, obj, startApi, type TestApi } from './testing';

let api: TestApi;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api.close());

describe('/api/vhosts', () => {
  it('describes the default vhost', async () => {
    const vh = obj(await api.get('/api/vhosts/%2F'));
    expect(vh).toMatchObject({
      name: '/', description: 'Default virtual host', tags: [], tracing: false, default_queue_type: 'undefined',
      metadata: { description: 'Default virtual host', tags: [] }, messages: 0, messages_details: { rate: 0 }, recv_oct: 0,
    });
    expect(Object.keys(vh.message_stats as object)).toContain('publish_details');
  });

  it('creates (201) with metadata, updates (204); the creator gets full permissions', async () => {
    expect((await api.put('/api/vhosts/v1', { description: 'first', tags: 'a,b' })).status).toBe(201);
    expect(obj(await api.get('/api/vhosts/v1'))).toMatchObject({ name: 'v1', description: 'first', tags: ['a', 'b'], metadata: { description: 'first', tags: ['a', 'b'] } });
    expect(obj(await api.get('/api/permissions/v1/guest'))).toEqual({ user: 'guest', vhost: 'v1', configure: '.*', write: '.*', read: '.*' });
    expect((await api.put('/api/vhosts/v1', { description: 'changed' })).status).toBe(204);
    expect(obj(await api.get('/api/vhosts/v1'))).toMatchObject({ description: 'changed', tags: ['a', 'b'] });
    expect((await api.put('/api/vhosts/v1', { tracing: 'maybe' })).status).toBe(400);
    // tracing is the core vhost's flag, which the firehose reads
    expect((await api.put('/api/vhosts/v1', { tracing: true })).status).toBe(204);
    expect(obj(await api.get('/api/vhosts/v1'))).toMatchObject({ tracing: true, description: 'changed' });
    expect((await api.put('/api/vhosts/v1', { tracing: false })).status).toBe(204);
    expect(obj(await api.get('/api/vhosts/v1'))).toMatchObject({ tracing: false });
    expect(list(await api.get('/api/vhosts?columns=name'))).toEqual([{ name: '/' }, { name: 'v1' }]);
  });

  it('counts messages of the vhost', async () => {
    const conn = await api.connect({ vhost: 'v1' });
    const ch = await conn.createChannel();
    await ch.assertQueue('vq');
    ch.sendToQueue('vq', Buffer.from('x'));
    await eventually(async () => obj(await api.get('/api/vhosts/v1')).messages === 1);
    const vh = obj(await api.get('/api/vhosts/v1'));
    expect(vh.messages_ready).toBe(1);
    expect((vh.message_stats as Record<string, number>).publish).toBe(1);
    expect(vh.recv_oct).toBeGreaterThan(0);
    await conn.close();
  });

  it('deletes a vhost with everything in it (204), closing its connections; then 404', async () => {
    const conn = await api.connect({ vhost: 'v1' });
    const closed = new Promise<Error>((resolve) => conn.on('close', (e: Error) => resolve(e)));
    expect((await api.del('/api/vhosts/v1')).status).toBe(204);
    expect((await closed).message).toContain('320');
    expect((await api.get('/api/vhosts/v1')).status).toBe(404);
    expect((await api.del('/api/vhosts/v1')).status).toBe(404);
    expect((await api.get('/api/queues/v1')).status).toBe(404);
    expect((await api.get('/api/permissions/v1/guest')).status).toBe(404);
  });

  it('keeps names with slashes and spaces apart in URLs', async () => {
    const name = 'a/b c';
    expect((await api.put(`/api/vhosts/${encodeURIComponent(name)}`)).status).toBe(201);
    expect((await api.put(`/api/queues/${encodeURIComponent(name)}/q%2F1`, {})).status).toBe(201);
    expect(list(await api.get(`/api/queues/${encodeURIComponent(name)}?columns=name,vhost`))).toEqual([{ name: 'q/1', vhost: name }]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, list, obj, startApi, type Obj, type TestApi } from './testing';

let api: TestApi;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api.close());

const queue = async (name: string, vhost = '%2F') => obj(await api.get(`/api/queues/${vhost}/${encodeURIComponent(name)}`));

describe('PUT /api/queues/{vhost}/{name}', () => {
  it('declares (201), redeclares the same (204) and refuses a different one (400)', async () => {
    expect((await api.put('/api/queues/%2F/put1', { durable: true, arguments: { 'x-max-length': 5 } })).status).toBe(201);
    expect((await api.put('/api/queues/%2F/put1', { durable: true, arguments: { 'x-max-length': 5 } })).status).toBe(204);
    const r = await api.put('/api/queues/%2F/put1', { durable: false, arguments: { 'x-max-length': 5 } });
    expect(r.status).toBe(400);
    expect(r.body).toEqual({
      error: 'bad_request',
      reason: "inequivalent arg 'durable' for queue 'put1' in vhost '/': received 'false' but current is 'true'",
    });
    const q = await queue('put1');
    expect([q.durable, q.auto_delete, q.exclusive, q.arguments]).toEqual([true, false, false, { 'x-max-length': 5 }]);
  });

  it('defaults to a transient, non-auto-delete queue', async () => {
    expect((await api.put('/api/queues/%2F/defaults', {})).status).toBe(201);
    const q = await queue('defaults');
    expect([q.durable, q.auto_delete]).toEqual([false, false]);
  });

  it('refuses bad payloads and arguments with RabbitMQ’s reasons, declaring nothing', async () => {
    expect((await api.put('/api/queues/%2F/bad1', { durable: 'yes' })).body).toEqual({ error: 'bad_request', reason: ['not_boolean', 'yes'] });
    expect((await api.put('/api/queues/%2F/bad1', { auto_delete: 'x' })).status).toBe(400);
    expect((await api.put('/api/queues/%2F/bad1', { arguments: 'x' })).status).toBe(400);
    const neg = await api.put('/api/queues/%2F/bad1', { arguments: { 'x-max-length': -1 } });
    expect(neg.status).toBe(400);
    expect(obj(neg).reason).toMatch(/^invalid arg 'x-max-length' for queue 'bad1' in vhost '\/'/);
    expect((await api.put('/api/queues/%2F/bad1', { arguments: { 'x-overflow': 'foo' } })).status).toBe(400);
    expect((await api.put('/api/queues/%2F/bad1', { arguments: { 'x-dead-letter-routing-key': 'a' } })).status).toBe(400);
    expect((await api.get('/api/queues/%2F/bad1')).status).toBe(404);
  });

  it('refuses the reserved amq. prefix like a missing permission', async () => {
    const r = await api.put('/api/queues/%2F/amq.mine', {});
    expect(r.status).toBe(401);
    expect(r.body).toEqual({ error: 'not_authorised', reason: 'Access refused.' });
  });
});

describe('GET /api/queues', () => {
  it('shows counts, consumers and message stats made over AMQP', async () => {
    const conn = await api.connect({ name: 'counting' });
    const ch = await conn.createChannel();
    await ch.assertQueue('counted', { durable: false });
    for (let i = 0; i < 5; i++) ch.sendToQueue('counted', Buffer.from(`m${i}`));
    await eventually(async () => (await queue('counted')).messages_ready === 5);
    const consumer = await conn.createChannel();
    await consumer.prefetch(2);
    await consumer.consume('counted', () => {}, { consumerTag: 'holder' });
    await eventually(async () => (await queue('counted')).messages_unacknowledged === 2);
    const q = await queue('counted');
    expect(q).toMatchObject({
      name: 'counted', vhost: '/', messages: 5, messages_ready: 3, messages_unacknowledged: 2, consumers: 1, state: 'running', type: 'classic',
      messages_details: { rate: expect.any(Number) }, message_bytes_ready: 6,
    });
    const stats = q.message_stats as Obj;
    expect(stats).toMatchObject({ publish: 5, deliver: 2, deliver_get: 2, ack: 0, get: 0, publish_details: { rate: expect.any(Number) } });
    const details = q.consumer_details as Obj[];
    expect(details).toHaveLength(1);
    expect(details[0]).toMatchObject({ consumer_tag: 'holder', prefetch_count: 2, ack_required: true, queue: { name: 'counted', vhost: '/' } });
    const listed = list(await api.get('/api/queues/%2F?columns=name,messages')).find((x) => x.name === 'counted');
    expect(listed).toEqual({ name: 'counted', messages: 5 });
    await conn.close();
  });

  it('omits message_stats for a queue nothing happened to', async () => {
    await api.put('/api/queues/%2F/quiet', {});
    expect('message_stats' in (await queue('quiet'))).toBe(false);
  });

  it('marks exclusive queues with their owner', async () => {
    const conn = await api.connect({ name: 'owner' });
    const ch = await conn.createChannel();
    const { queue: name } = await ch.assertQueue('', { exclusive: true });
    const q = await queue(name);
    expect(q.exclusive).toBe(true);
    expect((q.owner_pid_details as Obj).name).toMatch(/ -> 127\.0\.0\.1:/);
    await conn.close();
    await eventually(async () => (await api.get(`/api/queues/%2F/${encodeURIComponent(name)}`)).status === 404);
  });

  it('lists across vhosts and per vhost', async () => {
    await api.put('/api/vhosts/other');
    await api.put('/api/queues/other/elsewhere', {});
    const all = list(await api.get('/api/queues?columns=vhost,name'));
    expect(all).toContainEqual({ vhost: 'other', name: 'elsewhere' });
    expect(list(await api.get('/api/queues/other?columns=name'))).toEqual([{ name: 'elsewhere' }]);
  });
});

describe('DELETE /api/queues/{vhost}/{name}', () => {
  it('deletes (204), answers 404 for what is not there', async () => {
    await api.put('/api/queues/%2F/gone', {});
    expect((await api.del('/api/queues/%2F/gone')).status).toBe(204);
    expect((await api.del('/api/queues/%2F/gone')).status).toBe(404);
  });

  it('honours if-empty and if-unused', async () => {
    const conn = await api.connect();
    const ch = await conn.createChannel();
    await ch.assertQueue('guarded', { durable: false });
    ch.sendToQueue('guarded', Buffer.from('x'));
    await eventually(async () => (await queue('guarded')).messages === 1);
    const notEmpty = await api.del('/api/queues/%2F/guarded?if-empty=true');
    expect(notEmpty.status).toBe(400);
    expect(notEmpty.body).toEqual({ error: 'bad_request', reason: "queue 'guarded' in vhost '/' not empty" });
    await ch.consume('guarded', () => {}, { noAck: true });
    const inUse = await api.del('/api/queues/%2F/guarded?if-unused=true');
    expect(inUse.status).toBe(400);
    expect(obj(inUse).reason).toBe("queue 'guarded' in vhost '/' in use");
    const cancelled = new Promise<void>((resolve) => ch.on('close', () => resolve()));
    expect((await api.del('/api/queues/%2F/guarded')).status).toBe(204);
    await ch.close().catch(() => {});
    await cancelled.catch(() => {});
    await conn.close();
  });
});

describe('DELETE /api/queues/{vhost}/{name}/contents', () => {
  it('purges the ready messages', async () => {
    const conn = await api.connect();
    const ch = await conn.createChannel();
    await ch.assertQueue('purged', { durable: false });
    for (let i = 0; i < 3; i++) ch.sendToQueue('purged', Buffer.from('x'));
    await eventually(async () => (await queue('purged')).messages === 3);
    expect((await api.del('/api/queues/%2F/purged/contents')).status).toBe(204);
    expect((await queue('purged')).messages).toBe(0);
    expect((await api.del('/api/queues/%2F/nosuch/contents')).status).toBe(404);
    await conn.close();
  });
});

describe('GET /api/queues/{vhost}/{name}/bindings', () => {
  it('lists the default binding first, then the others', async () => {
    await api.put('/api/queues/%2F/bound', {});
    await api.post('/api/bindings/%2F/e/amq.topic/q/bound', { routing_key: '*.critical' });
    expect(list(await api.get('/api/queues/%2F/bound/bindings'))).toEqual([
      { source: '', vhost: '/', destination: 'bound', destination_type: 'queue', routing_key: 'bound', arguments: {}, properties_key: 'bound' },
      {
        source: 'amq.topic', vhost: '/', destination: 'bound', destination_type: 'queue', routing_key: '*.critical', arguments: {},
        properties_key: '%2A.critical',
      },
    ]);
    expect((await api.get('/api/queues/%2F/nosuch/bindings')).status).toBe(404);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChannelModel } from 'amqplib';
import { eventually, list, obj, startApi, type Obj, type TestApi } from './testing';

let api: TestApi;
let worker: ChannelModel;
let name: string;

beforeAll(async () => {
  api = await startApi();
  await api.put('/api/users/bob', { password: 'bob', tags: 'management' });
  await api.put('/api/permissions/%2F/bob', { configure: '.*', write: '.*', read: '.*' });
  await api.put('/api/users/watcher', { password: 'watcher', tags: 'monitoring' });
  await api.put('/api/permissions/%2F/watcher', { configure: '.*', write: '.*', read: '.*' });
  worker = await api.connect({ name: 'sample-worker' });
  const ch = await worker.createChannel();
  await ch.prefetch(10);
  await ch.assertQueue('task_queue', { durable: true });
  await ch.consume('task_queue', () => {}, { consumerTag: 'worker-1', arguments: { 'x-priority': 3 } });
  const pub = await worker.createConfirmChannel();
  pub.sendToQueue('task_queue', Buffer.from('job'));
  await pub.waitForConfirms();
  pub.publish('amq.direct', 'nowhere', Buffer.from('lost'));
  await pub.waitForConfirms();
  let conns: Obj[] = [];
  await eventually(async () => (conns = list(await api.get('/api/connections'))).length === 1);
  name = String(conns[0].name);
});
afterAll(() => api.close());

const path = (n: string) => `/api/connections/${encodeURIComponent(n)}`;

describe('/api/connections', () => {
  it('describes a connection as RabbitMQ does', async () => {
    const conns = list(await api.get('/api/connections'));
    expect(conns).toHaveLength(1);
    const c = conns[0];
    expect(c).toMatchObject({
      name, user: 'guest', vhost: '/', channels: 2, protocol: 'AMQP 0-9-1', type: 'network', state: 'running', auth_mechanism: 'PLAIN',
      frame_max: 131072, channel_max: 2047, timeout: 60, ssl: false, peer_host: '127.0.0.1', host: '127.0.0.1', port: api.broker.port,
      user_provided_name: 'sample-worker', recv_oct_details: { rate: expect.any(Number) },
    });
    expect(c.name).toBe(`127.0.0.1:${c.peer_port} -> 127.0.0.1:${api.broker.port}`);
    expect((c.client_properties as Obj).product).toBe('amqplib');
    expect(c.connected_at).toBeGreaterThan(Date.now() - 60_000);
    expect(c.recv_oct).toBeGreaterThan(0);
    expect(obj(await api.get(path(name))).name).toBe(name);
    expect(list(await api.get('/api/vhosts/%2F/connections'))).toHaveLength(1);
    expect((await api.get(path('nope'))).status).toBe(404);
  });

  it('shows other users’ connections to monitoring users only', async () => {
    expect(list(await api.get('/api/connections', { user: 'bob' }))).toEqual([]);
    expect((await api.get(path(name), { user: 'bob' })).status).toBe(401);
    expect(list(await api.get('/api/connections', { user: 'watcher' }))).toHaveLength(1);
  });

  it('lists channels with prefetch, consumers and message stats', async () => {
    const chans = list(await api.get('/api/channels'));
    expect(chans.map((c) => c.name)).toEqual([`${name} (1)`, `${name} (2)`]);
    expect(chans[0]).toMatchObject({
      number: 1, prefetch_count: 10, global_prefetch_count: 0, consumer_count: 1, confirm: false, transactional: false, user: 'guest', vhost: '/',
      messages_unacknowledged: 1, connection_details: { name, peer_host: '127.0.0.1' }, state: 'running',
      message_stats: expect.objectContaining({ deliver: 1, ack: 0, deliver_get: 1 }),
    });
    expect(chans[1]).toMatchObject({
      number: 2, confirm: true, consumer_count: 0,
      message_stats: { publish: 2, confirm: 2, drop_unroutable: 1, return_unroutable: 0, publish_details: { rate: expect.any(Number) } },
    });
    expect(obj(await api.get(`/api/channels/${encodeURIComponent(`${name} (2)`)}`)).number).toBe(2);
    expect(list(await api.get(`${path(name)}/channels`))).toHaveLength(2);
    expect(list(await api.get('/api/vhosts/%2F/channels'))).toHaveLength(2);
    expect((await api.get('/api/channels/nope')).status).toBe(404);
  });

  it('lists consumers with their channel', async () => {
    const consumers = list(await api.get('/api/consumers'));
    // RabbitMQ's shape, plus the connection's client-given name (Warren's addition, so the console
    // can name a consumer without listing connections the user may not see)
    expect(consumers).toEqual([
      {
        arguments: { 'x-priority': 3 }, ack_required: true, active: true, activity_status: 'up',
        channel_details: {
          connection_name: name, name: `${name} (1)`, node: expect.any(String), number: 1, peer_host: '127.0.0.1', peer_port: expect.any(Number), user: 'guest',
          user_provided_name: 'sample-worker',
        },
        consumer_tag: 'worker-1', exclusive: false, prefetch_count: 10, queue: { name: 'task_queue', vhost: '/' },
      },
    ]);
    expect(list(await api.get('/api/consumers/%2F'))).toHaveLength(1);
    expect((await api.get('/api/consumers/nosuch')).status).toBe(404);
  });

  it('closes a connection by force with the X-Reason text (320)', async () => {
    const closed = new Promise<Error>((resolve) => worker.on('close', (e: Error) => resolve(e)));
    expect((await api.del(path(name), { user: 'bob' })).status).toBe(401);
    expect((await api.del(path(name), { headers: { 'x-reason': 'bye now' } })).status).toBe(204);
    const err = await closed;
    expect(err.message).toContain('320');
    expect(err.message).toContain('CONNECTION_FORCED - bye now');
    await eventually(async () => list(await api.get('/api/connections')).length === 0);
    expect((await api.del(path(name))).status).toBe(404);
  });

  it('uses RabbitMQ’s default text without X-Reason; users may close their own', async () => {
    const conn = await api.connect({ user: 'bob' });
    const closed = new Promise<Error>((resolve) => conn.on('close', (e: Error) => resolve(e)));
    const own = list(await api.get('/api/connections', { user: 'bob' }));
    expect(own).toHaveLength(1);
    expect((await api.del(path(String(own[0].name)), { user: 'bob' })).status).toBe(204);
    expect((await closed).message).toContain('CONNECTION_FORCED - Closed via management plugin');
  });

  it('keeps counting what closed connections did', async () => {
    const o = obj(await api.get('/api/overview'));
    expect((o.message_stats as Obj).publish).toBe(2);
    expect((o.message_stats as Obj).deliver).toBe(1);
    expect((o.churn_rates as Obj).connection_created).toBe(2);
    expect((o.churn_rates as Obj).connection_closed).toBe(2);
    expect((o.churn_rates as Obj).channel_closed).toBeGreaterThanOrEqual(2);
  });
});

describe('/api/consumers with a single active consumer', () => {
  it('marks the active one as RabbitMQ does: the first to come whatever its priority, then the highest priority', async () => {
    const conn = await api.connect({ name: 'sac-client' });
    const ch = await conn.createChannel();
    await ch.assertQueue('sac_queue', { durable: false, arguments: { 'x-single-active-consumer': true } });
    await ch.consume('sac_queue', () => {}, { consumerTag: 'first' });
    await ch.consume('sac_queue', () => {}, { consumerTag: 'low' });
    await ch.consume('sac_queue', () => {}, { consumerTag: 'high', arguments: { 'x-priority': 5 } });
    const statuses = async (): Promise<Record<string, unknown>> =>
      Object.fromEntries(
        list(await api.get('/api/consumers/%2F'))
          .filter((c) => (c.queue as Obj).name === 'sac_queue')
          .map((c) => [c.consumer_tag, c.activity_status]),
      );
    await eventually(async () => Object.keys(await statuses()).length === 3);
    expect(await statuses()).toEqual({ first: 'single_active', low: 'waiting', high: 'waiting' });
    await ch.cancel('first');
    await eventually(async () => Object.keys(await statuses()).length === 2);
    expect(await statuses()).toEqual({ low: 'waiting', high: 'single_active' });
    await ch.deleteQueue('sac_queue');
    await conn.close();
  });
});

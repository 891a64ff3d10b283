import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, list, obj, startApi, type TestApi } from './testing';

let api: TestApi;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api.close());

describe('health checks', () => {
  it('aliveness-test declares its queue, publishes and gets a message back', async () => {
    expect((await api.get('/api/aliveness-test/%2F')).body).toEqual({ status: 'ok' });
    expect((await api.get('/api/aliveness-test/%2F')).body).toEqual({ status: 'ok' });
    expect(obj(await api.get('/api/queues/%2F/aliveness-test'))).toMatchObject({ durable: false, messages: 0 });
    expect((await api.get('/api/aliveness-test/nosuch')).status).toBe(404);
  });

  it('aliveness-test fails (503) when its queue cannot be used', async () => {
    await api.put('/api/vhosts/broken');
    await api.put('/api/queues/broken/aliveness-test', { durable: true });
    const r = await api.get('/api/aliveness-test/broken');
    expect(r.status).toBe(503);
    expect(obj(r).status).toBe('failed');
  });

  it('alarms: ok, or 503 with the memory alarm listed while it is on', async () => {
    expect((await api.get('/api/health/checks/alarms')).body).toEqual({ status: 'ok' });
    // a broker whose high-water mark is 2 bytes: its memory alarm goes on at the first sample
    const alarmed = await startApi({ memoryHighWatermark: 2 });
    try {
      await eventually(async () => (await alarmed.get('/api/health/checks/alarms')).status === 503);
      expect((await alarmed.get('/api/health/checks/alarms')).body).toEqual({
        status: 'failed', reason: 'resource alarm(s) in effect in the cluster', alarms: [{ node: expect.any(String), resource: 'memory' }],
      });
      expect((await alarmed.get('/api/health/checks/local-alarms')).status).toBe(503);
      expect(list(await alarmed.get('/api/nodes'))[0].mem_alarm).toBe(true);
    } finally {
      await alarmed.close();
    }
  });

  it('port listener and virtual hosts', async () => {
    expect((await api.get(`/api/health/checks/port-listener/${api.broker.port}`)).body).toEqual({ status: 'ok', port: api.broker.port });
    expect((await api.get('/api/health/checks/port-listener/1')).status).toBe(503);
    expect((await api.get('/api/health/checks/virtual-hosts')).body).toEqual({ status: 'ok' });
  });
});

describe('node and overview', () => {
  it('describes the node', async () => {
    const nodes = list(await api.get('/api/nodes'));
    expect(nodes).toHaveLength(1);
    expect(nodes[0]).toMatchObject({ running: true, type: 'disc', mem_alarm: false, mem_used: expect.any(Number), mem_limit: expect.any(Number) });
    const name = String(nodes[0].name);
    expect(name).toMatch(/^warren@/);
    expect(obj(await api.get(`/api/nodes/${encodeURIComponent(name)}`)).name).toBe(name);
    expect((await api.get('/api/nodes/rabbit@elsewhere')).status).toBe(404);
  });

  it('overview names the product and counts objects', async () => {
    const conn = await api.connect();
    const ch = await conn.createChannel();
    await ch.assertQueue('ov', { durable: false });
    await ch.consume('ov', () => {}, { noAck: true });
    const o = obj(await api.get('/api/overview'));
    expect(o).toMatchObject({
      product_name: 'Warren', rabbitmq_version: '3.10.8', management_version: '3.10.8', cluster_name: 'warren', rates_mode: 'basic',
      object_totals: { connections: 1, channels: 1, consumers: 1, queues: 3, exchanges: 14 },
      queue_totals: { messages: 0, messages_details: { rate: 0 } },
    });
    expect(o.product_version).toMatch(/^\d+\.\d+\.\d+/);
    const listeners = o.listeners as { protocol: string; port: number }[];
    expect(listeners.find((l) => l.protocol === 'amqp')?.port).toBe(api.broker.port);
    expect(listeners.find((l) => l.protocol === 'http')?.port).toBe(Number(new URL(api.baseUrl).port));
    expect(obj(await api.get('/api/cluster-name'))).toEqual({ name: 'warren' });
    await conn.close();
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, obj, startApi, type TestApi } from './testing';

let api: TestApi;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api.close());

describe('GET /metrics', () => {
  it('exposes queues, exchanges, connections, channels and memory in Prometheus text format, without auth', async () => {
    const conn = await api.connect();
    const ch = await conn.createChannel();
    await ch.assertQueue('m1', { durable: false });
    await ch.prefetch(1);
    for (let i = 0; i < 3; i++) ch.sendToQueue('m1', Buffer.from('x'));
    await ch.consume('m1', () => {}, {});
    await eventually(async () => obj(await api.get('/api/queues/%2F/m1')).messages_unacknowledged === 1);
    const r = await api.get('/metrics', { auth: false });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('text/plain');
    const text = r.text;
    expect(text).toContain('# TYPE rabbitmq_queue_messages_ready gauge');
    expect(text).toContain('rabbitmq_queue_messages_ready{vhost="/",queue="m1"} 2');
    expect(text).toContain('rabbitmq_queue_messages_unacked{vhost="/",queue="m1"} 1');
    expect(text).toContain('rabbitmq_queue_consumers{vhost="/",queue="m1"} 1');
    expect(text).toContain('rabbitmq_queue_messages_published_total{vhost="/",queue="m1"} 3');
    expect(text).toContain('rabbitmq_exchange_messages_published_in_total{vhost="/",exchange=""} 3');
    expect(text).toContain('rabbitmq_connections 1');
    expect(text).toContain('rabbitmq_channels 1');
    expect(text).toMatch(/rabbitmq_process_resident_memory_bytes \d+/);
    await conn.close();
    await eventually(async () => (await api.get('/metrics')).text.includes('rabbitmq_connections 0'));
  });
});

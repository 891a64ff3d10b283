import http from 'node:http';
import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isManagementPath } from './http-server';
import { eventually, obj, startApi, type TestApi } from './testing';

let api: TestApi;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api.close());

/** GETs a URL and resolves to the number of body bytes, without decoding them. */
function scrapeBytes(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        let n = 0;
        res.on('data', (b: Buffer) => (n += b.length));
        res.on('end', () => (res.statusCode === 200 ? resolve(n) : reject(new Error(`status ${res.statusCode}`))));
      })
      .on('error', reject);
  });
}

describe('GET /metrics', () => {
  it('is aggregated by default: totals without vhost, queue or exchange names', async () => {
    const conn = await api.connect();
    const ch = await conn.createChannel();
    await ch.assertQueue('secret-queue-m1', { durable: false });
    await ch.assertExchange('secret-exchange-m1', 'fanout', { durable: false });
    await ch.prefetch(1);
    for (let i = 0; i < 3; i++) ch.sendToQueue('secret-queue-m1', Buffer.from('x'));
    await ch.consume('secret-queue-m1', () => {}, {});
    await eventually(async () => obj(await api.get('/api/queues/%2F/secret-queue-m1')).messages_unacknowledged === 1);
    const r = await api.get('/metrics', { auth: false });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('text/plain');
    const text = r.text;
    expect(text).not.toContain('secret-');
    expect(text).not.toContain('queue="');
    expect(text).not.toContain('vhost="');
    expect(text).toContain('# TYPE rabbitmq_queue_messages_ready gauge');
    expect(text).toMatch(/^rabbitmq_queue_messages_ready 2$/m);
    expect(text).toMatch(/^rabbitmq_queue_messages_unacked 1$/m);
    expect(text).toMatch(/^rabbitmq_queue_consumers 1$/m);
    expect(text).toMatch(/^rabbitmq_queue_messages_published_total 3$/m);
    expect(text).toMatch(/^rabbitmq_exchange_messages_published_in_total 3$/m);
    expect(text).toContain('rabbitmq_connections 1');
    expect(text).toContain('rabbitmq_channels 1');
    expect(text).toMatch(/rabbitmq_process_resident_memory_bytes \d+/);

    const per = await api.get('/metrics/per-object', { auth: false });
    expect(per.status).toBe(200);
    expect(per.text).toContain('rabbitmq_queue_messages_ready{vhost="/",queue="secret-queue-m1"} 2');
    expect(per.text).toContain('rabbitmq_queue_messages_unacked{vhost="/",queue="secret-queue-m1"} 1');
    expect(per.text).toContain('rabbitmq_queue_consumers{vhost="/",queue="secret-queue-m1"} 1');
    expect(per.text).toContain('rabbitmq_queue_messages_published_total{vhost="/",queue="secret-queue-m1"} 3');
    expect(per.text).toContain('rabbitmq_exchange_messages_published_in_total{vhost="/",exchange=""} 3');
    expect(per.text).toContain('rabbitmq_exchange_messages_published_in_total{vhost="/",exchange="secret-exchange-m1"} 0');
    // each family once, its samples together
    expect(per.text.match(/# TYPE rabbitmq_queue_messages_ready /g)).toHaveLength(1);
    await conn.close();
    await eventually(async () => (await api.get('/metrics')).text.includes('rabbitmq_connections 0'));
  });

  it('escapes label values', async () => {
    await api.put(`/api/queues/%2F/${encodeURIComponent('we"ird\\q')}`, {});
    expect((await api.get('/metrics/per-object')).text).toContain('rabbitmq_queue_messages{vhost="/",queue="we\\"ird\\\\q"} 0');
  });

  it('with 20,000 queues, a side AMQP connection answers within 100 ms while /metrics/per-object is scraped', async () => {
    const admin = { name: 'guest', tags: ['administrator'] };
    await api.broker.putVhost(admin, 'many', {});
    for (let i = 0; i < 20_000; i += 500) {
      await Promise.all(
        Array.from({ length: 500 }, (_, j) => api.broker.declareQueue(admin, 'many', `q-${i + j}`, { durable: false, autoDelete: false, arguments: {} })),
      );
    }
    const conn = await amqp.connect(api.amqpUrl());
    try {
      const ch = await conn.createChannel();
      await ch.assertQueue('probe', { durable: false });
      // Round trips on the side connection, for `ms` or until `done` settles; the worst one and the
      // count. A stall of the broker's making burns this process's CPU for its whole length; on a
      // shared, loaded machine the wall clock alone also counts time the process sat unscheduled,
      // so a round trip counts as the smaller of the two.
      const probe = async (until: Promise<unknown>) => {
        let over = false;
        void until.finally(() => (over = true));
        let worst = 0;
        let count = 0;
        while (!over) {
          const c0 = process.cpuUsage();
          const t0 = performance.now();
          await ch.checkQueue('probe');
          const wall = performance.now() - t0;
          const cpu = process.cpuUsage(c0);
          worst = Math.max(worst, Math.min(wall, (cpu.user + cpu.system) / 1000));
          count++;
        }
        return { worst, count };
      };
      // the machine's own noise, with nothing scraped, for as long as one scrape takes
      const t0 = performance.now();
      await scrapeBytes(`${api.baseUrl}/metrics/per-object`);
      const scrapeMs = performance.now() - t0;
      const quiet = await probe(new Promise((r) => setTimeout(r, scrapeMs * 3)));
      // scraped as Prometheus would, from elsewhere: the bytes are counted, not decoded here
      const sizes: number[] = [];
      const scrapes = (async () => {
        for (let i = 0; i < 3; i++) sizes.push(await scrapeBytes(`${api.baseUrl}/metrics/per-object`));
      })();
      const busy = await probe(scrapes);
      await scrapes;
      expect(sizes.every((n) => n > 20_000 * 7 * 40)).toBe(true);
      expect((await api.get('/metrics/per-object')).text).toContain('rabbitmq_queue_messages{vhost="many",queue="q-19999"} 0');
      // AMQP is served all along the scrapes, not once they are over
      expect(busy.count).toBeGreaterThan(100);
      // under 100 ms on a quiet machine; on a loaded one, beyond what it shows with no scrape at all
      expect(busy.worst, `quiet: ${quiet.worst.toFixed(1)} ms over ${quiet.count} round trips`).toBeLessThan(100 + quiet.worst);
      // the aggregated endpoint stays small
      expect((await api.get('/metrics')).text.length).toBeLessThan(10_000);
    } finally {
      await conn.close();
    }
  }, 120_000);
});

it('server.ts hands /metrics/per-object to the management layer, not to Next', () => {
  expect(isManagementPath('/metrics/per-object')).toBe(true);
  expect(isManagementPath('/metrics')).toBe(true);
});

describe('METRICS_AUTH', () => {
  let locked: TestApi;
  beforeAll(async () => {
    locked = await startApi({}, { metricsAuth: true });
    await locked.put('/api/users/watcher', { password: 'watcher', tags: 'monitoring' });
    await locked.put('/api/users/mgr', { password: 'mgr', tags: 'management' });
  });
  afterAll(() => locked.close());

  it('needs a monitoring user on both endpoints', async () => {
    for (const path of ['/metrics', '/metrics/per-object']) {
      expect((await locked.get(path, { auth: false })).status).toBe(401);
      expect((await locked.get(path, { user: 'mgr' })).status).toBe(401);
      expect((await locked.get(path, { user: 'watcher' })).status).toBe(200);
      expect((await locked.get(path)).status).toBe(200);
    }
  });
});

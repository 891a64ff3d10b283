// The firehose on the real cluster: turning measured flow on traces the vhost through a bounded
// queue and a publish arrives as flow events; turning it off, or closing the watch, turns tracing
// off and removes the queue, unless tracing was on before Warren asked.
import crypto from 'node:crypto';
import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor, FlowEvent, Row, VhostListener } from '../../broker/index';
import { RemoteBrokerApi } from './remote-broker';
import { TRACE_QUEUE_MAX, TRACE_QUEUE_PREFIX, TRACE_TTL_MS } from './remote-firehose';
import { findRabbitMq, NO_RABBITMQ, type TestTarget } from './testing';

const target: TestTarget | undefined = await findRabbitMq();
if (target === undefined) console.warn(NO_RABBITMQ);

async function until<T>(what: string, ms: number, probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const started = Date.now();
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() - started > ms) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(target === undefined)('the firehose of a remote RabbitMQ', () => {
  const api = new RemoteBrokerApi(target?.config ?? { name: 'x', managementUrl: 'http://127.0.0.1:1', credentials: { username: 'x', password: 'x' } });
  const vhost = `j-firehose-${crypto.randomBytes(4).toString('hex')}`;
  const creds = { username: 'guest', password: 'guest' };
  let admin: Actor;

  const vhostRow = () => api.http.request<Row>(creds, 'GET', `/api/vhosts/${encodeURIComponent(vhost)}`);
  const traceQueues = async () =>
    (await api.http.request<Row[]>(creds, 'GET', `/api/queues/${encodeURIComponent(vhost)}?columns=name,arguments,exclusive,auto_delete`))
      .filter((q) => String(q.name).startsWith(TRACE_QUEUE_PREFIX));

  function listener(flow: FlowEvent[]): VhostListener {
    return { topology() {}, stats() {}, gone() {}, flow: (events) => void flow.push(...events) };
  }

  beforeAll(async () => {
    admin = await api.authenticate('guest', 'guest', '127.0.0.1');
    await api.putVhost(admin, vhost, { description: 'warren firehose test' });
    await api.setPermission(admin, vhost, 'guest', { configure: '.*', write: '.*', read: '.*' });
    await api.declareQueue(admin, vhost, 'orders', { durable: false, autoDelete: false, arguments: {} });
  }, 60_000);

  afterAll(async () => {
    await api.deleteVhost(admin, vhost).catch(() => {});
    await api.close();
  }, 60_000);

  it('traces the vhost through a bounded queue, a publish arrives as flow events, and off undoes it all', async () => {
    const flow: FlowEvent[] = [];
    const watch = await api.watchVhost(admin, vhost, listener(flow));
    watch.setFlowBudget(100);
    expect((await vhostRow()).tracing).toBe(false);
    await watch.setFirehose!(true);
    expect((await vhostRow()).tracing).toBe(true);
    const [q] = await traceQueues();
    expect(q).toMatchObject({ exclusive: true, auto_delete: true, arguments: { 'x-max-length': TRACE_QUEUE_MAX, 'x-overflow': 'drop-head', 'x-message-ttl': TRACE_TTL_MS } });

    const conn = await amqp.connect(`${target!.config.amqpUrl}/${encodeURIComponent(vhost)}`);
    try {
      const ch = await conn.createChannel();
      ch.publish('', 'orders', Buffer.from('one'));
      await ch.consume('orders', () => {}, { noAck: true });
      const published = await until('the publish as a flow event', 20_000, () => flow.find((e) => e.kind === 'published'));
      expect(published).toMatchObject({ exchange: '', routingKey: 'orders', queues: ['orders'] });
      const delivered = await until('the delivery as a flow event', 20_000, () => flow.find((e) => e.kind === 'delivered'));
      expect(delivered).toMatchObject({ queue: 'orders', routingKey: 'orders' });
    } finally {
      await conn.close();
    }

    await watch.setFirehose!(false);
    expect((await vhostRow()).tracing).toBe(false);
    await until('the trace queue removed', 15_000, async () => ((await traceQueues()).length === 0 ? true : undefined));
    watch.close();
  }, 90_000);

  it('closing the last watch turns tracing off; a second watcher keeps it on until then', async () => {
    const a = await api.watchVhost(admin, vhost, listener([]));
    const b = await api.watchVhost(admin, vhost, listener([]));
    await a.setFirehose!(true);
    await b.setFirehose!(true);
    a.close();
    await new Promise((r) => setTimeout(r, 500));
    expect((await vhostRow()).tracing).toBe(true);
    b.close();
    await until('tracing off after the last watch closed', 15_000, async () => ((await vhostRow()).tracing === false ? true : undefined));
    await until('the trace queue removed', 15_000, async () => ((await traceQueues()).length === 0 ? true : undefined));
  }, 90_000);

  it('refuses a user who may not set tracing in the cluster\'s words, and leaves tracing off', async () => {
    const user = `j-monitor-${crypto.randomBytes(4).toString('hex')}`;
    await api.http.request(creds, 'PUT', `/api/users/${user}`, { password: 'pw-j', tags: 'monitoring' });
    try {
      await api.http.request(creds, 'PUT', `/api/permissions/${encodeURIComponent(vhost)}/${user}`, { configure: '.*', write: '.*', read: '.*' });
      const monitor = await api.authenticate(user, 'pw-j', '127.0.0.1');
      const watch = await api.watchVhost(monitor, vhost, listener([]));
      const err = await watch.setFirehose!(true).then(() => undefined, (e: unknown) => e as { kind: string; detail: string });
      expect(err?.kind).toBe('not_authorised');
      expect((await vhostRow()).tracing).toBe(false);
      expect(await traceQueues()).toEqual([]);
      watch.close();
    } finally {
      await api.http.request(creds, 'DELETE', `/api/users/${user}`).catch(() => {});
    }
  }, 90_000);

  it('leaves tracing on when it was on before Warren asked', async () => {
    await api.http.request(creds, 'PUT', `/api/vhosts/${encodeURIComponent(vhost)}`, { tracing: true, description: 'warren firehose test' });
    try {
      const watch = await api.watchVhost(admin, vhost, listener([]));
      await watch.setFirehose!(true);
      await watch.setFirehose!(false);
      expect((await vhostRow()).tracing).toBe(true);
      expect((await vhostRow()).description).toBe('warren firehose test');
      await until('the trace queue removed', 15_000, async () => ((await traceQueues()).length === 0 ? true : undefined));
      watch.close();
    } finally {
      await api.http.request(creds, 'PUT', `/api/vhosts/${encodeURIComponent(vhost)}`, { tracing: false, description: 'warren firehose test' });
    }
  }, 90_000);
});

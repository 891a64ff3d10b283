// Routing explained on a remote RabbitMQ: Warren computes it from the cluster's listed bindings
// (computedBy 'client'), and it must name exactly the queues RabbitMQ itself routes a real publish
// to — topic `*`/`#`, direct, fanout, headers x-match all/any, exchange-to-exchange bindings with a
// cycle, alternate exchanges, CC/BCC — and `returned` exactly when RabbitMQ sends basic.return.
import crypto from 'node:crypto';
import amqp, { type ChannelModel, type ConfirmChannel } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../broker/index';
import { RemoteBrokerApi } from './remote-broker';
import { findRabbitMq, NO_RABBITMQ, type TestTarget } from './testing';

const target: TestTarget | undefined = await findRabbitMq();
if (target === undefined) console.warn(NO_RABBITMQ);

const QUEUES = ['q-err', 'q-all', 'q-lost', 'q-pdf', 'q-any', 'q-direct', 'q-fan'];

/** [exchange, routing key, headers, mandatory] */
const CASES: [string, string, Record<string, unknown>, boolean][] = [
  ['logs', 'app.error.db', {}, false],
  ['logs', 'app', {}, false],
  ['logs', 'nothing', {}, true],
  ['logs', 'report.x', { format: 'pdf' }, false],
  ['logs', 'report.x', { format: 'csv', kind: 'k' }, false],
  ['logs', 'report.x', { format: 'csv' }, true],
  ['direct', 'red', {}, false],
  ['direct', 'blue', { CC: ['red'], BCC: ['green'] }, false],
  ['direct', 'none', {}, true],
  ['ring-a', 'k', {}, false],
  ['no-ae', 'k', {}, true],
];

describe.skipIf(target === undefined)('routing explained on a remote RabbitMQ', () => {
  const api = new RemoteBrokerApi(target?.config ?? { name: 'x', managementUrl: 'http://127.0.0.1:1', credentials: { username: 'x', password: 'x' } });
  const vhost = `warren-explain-${crypto.randomBytes(4).toString('hex')}`;
  let admin: Actor;
  let conn: ChannelModel;
  let ch: ConfirmChannel;
  const returned: string[] = [];

  beforeAll(async () => {
    admin = await api.authenticate('guest', 'guest', '127.0.0.1');
    await api.putVhost(admin, vhost, {});
    await api.setPermission(admin, vhost, 'guest', { configure: '.*', write: '.*', read: '.*' });
    const u = new URL(target?.config.amqpUrl ?? '');
    conn = await amqp.connect(`amqp://guest:guest@${u.host}/${encodeURIComponent(vhost)}`);
    ch = await conn.createConfirmChannel();
    ch.on('return', (m) => returned.push(String(m.properties.messageId)));
    await ch.assertExchange('unrouted', 'fanout', { durable: false });
    await ch.assertExchange('logs', 'topic', { durable: false, arguments: { 'alternate-exchange': 'unrouted' } });
    await ch.assertExchange('by-format', 'headers', { durable: false });
    await ch.assertExchange('direct', 'direct', { durable: false });
    await ch.assertExchange('ring-a', 'fanout', { durable: false });
    await ch.assertExchange('ring-b', 'fanout', { durable: false });
    await ch.assertExchange('no-ae', 'direct', { durable: false, arguments: { 'alternate-exchange': 'missing' } });
    for (const q of QUEUES) await ch.assertQueue(q, { durable: false });
    await ch.bindQueue('q-err', 'logs', '*.error.#');
    await ch.bindQueue('q-all', 'logs', 'app.#');
    await ch.bindQueue('q-lost', 'unrouted', '');
    await ch.bindExchange('by-format', 'logs', 'report.*');
    await ch.bindQueue('q-pdf', 'by-format', '', { 'x-match': 'all', format: 'pdf' });
    await ch.bindQueue('q-any', 'by-format', '', { 'x-match': 'any', format: 'pdf', kind: 'k' });
    await ch.bindQueue('q-direct', 'direct', 'red');
    await ch.bindQueue('q-fan', 'direct', 'green');
    await ch.bindExchange('ring-b', 'ring-a', '');
    await ch.bindExchange('ring-a', 'ring-b', '');
    await ch.bindQueue('q-fan', 'ring-b', '');
  }, 120_000);

  afterAll(async () => {
    await conn?.close().catch(() => {});
    if (admin) await api.deleteVhost(admin, vhost).catch(() => {});
  });

  it('names the queues RabbitMQ routes each publish to, and says when it returns it', async () => {
    let n = 0;
    for (const [exchange, key, headers, mandatory] of CASES) {
      const e = await api.explainRoute(admin, vhost, exchange, { routingKey: key, headers: headers as never, mandatory });
      expect(e.computedBy).toBe('client');
      const before = await Promise.all(QUEUES.map(async (q) => (await ch.checkQueue(q)).messageCount));
      const id = `m${++n}`;
      ch.publish(exchange, key, Buffer.from(id), { headers, mandatory, messageId: id });
      await ch.waitForConfirms();
      const after = await Promise.all(QUEUES.map(async (q) => (await ch.checkQueue(q)).messageCount));
      const reached = QUEUES.filter((_, i) => after[i] > before[i]);
      const context = `${exchange} '${key}' ${JSON.stringify(headers)}`;
      expect([...e.queues].sort(), context).toEqual([...reached].sort());
      expect(e.outcome === 'returned', context).toBe(returned.includes(id));
    }
  }, 240_000);

  it('refuses what a publish would: a missing exchange', async () => {
    await expect(api.explainRoute(admin, vhost, 'no-such', { routingKey: 'k', mandatory: false })).rejects.toMatchObject({ kind: 'not_found' });
  });
});

// Masking on a remote RabbitMQ (testing.ts picks the cluster or the single node): its get and the
// console's consumers show masked values; the messages in RabbitMQ stay the original, as an
// unmasked API then takes them. In a vhost of its own, removed afterwards.
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMaskRules, type Actor, type Delivery } from '../../broker/index';
import { RemoteBrokerApi } from './remote-broker';
import { findRabbitMq, NO_RABBITMQ, type TestTarget } from './testing';

const target: TestTarget | undefined = await findRabbitMq();
if (target === undefined) console.warn(NO_RABBITMQ);

describe.skipIf(target === undefined)('masking on a remote RabbitMQ', () => {
  const config = target?.config ?? { name: 'x', managementUrl: 'http://127.0.0.1:1', credentials: { username: 'x', password: 'x' } };
  const rules = parseMaskRules({ headers: ['x-card'], jsonPaths: ['$.user.email'], bodyPatterns: ['\\d{4}-\\d{4}-\\d{4}-\\d{4}'] });
  const masked = new RemoteBrokerApi(config, rules);
  const plain = new RemoteBrokerApi(config);
  const vhost = `warren-mask-${crypto.randomBytes(4).toString('hex')}`;
  let admin: Actor;

  beforeAll(async () => {
    admin = await plain.authenticate('guest', 'guest', '127.0.0.1');
    await plain.putVhost(admin, vhost, { description: 'warren masking test' });
    await plain.setPermission(admin, vhost, 'guest', { configure: '.*', write: '.*', read: '.*' });
  });

  afterAll(async () => {
    await plain.deleteVhost(admin, vhost).catch(() => {});
    await masked.close();
    await plain.close();
  });

  it('masks get and consumer deliveries, and leaves the messages whole', async () => {
    await plain.declareQueue(admin, vhost, 'mq', { durable: false, autoDelete: false, arguments: {} });
    const body = JSON.stringify({ user: { email: 'ann@example.com' }, note: 'card 1234-5678-9012-3456' });
    await plain.publish(admin, vhost, '', { routingKey: 'mq', properties: { headers: { 'x-card': '4111', keep: 'k' } }, body: Buffer.from(body) });

    const got = await masked.get(admin, vhost, 'mq', { count: 1, ackMode: 'ack_requeue_true', encoding: 'auto' });
    expect(got).toHaveLength(1);
    expect(got[0].masked).toBe(true);
    expect(JSON.parse(got[0].payload)).toEqual({ user: { email: '***' }, note: 'card ***' });
    expect(got[0].properties).toMatchObject({ headers: { 'x-card': '***', keep: 'k' } });

    const deliveries: Delivery[] = [];
    const handle = await masked.consume(admin, vhost, 'mq', { prefetch: 1, ack: 'manual', connectionName: 'websocket mask test' }, {
      canTake: () => true, deliver: (d) => deliveries.push(d), cancelled: () => {},
    });
    await expect.poll(() => deliveries.length, { timeout: 10_000 }).toBe(1);
    expect(deliveries[0].masked).toBe(true);
    expect(deliveries[0].payload).not.toContain('ann@example.com');
    expect(deliveries[0].properties).toMatchObject({ headers: { 'x-card': '***' } });
    await handle.cancel();

    // a get cut short: masking reads the whole body from the cluster and cuts it itself
    const long = JSON.stringify({ user: { email: 'bob@example.com' }, filler: 'f'.repeat(200_000) });
    await plain.declareQueue(admin, vhost, 'mq-long', { durable: false, autoDelete: false, arguments: {} });
    await plain.publish(admin, vhost, '', { routingKey: 'mq-long', properties: {}, body: Buffer.from(long) });
    const cut = await masked.get(admin, vhost, 'mq-long', { count: 1, ackMode: 'ack_requeue_true', encoding: 'auto', truncate: 1000 });
    expect(cut[0].masked).toBe(true);
    expect(cut[0].payload).toHaveLength(1000);
    expect(cut[0].payload.startsWith('{"user":{"email":"***"},"filler":"fff')).toBe(true);
    expect(cut[0].payload_bytes).toBe(long.length);

    const original = await plain.get(admin, vhost, 'mq', { count: 1, ackMode: 'ack_requeue_false', encoding: 'auto' });
    expect(original[0].payload).toBe(body);
    expect(original[0].masked).toBeUndefined();
    expect(original[0].properties).toMatchObject({ headers: { 'x-card': '4111' } });
  });
});

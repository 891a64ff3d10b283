// BrokerApi.consume of the embedded broker: the sink's back-pressure, settlement errors as AMQP's
// 406, consumers sharing a connection by name, and the connection's close cancelling them.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createBroker, type Actor, type Broker, type Delivery, type DeliverySink, type StatsTick } from '../index';
import { internals } from './internals';

let broker: Broker;
let admin: Actor;
beforeAll(async () => {
  broker = await createBroker({ port: 0, host: '127.0.0.1', logLevel: 'silent' });
  admin = await broker.authenticate('guest', 'guest', '127.0.0.1');
});
afterAll(() => broker.close());

/** A sink that takes while `open` says so and keeps what it gets. */
function sink() {
  const s = { open: true, got: [] as Delivery[], cancelled: [] as string[] };
  const sink: DeliverySink = {
    canTake: () => s.open,
    deliver: (d) => s.got.push(d),
    cancelled: (reason) => s.cancelled.push(reason),
  };
  return { s, sink };
}

async function fill(name: string, n: number) {
  await broker.declareQueue(admin, '/', name, { durable: false, autoDelete: false, arguments: {} });
  for (let i = 0; i < n; i++) await broker.publish(admin, '/', '', { routingKey: name, properties: {}, body: Buffer.from(`${name}-${i}`) });
}

const opts = { prefetch: 0, ack: 'manual' as const, connectionName: 'test 1' };

test('a sink that cannot take gets nothing until resume; the queue keeps the messages', async () => {
  await fill('ac-1', 3);
  const { s, sink: k } = sink();
  s.open = false;
  const h = await broker.consume(admin, '/', 'ac-1', opts, k);
  expect(h.tag).toMatch(/^amq\.ctag-/);
  expect(s.got).toEqual([]);
  s.open = true;
  h.resume();
  expect(s.got.map((d) => [d.deliveryTag, d.payload])).toEqual([[1, 'ac-1-0'], [2, 'ac-1-1'], [3, 'ac-1-2']]);
  await h.ack(0, true);
  expect(await broker.getQueue(admin, '/', 'ac-1')).toMatchObject({ messages: 0, consumers: 1 });
  await h.cancel();
  expect(await broker.getQueue(admin, '/', 'ac-1')).toMatchObject({ consumers: 0 });
});

test('an unknown delivery tag is a precondition_failed error with code 406; bad options are bad requests', async () => {
  await fill('ac-2', 1);
  const { sink: k } = sink();
  const h = await broker.consume(admin, '/', 'ac-2', opts, k);
  await expect(h.ack(7, false)).rejects.toMatchObject({ kind: 'precondition_failed', code: 406, detail: 'unknown delivery tag 7' });
  await expect(h.nack(7, true, true)).rejects.toMatchObject({ kind: 'precondition_failed' });
  await h.reject(1, true); // back to the queue, and out to the same consumer again
  await h.cancel();
  await expect(broker.consume(admin, '/', 'ac-2', { ...opts, prefetch: -1 }, k)).rejects.toMatchObject({ kind: 'bad_request' });
  await expect(broker.consume(admin, '/', 'ac-2', { ...opts, connectionName: '' }, k)).rejects.toMatchObject({ kind: 'bad_request' });
  await expect(broker.consume(admin, '/', 'nowhere', opts, k)).rejects.toMatchObject({ kind: 'not_found', code: 404 });
  expect(await broker.getQueue(admin, '/', 'ac-2')).toMatchObject({ messages_ready: 1, messages_unacknowledged: 0 });
});

test('consumers with one connection name are channels of one connection, which goes with the last of them', async () => {
  await fill('ac-3', 0);
  const a = sink();
  const b = sink();
  const ha = await broker.consume(admin, '/', 'ac-3', { ...opts, connectionName: 'shared 1' }, a.sink);
  const hb = await broker.consume(admin, '/', 'ac-3', { ...opts, connectionName: 'shared 1' }, b.sink);
  const listed = (await broker.listConnections(admin)).filter((c) => c.name === 'shared 1');
  expect(listed).toEqual([expect.objectContaining({ channels: 2, user: 'guest', vhost: '/' })]);
  const consumers = await broker.listConsumers(admin, '/');
  expect(consumers.map((c) => (c.channel_details as { number: number }).number).sort()).toEqual([1, 2]);
  await ha.cancel();
  expect((await broker.listConnections(admin)).filter((c) => c.name === 'shared 1')).toEqual([expect.objectContaining({ channels: 1 })]);
  await hb.cancel();
  expect((await broker.listConnections(admin)).filter((c) => c.name === 'shared 1')).toEqual([]);
  expect(internals(broker).core.connections.size).toBe(0);
});

test('closing the connection cancels its consumers, tells their sinks why, and requeues what they held', async () => {
  await fill('ac-4', 2);
  const a = sink();
  await broker.consume(admin, '/', 'ac-4', { ...opts, prefetch: 1, connectionName: 'closing 1' }, a.sink);
  const b = sink();
  await broker.consume(admin, '/', 'ac-4', { ...opts, prefetch: 1, connectionName: 'closing 1' }, b.sink);
  expect(a.s.got.length + b.s.got.length).toBe(2);
  await broker.closeConnection(admin, 'closing 1', 'Closed via management plugin');
  expect([a.s.cancelled, b.s.cancelled]).toEqual([['Closed via management plugin'], ['Closed via management plugin']]);
  // what one held did not go to the other on the way out
  expect(a.s.got.length + b.s.got.length).toBe(2);
  expect(await broker.getQueue(admin, '/', 'ac-4')).toMatchObject({ messages_ready: 2, messages_unacknowledged: 0, consumers: 0 });
});

test("an API consumer's deliveries, acks and nacks are counted as its own in the stats ticks", async () => {
  await fill('ac-stats', 2);
  const ticks: StatsTick[] = [];
  const watch = await broker.watchVhost(admin, '/', { topology: () => {}, stats: (t) => ticks.push(t), gone: () => {} });
  try {
    const { s, sink: k } = sink();
    const h = await broker.consume(admin, '/', 'ac-stats', { ...opts, prefetch: 5 }, k);
    await h.nack(s.got[0].deliveryTag, false, true); // comes back, redelivered
    await h.ack(s.got[1].deliveryTag, false);
    const mine = () => ticks.map((t) => Object.values(t.consumers).find((c) => c.consumer_tag === h.tag)).filter((c) => c !== undefined);
    for (let i = 0; i < 40 && mine().length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(mine().at(-1)).toMatchObject({ queue: 'ac-stats', delivered: 3, redelivered: 1, acked: 1, rejected: 1, unacked: 1, prefetch: 5 });
    await h.cancel();
  } finally {
    watch.close();
  }
});

test('a nack of everything (tag 0) settles what was outstanding, not the dead letter it sends back to the same consumer', async () => {
  await broker.declareQueue(admin, '/', 'ac-dlx-self', {
    durable: false, autoDelete: false, arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': 'ac-dlx-self' },
  });
  await broker.publish(admin, '/', '', { routingKey: 'ac-dlx-self', properties: {}, body: Buffer.from('once') });
  const { s, sink: k } = sink();
  const h = await broker.consume(admin, '/', 'ac-dlx-self', opts, k);
  expect(s.got.map((d) => d.deliveryTag)).toEqual([1]);
  await h.nack(0, true, false);
  // dead-lettered back and delivered once more, with the next tag, which is still outstanding
  expect(s.got.map((d) => [d.deliveryTag, d.redelivered])).toEqual([[1, false], [2, false]]);
  await h.ack(2, false);
  expect(await broker.getQueue(admin, '/', 'ac-dlx-self')).toMatchObject({ messages: 0 });
  await h.cancel();
  await broker.deleteQueue(admin, '/', 'ac-dlx-self', { ifUnused: false, ifEmpty: false });
});

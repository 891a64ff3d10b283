// Browser consumers over /api/ws: consumers of the broker API, which are real core consumers, so
// prefetch, ack, nack, reject, requeue, dead-lettering, queue types and the management listings
// behave as with an AMQP channel.
import type { Channel } from 'amqplib';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startLive, sleep, type LiveClient, type LiveTest } from './testing';

let t: LiveTest;
let ch: Channel;
beforeAll(async () => {
  t = await startLive();
  ch = await (await t.connect()).createChannel();
});
afterAll(() => t.close());

/** The queue's counts as the broker API reports them (the REST API's queue row). */
async function queue(name: string, vhost = '/') {
  const row = await t.broker.getQueue(t.admin, vhost, name);
  if (row === undefined) throw new Error(`no queue ${name}`);
  const stats = row.message_stats as { ack?: number } | undefined;
  return { messagesReady: row.messages_ready, unacked: row.messages_unacknowledged, consumerCount: row.consumers, acked: stats?.ack ?? 0 };
}

const websocketConnections = async () => (await t.broker.listConnections(t.admin)).filter((c) => String(c.name).startsWith('websocket '));

async function fill(name: string, n: number, args: Record<string, unknown> = {}) {
  await ch.assertQueue(name, { durable: false, arguments: args });
  for (let i = 0; i < n; i++) ch.sendToQueue(name, Buffer.from(`${name}-${i}`));
  await ch.checkQueue(name);
}

const payloads = (c: LiveClient, id: string) => c.drain('delivery').filter((d) => d.id === id).map((d) => d.message.payload);

test('prefetch 2: two deliveries, an ack lets the next one through; listed in /api/consumers', async () => {
  await fill('bc-1', 5);
  const { client } = await t.login();
  client.send({ type: 'consume', id: 'c1', queue: 'bc-1', prefetch: 2, ack: 'manual' });
  const ok = await client.take('consume-ok', (m) => m.id === 'c1');
  expect(ok.consumerTag).toMatch(/^amq\.ctag-/);
  const d1 = await client.take('delivery');
  const d2 = await client.take('delivery');
  expect([d1.message.deliveryTag, d2.message.deliveryTag]).toEqual([1, 2]);
  expect(d1.message).toMatchObject({ payload: 'bc-1-0', payloadEncoding: 'string', payloadBytes: 6, redelivered: false, exchange: '', routingKey: 'bc-1' });
  await sleep(100);
  expect(payloads(client, 'c1')).toEqual([]);
  expect(await queue('bc-1')).toMatchObject({ messagesReady: 3, unacked: 2 });

  client.send({ type: 'ack', id: 'c1', deliveryTag: 1 });
  const d3 = await client.take('delivery');
  expect(d3.message).toMatchObject({ deliveryTag: 3, payload: 'bc-1-2' });
  expect(await queue('bc-1')).toMatchObject({ messagesReady: 2, unacked: 2 });

  // the management listings show the browser's consumer on a websocket "connection"
  const consumers = await t.broker.listConsumers(t.admin, '/');
  const mine = consumers.find((c) => c.consumer_tag === ok.consumerTag);
  expect(mine).toMatchObject({
    ack_required: true,
    prefetch_count: 2,
    queue: { name: 'bc-1', vhost: '/' },
    channel_details: { connection_name: expect.stringMatching(/^websocket 127\.0\.0\.1:\d+$/), number: 1, user: 'guest' },
  });
  expect(await websocketConnections()).toEqual([expect.objectContaining({ user: 'guest', vhost: '/', channels: 1 })]);
  // the browser sees its own consumer in a diff, like anyone else's
  await client.take('diff', (m) => m.changes.some((c) => c.kind === 'consumer' && c.item.consumer_tag === ok.consumerTag));

  // multiple acks everything up to the tag
  client.send({ type: 'ack', id: 'c1', deliveryTag: 3, multiple: true });
  await client.take('delivery', (m) => m.message.deliveryTag === 4);
  await client.take('delivery', (m) => m.message.deliveryTag === 5);
  client.send({ type: 'ack', id: 'c1', deliveryTag: 0, multiple: true });
  await expect.poll(async () => (await queue('bc-1')).unacked).toBe(0);
  expect((await queue('bc-1')).acked).toBe(5);

  client.send({ type: 'ack', id: 'c1', deliveryTag: 99 });
  expect(await client.take('error')).toMatchObject({ error: 'precondition_failed', reason: 'unknown delivery tag 99', id: 'c1' });
  client.send({ type: 'cancel', id: 'c1' });
  expect(await client.take('cancelled')).toMatchObject({ id: 'c1', reason: 'cancelled' });
  await expect.poll(async () => (await t.broker.listConsumers(t.admin, '/')).length).toBe(0);
  expect(await websocketConnections()).toEqual([]);
  client.ws.close();
});

test('nack with requeue comes back redelivered; reject without requeue is dead-lettered', async () => {
  await ch.assertExchange('bc-dlx', 'fanout', { durable: false });
  await ch.assertQueue('bc-dead', { durable: false });
  await ch.bindQueue('bc-dead', 'bc-dlx', '');
  await fill('bc-2', 2, { 'x-dead-letter-exchange': 'bc-dlx' });
  const { client } = await t.login();
  client.send({ type: 'consume', id: 'c2', queue: 'bc-2', prefetch: 1, ack: 'manual' });
  const first = await client.take('delivery');
  expect(first.message).toMatchObject({ deliveryTag: 1, payload: 'bc-2-0', redelivered: false });
  client.send({ type: 'nack', id: 'c2', deliveryTag: 1, requeue: true });
  const again = await client.take('delivery');
  expect(again.message).toMatchObject({ deliveryTag: 2, payload: 'bc-2-0', redelivered: true });

  client.send({ type: 'reject', id: 'c2', deliveryTag: 2, requeue: false });
  const next = await client.take('delivery');
  expect(next.message).toMatchObject({ deliveryTag: 3, payload: 'bc-2-1' });
  let dead = await ch.get('bc-dead');
  for (let i = 0; dead === false && i < 50; i++) {
    await sleep(20);
    dead = await ch.get('bc-dead');
  }
  if (dead === false) throw new Error('nothing dead-lettered');
  expect(dead.content.toString()).toBe('bc-2-0');
  const death: unknown = dead.properties.headers?.['x-death']?.[0];
  expect(death).toMatchObject({ queue: 'bc-2', reason: 'rejected', count: 1 });
  ch.ack(dead);
  client.send({ type: 'ack', id: 'c2', deliveryTag: 3 });
  await expect.poll(async () => (await queue('bc-2')).unacked).toBe(0);
  expect((await queue('bc-2')).messagesReady).toBe(0);
  client.ws.close();
});

test('closing the socket requeues what the browser held, and others get it redelivered', async () => {
  await fill('bc-3', 4);
  const { client } = await t.login();
  client.send({ type: 'consume', id: 'c3', queue: 'bc-3', prefetch: 3, ack: 'manual' });
  for (let i = 0; i < 3; i++) await client.take('delivery');
  expect(await queue('bc-3')).toMatchObject({ messagesReady: 1, unacked: 3 });
  client.ws.terminate();
  await expect.poll(async () => (await queue('bc-3')).unacked).toBe(0);
  expect(await queue('bc-3')).toMatchObject({ messagesReady: 4, consumerCount: 0 });
  const m = await ch.get('bc-3');
  if (m === false) throw new Error('empty');
  expect(m.fields.redelivered).toBe(true);
  expect(m.content.toString()).toBe('bc-3-0');
  ch.ack(m);
});

test('auto ack: deliveries need no ack and are not counted unacked', async () => {
  await fill('bc-4', 50);
  const { client } = await t.login();
  client.send({ type: 'consume', id: 'c4', queue: 'bc-4', prefetch: 1, ack: 'auto' });
  await client.take('delivery', (m) => m.message.deliveryTag === 50);
  expect(await queue('bc-4')).toMatchObject({ messagesReady: 0, unacked: 0 });
  expect(payloads(client, 'c4')).toHaveLength(49);
  client.send({ type: 'ack', id: 'c4', deliveryTag: 1 });
  expect(await client.take('error')).toMatchObject({ id: 'c4', reason: 'unknown delivery tag 1' });
  client.ws.close();
});

test('deleting the queue cancels the browser consumer', async () => {
  await fill('bc-5', 1);
  const { client } = await t.login();
  client.send({ type: 'consume', id: 'c5', queue: 'bc-5', prefetch: 5, ack: 'manual' });
  await client.take('delivery');
  await ch.deleteQueue('bc-5');
  expect(await client.take('cancelled')).toMatchObject({ id: 'c5', reason: "queue 'bc-5' was deleted" });
  client.send({ type: 'ack', id: 'c5', deliveryTag: 1 });
  expect(await client.take('error')).toMatchObject({ error: 'not_found', id: 'c5' });
  await expect.poll(async () => (await websocketConnections()).length).toBe(0);
  client.ws.close();
});

test('a consume that cannot start is cancelled with the reason; force-closing the websocket connection cancels', async () => {
  const { client } = await t.login();
  client.send({ type: 'consume', id: 'nope', queue: 'no-such-queue', prefetch: 1, ack: 'manual' });
  expect(await client.take('cancelled')).toMatchObject({ id: 'nope', reason: "NOT_FOUND - no queue 'no-such-queue' in vhost '/'" });

  await fill('bc-6', 2);
  client.send({ type: 'consume', id: 'c6', queue: 'bc-6', prefetch: 1, ack: 'manual' });
  await client.take('delivery');
  const [conn] = await websocketConnections();
  await t.broker.closeConnection(t.admin, String(conn.name), 'Closed via management plugin');
  expect(await client.take('cancelled')).toMatchObject({ id: 'c6', reason: 'Closed via management plugin' });
  await expect.poll(async () => (await queue('bc-6')).messagesReady).toBe(2);
  client.ws.close();
});

test("a browser that stops reading stops getting deliveries; the queue keeps them until it reads again", async () => {
  await ch.assertQueue('bc-7', { durable: false });
  const body = Buffer.alloc(64 * 1024, 0x61);
  for (let i = 0; i < 300; i++) ch.sendToQueue('bc-7', body);
  await expect.poll(async () => (await queue('bc-7')).messagesReady).toBe(300);
  const { client } = await t.login();
  client.ws.pause();
  client.send({ type: 'consume', id: 'c7', queue: 'bc-7', prefetch: 0, ack: 'auto' });
  await sleep(300);
  // about the socket buffers' worth went out; the rest waits in the queue
  expect((await queue('bc-7')).messagesReady).toBeGreaterThan(100);
  client.ws.resume();
  await client.take('delivery', (m) => m.message.deliveryTag === 300, 5000);
  expect((await queue('bc-7')).messagesReady).toBe(0);
  client.ws.close();
});

test('deleting the watched vhost cancels the consumers there and tells the browser', async () => {
  const { broker, admin } = t;
  await broker.putVhost(admin, 'doomed', {});
  await broker.declareQueue(admin, 'doomed', 'dq', { durable: false, autoDelete: false, arguments: {} });
  const { client } = await t.login('doomed');
  client.send({ type: 'consume', id: 'c8', queue: 'dq', prefetch: 1, ack: 'manual' });
  await client.take('consume-ok');
  await broker.deleteVhost(admin, 'doomed');
  expect(await client.take('cancelled')).toMatchObject({ id: 'c8', reason: "vhost 'doomed' is deleted" });
  expect(await client.take('error')).toMatchObject({ error: 'not_found', reason: "vhost 'doomed' was deleted" });
  expect(await websocketConnections()).toEqual([]);
  client.ws.close();
});

/** What basic.consume on a fresh amqplib channel says: 'accepted', or the error that closed the channel or connection. */
async function amqpConsume(queueName: string, o: { prefetch: number; noAck: boolean }): Promise<string> {
  const conn = await t.connect();
  const closed = new Promise<string>((resolve) => conn.on('error', (err: Error) => resolve(err.message)));
  const c = await conn.createChannel();
  c.on('error', () => {});
  if (o.prefetch > 0) await c.prefetch(o.prefetch);
  try {
    const { consumerTag } = await c.consume(queueName, () => {}, { noAck: o.noAck });
    await c.cancel(consumerTag);
    return 'accepted';
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    // a connection error ends the channel first; the reason comes with the connection's close
    return message.startsWith('Channel ended') ? await closed : message;
  } finally {
    await conn.close().catch(() => {});
  }
}

test('a stream queue refuses a browser consumer without prefetch or with auto ack, as AMQP does; prefetch and manual ack are accepted', async () => {
  await ch.assertQueue('bc-stream', { durable: true, arguments: { 'x-queue-type': 'stream' } });
  ch.sendToQueue('bc-stream', Buffer.from('s-0'));
  await ch.checkQueue('bc-stream');
  const { client } = await t.login();

  client.send({ type: 'consume', id: 's1', queue: 'bc-stream', prefetch: 0, ack: 'manual' });
  const noPrefetch = await client.take('cancelled', (m) => m.id === 's1');
  expect(noPrefetch.reason).toBe("PRECONDITION_FAILED - consumer prefetch count is not set for 'queue 'bc-stream' in vhost '/''");
  expect(await amqpConsume('bc-stream', { prefetch: 0, noAck: false })).toContain(noPrefetch.reason);

  client.send({ type: 'consume', id: 's2', queue: 'bc-stream', prefetch: 10, ack: 'auto' });
  const autoAck = await client.take('cancelled', (m) => m.id === 's2');
  expect(autoAck.reason).toBe("NOT_IMPLEMENTED - automatic acknowledgement not supported by stream queues queue 'bc-stream' in vhost '/'");
  expect(await amqpConsume('bc-stream', { prefetch: 10, noAck: true })).toContain(autoAck.reason);
  // the refusals left nothing behind, and the socket stays
  expect(await t.broker.listConsumers(t.admin, '/')).toEqual([]);
  expect(await websocketConnections()).toEqual([]);

  client.send({ type: 'consume', id: 's3', queue: 'bc-stream', prefetch: 10, ack: 'manual' });
  await expect.poll(() => client.inbox.some((m) => m.type === 'delivery')).toBe(true);
  // consume-ok reaches the browser before the first delivery
  const order = client.inbox.map((m) => m.type);
  expect(order.indexOf('consume-ok')).toBeGreaterThanOrEqual(0);
  expect(order.indexOf('consume-ok')).toBeLessThan(order.indexOf('delivery'));
  const d = await client.take('delivery', (m) => m.id === 's3');
  expect(d.message).toMatchObject({ deliveryTag: 1, payload: 's-0', redelivered: false });
  client.send({ type: 'ack', id: 's3', deliveryTag: 1 });
  await expect.poll(async () => (await queue('bc-stream')).unacked).toBe(0);
  client.send({ type: 'cancel', id: 's3' });
  await client.take('cancelled', (m) => m.id === 's3');
  expect(await amqpConsume('bc-stream', { prefetch: 10, noAck: false })).toBe('accepted');
  await ch.deleteQueue('bc-stream');
  client.ws.close();
});

test("a quorum queue's redelivery to a browser carries x-delivery-count in the headers, as amqplib gets it", async () => {
  for (const name of ['bc-quorum-amqp', 'bc-quorum-ws']) {
    await ch.assertQueue(name, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
    ch.sendToQueue(name, Buffer.from('q-0'), { headers: { keep: 'me' } });
    await ch.checkQueue(name);
  }
  // amqplib: delivered, nacked with requeue, delivered again
  const conn = await t.connect();
  const c = await conn.createChannel();
  await c.prefetch(1);
  const got: { headers: unknown; redelivered: boolean }[] = [];
  await c.consume('bc-quorum-amqp', (m) => {
    if (m === null) return;
    got.push({ headers: m.properties.headers, redelivered: m.fields.redelivered });
    if (got.length === 1) c.nack(m, false, true);
    else c.ack(m);
  });
  await expect.poll(() => got.length).toBe(2);

  const { client } = await t.login();
  client.send({ type: 'consume', id: 'q1', queue: 'bc-quorum-ws', prefetch: 1, ack: 'manual' });
  const first = await client.take('delivery', (m) => m.id === 'q1');
  client.send({ type: 'nack', id: 'q1', deliveryTag: first.message.deliveryTag, multiple: false, requeue: true });
  const second = await client.take('delivery', (m) => m.id === 'q1' && m.message.deliveryTag === 2);

  expect(got[0]).toEqual({ headers: { keep: 'me' }, redelivered: false });
  expect(got[1]).toEqual({ headers: { keep: 'me', 'x-delivery-count': 1 }, redelivered: true });
  expect({ headers: first.message.properties.headers, redelivered: first.message.redelivered }).toEqual(got[0]);
  expect({ headers: second.message.properties.headers, redelivered: second.message.redelivered }).toEqual(got[1]);
  client.send({ type: 'ack', id: 'q1', deliveryTag: 2 });
  await expect.poll(async () => (await queue('bc-quorum-ws')).unacked).toBe(0);
  await conn.close();
  await ch.deleteQueue('bc-quorum-amqp');
  await ch.deleteQueue('bc-quorum-ws');
  client.ws.close();
});

test('a browser nack of everything (tag 0) settles what it held then, not the dead letter that comes back to it', async () => {
  await fill('bc-dlx-self', 1, { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': 'bc-dlx-self' });
  const { client } = await t.login();
  client.send({ type: 'consume', id: 'd1', queue: 'bc-dlx-self', prefetch: 0, ack: 'manual' });
  const first = await client.take('delivery', (m) => m.id === 'd1');
  expect(first.message.deliveryTag).toBe(1);
  client.send({ type: 'nack', id: 'd1', deliveryTag: 0, multiple: true, requeue: false });
  const again = await client.take('delivery', (m) => m.id === 'd1');
  expect(again.message).toMatchObject({ deliveryTag: 2, payload: 'bc-dlx-self-0' });
  expect((again.message.properties.headers as Record<string, unknown> | undefined)?.['x-death']).toMatchObject([{ reason: 'rejected', queue: 'bc-dlx-self', count: 1 }]);
  await sleep(100);
  expect(payloads(client, 'd1')).toEqual([]);
  client.send({ type: 'ack', id: 'd1', deliveryTag: 2 });
  await expect.poll(async () => queue('bc-dlx-self')).toMatchObject({ messagesReady: 0, unacked: 0 });
  client.ws.close();
  await ch.deleteQueue('bc-dlx-self');
});

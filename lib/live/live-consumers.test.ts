// Browser consumers over /api/ws: real core consumers, so prefetch, ack, nack, reject, requeue,
// dead-lettering and the management API's listings behave as with an AMQP channel.
import type { Channel } from 'amqplib';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { handleManagement } from '../management/router';
import { startLive, sleep, type LiveClient, type LiveTest } from './testing';

let t: LiveTest;
let ch: Channel;
beforeAll(async () => {
  t = await startLive();
  ch = await (await t.connect()).createChannel();
});
afterAll(() => t.close());

const queue = (name: string) => t.broker.core.getVhost('/')!.getQueue(name);

async function api(method: string, path: string) {
  const auth = `Basic ${Buffer.from('guest:guest').toString('base64')}`;
  const res = await handleManagement(t.broker, {
    method, path, query: new URLSearchParams(), headers: { authorization: auth }, body: undefined, remoteAddress: '127.0.0.1',
  });
  return { status: res.status, body: res.body === '' ? undefined : (JSON.parse(res.body) as unknown) };
}

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
  expect(queue('bc-1')).toMatchObject({ messagesReady: 3, unacked: 2 });

  client.send({ type: 'ack', id: 'c1', deliveryTag: 1 });
  const d3 = await client.take('delivery');
  expect(d3.message).toMatchObject({ deliveryTag: 3, payload: 'bc-1-2' });
  expect(queue('bc-1')).toMatchObject({ messagesReady: 2, unacked: 2 });

  // the management API lists the browser's consumer on a websocket "connection"
  const consumers = (await api('GET', '/api/consumers/%2F')).body as Record<string, unknown>[];
  const mine = consumers.find((c) => c.consumer_tag === ok.consumerTag);
  expect(mine).toMatchObject({
    ack_required: true,
    prefetch_count: 2,
    queue: { name: 'bc-1', vhost: '/' },
    channel_details: { connection_name: expect.stringMatching(/^websocket 127\.0\.0\.1:\d+$/), number: 1, user: 'guest' },
  });
  const conns = (await api('GET', '/api/connections')).body as Record<string, unknown>[];
  expect(conns.some((c) => String(c.name).startsWith('websocket '))).toBe(true);
  // the browser sees its own consumer in a diff, like anyone else's
  await client.take('diff', (m) => m.changes.some((c) => c.kind === 'consumer' && c.item.consumer_tag === ok.consumerTag));

  // multiple acks everything up to the tag
  client.send({ type: 'ack', id: 'c1', deliveryTag: 3, multiple: true });
  await client.take('delivery', (m) => m.message.deliveryTag === 4);
  await client.take('delivery', (m) => m.message.deliveryTag === 5);
  client.send({ type: 'ack', id: 'c1', deliveryTag: 0, multiple: true });
  await expect.poll(() => queue('bc-1').unacked).toBe(0);
  expect(queue('bc-1').stats.acked).toBe(5);

  client.send({ type: 'ack', id: 'c1', deliveryTag: 99 });
  expect(await client.take('error')).toMatchObject({ error: 'precondition_failed', reason: 'unknown delivery tag 99', id: 'c1' });
  client.send({ type: 'cancel', id: 'c1' });
  expect(await client.take('cancelled')).toMatchObject({ id: 'c1', reason: 'cancelled' });
  await expect.poll(async () => ((await api('GET', '/api/consumers/%2F')).body as unknown[]).length).toBe(0);
  expect(((await api('GET', '/api/connections')).body as Record<string, unknown>[]).some((c) => String(c.name).startsWith('websocket '))).toBe(false);
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
  await expect.poll(() => queue('bc-2').unacked).toBe(0);
  expect(queue('bc-2').messagesReady).toBe(0);
  client.ws.close();
});

test('closing the socket requeues what the browser held, and others get it redelivered', async () => {
  await fill('bc-3', 4);
  const { client } = await t.login();
  client.send({ type: 'consume', id: 'c3', queue: 'bc-3', prefetch: 3, ack: 'manual' });
  for (let i = 0; i < 3; i++) await client.take('delivery');
  expect(queue('bc-3')).toMatchObject({ messagesReady: 1, unacked: 3 });
  client.ws.terminate();
  await expect.poll(() => queue('bc-3').unacked).toBe(0);
  expect(queue('bc-3').messagesReady).toBe(4);
  expect(queue('bc-3').consumerCount).toBe(0);
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
  expect(queue('bc-4')).toMatchObject({ messagesReady: 0, unacked: 0 });
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
  await expect.poll(() => [...t.broker.core.connections].some((c) => c.name.startsWith('websocket '))).toBe(false);
  client.ws.close();
});

test('a consume that cannot start is cancelled with the reason; force-closing the websocket connection cancels', async () => {
  const { client } = await t.login();
  client.send({ type: 'consume', id: 'nope', queue: 'no-such-queue', prefetch: 1, ack: 'manual' });
  expect(await client.take('cancelled')).toMatchObject({ id: 'nope', reason: "NOT_FOUND - no queue 'no-such-queue' in vhost '/'" });

  await fill('bc-6', 2);
  client.send({ type: 'consume', id: 'c6', queue: 'bc-6', prefetch: 1, ack: 'manual' });
  await client.take('delivery');
  const name = [...t.broker.core.connections].find((c) => c.name.startsWith('websocket '))?.name ?? '';
  const res = await api('DELETE', `/api/connections/${encodeURIComponent(name)}`);
  expect(res.status).toBe(204);
  expect(await client.take('cancelled')).toMatchObject({ id: 'c6', reason: 'Closed via management plugin' });
  await expect.poll(() => queue('bc-6').messagesReady).toBe(2);
  client.ws.close();
});

test("a browser that stops reading stops getting deliveries; the queue keeps them until it reads again", async () => {
  await ch.assertQueue('bc-7', { durable: false });
  const body = Buffer.alloc(64 * 1024, 0x61);
  for (let i = 0; i < 300; i++) ch.sendToQueue('bc-7', body);
  await expect.poll(() => queue('bc-7').messagesReady).toBe(300);
  const { client } = await t.login();
  client.ws.pause();
  client.send({ type: 'consume', id: 'c7', queue: 'bc-7', prefetch: 0, ack: 'auto' });
  await sleep(300);
  // about the socket buffers' worth went out; the rest waits in the queue
  expect(queue('bc-7').messagesReady).toBeGreaterThan(100);
  client.ws.resume();
  await client.take('delivery', (m) => m.message.deliveryTag === 300, 5000);
  expect(queue('bc-7').messagesReady).toBe(0);
  client.ws.close();
});

test('deleting the watched vhost cancels the consumers there and tells the browser', async () => {
  const core = t.broker.core;
  const vh = core.addVhost('doomed');
  core.users.setPermission('doomed', 'guest', { configure: '.*', write: '.*', read: '.*' });
  vh.declareQueue('dq', { durable: false, autoDelete: false, exclusiveOwner: null, arguments: {} });
  const { client } = await t.login('doomed');
  client.send({ type: 'consume', id: 'c8', queue: 'dq', prefetch: 1, ack: 'manual' });
  await client.take('consume-ok');
  core.deleteVhost('doomed');
  expect(await client.take('cancelled')).toMatchObject({ id: 'c8', reason: "vhost 'doomed' is deleted" });
  expect(await client.take('error')).toMatchObject({ error: 'not_found', reason: "vhost 'doomed' was deleted" });
  expect([...core.connections].some((c) => c.name.startsWith('websocket '))).toBe(false);
  client.ws.close();
});

// A message's journey: a browser follows one message completely — not sampled — while the broker
// carries a flood of others, with no flow budget at all: published by (connection, channel), each
// queue, the consumer (tag, delivery tag, redelivered), the nack that dead-letters it with its
// x-death, the next hop through the DLX and the final ack. And a message a browser consumer got is
// followed by its flow id.
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { FlowEventMessage } from './protocol';
import { sleep, startLive, type LiveClient, type LiveTest } from './testing';

let t: LiveTest;
beforeAll(async () => {
  t = await startLive();
});
afterAll(() => t.close());

async function followedUntil(c: LiveClient, done: (events: FlowEventMessage[]) => boolean, ms = 15_000): Promise<FlowEventMessage[]> {
  const events: FlowEventMessage[] = [];
  const deadline = Date.now() + ms;
  while (!done(events) && Date.now() < deadline) {
    await sleep(100);
    for (const m of c.drain('flow')) events.push(...m.events.filter((e) => e.followed === true));
  }
  return events;
}

test('trace next message: every hop of one message among thousands, outside any flow budget', async () => {
  const conn = await t.connect();
  const ch = await conn.createChannel();
  await ch.assertExchange('j-dlx', 'fanout', { durable: false });
  await ch.assertQueue('j-dead', { durable: false });
  await ch.bindQueue('j-dead', 'j-dlx', '');
  await ch.assertExchange('j-orders', 'topic', { durable: false });
  await ch.assertQueue('j-work', { durable: false, deadLetterExchange: 'j-dlx' });
  await ch.bindQueue('j-work', 'j-orders', 'order.#');
  // the worker rejects the traced message once (to the DLX), acks everything else; the dead-letter reader acks
  let rejectedOnce = false;
  await ch.consume('j-work', (m) => {
    if (m === null) return;
    if (!rejectedOnce && m.content.toString() === 'traced') {
      rejectedOnce = true;
      ch.nack(m, false, false);
    } else ch.ack(m);
  });
  await ch.consume('j-dead', (m) => m && ch.ack(m));

  const { client } = await t.login();
  client.send({ type: 'flow', budget: 0 });
  client.send({ type: 'follow', exchange: 'j-orders' });
  await sleep(200);
  // the next message published to j-orders is ours; thousands more follow it at once, to the same exchange
  const pub = await (await t.connect()).createChannel();
  pub.publish('j-orders', 'order.new', Buffer.from('traced'));
  for (let i = 0; i < 5000; i++) {
    pub.publish('j-orders', 'order.other', Buffer.from('x'));
    if (i % 500 === 0) await sleep(0);
  }

  const events = await followedUntil(client, (es) => es.some((e) => e.kind === 'acked' && e.queue === 'j-dead'));
  const ours = events.filter((e) => e.id === events.find((x) => x.kind === 'published' && x.routingKey === 'order.new')?.id);
  expect(ours.map((e) => e.kind)).toEqual(['published', 'delivered', 'rejected', 'dead-lettered', 'published', 'delivered', 'acked']);
  const [published, delivered, , dead, republished] = ours;
  expect(published).toMatchObject({ exchange: 'j-orders', routingKey: 'order.new', queues: ['j-work'], origin: { channel: 1, user: 'guest' } });
  expect(published.origin?.connection).toMatch(/->/);
  expect(delivered).toMatchObject({ queue: 'j-work', redelivered: false });
  expect(delivered.consumerTag).toMatch(/^amq\.ctag-/);
  expect(delivered.deliveryTag).toBeGreaterThan(0);
  expect(dead).toMatchObject({ queue: 'j-work', exchange: 'j-dlx', reason: 'rejected', death: { count: 1, reason: 'rejected', queue: 'j-work', exchange: 'j-orders' } });
  expect(republished).toMatchObject({ exchange: 'j-dlx', queues: ['j-dead'] });
  // with budget 0 nothing sampled came: only ours
  expect(new Set(events.map((e) => e.id)).size).toBe(1);
  await conn.close();
}, 60_000);

test('a message a browser consumer got is followed by its flow id', async () => {
  const conn = await t.connect();
  const ch = await conn.createChannel();
  await ch.assertQueue('j-browser', { durable: false });
  ch.sendToQueue('j-browser', Buffer.from('pick me'));
  const { client } = await t.login();
  client.send({ type: 'flow', budget: 0 });
  client.send({ type: 'consume', id: 'c1', queue: 'j-browser', prefetch: 1, ack: 'manual' });
  const d = await client.take('delivery');
  expect(d.message.flowId).toBeGreaterThan(0);
  client.send({ type: 'follow', flowId: d.message.flowId });
  await sleep(150);
  client.send({ type: 'nack', id: 'c1', deliveryTag: d.message.deliveryTag, requeue: true });
  const events = await followedUntil(client, (es) => es.some((e) => e.kind === 'delivered'));
  expect(events.map((e) => e.kind)).toEqual(['requeued', 'delivered']);
  expect(events[1]).toMatchObject({ queue: 'j-browser', redelivered: true, deliveryTag: 2 });
  client.send({ type: 'follow', flowId: -1 });
  expect((await client.take('error')).reason).toMatch(/follow needs/);
  client.send({ type: 'follow', exchange: 'no-such' });
  expect(await client.take('error')).toMatchObject({ error: 'not_found' });
  await conn.close();
});

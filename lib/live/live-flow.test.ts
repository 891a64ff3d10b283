// Sampled message-flow events: a browser gets them only while it watches a vhost and wants them (the
// broker's tap is then on; broker/embedded/vhost-watch.test.ts checks that it is off otherwise), a
// sampled message is followed from publish to ack, and each browser gets no more than its budget.
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { FlowEventMessage } from './protocol';
import { startLive, sleep, type LiveClient, type LiveTest } from './testing';

let t: LiveTest;
beforeAll(async () => {
  t = await startLive();
  await t.broker.putVhost(t.admin, 'other', {});
});
afterAll(() => t.close());

/** Collects flow messages for `ms`: the events and the dropped count. */
async function collect(c: LiveClient, ms: number): Promise<{ events: FlowEventMessage[]; dropped: number }> {
  await sleep(ms);
  const msgs = c.drain('flow');
  return { events: msgs.flatMap((m) => m.events), dropped: msgs.reduce((n, m) => n + m.dropped, 0) };
}

test('flow events come only while the browser watches a vhost and wants them', async () => {
  const conn = await t.connect();
  const ch = await conn.createChannel();
  await ch.assertQueue('tap-q', { durable: false });
  /** Publishes a few messages and says whether the browser heard of any of them. */
  const heard = async (c: LiveClient) => {
    await sleep(250);
    c.drain('flow');
    for (let i = 0; i < 5; i++) ch.sendToQueue('tap-q', Buffer.from('t'));
    const { events } = await collect(c, 400);
    return events.some((e) => e.kind === 'published' && e.routingKey === 'tap-q');
  };
  const c = await t.client();
  c.send({ type: 'auth', username: 'guest', password: 'guest' });
  await c.take('hello');
  expect(await heard(c)).toBe(false); // no vhost yet
  c.send({ type: 'vhost', vhost: '/' });
  await c.take('snapshot');
  expect(await heard(c)).toBe(true); // default budget 50
  c.send({ type: 'flow', budget: 0 });
  expect(await heard(c)).toBe(false);
  c.send({ type: 'flow', budget: 20 });
  expect(await heard(c)).toBe(true);
  await ch.deleteQueue('tap-q');
  await conn.close();
  c.ws.close();
});

test('a sampled message is followed: published, delivered, acked', async () => {
  const conn = await t.connect();
  const ch = await conn.createChannel();
  await ch.assertQueue('flow-q', { durable: false });
  await ch.consume('flow-q', (m) => {
    if (m) ch.ack(m);
  });
  const { client } = await t.login();
  client.send({ type: 'flow', budget: 200 });
  let trace: FlowEventMessage[] = [];
  for (let i = 0; i < 20 && trace.length < 3; i++) {
    ch.sendToQueue('flow-q', Buffer.from(`m${i}`));
    await sleep(150);
    const events = client.drain('flow').flatMap((m) => m.events);
    const published = events.find((e) => e.kind === 'published' && e.routingKey === 'flow-q');
    if (published !== undefined) trace = events.filter((e) => e.id === published.id);
  }
  expect(trace.map((e) => e.kind)).toEqual(['published', 'delivered', 'acked']);
  expect(trace[0]).toMatchObject({ exchange: '', queues: ['flow-q'] });
  expect(trace[1]).toMatchObject({ queue: 'flow-q', consumerTag: expect.stringMatching(/^amq\.ctag-/), redelivered: false });
  expect(trace[2]).toMatchObject({ queue: 'flow-q' });
  expect(trace[0].ts).toBeGreaterThan(Date.now() - 10_000);
  await ch.deleteQueue('flow-q');
  await conn.close();
  client.ws.close();
});

test('under a burst of 10k publishes each browser gets at most its budget, counts what it missed, and only its vhost', async () => {
  const conn = await t.connect();
  const ch = await conn.createChannel();
  await ch.assertQueue('burst-q', { durable: false });
  await ch.consume('burst-q', () => {}, { noAck: true });
  const big = (await t.login()).client;
  big.send({ type: 'flow', budget: 200 });
  const small = (await t.login()).client;
  small.send({ type: 'flow', budget: 10 });
  const elsewhere = (await t.login('other')).client;
  await sleep(200);
  for (const c of [big, small, elsewhere]) c.drain('flow');

  // 10k messages over about a second, in ten bursts of a thousand
  const started = Date.now();
  for (let burst = 0; burst < 10; burst++) {
    for (let i = 0; i < 1000; i++) ch.sendToQueue('burst-q', Buffer.from('x'));
    await sleep(100);
  }
  const [b, s, e] = await Promise.all([collect(big, 500), collect(small, 500), collect(elsewhere, 500)]);
  const seconds = (Date.now() - started) / 1000 + 0.2;
  expect(b.events.length).toBeGreaterThan(50);
  expect(b.events.length).toBeLessThanOrEqual(Math.ceil(200 * seconds) + 1);
  expect(s.events.length).toBeGreaterThan(0);
  expect(s.events.length).toBeLessThanOrEqual(Math.ceil(10 * seconds) + 1);
  expect(s.dropped).toBeGreaterThan(0);
  expect(e.events).toEqual([]);
  // the sampler followed far fewer than 10k messages
  const traced = new Set(b.events.map((x) => x.id));
  expect(traced.size).toBeLessThan(1000);
  expect(b.events.every((x) => x.kind === 'published' || x.kind === 'delivered')).toBe(true);
  await ch.deleteQueue('burst-q');
  await conn.close();
  for (const c of [big, small, elsewhere]) c.ws.close();
});

// What the console draws per consumer and per producer is measured per consumer and per producer:
// two amqplib workers at prefetch 1, one fast and one slow, get very different delivery rates in
// the stats ticks (not the queue's rate shared out); publishing channels appear as producers with
// their client's connection_name, per exchange, the default exchange per queue name — an RPC
// server's replies into a reply_to queue included — and go once they stop publishing.
import amqp, { type ChannelModel } from 'amqplib';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { consumerStatsKey, PRODUCER_WINDOW_MS, producerStatsKey, type ConsumerStats } from './protocol';
import { sleep, startLive, type LiveTest, type Msg } from './testing';

let t: LiveTest;
const opened: ChannelModel[] = [];
beforeAll(async () => {
  t = await startLive();
});
afterAll(async () => {
  await Promise.all(opened.map((c) => c.close().catch(() => {})));
  await t.close();
});

async function named(name: string): Promise<ChannelModel> {
  const conn = await amqp.connect(t.amqpUrl(), { clientProperties: { connection_name: name } });
  conn.on('error', () => {});
  opened.push(conn);
  return conn;
}

/** A worker at prefetch 1 that takes `ms` per message; returns how many it got. */
async function worker(name: string, queue: string, ms: number): Promise<{ got: () => number; tag: string }> {
  const conn = await named(name);
  const ch = await conn.createChannel();
  await ch.prefetch(1);
  let got = 0;
  const { consumerTag } = await ch.consume(queue, (m) => {
    if (m === null) return;
    got++;
    setTimeout(() => ch.ack(m), ms);
  });
  return { got: () => got, tag: consumerTag };
}

test('a fast and a slow worker at prefetch 1: each consumer edge gets its own measured rate', async () => {
  const setup = await t.connect();
  const ch = await setup.createChannel();
  await ch.assertQueue('truth-work', { durable: false });
  const fast = await worker('fast-worker', 'truth-work', 200);
  const slow = await worker('slow-worker', 'truth-work', 1500);
  const { client } = await t.login();
  for (let i = 0; i < 30; i++) ch.sendToQueue('truth-work', Buffer.from(`task ${i}`));
  await sleep(4500);
  const ticks = client.drain('stats');
  expect(ticks.length).toBeGreaterThanOrEqual(3);
  const mine = (tick: Msg<'stats'>, tag: string): ConsumerStats | undefined =>
    Object.values(tick.consumers).find((c) => c.queue === 'truth-work' && c.consumer_tag === tag);
  const last = ticks[ticks.length - 1];
  const f = mine(last, fast.tag)!;
  const s = mine(last, slow.tag)!;
  // keyed by queue, channel name and tag, as the graph finds its consumer edges
  expect(last.consumers[consumerStatsKey({ queue: 'truth-work', channel: f.channel, consumer_tag: fast.tag })]).toBe(f);
  expect(f.prefetch).toBe(1);
  expect(f.unacked).toBeLessThanOrEqual(1);
  // counted per consumer: what each was handed (the tick is up to a second old)
  expect(f.delivered).toBeLessThanOrEqual(fast.got());
  expect(f.delivered).toBeGreaterThan(fast.got() - 7);
  expect(s.delivered).toBeLessThanOrEqual(slow.got());
  expect(f.delivered).toBeGreaterThan(3 * s.delivered);
  // and measured per consumer, tick by tick
  const sum = (tag: string) => ticks.reduce((n, tick) => n + (mine(tick, tag)?.deliver_rate ?? 0), 0);
  expect(sum(slow.tag)).toBeGreaterThan(0);
  expect(sum(fast.tag) / sum(slow.tag)).toBeGreaterThan(3);
  expect(ticks.reduce((n, tick) => n + (mine(tick, fast.tag)?.ack_rate ?? 0), 0)).toBeGreaterThan(0);
  await ch.deleteQueue('truth-work');
  client.ws.close();
}, 15_000);

test('nacks and rejects are counted per consumer', async () => {
  const conn = await t.connect();
  const ch = await conn.createChannel();
  await ch.assertQueue('truth-nack', { durable: false });
  let n = 0;
  const { consumerTag } = await ch.consume('truth-nack', (m) => {
    if (m === null) return;
    n++;
    if (n === 1) ch.nack(m, false, true);
    else if (n === 2) ch.reject(m, false);
    else ch.ack(m);
  });
  const { client } = await t.login();
  ch.sendToQueue('truth-nack', Buffer.from('a'));
  ch.sendToQueue('truth-nack', Buffer.from('b'));
  const tick = await client.take('stats', (m) => Object.values(m.consumers).some((c) => c.consumer_tag === consumerTag && c.delivered === 3));
  const c = Object.values(tick.consumers).find((x) => x.consumer_tag === consumerTag)!;
  expect(c).toMatchObject({ delivered: 3, redelivered: 1, rejected: 2, acked: 1, unacked: 0, prefetch: 0 });
  await ch.deleteQueue('truth-nack');
  client.ws.close();
});

test('a channel publishing to more queues than it keeps counters for: the rest are counted together under the key "", none lost', async () => {
  const { client } = await t.login();
  const conn = await named('spread-sender');
  const ch = await conn.createChannel();
  const keys = 1000;
  for (let i = 0; i < keys; i++) ch.sendToQueue(`truth-spread-${i}`, Buffer.from('x'));
  const mine = (m: Msg<'stats'>) => Object.values(m.producers).filter((p) => p.connection_name === 'spread-sender');
  const total = (m: Msg<'stats'>) => mine(m).reduce((n, p) => n + p.published, 0);
  const tick = await client.take('stats', (m) => total(m) === keys, 5000);
  const producers = mine(tick);
  expect(producers.length).toBeLessThanOrEqual(257);
  expect(producers.find((p) => p.routing_key === 'truth-spread-0')?.published).toBe(1);
  expect(producers.find((p) => p.routing_key === '')?.published).toBe(keys - 256);
  client.ws.close();
});

test('past its counters, a channel starts them over once 5 s have gone by: an RPC server replying to ever new queues goes on showing the new ones', async () => {
  const { client } = await t.login();
  const conn = await named('renewing-sender');
  const ch = await conn.createChannel();
  for (let i = 0; i < 300; i++) ch.sendToQueue(`truth-early-${i}`, Buffer.from('x'));
  await sleep(5500);
  for (let i = 0; i < 10; i++) ch.sendToQueue(`truth-late-${i}`, Buffer.from('x'));
  const mine = (m: Msg<'stats'>) => Object.values(m.producers).filter((p) => p.connection_name === 'renewing-sender');
  const tick = await client.take('stats', (m) => mine(m).some((p) => p.routing_key === 'truth-late-9'), 5000);
  expect(mine(tick).find((p) => p.routing_key === 'truth-late-0')?.published).toBe(1);
  client.ws.close();
}, 20_000);

test('publishing channels are producers, per exchange; the default exchange per queue name; they go when quiet', async () => {
  const setup = await t.connect();
  const sc = await setup.createChannel();
  await sc.assertQueue('hello', { durable: false });
  await sc.assertExchange('truth-logs', 'fanout', { durable: false });
  const conn = await named('hello-sender');
  const ch = await conn.createChannel();
  const anon = await t.connect();
  const ach = await anon.createChannel();
  const { client } = await t.login();
  const timer = setInterval(() => {
    ch.sendToQueue('hello', Buffer.from('Hello World!'));
    ch.sendToQueue('hello', Buffer.from('Hello World!'));
    ach.publish('truth-logs', '', Buffer.from('log'));
  }, 100);
  try {
    const tick = await client.take('stats', (m) => Object.values(m.producers).filter((p) => p.publish_rate > 0 && (p.routing_key === 'hello' || p.exchange === 'truth-logs')).length >= 2, 5000);
    const hello = Object.values(tick.producers).find((p) => p.routing_key === 'hello')!;
    expect(hello).toMatchObject({ connection_name: 'hello-sender', exchange: '', routing_key: 'hello', user: 'guest' });
    expect(hello.channel).toMatch(/ \(1\)$/);
    expect(hello.publish_rate).toBeGreaterThan(10);
    expect(tick.producers[producerStatsKey(hello)]).toBe(hello);
    const logs = Object.values(tick.producers).find((p) => p.exchange === 'truth-logs')!;
    expect(logs.connection_name).toBeUndefined();
    expect(logs.routing_key).toBeUndefined();
    expect(logs.publish_rate).toBeGreaterThan(5);
  } finally {
    clearInterval(timer);
  }
  // quiet for longer than the window: gone
  await sleep(PRODUCER_WINDOW_MS + 1500);
  client.drain('stats');
  const quiet = await client.take('stats');
  expect(Object.values(quiet.producers).filter((p) => p.exchange === 'truth-logs' || p.routing_key === 'hello')).toEqual([]);
  await sc.deleteQueue('hello');
  await sc.deleteExchange('truth-logs');
  client.ws.close();
}, 20_000);

test("an RPC server's replies are a producer into the client's reply_to queue", async () => {
  const setup = await t.connect();
  const sc = await setup.createChannel();
  await sc.assertQueue('rpc_queue', { durable: false });
  const server = await named('rpc-server');
  const sch = await server.createChannel();
  await sch.consume('rpc_queue', (m) => {
    if (m === null) return;
    sch.sendToQueue(m.properties.replyTo, Buffer.from('pong'), { correlationId: m.properties.correlationId });
    sch.ack(m);
  });
  const clientConn = await named('rpc-client');
  const cch = await clientConn.createChannel();
  const { queue: replyQueue } = await cch.assertQueue('', { exclusive: true });
  let replies = 0;
  await cch.consume(replyQueue, () => replies++, { noAck: true });
  const { client } = await t.login();
  const timer = setInterval(() => cch.sendToQueue('rpc_queue', Buffer.from('ping'), { replyTo: replyQueue, correlationId: String(Date.now()) }), 100);
  try {
    const tick = await client.take('stats', (m) => Object.values(m.producers).some((p) => p.routing_key === replyQueue && p.publish_rate > 0), 5000);
    const names = Object.values(tick.producers).map((p) => `${p.connection_name} → ${p.exchange === '' ? `(default) ${p.routing_key}` : p.exchange}`);
    expect(names).toEqual(expect.arrayContaining(['rpc-client → (default) rpc_queue', `rpc-server → (default) ${replyQueue}`]));
    expect(replies).toBeGreaterThan(0);
  } finally {
    clearInterval(timer);
  }
  await sc.deleteQueue('rpc_queue');
  client.ws.close();
}, 10_000);

// Producers the graph must draw although no open channel shows them at tick time: a tutorial's
// send.py (pika) and an amqplib sender publish once and close before the next stats tick; the HTTP
// API's publishes (the console's Publish panel) are a producer of their own; and an RPC server's
// reply through direct reply-to names the requesting client's reply consumer, which the tick
// reports with its measured deliveries.
import { execFile } from 'node:child_process';
import amqp from 'amqplib';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { consumerStatsKey, PRODUCER_WINDOW_MS, type ProducerStats } from './protocol';
import { sleep, startLive, type LiveTest, type Msg } from './testing';

let t: LiveTest;
beforeAll(async () => {
  t = await startLive();
});
afterAll(async () => {
  await t.close();
});

/** The first tutorial's send.py, as written there (connection closed without closing the channel). */
const SEND_PY = `
import pika, sys
connection = pika.BlockingConnection(pika.ConnectionParameters(host='127.0.0.1', port=int(sys.argv[1]), client_properties={'connection_name': 'send.py'}))
channel = connection.channel()
channel.queue_declare(queue='hello')
channel.basic_publish(exchange='', routing_key='hello', body='Hello World!')
connection.close()
`;

function runPython(script: string, ...args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('/usr/bin/python3', ['-c', script, ...args], { timeout: 10_000 }, (err, _out, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve()));
  });
}

const producersIn = (tick: Msg<'stats'>, where: (p: ProducerStats) => boolean) => Object.values(tick.producers).filter(where);

test('a one-shot sender (pika send.py, amqplib channel closed) is a gone producer with its count, for a few seconds', async () => {
  const { client } = await t.login();
  await client.take('stats');
  // right after a tick: the senders come and go well within one tick interval
  await runPython(SEND_PY, String(t.broker.port));
  const conn = await amqp.connect(t.amqpUrl(), { clientProperties: { connection_name: 'send.js' } });
  const ch = await conn.createChannel();
  await ch.assertExchange('oneshot-logs', 'fanout', { durable: false });
  ch.publish('oneshot-logs', '', Buffer.from('one'));
  ch.publish('oneshot-logs', '', Buffer.from('two'));
  await ch.close();
  await conn.close();

  const tick = await client.take('stats', (m) => producersIn(m, (p) => p.connection_name === 'send.py' || p.connection_name === 'send.js').length === 2, 3000);
  const [py] = producersIn(tick, (p) => p.connection_name === 'send.py');
  expect(py).toMatchObject({ exchange: '', routing_key: 'hello', user: 'guest', published: 1, gone: true });
  // measured: one message within this tick's interval
  expect(py.publish_rate).toBeGreaterThan(0);
  const [js] = producersIn(tick, (p) => p.connection_name === 'send.js');
  expect(js).toMatchObject({ exchange: 'oneshot-logs', published: 2, gone: true });
  expect(js.channel).toMatch(/ \(1\)$/);

  // still drawn (greyed) a little later, with the rate down to nothing
  await sleep(2000);
  client.drain('stats');
  const later = await client.take('stats');
  expect(producersIn(later, (p) => p.connection_name === 'send.py')).toEqual([expect.objectContaining({ published: 1, publish_rate: 0, gone: true })]);
  // and forgotten once the window has passed
  await sleep(PRODUCER_WINDOW_MS);
  client.drain('stats');
  const quiet = await client.take('stats');
  expect(producersIn(quiet, (p) => p.connection_name === 'send.py' || p.connection_name === 'send.js')).toEqual([]);
  client.ws.close();
}, 20_000);

test('publishes through the HTTP API are a producer named after the API and its user', async () => {
  const setup = await t.connect();
  const sc = await setup.createChannel();
  await sc.assertQueue('http-target', { durable: false });
  const { client } = await t.login();
  for (let i = 0; i < 3; i++) await t.broker.publish(t.admin, '/', '', { routingKey: 'http-target', properties: {}, body: Buffer.from(`m${i}`) });
  const tick = await client.take('stats', (m) => producersIn(m, (p) => p.connection === 'HTTP API').length > 0, 3000);
  const [api] = producersIn(tick, (p) => p.connection === 'HTTP API');
  expect(api).toMatchObject({ channel: 'HTTP API (guest)', user: 'guest', exchange: '', routing_key: 'http-target', published: 3 });
  expect(api.gone).toBeUndefined();
  expect(api.publish_rate).toBeGreaterThan(0);
  await sc.deleteQueue('http-target');
  client.ws.close();
}, 10_000);

test("an RPC server's reply through direct reply-to goes to the requesting client's reply consumer", async () => {
  const setup = await t.connect();
  const sc = await setup.createChannel();
  await sc.assertQueue('drt_rpc', { durable: false });
  const server = await amqp.connect(t.amqpUrl(), { clientProperties: { connection_name: 'rpc-server' } });
  const sch = await server.createChannel();
  await sch.consume('drt_rpc', (m) => {
    if (m === null) return;
    sch.sendToQueue(m.properties.replyTo, Buffer.from('pong'), { correlationId: m.properties.correlationId });
    sch.ack(m);
  });
  const clientConn = await amqp.connect(t.amqpUrl(), { clientProperties: { connection_name: 'rpc-client' } });
  const cch = await clientConn.createChannel();
  let replies = 0;
  const { consumerTag } = await cch.consume('amq.rabbitmq.reply-to', () => replies++, { noAck: true });
  const { client } = await t.login();
  const timer = setInterval(() => cch.sendToQueue('drt_rpc', Buffer.from('ping'), { replyTo: 'amq.rabbitmq.reply-to', correlationId: String(Date.now()) }), 100);
  try {
    const replyConsumerMoved = (m: Msg<'stats'>) => Object.values(m.consumers).some((c) => c.queue === 'amq.rabbitmq.reply-to' && c.deliver_rate > 0);
    const tick = await client.take(
      'stats',
      (m) => replyConsumerMoved(m) && producersIn(m, (p) => p.connection_name === 'rpc-server' && p.reply_to !== undefined && p.publish_rate > 0).length > 0,
      5000,
    );
    const [reply] = producersIn(tick, (p) => p.connection_name === 'rpc-server');
    expect(reply.routing_key).toMatch(/^amq\.rabbitmq\.reply-to\./);
    expect(reply.reply_to?.consumer_tag).toBe(consumerTag);
    // the requesting channel: the client's only one
    expect(reply.reply_to?.channel).toMatch(/ \(1\)$/);
    expect(producersIn(tick, (p) => p.connection_name === 'rpc-client')[0]?.reply_to).toBeUndefined();
    const consumer = tick.consumers[consumerStatsKey({ queue: 'amq.rabbitmq.reply-to', channel: reply.reply_to!.channel, consumer_tag: consumerTag })];
    expect(consumer).toBeDefined();
    expect(consumer.delivered).toBeGreaterThan(0);
    expect(consumer.delivered).toBeLessThanOrEqual(replies);
    expect(consumer.deliver_rate).toBeGreaterThan(0);
  } finally {
    clearInterval(timer);
  }
  await server.close();
  await clientConn.close();
  await sc.deleteQueue('drt_rpc');
  client.ws.close();
}, 15_000);

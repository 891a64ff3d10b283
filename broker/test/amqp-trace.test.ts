// The firehose tracer (rabbitmqctl trace_on): copies of publishes and deliveries on
// amq.rabbitmq.trace. Headers and routing keys as RabbitMQ 3.10 sends them, checked against it.
// Warren only in that tracing is switched on through the core (the flag the management API sets).
import amqp, { type ConsumeMessage, type GetMessage } from 'amqplib';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createBroker, type Broker } from '../index';
import { NODE_NAME } from '../core/trace';
import { internals } from '../embedded/internals';

let broker: Broker;
beforeAll(async () => {
  broker = await createBroker({ port: 0, host: '127.0.0.1', logLevel: 'silent' });
});
afterAll(() => broker.close());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function setTracing(on: boolean): void {
  const vh = internals(broker).core.getVhost('/');
  if (vh === undefined) throw new Error('no vhost');
  vh.tracing = on;
}

async function drain(ch: amqp.Channel, queue: string): Promise<GetMessage[]> {
  const out: GetMessage[] = [];
  for (;;) {
    const m = await ch.get(queue, { noAck: true });
    if (m === false) return out;
    out.push(m);
  }
}

test('publishes and deliveries are traced with RabbitMQ headers; nothing with tracing off', async () => {
  const conn = await amqp.connect(`amqp://guest:guest@127.0.0.1:${broker.port}`);
  try {
    const ch = await conn.createChannel();
    const trace = (await ch.assertQueue('', { exclusive: true })).queue;
    await ch.bindQueue(trace, 'amq.rabbitmq.trace', '#');
    await ch.assertQueue('trace-q', { durable: false });
    await ch.bindQueue('trace-q', 'amq.direct', 'k1');

    // off: nothing arrives
    ch.sendToQueue('trace-q', Buffer.from('quiet'));
    await sleep(50);
    expect(await ch.get('trace-q', { noAck: true })).toMatchObject({ content: Buffer.from('quiet') });
    await sleep(50);
    expect(await drain(ch, trace)).toEqual([]);

    setTracing(true);
    const ch2 = await conn.createChannel();
    ch.sendToQueue('trace-q', Buffer.from('hello'));
    ch.publish('amq.direct', 'k1', Buffer.from('full'), {
      contentType: 'text/plain', contentEncoding: 'gzip', headers: { a: 1, CC: ['k2'], BCC: ['k1'] }, deliveryMode: 2, priority: 3,
      correlationId: 'cid', replyTo: 'rt', expiration: '60000', messageId: 'mid', timestamp: 1700000000, type: 'ty', userId: 'guest', appId: 'app',
    });
    ch.publish('amq.direct', 'nowhere', Buffer.from('unroutable'));
    await sleep(50);
    const got = await ch.get('trace-q', { noAck: false });
    if (got === false) throw new Error('no message');
    ch.nack(got, false, true);
    const consumed: ConsumeMessage[] = [];
    await ch2.consume('trace-q', (m) => m && consumed.push(m), { noAck: true });
    await expect.poll(() => consumed.length).toBe(2);
    await sleep(50);

    const traces = await drain(ch, trace);
    const connection = (traces[0].properties.headers ?? {}).connection as string;
    expect(connection).toMatch(/^127\.0\.0\.1:\d+ -> 127\.0\.0\.1:\d+$/);
    const who = { vhost: '/', connection, user: 'guest' };
    const full = {
      app_id: 'app', user_id: 'guest', type: 'ty', timestamp: 1700000000, message_id: 'mid', expiration: '60000', reply_to: 'rt',
      correlation_id: 'cid', priority: 3, delivery_mode: 2, headers: { a: 1, CC: ['k2'] }, content_encoding: 'gzip', content_type: 'text/plain',
    };
    const plain = { exchange_name: '', routing_keys: ['trace-q'], properties: { headers: {} }, node: NODE_NAME };
    const rich = { exchange_name: 'amq.direct', routing_keys: ['k1', 'k2', 'k1'], properties: full, node: NODE_NAME };
    const seen = traces.map((m) => ({ rk: m.fields.routingKey, ex: m.fields.exchange, headers: m.properties.headers, body: m.content.toString() }));
    expect(seen).toEqual([
      { rk: 'publish.', ex: 'amq.rabbitmq.trace', body: 'hello', headers: { ...plain, ...who, channel: 1, routed_queues: ['trace-q'] } },
      { rk: 'publish.amq.direct', ex: 'amq.rabbitmq.trace', body: 'full', headers: { ...rich, ...who, channel: 1, routed_queues: ['trace-q'] } },
      {
        rk: 'publish.amq.direct', ex: 'amq.rabbitmq.trace', body: 'unroutable',
        headers: { exchange_name: 'amq.direct', routing_keys: ['nowhere'], properties: { headers: {} }, node: NODE_NAME, ...who, channel: 1, routed_queues: [] },
      },
      { rk: 'deliver.trace-q', ex: 'amq.rabbitmq.trace', body: 'hello', headers: { ...plain, redelivered: 0, ...who, channel: 1 } },
      { rk: 'deliver.trace-q', ex: 'amq.rabbitmq.trace', body: 'hello', headers: { ...plain, redelivered: 1, ...who, channel: 2 } },
      { rk: 'deliver.trace-q', ex: 'amq.rabbitmq.trace', body: 'full', headers: { ...rich, redelivered: 0, ...who, channel: 2 } },
    ]);
    // the header order is RabbitMQ's
    expect(Object.keys(traces[3].properties.headers ?? {})).toEqual(['exchange_name', 'routing_keys', 'properties', 'node', 'redelivered', 'vhost', 'connection', 'channel', 'user']);
    expect(Object.keys(traces[1].properties.headers?.properties as object)).toEqual(Object.keys(full));
    // trace messages carry only headers
    expect(traces[0].properties).toMatchObject({ deliveryMode: undefined, contentType: undefined });

    setTracing(false);
    ch.sendToQueue('trace-q', Buffer.from('quiet again'));
    await expect.poll(() => consumed.length).toBe(3);
    await sleep(50);
    expect(await drain(ch, trace)).toEqual([]);
  } finally {
    await conn.close();
  }
});

test('a direct reply-to publish is traced with no routed queues; its delivery is not', async () => {
  const conn = await amqp.connect(`amqp://guest:guest@127.0.0.1:${broker.port}`);
  try {
    const ch = await conn.createChannel();
    const trace = (await ch.assertQueue('', { exclusive: true })).queue;
    await ch.bindQueue(trace, 'amq.rabbitmq.trace', '#');
    const rc = await conn.createChannel();
    const replies: ConsumeMessage[] = [];
    await rc.consume('amq.rabbitmq.reply-to', (m) => m && replies.push(m), { noAck: true });
    await ch.assertQueue('trace-rpc', { durable: false, exclusive: true });
    setTracing(true);
    rc.sendToQueue('trace-rpc', Buffer.from('req'), { replyTo: 'amq.rabbitmq.reply-to' });
    await sleep(50);
    const req = await ch.get('trace-rpc', { noAck: true });
    if (req === false) throw new Error('no request');
    ch.sendToQueue(req.properties.replyTo as string, Buffer.from('reply'));
    await expect.poll(() => replies.length).toBe(1);
    setTracing(false);
    await sleep(50);
    const traces = await drain(ch, trace);
    expect(traces.map((m) => [m.fields.routingKey, m.content.toString(), m.properties.headers?.routed_queues, m.properties.headers?.channel])).toEqual([
      ['publish.', 'req', ['trace-rpc'], 2],
      ['deliver.trace-rpc', 'req', undefined, 1],
      ['publish.', 'reply', [], 1],
    ]);
    expect(traces[2].properties.headers?.routing_keys).toEqual([req.properties.replyTo]);
  } finally {
    await conn.close();
  }
});

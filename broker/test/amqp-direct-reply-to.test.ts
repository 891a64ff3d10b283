// Direct reply-to (RabbitMQ 3.10): consume no-ack from the pseudo queue amq.rabbitmq.reply-to,
// publish requests with that reply_to; the server rewrites it to a routable name, and replies
// published to it come straight back to the consumer.
//   consume with ack required → 406 "PRECONDITION_FAILED - reply consumer cannot acknowledge"
//   publish with reply_to amq.rabbitmq.reply-to but no reply consumer → 406
//     "PRECONDITION_FAILED - fast reply consumer does not exist"
//   queue.declare, passive or not, durable or exclusive alike, of amq.rabbitmq.reply-to or of a live
//     reply name → declare-ok with that name, 0 messages, 1 consumer; of any other name starting
//     amq.rabbitmq.reply-to → 404 "NOT_FOUND - no queue '<name>' in vhost '/'"
import { describe, expect, test } from 'vitest';
import type { GetMessage } from 'amqplib';
import { Inbox, WAIT_MS, expectChannelError, useAmqp, waitUntil } from './amqp-helpers';

describe('direct reply-to', () => {
  const env = useAmqp();

  test('an RPC round trip without a reply queue', async () => {
    const conn = await env.connect();
    const server = await env.channel(conn);
    const q = env.queueName('rpc');
    await server.assertQueue(q, { durable: false });
    await server.consume(q, (m) => {
      if (m === null) return;
      server.sendToQueue(m.properties.replyTo, Buffer.from(`re:${m.content.toString()}`), { correlationId: m.properties.correlationId });
      server.ack(m);
    });

    const client = await env.channel(await env.connect());
    const inbox = new Inbox();
    await client.consume('amq.rabbitmq.reply-to', inbox.onMessage, { noAck: true });
    client.sendToQueue(q, Buffer.from('ping'), { replyTo: 'amq.rabbitmq.reply-to', correlationId: 'c1' });
    const [reply] = await inbox.waitFor(1);
    expect(reply.content.toString()).toBe('re:ping');
    expect(reply.properties.correlationId).toBe('c1');
    expect(reply.fields.routingKey.startsWith('amq.rabbitmq.reply-to.')).toBe(true);
  });

  test('the reply consumer must be no-ack, and must exist before a request names it', async () => {
    const a = await env.channel(await env.connect());
    await expectChannelError(a, a.consume('amq.rabbitmq.reply-to', () => {}, { noAck: false }), 406, 'PRECONDITION_FAILED - reply consumer cannot acknowledge');
    const b = await env.channel(await env.connect());
    await expectChannelError(
      b,
      () => b.sendToQueue('amq.rabbitmq.reply-to-nowhere', Buffer.from('x'), { replyTo: 'amq.rabbitmq.reply-to' }),
      406,
      'PRECONDITION_FAILED - fast reply consumer does not exist',
    );
    // the usual case: a request to an ordinary queue
    const c = await env.channel(await env.connect());
    await expectChannelError(
      c,
      () => c.sendToQueue(env.queueName('rpc'), Buffer.from('x'), { replyTo: 'amq.rabbitmq.reply-to' }),
      406,
      'PRECONDITION_FAILED - fast reply consumer does not exist',
    );
  });

  test('declaring the pseudo queue or a live reply name is declare-ok; a dead one is 404', async () => {
    const conn = await env.connect();
    const client = await env.channel(conn);
    await client.consume('amq.rabbitmq.reply-to', () => {}, { noAck: true });
    const q = (await client.assertQueue('', { exclusive: true })).queue;
    client.sendToQueue(q, Buffer.from('request'), { replyTo: 'amq.rabbitmq.reply-to' });
    let request: GetMessage | false = false;
    await waitUntil(async () => (request = await client.get(q, { noAck: true })) !== false, WAIT_MS, 'the request');
    const live = (request as unknown as GetMessage).properties.replyTo as string;
    expect(live.startsWith('amq.rabbitmq.reply-to.')).toBe(true);

    const other = await env.channel(await env.connect());
    const ok = (name: string) => ({ queue: name, messageCount: 0, consumerCount: 1 });
    expect(await other.checkQueue('amq.rabbitmq.reply-to')).toEqual(ok('amq.rabbitmq.reply-to'));
    expect(await other.assertQueue('amq.rabbitmq.reply-to', { durable: true, exclusive: true })).toEqual(ok('amq.rabbitmq.reply-to'));
    expect(await other.checkQueue(live)).toEqual(ok(live));
    expect(await other.assertQueue(live)).toEqual(ok(live));
    for (const dead of ['amq.rabbitmq.reply-to.abc', 'amq.rabbitmq.reply-toX']) {
      const ch = await env.channel(await env.connect());
      await expectChannelError(ch, ch.assertQueue(dead), 404, `NOT_FOUND - no queue '${dead}' in vhost '/'`);
    }
  });
});

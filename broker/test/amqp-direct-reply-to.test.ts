// Direct reply-to (RabbitMQ 3.10): consume no-ack from the pseudo queue amq.rabbitmq.reply-to,
// publish requests with that reply_to; the server rewrites it to a routable name, and replies
// published to it come straight back to the consumer.
//   consume with ack required → 406 "PRECONDITION_FAILED - reply consumer cannot acknowledge"
//   publish with reply_to amq.rabbitmq.reply-to but no reply consumer → 406
//     "PRECONDITION_FAILED - fast reply consumer does not exist"
import { describe, expect, test } from 'vitest';
import { Inbox, expectChannelError, useAmqp } from './amqp-helpers';

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
});

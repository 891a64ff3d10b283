import { AmqpError } from '../../core/errors';
import { generatedConsumerTag } from '../../core/names';
import { consumeTarget, getTarget } from '../../core/publishing';
import type { Channel } from '../channel';
import { ChannelConsumer } from '../channel-consumer';
import { encodeGetOk } from '../content';
import { REPLY_TO_QUEUE } from '../direct-reply-to';
import type { FieldTable } from '../../core/field-values';
import type { AmqpMethod } from '../generated/protocol';
import { resolveQueueName } from './queue';
import { unimplemented } from '../unimplemented';

/** basic.*: publish starts content assembly; the rest is consumers, acks and qos. */
export function handleBasic(ch: Channel, m: AmqpMethod): void {
  const conn = ch.conn;
  switch (m.name) {
    case 'basic.publish':
      // (immediate=true is refused by the channel once the content is in)
      ch.startPublish(m.args.exchange, m.args.routingKey, m.args.mandatory);
      return;
    case 'basic.ack':
      ch.ack(m.args.deliveryTag, m.args.multiple);
      return;
    case 'basic.nack':
      ch.reject(m.args.deliveryTag, m.args.multiple, m.args.requeue);
      return;
    case 'basic.reject':
      ch.reject(m.args.deliveryTag, false, m.args.requeue);
      return;
    case 'basic.qos': {
      const a = m.args;
      if (a.prefetchSize !== 0) throw new AmqpError(540, `prefetch_size!=0 (${a.prefetchSize})`, 'connection', 60, 10);
      if (a.global) ch.limitGlobally(a.prefetchCount);
      else {
        ch.prefetchCount = a.prefetchCount;
        // RabbitMQ 3.10 lifts the channel's global limit here ("if default was set, it's overridden")
        ch.limitGlobally(0);
      }
      conn.sendMethod(ch.id, { name: 'basic.qos-ok', args: {} });
      // a global limit raised or lifted lets those it held back go on; nothing else moves (RabbitMQ's limiter)
      ch.resumeWaiting(false);
      return;
    }
    case 'basic.consume':
      return consume(ch, m.args);
    case 'basic.cancel': {
      ch.cancelConsumer(m.args.consumerTag);
      if (!m.args.nowait) conn.sendMethod(ch.id, { name: 'basic.cancel-ok', args: { consumerTag: m.args.consumerTag } });
      return;
    }
    case 'basic.get': {
      const a = m.args;
      const queue = getTarget(ch.vhost, conn.core.users, conn.user, resolveQueueName(ch, a.queue), conn);
      const entry = queue.fetch(!a.noAck);
      if (entry === undefined) {
        ch.stats.getEmpty++;
        conn.sendMethod(ch.id, { name: 'basic.get-empty', args: {} });
        return;
      }
      if (a.noAck) ch.stats.getNoAck++;
      else ch.stats.get++;
      if (entry.redelivered) ch.stats.redeliver++;
      const tag = ch.nextDeliveryTag++;
      if (!a.noAck) ch.unacked.add(tag, { queue, entry, consumer: undefined });
      const msg = entry.msg;
      conn.write(
        encodeGetOk(ch.id, conn.frameMax, tag, entry.redelivered, msg.exchange, msg.routingKey, queue.messageCount, queue.deliveryProperties(entry, true), msg.body),
      );
      if (ch.vhost.tracing) ch.vhost.traceDeliver(queue, entry, ch);
      return;
    }
    case 'basic.recover':
    case 'basic.recover-async':
      if (!m.args.requeue) throw new AmqpError(540, 'requeue=false', 'connection', m.classId, m.methodId);
      ch.recover();
      if (m.name === 'basic.recover') conn.sendMethod(ch.id, { name: 'basic.recover-ok', args: {} });
      return;
    default:
      throw unimplemented(m);
  }
}

interface ConsumeArgs {
  queue: string;
  consumerTag: string;
  noAck: boolean;
  exclusive: boolean;
  nowait: boolean;
  arguments: FieldTable;
}

function consume(ch: Channel, a: ConsumeArgs): void {
  const conn = ch.conn;
  const tag = a.consumerTag === '' ? generatedConsumerTag() : a.consumerTag;
  if (ch.consumers.has(tag) || ch.replyTo?.tag === tag) {
    throw new AmqpError(530, `attempt to reuse consumer tag '${tag}'`, 'connection', 60, 20);
  }
  if (a.queue === REPLY_TO_QUEUE) {
    conn.directReplyTo.consume(ch, tag, a.noAck);
    if (!a.nowait) conn.sendMethod(ch.id, { name: 'basic.consume-ok', args: { consumerTag: tag } });
    return;
  }
  const queue = consumeTarget(ch.vhost, conn.core.users, conn.user, resolveQueueName(ch, a.queue), {
    owner: conn,
    exclusive: a.exclusive,
    noAck: a.noAck,
    prefetch: ch.prefetchCount,
    globalQos: ch.globalPrefetch !== 0,
    arguments: a.arguments,
  });
  const consumer = new ChannelConsumer(ch, queue, tag, a.noAck, a.exclusive, a.arguments);
  ch.addConsumer(consumer);
  // consume-ok must reach the client before the first delivery
  if (!a.nowait) conn.sendMethod(ch.id, { name: 'basic.consume-ok', args: { consumerTag: tag } });
  conn.core.emit({ type: 'consumer.created', vhost: ch.vhost.name, queue: queue.name, tag });
  queue.addConsumer(consumer);
}

import { preconditionFailed } from '../core/errors';
import type { Exchange } from '../core/exchange';
import { Message } from '../core/message';
import { generatedName } from '../core/names';
import { encodeProperties } from './generated/protocol';
import { encodeDeliver } from './content';
import type { Channel } from './channel';

export const REPLY_TO_QUEUE = 'amq.rabbitmq.reply-to';
const REPLY_TO_PREFIX = `${REPLY_TO_QUEUE}.`;

/**
 * RabbitMQ's direct reply-to: a client consumes (no-ack) from the pseudo queue
 * `amq.rabbitmq.reply-to`, publishes requests with that reply_to, and the server rewrites it to a
 * name that routes straight back to that consumer through the default exchange — no queue.
 */
export class DirectReplyTo {
  private readonly byKey = new Map<string, { channel: Channel; reply: NonNullable<Channel['replyTo']> }>();

  consume(channel: Channel, tag: string, noAck: boolean): void {
    if (!noAck) throw preconditionFailed('reply consumer cannot acknowledge');
    if (channel.replyTo !== undefined) throw preconditionFailed('reply consumer already set');
    const key = generatedName(REPLY_TO_PREFIX);
    const reply = { key, tag, delivered: 0 };
    channel.replyTo = reply;
    this.byKey.set(key, { channel, reply });
  }

  /** undefined: not a reply; true: delivered; false: the reply consumer is gone (unroutable). */
  route(_from: Channel, exchange: Exchange, msg: Message): boolean | undefined {
    if (exchange.name !== '' || !msg.routingKey.startsWith(REPLY_TO_PREFIX)) return undefined;
    const target = this.byKey.get(msg.routingKey);
    if (target === undefined) return false;
    const ch = target.channel;
    target.reply.delivered++;
    ch.conn.write(
      encodeDeliver(ch.id, ch.conn.frameMax, target.reply.tag, ch.nextDeliveryTag++, false, msg.exchange, msg.routingKey, msg.rawProperties, msg.body),
    );
    return true;
  }

  /** A request published with reply_to `amq.rabbitmq.reply-to` gets this channel's reply name. */
  rewriteReplyTo(channel: Channel, msg: Message): Message {
    const raw = msg.rawProperties;
    if (raw.length < 2 || (raw.readUInt16BE(0) & 0x0200) === 0 || msg.properties.replyTo !== REPLY_TO_QUEUE) return msg;
    if (channel.replyTo === undefined) throw preconditionFailed('fast reply consumer does not exist');
    const props = { ...msg.properties, replyTo: channel.replyTo.key };
    return new Message(msg.exchange, msg.routingKey, encodeProperties(props), msg.body, props);
  }

  /**
   * queue.declare of a name starting `amq.rabbitmq.reply-to`, which RabbitMQ answers before any
   * other check, passive or not: the pseudo queue itself and a live reply name exist (one consumer,
   * nothing queued), any other such name does not. Undefined for every other name.
   */
  declared(name: string): boolean | undefined {
    if (!name.startsWith(REPLY_TO_QUEUE)) return undefined;
    return name === REPLY_TO_QUEUE || this.byKey.has(name);
  }

  cancel(channel: Channel, tag: string): void {
    if (channel.replyTo?.tag === tag) this.release(channel);
  }

  release(channel: Channel): void {
    if (channel.replyTo === undefined) return;
    this.byKey.delete(channel.replyTo.key);
    channel.replyTo = undefined;
  }
}

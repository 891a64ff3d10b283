// What basic.publish, basic.get and basic.consume check before they touch a queue, in one place
// for every front: the AMQP channel and the broker API (management publish and get, browser
// consumers) call these, so a refusal reads the same wherever the message came from.
import type { UserStore } from '../auth/users';
import { AmqpError, notFound } from './errors';
import type { Exchange } from './exchange';
import { invalidExpiration } from './expiry';
import type { FieldTable, FieldValue } from './field-values';
import { Message } from './message';
import type { PropertiesCodec } from './properties';
import type { Queue } from './queue';
import { validateConsumeArguments } from './queue-arguments';
import type { VirtualHost } from './vhost';

/** 403 with AMQP's words for a missing configure/write/read permission. */
export function checkResourcePermission(
  users: UserStore,
  user: string,
  vhost: string,
  kind: 'configure' | 'write' | 'read',
  resourceType: 'queue' | 'exchange',
  name: string,
): void {
  if (users.isAllowed(user, vhost, kind, name)) return;
  throw new AmqpError(403, `access to ${resourceType} '${name}' in vhost '${vhost}' refused for user '${user}'`);
}

/**
 * RabbitMQ's topic authorisation: on a topic exchange, the routing key must match the user's
 * write (publish) or read (bind, unbind) pattern for it, when the user has one. RabbitMQ 3.10's
 * text names neither the kind nor the pattern.
 */
export function checkTopicPermission(users: UserStore, user: string, vhost: string, ex: Exchange, kind: 'write' | 'read', routingKey: string): void {
  if (ex.type !== 'topic' || users.isTopicAllowed(user, vhost, ex.name, kind, routingKey)) return;
  throw new AmqpError(403, `access to topic '${routingKey}' in exchange '${ex.name}' in vhost '${vhost}' refused for user '${user}'`);
}

/** The name write permission is checked on for the default exchange, by RabbitMQ's AMQP and HTTP sides alike. */
export const DEFAULT_EXCHANGE_ALIAS = 'amq.default';

/**
 * The exchange a publish goes to: it exists, is not internal, the user may write to it (the
 * default exchange as `amq.default`: write `^$` refuses it) and, on a topic exchange, publish with
 * this routing key.
 */
export function publishTarget(vh: VirtualHost, users: UserStore, user: string, exchange: string, routingKey: string): Exchange {
  const resource = exchange === '' ? DEFAULT_EXCHANGE_ALIAS : exchange;
  const ex = vh.exchanges.get(exchange);
  if (ex === undefined) throw notFound(`no exchange '${exchange}' in vhost '${vh.name}'`);
  if (ex.internal) throw new AmqpError(403, `cannot publish to internal exchange '${exchange}' in vhost '${vh.name}'`);
  checkResourcePermission(users, user, vh.name, 'write', 'exchange', resource);
  checkTopicPermission(users, user, vh.name, ex, 'write', routingKey);
  return ex;
}

/**
 * queue.bind, queue.unbind, exchange.bind and exchange.unbind on a topic source: the binding key
 * must match the user's read pattern. A missing source is left to the caller's own 404.
 */
export function checkBindingTopic(vh: VirtualHost, users: UserStore, user: string, source: string, routingKey: string): void {
  const ex = vh.exchanges.get(source);
  if (ex !== undefined) checkTopicPermission(users, user, vh.name, ex, 'read', routingKey);
}

/** The routing keys a CC or BCC header names (a string, or an array of them). */
export function routingKeys(v: FieldValue): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.filter((k): k is string => typeof k === 'string');
  return [];
}

/**
 * The checks a publish's properties must pass (user-id is the publisher's, a valid expiration), and
 * the sender-selected destinations of CC and BCC headers: the message to route — without its BCC
 * header, which no consumer may see — and the extra routing keys.
 */
export function prepareForRouting(msg: Message, user: string, codec: PropertiesCodec): { msg: Message; extraKeys: string[] | undefined } {
  const raw = msg.rawProperties;
  // only user-id, expiration and headers need the properties parsed
  if (!codec.checkedAtPublish(raw)) return { msg, extraKeys: undefined };
  const props = msg.peekProperties();
  if (props.userId !== undefined && props.userId !== user) {
    throw new AmqpError(406, `user_id property set to '${props.userId}' but authenticated user was '${user}'`);
  }
  const badExpiration = props.expiration === undefined ? undefined : invalidExpiration(props.expiration);
  if (badExpiration !== undefined) throw new AmqpError(406, badExpiration);
  const h = props.headers;
  if (h === undefined || (h.CC === undefined && h.BCC === undefined)) return { msg, extraKeys: undefined };
  const extraKeys = [...routingKeys(h.CC), ...routingKeys(h.BCC)];
  let out = msg;
  if (h.BCC !== undefined) {
    const { BCC: _bcc, ...headers } = h;
    const stripped = { ...props, headers };
    out = new Message(msg.exchange, msg.routingKey, codec.encode(stripped), msg.body, stripped);
  }
  out.extraKeys = extraKeys;
  return { msg: out, extraKeys };
}

/** The queue a basic.get reads: exists, readable by the user, not another connection's, not a stream. */
export function getTarget(vh: VirtualHost, users: UserStore, user: string, queue: string, owner: object | null): Queue {
  const q = vh.getQueue(queue);
  vh.checkOwner(q, owner);
  checkResourcePermission(users, user, vh.name, 'read', 'queue', q.name);
  if (q.queueType === 'stream') {
    throw new AmqpError(540, `basic.get not supported by stream queues queue '${q.name}' in vhost '${vh.name}'`, 'connection', 60, 70);
  }
  // rabbit_fifo refuses a dequeue while its consumers take turns one at a time, consumers or not
  if (q.queueType === 'quorum' && q.singleActiveConsumer) {
    throw new AmqpError(405, `cannot obtain access to locked queue '${q.name}' in vhost '${vh.name}'. basic.get operations are not supported by quorum queues with single active consumer`);
  }
  return q;
}

export interface ConsumeRequest {
  /** the connection asking; exclusive queues of others are refused */
  owner: object | null;
  exclusive: boolean;
  noAck: boolean;
  /** the consumer's own prefetch (0: none) */
  prefetch: number;
  /** a channel-wide (global) prefetch applies too */
  globalQos: boolean;
  arguments: FieldTable;
}

/**
 * The queue a basic.consume reads: exists, not another connection's, readable, valid consumer
 * arguments, not in exclusive use, and what RabbitMQ 3.10's quorum and stream queues require of a
 * consumer (no global qos; streams: manual acks and a prefetch) — in that order.
 */
export function consumeTarget(vh: VirtualHost, users: UserStore, user: string, queue: string, c: ConsumeRequest): Queue {
  const q = vh.getQueue(queue);
  vh.checkOwner(q, c.owner);
  checkResourcePermission(users, user, vh.name, 'read', 'queue', q.name);
  validateConsumeArguments(q.name, vh.name, c.arguments);
  // a classic queue with a single active consumer takes no exclusive one, consumers or not; a quorum
  // queue does not look at the flag at all (RabbitMQ 3.10 only lists it)
  if (q.hasExclusiveConsumer || (c.exclusive && q.queueType !== 'quorum' && (q.consumerCount > 0 || (q.singleActiveConsumer && q.queueType === 'classic')))) {
    throw new AmqpError(403, `queue '${q.name}' in vhost '${vh.name}' in exclusive use`);
  }
  const where = `queue '${q.name}' in vhost '${vh.name}'`;
  if (q.queueType === 'quorum' && c.globalQos && c.prefetch === 0) {
    throw new AmqpError(540, `${where} does not support global qos`, 'connection', 60, 20);
  }
  if (q.queueType === 'stream') {
    if (c.noAck) throw new AmqpError(540, `automatic acknowledgement not supported by stream queues ${where}`, 'connection', 60, 20);
    if (c.prefetch === 0) throw new AmqpError(406, `consumer prefetch count is not set for '${where}'`);
  }
  return q;
}

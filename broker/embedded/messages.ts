// Publish and get through the broker API, with basic.publish's and basic.get's semantics: the same
// exchange, permission, user-id, expiration and CC/BCC checks before routing (broker/core
// publishing.ts), the same queue-type rules and delivery properties (x-delivery-count) on get.
import type { BrokerCore } from '../core/broker-core';
import { AmqpError } from '../core/errors';
import { BrokerError } from '../api/errors';
import { Message } from '../core/message';
import type { BasicProperties } from '../core/properties';
import { prepareForRouting, publishTarget, getTarget } from '../core/publishing';
import type { Queue, QueueEntry } from '../core/queue';
import { Routed } from '../core/vhost';
import type { Actor, GetOptions, GotMessage, OutgoingMessage } from '../api/broker-api';
import { jsonToProperties, payloadOf, propertiesToJson, type Json } from './message-properties';
import { requireVhostLogin, vhostFor } from './access';

/** The management API's name for the default exchange, also in its permission check. */

/** The checks run in basic.publish's order; then the message is routed as an AMQP publish is. */
export function publish(core: BrokerCore, who: Actor, vhost: string, exchange: string, m: OutgoingMessage): boolean {
  const vh = vhostFor(core, who, vhost);
  requireVhostLogin(core, who, vhost);
  const properties = m.rawProperties === undefined ? jsonToProperties(m.properties) : decodeRaw(vh.propertiesCodec, m.rawProperties);
  const ex = publishTarget(vh, core.users, who.name, exchange, m.routingKey);
  const msg = new Message(exchange, m.routingKey, vh.propertiesCodec.encode(properties), m.body, properties);
  const ready = prepareForRouting(msg, who.name, vh.propertiesCodec);
  // the management API takes only the two delivery modes AMQP defines
  const mode = properties.deliveryMode;
  if (mode !== undefined && mode !== 1 && mode !== 2) throw new AmqpError(406, `invalid message: {delivery_mode_unknown,${mode}}`);
  const max = core.limits.maxMessageSize;
  if (m.body.length > max) throw new AmqpError(406, `message size ${m.body.length} is larger than configured max size ${max}`);
  return vh.publish(ex, ready.msg, ready.extraKeys) !== Routed.Unroutable;
}

/** Encoded properties from an export; bytes that do not decode are the caller's bad request. */
function decodeRaw(codec: { decode(b: Buffer): BasicProperties }, raw: Buffer): BasicProperties {
  try {
    return codec.decode(raw);
  } catch (err) {
    throw BrokerError.badRequest(['bad_properties_raw', err instanceof Error ? err.message : String(err)]);
  }
}

/**
 * Properties as RabbitMQ's get writes them: last spec field first, and `[]` (its empty proplist)
 * when there are none — rabbitmqadmin then shows an empty `properties` column.
 */
function httpProperties(p: BasicProperties): Record<string, Json> | [] {
  const entries = Object.entries(propertiesToJson(p));
  return entries.length === 0 ? [] : Object.fromEntries(entries.reverse());
}

function gotMessage(q: Queue, entry: QueueEntry, properties: BasicProperties, opts: GetOptions): GotMessage {
  const msg = entry.msg;
  const { payload, encoding } = payloadOf(msg.body, opts.truncate, opts.encoding === 'auto');
  return {
    payload_bytes: msg.bodySize,
    redelivered: entry.redelivered,
    exchange: msg.exchange,
    routing_key: msg.routingKey,
    message_count: q.messagesReady,
    properties: httpProperties(properties),
    payload,
    payload_encoding: encoding,
  };
}

/**
 * Takes up to `count` messages as basic.get with ack required would, then settles them all per the
 * ack mode — as RabbitMQ's get does when its channel closes, so requeued messages are not fetched
 * again by the same request. `bodies` receives each message's whole body, for masking.
 */
export function get(core: BrokerCore, who: Actor, vhost: string, queue: string, opts: GetOptions, bodies?: Buffer[]): GotMessage[] {
  const vh = vhostFor(core, who, vhost);
  requireVhostLogin(core, who, vhost);
  const q = getTarget(vh, core.users, who.name, queue, null);
  const taken: QueueEntry[] = [];
  const out: GotMessage[] = [];
  try {
    for (let i = 0; i < opts.count; i++) {
      const entry = q.fetch(true);
      if (entry === undefined) break;
      taken.push(entry);
      out.push(gotMessage(q, entry, vh.propertiesCodec.decode(q.deliveryProperties(entry, true)), opts));
      // masking reads the whole body before cutting it as the answer does
      bodies?.push(entry.msg.body);
    }
  } finally {
    for (const e of taken) {
      if (opts.ackMode === 'ack_requeue_false') q.settle(e);
      else if (opts.ackMode === 'reject_requeue_false') q.discard(e);
      else q.requeue(e);
    }
    if (taken.length > 0) q.dispatch();
  }
  return out;
}

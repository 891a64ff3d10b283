import { hostname } from 'node:os';
import type { FieldTable, FieldValue } from './field-values';
import { Message } from './message';
import type { BasicProperties, PropertiesCodec } from './properties';

// RabbitMQ's firehose tracer (rabbit_trace): with tracing on for a vhost, every message a client
// publishes there is copied to amq.rabbitmq.trace as `publish.<exchange>`, and every delivery
// (basic.deliver and basic.get-ok) as `deliver.<queue>`, with the original body and headers that
// describe the message and who moved it. Nothing here runs while tracing is off.

export const TRACE_EXCHANGE = 'amq.rabbitmq.trace';

/** This node's name, as the management API and the trace `node` header give it. */
export const NODE_NAME = `warren@${hostname()}`;

/** Who published or received a traced message: an AMQP channel (the Channel class fits as it is). */
export interface TraceOrigin {
  readonly id: number;
  readonly conn: { readonly name: string; readonly user: string };
}

/**
 * The message's properties as a table, keyed by RabbitMQ's field names in the reverse of the
 * P_basic field order (rabbit_trace folds them onto a list), present fields only.
 */
function propertiesTable(p: BasicProperties): FieldTable {
  const t: FieldTable = {};
  if (p.clusterId !== undefined) t.cluster_id = p.clusterId;
  if (p.appId !== undefined) t.app_id = p.appId;
  if (p.userId !== undefined) t.user_id = p.userId;
  if (p.type !== undefined) t.type = p.type;
  if (p.timestamp !== undefined) t.timestamp = p.timestamp;
  if (p.messageId !== undefined) t.message_id = p.messageId;
  if (p.expiration !== undefined) t.expiration = p.expiration;
  if (p.replyTo !== undefined) t.reply_to = p.replyTo;
  if (p.correlationId !== undefined) t.correlation_id = p.correlationId;
  if (p.priority !== undefined) t.priority = p.priority;
  if (p.deliveryMode !== undefined) t.delivery_mode = p.deliveryMode;
  if (p.headers !== undefined) t.headers = p.headers;
  if (p.contentEncoding !== undefined) t.content_encoding = p.contentEncoding;
  if (p.contentType !== undefined) t.content_type = p.contentType;
  return t;
}

/** The headers every trace message starts with (rabbit_trace:msg_to_table). */
function messageHeaders(msg: Message): FieldTable {
  const keys: FieldValue[] = [msg.routingKey];
  if (msg.extraKeys !== undefined) for (const k of msg.extraKeys) keys.push(k);
  return {
    exchange_name: msg.exchange,
    routing_keys: keys,
    properties: propertiesTable(msg.properties),
    node: NODE_NAME,
  };
}

function traceMessage(routingKey: string, headers: FieldTable, body: Buffer, codec: PropertiesCodec): Message {
  const props: BasicProperties = { headers };
  return new Message(TRACE_EXCHANGE, routingKey, codec.encode(props), body, props);
}

/** `publish.<exchange>`: the message as published, with the queues it was routed to. */
export function publishTrace(vhost: string, msg: Message, routedQueues: string[], origin: TraceOrigin, codec: PropertiesCodec): Message {
  const h = messageHeaders(msg);
  h.vhost = vhost;
  h.connection = origin.conn.name;
  h.channel = origin.id;
  h.user = origin.conn.user;
  h.routed_queues = routedQueues;
  return traceMessage(`publish.${msg.exchange}`, h, msg.body, codec);
}

/** `deliver.<queue>`: the message as a consumer or basic.get received it. */
export function deliverTrace(vhost: string, queue: string, msg: Message, redelivered: boolean, origin: TraceOrigin, codec: PropertiesCodec): Message {
  const h = messageHeaders(msg);
  h.redelivered = redelivered ? 1 : 0;
  h.vhost = vhost;
  h.connection = origin.conn.name;
  h.channel = origin.id;
  h.user = origin.conn.user;
  return traceMessage(`deliver.${queue}`, h, msg.body, codec);
}

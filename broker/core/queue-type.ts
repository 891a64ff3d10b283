import { copyTable, setFieldType, type FieldTable } from './field-values';
import { preconditionFailed } from './errors';
import type { Message } from './message';
import type { PropertiesCodec } from './properties';

/**
 * RabbitMQ's queue types as x-queue-type names them. Warren stores and delivers every type the
 * same way; what differs is what RabbitMQ 3.10 lets each be declared with, and, for quorum
 * queues, how a message that comes back is counted and where it goes.
 */
export type QueueType = 'classic' | 'quorum' | 'stream';

export function queueTypeOf(args: FieldTable): QueueType {
  const t = args['x-queue-type'];
  return t === 'quorum' || t === 'stream' ? t : 'classic';
}

/** The arguments RabbitMQ knows; each type refuses the known ones it has no use for (unknown ones pass). */
const SUPPORTED: Record<QueueType, ReadonlySet<string>> = {
  classic: new Set([
    'x-expires', 'x-message-ttl', 'x-dead-letter-exchange', 'x-dead-letter-routing-key', 'x-max-length',
    'x-max-length-bytes', 'x-max-priority', 'x-overflow', 'x-queue-mode', 'x-queue-version',
    'x-single-active-consumer', 'x-queue-type', 'x-queue-master-locator',
  ]),
  quorum: new Set([
    'x-expires', 'x-message-ttl', 'x-dead-letter-exchange', 'x-dead-letter-routing-key', 'x-max-length',
    'x-max-length-bytes', 'x-overflow', 'x-single-active-consumer', 'x-queue-type', 'x-max-in-memory-length',
    'x-max-in-memory-bytes', 'x-quorum-initial-group-size', 'x-delivery-limit', 'x-dead-letter-strategy',
    'x-queue-leader-locator',
  ]),
  stream: new Set([
    'x-max-length-bytes', 'x-queue-type', 'x-max-age', 'x-stream-max-segment-size-bytes', 'x-initial-cluster-size',
    'x-queue-leader-locator',
  ]),
};

const KNOWN = new Set([...SUPPORTED.classic, ...SUPPORTED.quorum, ...SUPPORTED.stream]);

/** A quorum or stream queue needs a name; RabbitMQ checks this before anything else in the arguments. */
export function checkServerNamed(args: FieldTable): void {
  const type = queueTypeOf(args);
  if (type !== 'classic') throw preconditionFailed(`Cannot declare a server-named queue for type rabbit_${type}_queue`);
}

/**
 * What a new queue of its type may not have, in RabbitMQ's order: known arguments of other types
 * (the first in the client's order), then auto-delete, exclusive and non-durable for the
 * replicated types.
 */
export function checkQueueType(queue: string, vhost: string, durable: boolean, exclusive: boolean, autoDelete: boolean, args: FieldTable): void {
  const type = queueTypeOf(args);
  const where = `for queue '${queue}' in vhost '${vhost}'`;
  for (const k of Object.keys(args)) {
    if (KNOWN.has(k) && !SUPPORTED[type].has(k)) {
      throw preconditionFailed(`invalid arg '${k}' ${where} of queue type rabbit_${type}_queue`);
    }
  }
  if (type === 'classic') return;
  if (autoDelete) throw preconditionFailed(`invalid property 'auto-delete' ${where}`);
  if (exclusive) throw preconditionFailed(`invalid property 'exclusive-owner' ${where}`);
  if (!durable) throw preconditionFailed(`invalid property 'non-durable' ${where}`);
}

/** A classic queue is the same whether x-queue-type says so or is left out. */
export function sameImplicitType(current: FieldTable, received: FieldTable): boolean {
  const a = current['x-queue-type'];
  const b = received['x-queue-type'];
  return (a === undefined || a === 'classic') && (b === undefined || b === 'classic') && (a === undefined) !== (b === undefined);
}

/**
 * A quorum queue's delivery carries x-delivery-count, how often the message came back. The
 * message's other headers keep their wire types.
 */
export function withDeliveryCount(msg: Message, count: number, codec: PropertiesCodec): Buffer {
  const props = { ...msg.properties };
  const headers = copyTable(props.headers ?? {});
  headers['x-delivery-count'] = count;
  setFieldType(headers, 'x-delivery-count', 'int64');
  props.headers = headers;
  return codec.encode(props);
}


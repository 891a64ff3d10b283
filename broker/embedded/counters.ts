// The O(1) counters the broker keeps, under the names RabbitMQ's message_stats use. The rate
// sampler and the DTO builders both read them from here.
import type { ConnectionHandle } from '../core/broker-core';
import type { Exchange } from '../core/exchange';
import type { Queue } from '../core/queue';
import { asAmqp, type Channel } from './amqp-view';

export type Counters = Record<string, number>;

/** Publishing side, counted by channels. */
export const PUBLISH_STATS = ['confirm', 'drop_unroutable', 'publish', 'return_unroutable'] as const;
/** Consuming side: RabbitMQ shows the whole group once any of it happened. */
export const DELIVER_STATS = ['ack', 'deliver', 'deliver_get', 'deliver_no_ack', 'get', 'get_empty', 'get_no_ack', 'redeliver'] as const;
export const EXCHANGE_STATS = ['publish_in', 'publish_out'] as const;
export const MESSAGE_COUNTS = ['messages', 'messages_ready', 'messages_unacknowledged'] as const;
export const OCTETS = ['recv_oct', 'send_oct'] as const;

export function queueCounters(q: Queue): Counters {
  return queueSums([q]);
}

/**
 * The counters of `queues` added up, field by field: the vhost's totals are sampled every 5 s, and
 * with ten thousand queues an object per queue made a pause that deliveries waited behind.
 */
export function queueSums(queues: Iterable<Queue>): Counters {
  let published = 0, acked = 0, delivered = 0, deliveredNoAck = 0, got = 0, getNoAck = 0, getEmpty = 0, redelivered = 0;
  let ready = 0, unacked = 0;
  for (const q of queues) {
    const s = q.stats;
    published += s.published;
    acked += s.acked;
    delivered += s.delivered;
    deliveredNoAck += s.deliveredNoAck;
    got += s.got;
    getNoAck += s.getNoAck;
    getEmpty += s.getEmpty;
    redelivered += s.redelivered;
    ready += q.messagesReady;
    unacked += q.unacked;
  }
  return {
    publish: published,
    ack: acked,
    deliver: delivered,
    deliver_no_ack: deliveredNoAck,
    get: got - getNoAck,
    get_no_ack: getNoAck,
    get_empty: getEmpty,
    redeliver: redelivered,
    deliver_get: delivered + deliveredNoAck + got,
    messages: ready + unacked,
    messages_ready: ready,
    messages_unacknowledged: unacked,
  };
}

export function exchangeCounters(e: Exchange): Counters {
  return { publish_in: e.publishIn, publish_out: e.publishOut };
}

export function channelCounters(ch: Channel): Counters {
  const s = ch.stats;
  return {
    publish: s.publish,
    confirm: s.confirm,
    return_unroutable: s.returnUnroutable,
    drop_unroutable: s.dropUnroutable,
    ack: s.ack,
    deliver: s.deliver,
    deliver_no_ack: s.deliverNoAck,
    get: s.get,
    get_no_ack: s.getNoAck,
    get_empty: s.getEmpty,
    redeliver: s.redeliver,
    deliver_get: s.deliver + s.deliverNoAck + s.get + s.getNoAck,
  };
}

export function connectionCounters(c: ConnectionHandle): Counters {
  const amqp = asAmqp(c);
  return { recv_oct: amqp?.recvOct ?? 0, send_oct: amqp?.sendOct ?? 0 };
}

/** Adds `keys` of `src` into `into` (all of src's keys when none are given). */
export function addCounters(into: Counters, src: Counters, keys: readonly string[] = Object.keys(src)): Counters {
  for (const k of keys) into[k] = (into[k] ?? 0) + (src[k] ?? 0);
  return into;
}

export function anyNonZero(c: Counters, keys: readonly string[]): boolean {
  return keys.some((k) => (c[k] ?? 0) !== 0);
}

// The console's WebSocket protocol at /api/ws: JSON text frames, one message each. Shared by the
// server hub (lib/live) and the browser client (lib/client); it imports neither of them.
//
// The browser authenticates first (a browser cannot set an Authorization header on a WebSocket),
// then picks a vhost. The server answers with a snapshot, then sends topology diffs as AMQP clients
// change things, a stats tick at least once a second, sampled message-flow events within a budget,
// and deliveries for the browser's own consumers.
//
// What the broker API hands the hub goes out as it is: snapshot rows, diffs, stats ticks, flow
// events and deliveries have the API's types. Only types come from broker/index.ts (the browser
// bundles this file), so bindingStatsKey is restated here; it must stay the API's.
import type { ConsumerStats, Delivery, FlowEvent, ProducerStats, RatePoint, RateTotals, Row, StatsTick, TopologyChange, TopologyKind } from '../../broker/index';

export type { ConsumerStats, ProducerStats, RatePoint, RateTotals, TopologyKind };

/** Management-API shaped items, as the REST API returns them (RabbitMQ's field names). */
export type Item = Row;

/** How a stats tick names a binding: the fields that identify it, as the REST API gives them. */
export function bindingStatsKey(b: { source: string; destination_type: string; destination: string; properties_key: string }): string {
  return `${b.source}|${b.destination_type}|${b.destination}|${b.properties_key}`;
}

/**
 * The default exchange's binding of a queue, as the broker API lists it (RabbitMQ's row: the queue's
 * name as routing key, and as properties_key quoted as quote_plus quotes it, `~` too). Every queue
 * has exactly one, so a snapshot leaves them out (a third of a big vhost's bindings, 1.7 MB of a
 * 10,000-queue snapshot) and the browser makes them from the queues.
 */
export function impliedDefaultBinding(vhost: string, queue: string): Item {
  return { source: '', vhost, destination: queue, destination_type: 'queue', routing_key: queue, arguments: {}, properties_key: quoteRoutingKey(queue) };
}

const UNRESERVED = /^[A-Za-z0-9._-]+$/;
const utf8 = new TextEncoder();

/** quote_plus as RabbitMQ applies it to a binding's routing key (restated from the broker: the browser bundles this file). */
export function quoteRoutingKey(key: string): string {
  if (key === '') return '~';
  if (UNRESERVED.test(key)) return key;
  let out = '';
  for (const byte of utf8.encode(key)) {
    const unreserved = (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a) || byte === 0x2e || byte === 0x2d || byte === 0x5f;
    if (unreserved) out += String.fromCharCode(byte);
    else if (byte === 0x20) out += '+';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** How a stats tick names a consumer: queue, channel name and consumer tag (the API's consumerStatsKey). */
export function consumerStatsKey(c: { queue: string; channel: string; consumer_tag: string }): string {
  return `${c.queue}|${c.channel}|${c.consumer_tag}`;
}

/** How a stats tick names a producer: channel name, exchange, and for the default exchange the routing key. */
export function producerStatsKey(p: { channel: string; exchange: string; routing_key?: string }): string {
  return `${p.channel}|${p.exchange}|${p.routing_key ?? ''}`;
}

/** Producers stay in stats ticks this long after their last publish (the API's PRODUCER_WINDOW_MS). */
export const PRODUCER_WINDOW_MS = 5_000;

export type ClientMessage =
  | { type: 'auth'; username: string; password: string }
  | { type: 'vhost'; vhost: string }
  /** message-flow events per second this browser wants at most (default 50, max 200; 0 = none) */
  | { type: 'flow'; budget: number }
  /**
   * Measured flow from a remote cluster's firehose, on or off (it costs the cluster work for every
   * message). Answered with a firehose message; 'not_supported' where flow is always measured.
   */
  | { type: 'firehose'; on: boolean }
  /**
   * A consumer on a queue of the watched vhost; answered with consume-ok, or cancelled (with the
   * reason) when it cannot start. prefetch 0 = no limit but the socket's back-pressure; with ack
   * 'auto' prefetch does not apply, as in AMQP. Delivery tags are per consumer, from 1.
   */
  | { type: 'consume'; id: string; queue: string; prefetch: number; ack: 'manual' | 'auto' }
  | { type: 'ack'; id: string; deliveryTag: number; multiple?: boolean }
  | { type: 'nack'; id: string; deliveryTag: number; multiple?: boolean; requeue: boolean }
  | { type: 'reject'; id: string; deliveryTag: number; requeue: boolean }
  /** Ends the consumer; what it held unacked is requeued (like closing its channel). */
  | { type: 'cancel'; id: string }
  /**
   * Follow a message's journey completely (not sampled): the next one published to `exchange`, or
   * the one whose flow id is `flowId` (a delivery's flowId, a flow event's id). Its events then come
   * in flow messages with `followed: true`, outside the budget. An error 'not_supported' where the
   * broker cannot (a remote RabbitMQ).
   */
  | { type: 'follow'; exchange: string; flowId?: undefined }
  | { type: 'follow'; flowId: number; exchange?: undefined };

export type FlowEventMessage = FlowEvent;

/** A delivery to a browser consumer; at most 1 MiB of the body, payloadBytes tells the full size. */
export type DeliveredMessage = Delivery;

export type ServerMessage =
  | { type: 'hello'; product: string; version: string; user: string; tags: string[] }
  /** `id` names the browser consumer a consume/ack/nack/reject/cancel error is about */
  | { type: 'error'; error: string; reason: string; id?: string }
  | {
      type: 'snapshot';
      vhost: string;
      exchanges: Item[];
      queues: Item[];
      /** without the default exchange's binding of each queue when defaultBindings is 'implied' */
      bindings: Item[];
      consumers: Item[];
      connections: Item[];
      /** 'implied': each queue's default-exchange binding is left out; impliedDefaultBinding makes it */
      defaultBindings?: 'implied';
      /** the vhost's rates over the last ten minutes at five-second steps, oldest first */
      history: RatePoint[];
    }
  /** add replaces an item with the same identity; remove names it by identity fields */
  | { type: 'diff'; changes: TopologyChange[] }
  /** by queue, exchange, bindingStatsKey(), consumerStatsKey() and producerStatsKey(); rates per second, measured */
  | ({ type: 'stats' } & StatsTick)
  | { type: 'flow'; events: FlowEventMessage[]; dropped: number }
  /** whether this browser's flow comes from the firehose now; `reason` when it stopped or could not start */
  | { type: 'firehose'; on: boolean; reason?: string }
  | { type: 'consume-ok'; id: string; consumerTag: string }
  | { type: 'delivery'; id: string; message: DeliveredMessage }
  /** the consumer ended: cancelled by the browser, queue deleted, or an error */
  | { type: 'cancelled'; id: string; reason: string };

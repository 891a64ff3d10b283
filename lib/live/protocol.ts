// The console's WebSocket protocol at /api/ws: JSON text frames, one message each. Shared by the
// server hub (lib/live) and the browser client (lib/client); nothing here imports either side.
//
// The browser authenticates first (a browser cannot set an Authorization header on a WebSocket),
// then picks a vhost. The server answers with a snapshot, then sends topology diffs as AMQP clients
// change things, a stats tick at least once a second, sampled message-flow events within a budget,
// and deliveries for the browser's own consumers.

/** Management-API shaped items, as the REST API returns them (RabbitMQ's field names). */
export type Item = Record<string, unknown>;

/** How a stats tick names a binding: the fields that identify it, as the REST API gives them. */
export function bindingStatsKey(b: { source: string; destination_type: string; destination: string; properties_key: string }): string {
  return `${b.source}|${b.destination_type}|${b.destination}|${b.properties_key}`;
}

export type TopologyKind = 'exchange' | 'queue' | 'binding' | 'consumer' | 'connection';

export type ClientMessage =
  | { type: 'auth'; username: string; password: string }
  | { type: 'vhost'; vhost: string }
  /** message-flow events per second this browser wants at most (default 50, max 200; 0 = none) */
  | { type: 'flow'; budget: number }
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
  | { type: 'cancel'; id: string };

export interface FlowEventMessage {
  kind: 'published' | 'returned' | 'delivered' | 'acked' | 'requeued' | 'rejected' | 'expired' | 'dropped' | 'dead-lettered';
  id: number;
  exchange?: string;
  routingKey?: string;
  /** published: where it went; empty = unroutable */
  queues?: string[];
  queue?: string;
  consumerTag?: string;
  redelivered?: boolean;
  reason?: string;
  /** ms since epoch */
  ts: number;
}

export interface DeliveredMessage {
  deliveryTag: number;
  redelivered: boolean;
  exchange: string;
  routingKey: string;
  properties: Item;
  /** at most 1 MiB of the body; payloadBytes tells the full size */
  payload: string;
  payloadEncoding: 'string' | 'base64';
  payloadBytes: number;
}

/** A vhost's message rates (per second) and depth at one moment. */
export interface RateTotals {
  publish_rate: number;
  deliver_rate: number;
  ack_rate: number;
  messages: number;
}

export interface RatePoint extends RateTotals {
  ts: number;
}

export type ServerMessage =
  | { type: 'hello'; product: string; version: string; user: string; tags: string[] }
  /** `id` names the browser consumer a consume/ack/nack/reject/cancel error is about */
  | { type: 'error'; error: string; reason: string; id?: string }
  | {
      type: 'snapshot';
      vhost: string;
      exchanges: Item[];
      queues: Item[];
      bindings: Item[];
      consumers: Item[];
      connections: Item[];
      /** the vhost's rates over the last ten minutes at five-second steps, oldest first */
      history: RatePoint[];
    }
  /** add replaces an item with the same identity; remove names it by identity fields */
  | { type: 'diff'; changes: { op: 'add' | 'remove' | 'update'; kind: TopologyKind; item: Item }[] }
  | {
      type: 'stats';
      ts: number;
      /** by queue name */
      queues: Record<string, { messages_ready: number; messages_unacknowledged: number; consumers: number; publish_rate: number; deliver_rate: number; ack_rate: number }>;
      /** by exchange name */
      exchanges: Record<string, { publish_in_rate: number; publish_out_rate: number }>;
      /** by bindingStatsKey(): messages per second routed through each binding */
      bindings: Record<string, { publish_rate: number }>;
      totals: RateTotals;
    }
  | { type: 'flow'; events: FlowEventMessage[]; dropped: number }
  | { type: 'consume-ok'; id: string; consumerTag: string }
  | { type: 'delivery'; id: string; message: DeliveredMessage }
  /** the consumer ended: cancelled by the browser, queue deleted, or an error */
  | { type: 'cancelled'; id: string; reason: string };

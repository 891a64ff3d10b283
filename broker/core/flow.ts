/**
 * Message-flow events for the console: a sampled message is followed from its exchange to its
 * queues, consumers and acknowledgement. With no tap installed (nobody watching) the hot path pays
 * one comparison per step; with one, only messages the tap samples (or follows: a message's
 * journey) pay for events.
 */
export type FlowEvent =
  /** routed to `queues`; an empty list means unroutable */
  | {
      kind: 'published'; id: number; vhost: string; exchange: string; routingKey: string; queues: string[];
      /** the publishing AMQP channel, when a client published it (not the management API, not dead-lettering) */
      origin?: { connection: string; channel: number; user: string };
    }
  | { kind: 'returned'; id: number; vhost: string; exchange: string; routingKey: string }
  /** deliveryTag 0: a basic.get, or a consumer that does not number its deliveries */
  | { kind: 'delivered'; id: number; vhost: string; queue: string; consumerTag: string; deliveryTag: number; redelivered: boolean }
  | { kind: 'acked' | 'requeued' | 'rejected' | 'expired' | 'dropped'; id: number; vhost: string; queue: string }
  | {
      kind: 'dead-lettered'; id: number; vhost: string; queue: string; exchange: string; reason: string;
      /** the key it is republished with, and the x-death entry this death wrote (count: deaths of this queue and reason) */
      routingKey: string; death: { count: number; reason: string; queue: string; exchange: string };
    };

export interface FlowTap {
  /**
   * The trace id to give a message published to `exchange` in `vhost`, or 0 to leave it alone;
   * called once per publish while a tap is set (the tap picks samples and messages to follow).
   */
  sample(vhost: string, exchange: string): number;
  emit(event: FlowEvent): void;
}

let lastId = 0;
export function nextTraceId(): number {
  lastId = (lastId + 1) % Number.MAX_SAFE_INTEGER || 1;
  return lastId;
}

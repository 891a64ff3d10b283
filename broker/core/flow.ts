/**
 * Message-flow events for the console: a sampled message is followed from its exchange to its
 * queues, consumers and acknowledgement. With no tap installed (nobody watching) the hot path pays
 * one comparison per step; with one, only messages the tap samples pay for events.
 */
export type FlowEvent =
  /** routed to `queues`; an empty list means unroutable */
  | { kind: 'published'; id: number; vhost: string; exchange: string; routingKey: string; queues: string[] }
  | { kind: 'returned'; id: number; vhost: string; exchange: string; routingKey: string }
  | { kind: 'delivered'; id: number; vhost: string; queue: string; consumerTag: string; redelivered: boolean }
  | { kind: 'acked' | 'requeued' | 'rejected' | 'expired' | 'dropped'; id: number; vhost: string; queue: string }
  | { kind: 'dead-lettered'; id: number; vhost: string; queue: string; exchange: string; reason: string };

export interface FlowTap {
  /** Whether to follow the next published message; called once per publish while a tap is set. */
  sample(): boolean;
  emit(event: FlowEvent): void;
}

let lastId = 0;
export function nextTraceId(): number {
  lastId = (lastId + 1) % Number.MAX_SAFE_INTEGER || 1;
  return lastId;
}

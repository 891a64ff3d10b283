import type { Queue, QueueEntry } from './queue';

/**
 * Anything that takes messages from a queue: an AMQP channel's consumer, the management API's
 * `get`, a browser consumer. Ack, nack, reject and requeue mean the same for all of them.
 */
export interface Consumer {
  readonly tag: string;
  readonly noAck: boolean;
  readonly exclusive: boolean;
  /** x-priority: higher-priority consumers get messages while they have credit. */
  readonly priority: number;
  /** Prefetch credit and socket back-pressure together. */
  hasCredit(): boolean;
  /** Its own prefetch has room (no side effects, unlike hasCredit). */
  hasOwnCredit(): boolean;
  /** Set by its queue: refused a message for want of credit, out of the queue's rotation until unblocked. */
  blocked: boolean;
  deliver(queue: Queue, entry: QueueEntry): void;
  /** The queue went away under the consumer (deleted): RabbitMQ sends basic.cancel. */
  cancelledByQueue(queue: Queue): void;
  /** For listings: which connection and channel, prefetch and so on. */
  describe(): ConsumerInfo;
  /** What this consumer was handed and what it settled: plain increments, read by the stats tick. */
  readonly stats: ConsumerStats;
  /** The delivery tag its next delivery will carry, for a followed message's journey; only asked then. */
  nextDeliveryTag?(): number;
  /** Deliveries it holds unacknowledged now (its prefetch window in use). */
  unackedCount(): number;
}

/**
 * Per-consumer counters. The queue counts deliveries and redeliveries as it hands a message over
 * (Queue.dispatch); each implementation counts its acks and its nacks/rejects as it settles.
 */
export interface ConsumerStats {
  delivered: number;
  redelivered: number;
  acked: number;
  /** nacks and rejects, requeued or not */
  rejected: number;
}

export const newConsumerStats = (): ConsumerStats => ({ delivered: 0, redelivered: 0, acked: 0, rejected: 0 });

export interface ConsumerInfo {
  connection: string;
  channel: number;
  prefetchCount: number;
  ackRequired: boolean;
  exclusive: boolean;
  arguments: Record<string, unknown>;
}

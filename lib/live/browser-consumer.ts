// A browser's consumer on a queue: a real core Consumer, so the queue hands it messages exactly as
// it does an AMQP channel's, and ack, nack, reject and requeue go through the same queue calls
// (redelivered flags, dead-lettering and counts behave the same). Each browser consumer is its own
// "channel": delivery tags are its own, from 1, and `multiple` covers only its deliveries.
import { isUtf8 } from 'node:buffer';
import type { Consumer, ConsumerInfo } from '../../broker/core/consumer';
import type { Queue, QueueEntry } from '../../broker/core/queue';
import { propertiesToJson } from '../management/message-properties';
import type { DeliveredMessage } from './protocol';

/** Bodies longer than this reach the browser cut short (payloadBytes still tells the full size). */
export const MAX_PAYLOAD_BYTES = 1024 * 1024;

/** What a browser consumer needs from the session that owns it. */
export interface ConsumerOwner {
  readonly connectionName: string;
  /** false while the WebSocket has too much unsent data: deliveries pause, the queue keeps them */
  canWrite(): boolean;
  sendDelivery(consumer: BrowserConsumer, message: DeliveredMessage): void;
  /** The queue went away: the owner forgets the consumer and tells the browser. */
  cancelledByQueue(consumer: BrowserConsumer): void;
}

export interface BrowserConsumerOptions {
  id: string;
  tag: string;
  queue: Queue;
  channel: number;
  prefetch: number;
  ack: 'manual' | 'auto';
}

export class BrowserConsumer implements Consumer {
  readonly tag: string;
  readonly noAck: boolean;
  readonly exclusive = false;
  readonly priority = 0;
  /** The browser's name for this consumer. */
  readonly id: string;
  readonly queue: Queue;
  readonly channel: number;
  /** 0: no limit but the socket's back-pressure, as in AMQP */
  readonly prefetch: number;
  private readonly owner: ConsumerOwner;
  /** tag → entry, in delivery order (tags only grow), so `multiple` can stop at the tag */
  private readonly unacked = new Map<number, QueueEntry>();
  private nextTag = 1;
  private active = true;

  constructor(owner: ConsumerOwner, o: BrowserConsumerOptions) {
    this.owner = owner;
    this.id = o.id;
    this.tag = o.tag;
    this.queue = o.queue;
    this.channel = o.channel;
    this.prefetch = o.prefetch;
    this.noAck = o.ack === 'auto';
  }

  get unackedCount(): number {
    return this.unacked.size;
  }

  hasCredit(): boolean {
    if (!this.active) return false;
    if (!this.noAck && this.prefetch !== 0 && this.unacked.size >= this.prefetch) return false;
    return this.owner.canWrite();
  }

  deliver(_queue: Queue, entry: QueueEntry): void {
    const tag = this.nextTag++;
    if (!this.noAck) this.unacked.set(tag, entry);
    this.owner.sendDelivery(this, deliveredMessage(tag, entry));
  }

  cancelledByQueue(_queue: Queue): void {
    this.active = false;
    this.owner.cancelledByQueue(this);
  }

  describe(): ConsumerInfo {
    return {
      connection: this.owner.connectionName,
      channel: this.channel,
      prefetchCount: this.prefetch,
      ackRequired: !this.noAck,
      exclusive: false,
      arguments: {},
    };
  }

  /** Returns an error text for an unknown tag, as AMQP's 406 would say; undefined when done. */
  ack(tag: number, multiple: boolean): string | undefined {
    return this.settle(tag, multiple, (e) => this.queue.settle(e));
  }

  nack(tag: number, multiple: boolean, requeue: boolean): string | undefined {
    return this.settle(tag, multiple, requeue ? (e) => this.queue.requeue(e) : (e) => this.queue.discard(e));
  }

  reject(tag: number, requeue: boolean): string | undefined {
    return this.nack(tag, false, requeue);
  }

  /** No more deliveries; what it held stays unacked until requeueAll. */
  deactivate(): void {
    this.active = false;
  }

  /** Everything unacked goes back to the queue, marked redelivered. The caller dispatches. */
  requeueAll(): void {
    for (const e of this.unacked.values()) this.queue.requeue(e);
    this.unacked.clear();
  }

  /** Tag 0 with `multiple` means every outstanding delivery, as in AMQP. */
  private settle(tag: number, multiple: boolean, action: (e: QueueEntry) => void): string | undefined {
    const unacked = this.unacked;
    if (multiple) {
      if (tag !== 0 && !unacked.has(tag)) return `unknown delivery tag ${tag}`;
      for (const [t, e] of unacked) {
        if (tag !== 0 && t > tag) break;
        unacked.delete(t);
        action(e);
      }
    } else {
      const e = unacked.get(tag);
      if (e === undefined) return `unknown delivery tag ${tag}`;
      unacked.delete(tag);
      action(e);
    }
    // credit came back (and a requeued message may be ready again)
    this.queue.dispatch();
    return undefined;
  }
}

/** The delivery as the browser sees it; payload encoding as the management API's `get` chooses it. */
export function deliveredMessage(tag: number, entry: QueueEntry): DeliveredMessage {
  const msg = entry.msg;
  const full = msg.body;
  const body = full.length > MAX_PAYLOAD_BYTES ? full.subarray(0, MAX_PAYLOAD_BYTES) : full;
  const asString = isUtf8(body);
  return {
    deliveryTag: tag,
    redelivered: entry.redelivered,
    exchange: msg.exchange,
    routingKey: msg.routingKey,
    properties: propertiesToJson(msg.properties),
    payload: asString ? body.toString('utf8') : body.toString('base64'),
    payloadEncoding: asString ? 'string' : 'base64',
    payloadBytes: msg.bodySize,
  };
}

import type { Consumer, ConsumerInfo, ConsumerStats } from '../core/consumer';
import type { Queue, QueueEntry } from '../core/queue';
import type { FieldTable } from '../core/field-values';
import { DELIVER_FRAMES } from './content';
import type { Channel } from './channel';

/** What a quorum queue's consumer without a prefetch may hold unacked (rabbit_quorum_queue:consume). */
const QUORUM_DEFAULT_CREDIT = 2000;

/** A basic.consume on an AMQP channel: credit comes from the channel's prefetch and the socket. */
export class ChannelConsumer implements Consumer, ConsumerStats {
  // What a delivery reads comes first, and the counters are fields of the consumer rather than a
  // second object: with thousands of consumers each is out of the CPU's cache when its turn comes.
  readonly channel: Channel;
  readonly noAck: boolean;
  readonly prefetch: number;
  unacked = 0;
  delivered = 0;
  acked = 0;
  readonly tag: string;
  /** the consumer tag's UTF-8 length, measured once rather than per delivery */
  private readonly tagBytes: number;
  redelivered = 0;
  /** nacks and rejects, requeued or not */
  rejected = 0;
  readonly queue: Queue;
  readonly exclusive: boolean;
  readonly arguments: FieldTable;
  readonly priority: number;
  /** on one of the channel's lists of consumers waiting for credit (see hasCredit) */
  waiting = false;
  blocked = false;
  /** the prefetch the consumer was given, as listed (`prefetch` is what counts) */
  readonly prefetchCount: number;

  constructor(channel: Channel, queue: Queue, tag: string, noAck: boolean, exclusive: boolean, args: FieldTable) {
    this.channel = channel;
    this.queue = queue;
    this.tag = tag;
    this.tagBytes = Buffer.byteLength(tag);
    this.noAck = noAck;
    this.exclusive = exclusive;
    this.prefetchCount = channel.prefetchCount;
    // RabbitMQ 3.10's quorum queues give a consumer without a prefetch a credit of 2,000
    const quorum = queue.queueType === 'quorum';
    this.prefetch = quorum && !noAck && this.prefetchCount === 0 ? QUORUM_DEFAULT_CREDIT : this.prefetchCount;
    this.arguments = args;
    const p = args['x-priority'];
    this.priority = typeof p === 'number' && Number.isInteger(p) ? p : 0;
  }

  get stats(): ConsumerStats {
    return this;
  }

  /**
   * Refused for its own prefetch, the consumer gets the queue's next message when one of its own
   * deliveries is settled (the channel dispatches the delivery's queue). Refused for what the
   * channel or connection lacks (a global prefetch, a full socket), it waits on the channel's list
   * for that reason, resumed when that returns: only those are visited then, not every consumer.
   */
  hasCredit(): boolean {
    const ch = this.channel;
    if (ch.closing) return false;
    if (!this.noAck && this.prefetch !== 0 && this.unacked >= this.prefetch) return false;
    // RabbitMQ's limiter holds the whole channel back at its global prefetch, no-ack consumers too
    // (their deliveries do not count against it)
    if (ch.globalPrefetchUsedUp()) return ch.waitingForPrefetch.add(this);
    return ch.conn.canWrite() || ch.waitingForSocket.add(this);
  }

  /** Its own prefetch has room: what RabbitMQ's limiter asks before it lets a refused consumer back into its queue's rotation. */
  hasOwnCredit(): boolean {
    return this.noAck || this.prefetch === 0 || this.unacked < this.prefetch;
  }

  deliver(queue: Queue, entry: QueueEntry): void {
    const ch = this.channel;
    const tag = ch.nextDeliveryTag++;
    if (this.noAck) ch.stats.deliverNoAck++;
    else ch.stats.deliver++;
    if (entry.redelivered) ch.stats.redeliver++;
    if (!this.noAck) {
      ch.unacked.add(tag, { queue, entry, consumer: this });
      this.unacked++;
      ch.unackedToConsumers++;
    }
    const msg = entry.msg;
    const conn = ch.conn;
    const properties = queue.deliveryProperties(entry, false);
    // before any room is reserved: reading a paged-out body can fail, and frames cut short would corrupt the stream
    const body = msg.bodyBuffer;
    const bodyStart = msg.bodyOffset;
    const frames = DELIVER_FRAMES.measure(conn.frameMax, this.tag, msg.exchange, msg.routingKey, properties.length, msg.bodySize, this.tagBytes);
    const at = conn.reserve(frames.size);
    frames.write(conn.arena, at, ch.id, tag, entry.redelivered, properties, body, bodyStart);
    if (ch.vhost.tracing) ch.vhost.traceDeliver(queue, entry, ch);
  }

  nextDeliveryTag(): number {
    return this.channel.nextDeliveryTag;
  }

  unackedCount(): number {
    return this.unacked;
  }

  cancelledByQueue(_queue: Queue): void {
    this.channel.consumerCancelledByServer(this);
  }

  describe(): ConsumerInfo {
    return {
      connection: this.channel.conn.name,
      channel: this.channel.id,
      prefetchCount: this.prefetchCount,
      ackRequired: !this.noAck,
      exclusive: this.exclusive,
      arguments: this.arguments,
    };
  }
}

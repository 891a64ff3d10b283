// A consumer through the broker API (a browser's, a scenario's): a real core Consumer, so the queue
// hands it messages exactly as it does an AMQP channel's, and ack, nack, reject and requeue go
// through the same queue calls — redelivered flags, dead-lettering, delivery counts and the
// management counters behave the same. It starts with basic.consume's checks (consumeTarget), so a
// queue refuses it as it would an AMQP client. Each is its own "channel" of an ApiConnection:
// delivery tags are its own, from 1, and `multiple` covers only its deliveries.
import { nextTraceId } from '../core/flow';
import { newConsumerStats, type Consumer, type ConsumerInfo } from '../core/consumer';
import { generatedConsumerTag } from '../core/names';
import type { PropertiesCodec } from '../core/properties';
import { consumeTarget } from '../core/publishing';
import type { Queue, QueueEntry } from '../core/queue';
import { UnackedWindow } from '../core/unacked-window';
import type { Logger } from '../logger';
import type { Actor, ConsumeOptions, ConsumerHandle, Delivery, DeliverySink } from '../api/broker-api';
import { BrokerError } from '../api/errors';
import { vhostFor } from './access';
import { ApiConnection } from './api-connection';
import { payloadOf, propertiesToJson } from './message-properties';
import type { LiveState } from './vhost-watch';

/** AMQP's prefetch_count is a short. */
const MAX_PREFETCH = 65535;

export function consume(live: LiveState, who: Actor, vhost: string, queue: string, opts: ConsumeOptions, sink: DeliverySink): ConsumerHandle {
  checkOptions(opts);
  const core = live.core;
  const vh = vhostFor(core, who, vhost);
  const noAck = opts.ack === 'auto';
  const q = consumeTarget(vh, core.users, who.name, queue, { owner: null, exclusive: false, noAck, prefetch: opts.prefetch, globalQos: false, arguments: {} });
  const conn = connectionFor(live, opts.connectionName, who.name, vh.name);
  const c = new ApiConsumer(conn, q, vh.propertiesCodec, live.log, opts, sink);
  conn.opened(c);
  core.emit({ type: 'consumer.created', vhost: vh.name, queue: q.name, tag: c.tag });
  q.addConsumer(c);
  return c.handle();
}

function checkOptions(opts: ConsumeOptions): void {
  const { prefetch, ack, connectionName, maxPayloadBytes } = opts;
  if (!Number.isInteger(prefetch) || prefetch < 0 || prefetch > MAX_PREFETCH) throw BrokerError.badRequest(`prefetch must be an integer from 0 to ${MAX_PREFETCH}`);
  if (ack !== 'manual' && ack !== 'auto') throw BrokerError.badRequest("ack must be 'manual' or 'auto'");
  if (typeof connectionName !== 'string' || connectionName === '') throw BrokerError.badRequest('a consumer needs a connection name');
  if (maxPayloadBytes !== undefined && !(Number.isInteger(maxPayloadBytes) && maxPayloadBytes >= 0)) {
    throw BrokerError.badRequest('maxPayloadBytes must be an integer >= 0');
  }
}

/** Consumers with the same connection name share one connection, as channels of one AMQP client. */
function connectionFor(live: LiveState, name: string, user: string, vhost: string): ApiConnection {
  const existing = live.apiConnections.get(name);
  if (existing === undefined) return new ApiConnection(live.core, live.apiConnections, { name, user, vhost });
  if (existing.user !== user || existing.vhostName !== vhost) {
    throw new BrokerError('precondition_failed', `connection '${name}' is open as user '${existing.user}' in vhost '${existing.vhostName}'`);
  }
  return existing;
}

const unknownTag = (tag: number) => new BrokerError('precondition_failed', `unknown delivery tag ${tag}`, { code: 406 });

function settled(op: () => void): Promise<void> {
  try {
    op();
    return Promise.resolve();
  } catch (err) {
    return Promise.reject(err);
  }
}

export class ApiConsumer implements Consumer {
  readonly tag = generatedConsumerTag();
  readonly noAck: boolean;
  readonly exclusive = false;
  readonly priority = 0;
  readonly stats = newConsumerStats();
  blocked = false;
  readonly queue: Queue;
  readonly channel: number;
  /** 0: no limit but the sink's back-pressure, as in AMQP */
  readonly prefetch: number;
  private readonly conn: ApiConnection;
  private readonly sink: DeliverySink;
  private readonly codec: PropertiesCodec;
  private readonly log: Logger;
  private readonly maxPayloadBytes: number | undefined;
  /** tag → entry, in delivery order (tags only grow), so `multiple` can stop at the tag */
  private readonly unacked = new UnackedWindow<QueueEntry>();
  private nextTag = 1;
  private active = true;

  constructor(conn: ApiConnection, queue: Queue, codec: PropertiesCodec, log: Logger, opts: ConsumeOptions, sink: DeliverySink) {
    this.conn = conn;
    this.queue = queue;
    this.codec = codec;
    this.log = log;
    this.sink = sink;
    this.channel = conn.allocateChannel();
    this.prefetch = opts.prefetch;
    this.noAck = opts.ack === 'auto';
    this.maxPayloadBytes = opts.maxPayloadBytes;
  }

  hasOwnCredit(): boolean {
    return this.noAck || this.prefetch === 0 || this.unacked.size < this.prefetch;
  }

  hasCredit(): boolean {
    if (!this.active) return false;
    if (!this.noAck && this.prefetch !== 0 && this.unacked.size >= this.prefetch) return false;
    return this.sink.canTake();
  }

  deliver(queue: Queue, entry: QueueEntry): void {
    const tag = this.nextTag++;
    if (!this.noAck) this.unacked.add(tag, entry);
    // the sink runs inside whatever published: its failure must not become the publisher's
    try {
      const d = this.delivery(queue, tag, entry);
      this.sink.deliver(d, d.payloadBytes > (this.maxPayloadBytes ?? Infinity) ? entry.msg.body : undefined);
    } catch (err) {
      this.log.error(`API consumer ${this.tag}: delivery failed: ${errorText(err)}`);
    }
  }

  nextDeliveryTag(): number {
    return this.nextTag;
  }

  unackedCount(): number {
    return this.unacked.size;
  }

  /** Its unacked deliveries, tag and entry, in delivery order: for browsing, read only. */
  heldDeliveries(): IterableIterator<[number, QueueEntry]> {
    return this.unacked.entries();
  }

  cancelledByQueue(queue: Queue): void {
    // the queue has already let go of the consumer; what it held can only be forgotten
    this.active = false;
    this.conn.closed(this);
    this.requeueAll();
    this.notifyCancelled(`queue '${queue.name}' was deleted`);
  }

  describe(): ConsumerInfo {
    return {
      connection: this.conn.name,
      channel: this.channel,
      prefetchCount: this.prefetch,
      ackRequired: !this.noAck,
      exclusive: false,
      arguments: {},
    };
  }

  /** What the API's caller holds. */
  handle(): ConsumerHandle {
    return {
      tag: this.tag,
      ack: (tag, multiple) =>
        settled(() =>
          this.settle(tag, multiple, (e) => {
            this.stats.acked++;
            this.queue.settle(e);
          }),
        ),
      nack: (tag, multiple, requeue) => settled(() => this.settle(tag, multiple, this.settleAs(requeue))),
      reject: (tag, requeue) => settled(() => this.settle(tag, false, this.settleAs(requeue))),
      resume: () => {
        if (!this.active) return;
        this.queue.unblock(this.isSelf);
        this.queue.dispatch();
      },
      cancel: () =>
        settled(() => {
          if (!this.detach()) return;
          this.requeueAll();
          this.queue.dispatch();
        }),
    };
  }

  /** Off its queue (which may auto-delete) and out of its connection; false when it already was. */
  detach(): boolean {
    if (!this.active) return false;
    this.active = false;
    this.conn.core.emit({ type: 'consumer.deleted', vhost: this.queue.vhost, queue: this.queue.name, tag: this.tag });
    this.queue.removeConsumer(this);
    this.conn.closed(this);
    return true;
  }

  /** Everything unacked goes back to the queue, marked redelivered. The caller dispatches. */
  requeueAll(): void {
    for (const e of this.unacked.values()) this.queue.requeue(e);
    this.unacked.clear();
  }

  notifyCancelled(reason: string): void {
    try {
      this.sink.cancelled(reason);
    } catch (err) {
      this.log.error(`API consumer ${this.tag}: cancel notification failed: ${errorText(err)}`);
    }
  }

  private settleAs(requeue: boolean): (e: QueueEntry) => void {
    return (e) => {
      this.stats.rejected++;
      if (requeue) this.queue.requeue(e);
      else this.queue.discard(e);
    };
  }

  /** Tag 0 with `multiple` means every outstanding delivery, as in AMQP. */
  private settle(tag: number, multiple: boolean, action: (e: QueueEntry) => void): void {
    const unacked = this.unacked;
    if (multiple) {
      if (tag !== 0 && !unacked.has(tag)) throw unknownTag(tag);
      // not the deliveries the loop itself makes (a discarded message dead-lettered back here): see Channel.settle
      const last = tag === 0 ? this.nextTag - 1 : tag;
      while (unacked.oldestTag() <= last) action(unacked.shift() as QueueEntry);
    } else {
      const e = unacked.delete(tag);
      if (e === undefined) throw unknownTag(tag);
      action(e);
    }
    // credit came back (and a requeued message may be ready again)
    this.queue.unblock(this.isSelf);
    this.queue.dispatch();
  }

  private readonly isSelf = (c: Consumer): boolean => c === this;

  /**
   * The delivery as basic.deliver would carry it (a quorum queue's x-delivery-count included), in
   * the management API's JSON shape; payload encoding as its `get` chooses it.
   */
  private delivery(queue: Queue, tag: number, entry: QueueEntry): Delivery {
    const msg = entry.msg;
    // a browser may pick this message to follow: it needs an id in flow events from now on
    if (msg.traceId === 0) msg.traceId = nextTraceId();
    const raw = queue.deliveryProperties(entry, false);
    const properties = raw === msg.rawProperties ? msg.properties : this.codec.decode(raw);
    const { payload, encoding } = payloadOf(msg.body, this.maxPayloadBytes, true);
    return {
      deliveryTag: tag,
      redelivered: entry.redelivered,
      exchange: msg.exchange,
      routingKey: msg.routingKey,
      properties: propertiesToJson(properties),
      payload,
      payloadEncoding: encoding,
      payloadBytes: msg.bodySize,
      flowId: msg.traceId,
    };
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}

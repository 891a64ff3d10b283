import { AmqpError } from '../core/errors';
import { messageWithCopiedBody } from '../core/body-slabs';
import { Message } from '../core/message';
import { HeadRun } from '../core/message-head';
import { sameOctets } from '../core/octets';
import { checkTopicPermission, prepareForRouting, publishTarget } from '../core/publishing';
import type { Exchange } from '../core/exchange';
import type { Queue, QueueEntry } from '../core/queue';
import type { Consumer } from '../core/consumer';
import { WaitingConsumers } from './waiting-consumers';
import { UnackedWindow } from '../core/unacked-window';
import { Routed } from '../core/vhost';
import type { VirtualHost } from '../core/vhost';
import { ChannelConsumer } from './channel-consumer';
import type { AmqpConnection } from './connection';
import { encodeReturn } from './content';
import { DiscardedContent, carriesContent, unexpectedContent } from './discarded-content';
import { handleBasic } from './handlers/basic';
import { handleExchange } from './handlers/exchange';
import { handleQueue } from './handlers/queue';
import type { AmqpMethod } from './generated/protocol';
import { AMQP_PROPERTIES, propertiesWellFormed } from './properties-codec';
import { CLASS_BASIC, readShortstr } from './generated/protocol';
import { unimplemented } from './unimplemented';


export interface Delivery {
  queue: Queue;
  entry: QueueEntry;
  /** undefined for basic.get */
  consumer: ChannelConsumer | undefined;
}

/** Messages a channel published to one exchange (to one routing key, for the default exchange). */
export interface PublishCounter {
  readonly exchange: string;
  /** only for the default exchange, where the routing key names the queue */
  readonly routingKey: string;
  /** ms since epoch when the channel first published here */
  readonly since: number;
  count: number;
}

/**
 * A channel publishing to ever new keys (RPC replies) starts its counters over past this many, at
 * most once per COUNTERS_RENEW_MS; in between, publishes to default-exchange keys without a counter
 * of their own are counted together, under the key "" (a publisher spread over thousands of queues
 * would otherwise make and drop a counter per message).
 */
const MAX_PUBLISH_COUNTERS = 256;
const COUNTERS_RENEW_MS = 5_000;

interface PendingPublish {
  exchange: string;
  routingKey: string;
  mandatory: boolean;
  properties: Buffer | undefined;
  size: number;
  received: number;
  /** the body frames so far, when it came in more than one */
  parts: Buffer[] | undefined;
  /** the queue the routing key names, when publishFromOctets found it */
  queue: Queue | undefined;
}

type TxOp =
  | { kind: 'publish'; exchange: string; msg: Message; mandatory: boolean }
  | { kind: 'ack'; tag: number; multiple: boolean }
  | { kind: 'nack'; tag: number; multiple: boolean; requeue: boolean };

/**
 * One AMQP channel: assembles published content, owns delivery tags and unacked deliveries,
 * prefetch, publisher confirms and transactions. Method handling per class lives in handlers/.
 */
export class Channel {
  readonly id: number;
  readonly conn: AmqpConnection;
  readonly vhost: VirtualHost;
  closing = false;
  /** basic.qos global=false: applies to consumers created after it */
  prefetchCount = 0;
  globalPrefetch = 0;
  nextDeliveryTag = 1;
  readonly unacked = new UnackedWindow<Delivery>();
  /**
   * What the global prefetch counts, as RabbitMQ's limiter counts it: deliveries to consumers up,
   * their settles down, basic.get's neither way (see limitGlobally for where it starts)
   */
  unackedToConsumers = 0;
  readonly consumers = new Map<string, ChannelConsumer>();
  /** consumers refused for the global prefetch, and for a full socket (see ChannelConsumer.hasCredit) */
  readonly waitingForPrefetch = new WaitingConsumers();
  readonly waitingForSocket = new WaitingConsumers();
  /** For queue name "" in bind/consume/get/purge/delete. */
  lastQueue = '';
  /** Direct reply-to: the pseudo queue name this channel's reply consumer answers to, and how many
   * replies reached it (the console draws who replies to whom from this count) */
  replyTo: { key: string; tag: string; delivered: number } | undefined;

  confirmMode = false;
  private publishSeq = 0;
  private ackDue = 0;
  private ackSent = 0;
  txOps: TxOp[] | undefined;
  /** Confirms waiting for an fsync, and those published after them: confirms go out in order. */
  private readonly heldConfirms: { seq: number; ok: boolean; durable: boolean }[] = [];
  /** A transaction whose messages were stored answers commit-ok only after the fsync. */
  private storedSinceCommit = false;
  /** While tx.commit applies the recorded acks they must act, not be recorded again. */
  private committing = false;
  /** `assembly` while a publish's content is due */
  private pending: PendingPublish | undefined;
  /** one object for every publish of the channel rather than one each: it is read out before the next starts */
  private readonly assembly: PendingPublish = { exchange: '', routingKey: '', mandatory: false, properties: undefined, size: 0, received: 0, parts: undefined, queue: undefined };
  /**
   * The previous publish's exchange, routing key and properties: a publisher mostly repeats them,
   * and every queued message then shares one string and one buffer instead of holding copies of
   * its own (about 150 B a message). The properties were checked well-formed when first kept.
   */
  private lastRoutingKey = '';
  /** see Queue.touchLines */
  private touched = 0;
  private lastExchange = '';
  /** see checkPublishable */
  private lastTarget: Exchange | undefined;
  private lastTargetGeneration = -1;
  private lastProperties: Buffer | undefined;
  /** this publisher's messages share exchange, routing key and properties while they repeat */
  private readonly heads = new HeadRun();
  /** content of a method the channel will refuse once it is whole (see DiscardedContent) */
  private discarding: DiscardedContent | undefined;
  /** basic.cancel notifications held back while deletingQueue runs */
  private heldCancels: string[] | undefined;
  /** per exchange, for the console's producers; the default exchange's are in `publishedByKey` */
  private readonly publishedTo = new Map<string, PublishCounter>();
  /** the default exchange's counters, per routing key (the queue it names) */
  private readonly publishedByKey = new Map<string, PublishCounter>();
  /** the counter of the previous publish: a channel mostly publishes to one place */
  private lastPublished: PublishCounter | undefined;
  /** when the counters last started over (see MAX_PUBLISH_COUNTERS), or were first made */
  private countersRenewedAt = Date.now();
  /** the default exchange's counter of keys without their own, while publishes are lumped there */
  private lumped: PublishCounter | undefined;
  readonly stats = {
    publish: 0, confirm: 0, returnUnroutable: 0, dropUnroutable: 0, deliver: 0, deliverNoAck: 0, get: 0, getNoAck: 0, getEmpty: 0, ack: 0, redeliver: 0,
  };

  constructor(conn: AmqpConnection, id: number) {
    this.conn = conn;
    this.id = id;
    if (conn.vhost === undefined) throw new Error('channel before vhost');
    this.vhost = conn.vhost;
  }

  // --- input -----------------------------------------------------------------------------------

  /**
   * Called for a method frame before it is decoded: while content is due, RabbitMQ's command
   * assembler answers any method frame with 505 without reading it. Also while closing.
   */
  beforeMethod(): void {
    if (this.pending !== undefined) {
      const detail = this.pending.properties === undefined
        ? `expected content header for class ${CLASS_BASIC}, got non content header frame instead`
        : 'expected content body, got non content body frame instead';
      throw new AmqpError(505, detail, 'connection', 60, 40);
    }
    if (this.discarding !== undefined) throw this.discarding.interrupted();
  }

  onMethod(m: AmqpMethod): void {
    if (this.closing) {
      // After we sent channel.close only its close-ok matters (spec 2.2.4 / RabbitMQ), but
      // RabbitMQ's command assembler still follows content meanwhile (see beforeMethod), and its
      // channel looks for a second channel.open before it drops methods.
      if (m.name === 'channel.open') throw new AmqpError(504, `second 'channel.open' seen`, 'connection', 20, 10);
      if (m.name === 'channel.close-ok') this.conn.channelClosed(this);
      else if (m.name === 'channel.close') {
        // closes crossed: answered, but the channel stays until the close-ok of ours, as RabbitMQ's
        // rabbit_channel does in its closing state; the peer that sent close answers ours too (pika does)
        this.conn.sendMethod(this.id, { name: 'channel.close-ok', args: {} });
      } else if (carriesContent(m)) this.discarding = new DiscardedContent(m);
      return;
    }
    this.beforeMethod();
    // RabbitMQ gathers a method's content before its channel looks at the method: a publish it
    // refuses, and a server's own (basic.deliver, ...), are refused once their content is whole
    if (m.name === 'basic.publish') {
      if (m.args.immediate) {
        // RabbitMQ dropped immediate delivery (3.0) and refuses it as a connection error
        this.discarding = new DiscardedContent(m, new AmqpError(540, 'immediate=true', 'connection', 60, 40));
        return;
      }
    } else if (m.classId === CLASS_BASIC && carriesContent(m)) {
      this.discarding = new DiscardedContent(m, unimplemented(m));
      return;
    }
    try {
      this.dispatch(m);
    } catch (err) {
      if (!(err instanceof AmqpError) || err.scope === 'connection') {
        if (err instanceof AmqpError && err.classId === 0) {
          err.classId = m.classId;
          err.methodId = m.methodId;
        }
        throw err;
      }
      this.fail(err, m.classId, m.methodId);
    }
  }

  private dispatch(m: AmqpMethod): void {
    switch (m.classId) {
      case 20:
        return this.handleChannel(m);
      case 40:
        return handleExchange(this, m);
      case 50:
        return handleQueue(this, m);
      case 60:
        return handleBasic(this, m);
      case 85:
        return this.handleConfirm(m);
      case 90:
        return this.handleTx(m);
      case 30:
        // access.request is gone from 0-9-1 but RabbitMQ still grants it, with ticket 1
        if (m.name !== 'access.request') throw unimplemented(m);
        this.conn.sendMethod(this.id, { name: 'access.request-ok', args: { ticket: 1 } });
        return;
      default:
        throw unimplemented(m);
    }
  }

  private handleChannel(m: AmqpMethod): void {
    switch (m.name) {
      case 'channel.open':
        throw new AmqpError(504, `second 'channel.open' seen`, 'connection', 20, 10);
      case 'channel.close':
        this.release();
        this.conn.sendMethod(this.id, { name: 'channel.close-ok', args: {} });
        this.conn.channelClosed(this);
        return;
      case 'channel.flow':
        // RabbitMQ 3.x refuses to be paused by a client; clients rely on the same answer
        if (!m.args.active) throw new AmqpError(540, 'active=false', 'connection', 20, 20);
        this.conn.sendMethod(this.id, { name: 'channel.flow-ok', args: { active: true } });
        return;
      default:
        // channel.close-ok on an open channel (the closing channel takes it in onMethod) and
        // channel.flow-ok (Warren never sends channel.flow) answer nothing: RabbitMQ 3.10.8 refuses both so
        throw unimplemented(m);
    }
  }

  private handleConfirm(m: AmqpMethod): void {
    if (m.name !== 'confirm.select') throw unimplemented(m);
    if (this.txOps !== undefined) throw new AmqpError(406, 'cannot switch from tx to confirm mode');
    this.confirmMode = true;
    if (!m.args.nowait) this.conn.sendMethod(this.id, { name: 'confirm.select-ok', args: {} });
  }

  private handleTx(m: AmqpMethod): void {
    switch (m.name) {
      case 'tx.select':
        if (this.confirmMode) throw new AmqpError(406, 'cannot switch from confirm to tx mode');
        this.txOps ??= [];
        this.conn.sendMethod(this.id, { name: 'tx.select-ok', args: {} });
        return;
      case 'tx.commit': {
        const ops = this.txOps;
        if (ops === undefined) throw new AmqpError(406, 'channel is not transactional');
        this.txOps = [];
        this.committing = true;
        try {
          for (const op of ops) {
            if (op.kind === 'publish') this.route(op.exchange, op.msg, op.mandatory);
            else if (op.kind === 'ack') this.ack(op.tag, op.multiple);
            else this.reject(op.tag, op.multiple, op.requeue);
          }
        } finally {
          this.committing = false;
        }
        const durability = this.conn.core.durability;
        if (this.storedSinceCommit && durability !== undefined) {
          this.storedSinceCommit = false;
          durability.whenDurable(() => {
            if (!this.closing) this.conn.sendMethod(this.id, { name: 'tx.commit-ok', args: {} });
          });
        } else this.conn.sendMethod(this.id, { name: 'tx.commit-ok', args: {} });
        return;
      }
      case 'tx.rollback':
        if (this.txOps === undefined) throw new AmqpError(406, 'channel is not transactional');
        this.txOps = [];
        this.conn.sendMethod(this.id, { name: 'tx.rollback-ok', args: {} });
        return;
      default:
        throw unimplemented(m);
    }
  }

  // --- publishing ------------------------------------------------------------------------------

  startPublish(exchange: string, routingKey: string, mandatory: boolean): void {
    this.conn.notePublish();
    // the equal string just decoded is garbage at once; the kept one lives with the queued messages
    if (routingKey === this.lastRoutingKey) routingKey = this.lastRoutingKey;
    else this.lastRoutingKey = routingKey;
    if (exchange === this.lastExchange) exchange = this.lastExchange;
    else this.lastExchange = exchange;
    this.begin(exchange, routingKey, mandatory, undefined);
  }

  private begin(exchange: string, routingKey: string, mandatory: boolean, queue: Queue | undefined): void {
    const p = this.assembly;
    p.exchange = exchange;
    p.routingKey = routingKey;
    p.mandatory = mandatory;
    p.properties = undefined;
    p.size = 0;
    p.received = 0;
    p.parts = undefined;
    p.queue = queue;
    this.pending = p;
  }

  /**
   * A basic.publish (`buf` from `start` to `end`: class, method, reserved short, exchange, routing
   * key, bits) started from its octets, without decoding the method into an object: most frames a
   * publisher sends are these. Through the default exchange the vhost finds the queue by the key's
   * octets, the key being the queue's own name (work queues, RPC). False for what the decoder's
   * path must see: immediate, a closing channel, a frame that is not exactly the method's fields.
   */
  publishFromOctets(buf: Buffer, start: number, end: number): boolean {
    if (end - start < 9 || this.closing) return false;
    const exchangeLength = buf[start + 6];
    const keyAt = start + 7 + exchangeLength;
    if (keyAt >= end) return false;
    const keyLength = buf[keyAt];
    const bitsAt = keyAt + 1 + keyLength;
    if (bitsAt + 1 !== end) return false;
    const bits = buf[bitsAt];
    if ((bits & 2) !== 0) return false;
    const mandatory = (bits & 1) !== 0;
    if (exchangeLength === 0) {
      const q = this.vhost.queueNamedBy(buf, keyAt + 1, keyLength);
      if (q !== undefined) {
        this.touched = q.touchLines();
        this.conn.notePublish();
        this.begin('', q.name, mandatory, q);
        return true;
      }
    }
    this.startPublish(readShortstr(buf, start + 6, end), readShortstr(buf, keyAt, end), mandatory);
    return true;
  }

  /** A content header frame: its payload is `buf` from `start` to `end` (12 octets or more). */
  onContentHeader(buf: Buffer, start: number, end: number): void {
    if (this.discarding !== undefined) return this.discard(this.discarding.header(buf.subarray(start, end)));
    if (this.closing) throw unexpectedContent();
    const p = this.pending;
    if (p === undefined || p.properties !== undefined) {
      throw new AmqpError(505, `expected method frame, got non method frame instead`, 'connection');
    }
    const classId = (buf[start] << 8) | buf[start + 1];
    // RabbitMQ's assembler takes a header only with weight 0; any other is no content header at all
    if (buf[start + 2] !== 0 || buf[start + 3] !== 0) {
      throw new AmqpError(505, `expected content header for class ${CLASS_BASIC}, got non content header frame instead`, 'connection', 60, 40);
    }
    if (classId !== CLASS_BASIC) {
      throw new AmqpError(505, `expected content header for class ${CLASS_BASIC}, got one for class ${classId} instead`, 'connection', 60, 40);
    }
    const size = buf.readUInt32BE(start + 4) * 0x100000000 + buf.readUInt32BE(start + 8);
    const max = this.conn.core.limits.maxMessageSize;
    if (size > max) {
      this.pending = undefined;
      this.fail(new AmqpError(406, `message size ${size} is larger than configured max size ${max}`), 60, 40);
      // its body frames are still on their way: counted and dropped, not a 505
      this.discarding = new DiscardedContent({ classId: 60, methodId: 40 }, undefined, size);
      return;
    }
    p.properties = this.sharedProperties(buf, start + 12, end);
    p.size = size;
    if (size === 0) this.completePublish(p, Buffer.alloc(0));
  }

  /** A content body frame: its payload is `buf` from `start` to `end`. */
  onContentBody(buf: Buffer, start: number, end: number): void {
    if (this.discarding !== undefined) return this.discard(this.discarding.body(buf.subarray(start, end)));
    if (this.closing) throw unexpectedContent();
    const p = this.pending;
    if (p === undefined || p.properties === undefined) {
      throw new AmqpError(505, `expected method frame, got non method frame instead`, 'connection');
    }
    const received = p.received + end - start;
    if (received > p.size) {
      // RabbitMQ waits for the next method to complain; refusing at once loses nothing and is clearer
      throw new AmqpError(505, `content body of ${received} bytes exceeds the ${p.size} bytes declared in its header`, 'connection', 60, 40);
    }
    p.received = received;
    if (received === p.size && p.parts === undefined) {
      // read where it lies in the socket chunk: completePublish copies it
      this.completePublish(p, buf, start, end);
      return;
    }
    (p.parts ??= []).push(buf.subarray(start, end));
    if (received === p.size) this.completePublish(p, Buffer.concat(p.parts, p.size));
  }

  /** The header's properties (`buf` from `start` to `end`): the previous publish's buffer when the bytes are the same, else a copy. */
  private sharedProperties(buf: Buffer, start: number, end: number): Buffer {
    const last = this.lastProperties;
    const n = end - start;
    if (last !== undefined && last.length === n && sameOctets(last, buf, start)) return last;
    // copied: a slice would keep the whole socket chunk alive for as long as the message lives
    const props = Buffer.from(buf.subarray(start, end));
    // kept for the next publishes only once they are known to decode (completePublish checks)
    this.lastProperties = propertiesWellFormed(props, 0, n) ? props : undefined;
    return props;
  }

  /** Once the discarded content is whole, the method it came with is refused (or, closing, forgotten). */
  private discard(whole: boolean): void {
    const d = this.discarding;
    if (!whole || d === undefined) return;
    this.discarding = undefined;
    if (d.refusal !== undefined) throw d.refusal;
  }

  /** `inChunk`: the body is a view of a socket chunk, copied into the message (a small one into a slab). */
  /** The body is `body` itself, or (`from` ≥ 0) its octets from `from` to `to`, which lie in a socket chunk and are copied. */
  private completePublish(p: PendingPublish, body: Buffer, from = -1, to = 0): void {
    this.pending = undefined;
    const props = p.properties as Buffer;
    // Parsed only when something asks (maybe in a TTL timer much later), so checked now. RabbitMQ
    // 3.10 decodes them once the message is whole (a method before the body is a 505 first) and
    // answers what it cannot decode with a bare 541, 0/0.
    if (props !== this.lastProperties && !propertiesWellFormed(props, 0, props.length)) {
      throw new AmqpError(541, `content header properties cannot be decoded (${props.length} octets)`, 'connection');
    }
    const msg = from >= 0
      ? messageWithCopiedBody(p.exchange, p.routingKey, props, AMQP_PROPERTIES, body, from, to, this.heads)
      : new Message(p.exchange, p.routingKey, props, body, AMQP_PROPERTIES, this.heads);
    try {
      if (this.txOps !== undefined) {
        this.checkPublishable(p.exchange, p.routingKey);
        this.txOps.push({ kind: 'publish', exchange: p.exchange, msg, mandatory: p.mandatory });
        return;
      }
      this.route(p.exchange, msg, p.mandatory, p.queue);
    } catch (err) {
      if (!(err instanceof AmqpError) || err.scope === 'connection') throw err;
      this.fail(err, 60, 40);
    }
  }

  /**
   * The exchange a publish goes to, checked as publishTarget checks it. A publisher mostly sends to
   * one exchange: while it is not deleted and no user or permission changed, the last one checked
   * is taken again, and only a topic exchange's routing-key permission is checked per message.
   */
  private checkPublishable(exchangeName: string, routingKey: string): Exchange {
    const users = this.conn.core.users;
    const last = this.lastTarget;
    if (last !== undefined && last.name === exchangeName && !last.deleted && this.lastTargetGeneration === users.generation) {
      if (last.type === 'topic') checkTopicPermission(users, this.conn.user, this.vhost.name, last, 'write', routingKey);
      return last;
    }
    const ex = publishTarget(this.vhost, users, this.conn.user, exchangeName, routingKey);
    this.lastTarget = ex;
    this.lastTargetGeneration = users.generation;
    return ex;
  }

  private route(exchangeName: string, msg: Message, mandatory: boolean, named?: Queue): void {
    const ex = this.checkPublishable(exchangeName, msg.routingKey);
    this.stats.publish++;
    this.countPublish(exchangeName, msg.routingKey);
    const seq = this.confirmMode ? ++this.publishSeq : 0;
    if (this.replyTo !== undefined || msg.routingKey.startsWith('amq.rabbitmq.reply-to')) {
      const handled = this.conn.directReplyTo.route(this, ex, msg);
      if (handled !== undefined) {
        this.vhost.traceUnrouted(msg, this);
        if (!handled && mandatory) this.sendReturn(msg);
        if (seq !== 0) this.confirm(seq, true);
        return;
      }
    }
    // also when this channel does not consume amq.rabbitmq.reply-to: then such a reply_to is a 406
    msg = this.conn.directReplyTo.rewriteReplyTo(this, msg);
    const ready = prepareForRouting(msg, this.conn.user, this.vhost.propertiesCodec);
    msg = ready.msg;
    const extraKeys = ready.extraKeys;
    const routed = this.vhost.publish(ex, msg, extraKeys, this, named);
    if (routed === Routed.Unroutable) {
      if (mandatory) this.sendReturn(msg);
      else this.stats.dropUnroutable++;
    }
    if (msg.logged) this.storedSinceCommit = true;
    if (seq === 0) return;
    const durability = this.conn.core.durability;
    if (msg.logged && durability !== undefined) {
      // the confirm of a stored message waits for its fsync; later confirms queue up behind it
      this.heldConfirms.push({ seq, ok: routed !== Routed.Rejected, durable: true });
      durability.whenDurable((written) => this.releaseConfirms(seq, written));
    } else if (this.heldConfirms.length > 0) {
      this.heldConfirms.push({ seq, ok: routed !== Routed.Rejected, durable: false });
    } else {
      this.confirm(seq, routed !== Routed.Rejected);
    }
  }

  /** What this channel published, per exchange (the default exchange: per routing key). */
  publishCounters(): IterableIterator<PublishCounter> {
    const [a, b] = [this.publishedTo, this.publishedByKey];
    return (function* () {
      yield* a.values();
      yield* b.values();
    })();
  }

  get publishCounterCount(): number {
    return this.publishedTo.size + this.publishedByKey.size;
  }

  private countPublish(exchange: string, routingKey: string): void {
    const last = this.lastPublished;
    if (last !== undefined && last.exchange === exchange && (exchange !== '' || last.routingKey === routingKey)) {
      last.count++;
      return;
    }
    // two maps rather than one keyed by a joined string: no string is made per publish
    const map = exchange === '' ? this.publishedByKey : this.publishedTo;
    const key = exchange === '' ? routingKey : exchange;
    let c = map.get(key);
    if (c === undefined) c = this.newPublishCounter(exchange, key);
    c.count++;
    this.lastPublished = c;
  }

  private newPublishCounter(exchange: string, key: string): PublishCounter {
    const now = this.conn.readAt;
    if (this.publishCounterCount >= MAX_PUBLISH_COUNTERS) {
      if (exchange === '' && now - this.countersRenewedAt < COUNTERS_RENEW_MS) {
        const others = this.lumped ?? this.publishedByKey.get('');
        if (others !== undefined) return (this.lumped = others);
        key = '';
      } else {
        this.countersRenewedAt = now;
        this.publishedTo.clear();
        this.publishedByKey.clear();
        this.lumped = undefined;
      }
    }
    const c: PublishCounter = { exchange, routingKey: exchange === '' ? key : '', since: now, count: 0 };
    (exchange === '' ? this.publishedByKey : this.publishedTo).set(key, c);
    if (key === '' && exchange === '' && this.publishCounterCount > MAX_PUBLISH_COUNTERS) this.lumped = c;
    return c;
  }

  /** Everything up to `seq` is on disk (or failed to get there): send those confirms, in order. */
  private releaseConfirms(seq: number, written: boolean): void {
    const held = this.heldConfirms;
    let n = 0;
    while (n < held.length && !(held[n].durable && held[n].seq > seq)) n++;
    for (const h of held.splice(0, n)) if (!this.closing) this.confirm(h.seq, h.ok && (written || !h.durable));
  }

  private sendReturn(msg: Message): void {
    this.stats.returnUnroutable++;
    if (msg.traceId !== 0) {
      this.vhost.tap?.emit({ kind: 'returned', id: msg.traceId, vhost: this.vhost.name, exchange: msg.exchange, routingKey: msg.routingKey });
    }
    this.conn.write(
      encodeReturn(this.id, this.conn.frameMax, 312, 'NO_ROUTE', msg.exchange, msg.routingKey, msg.rawProperties, msg.body),
    );
  }

  /** Confirms go out in one basic.ack(multiple) per flush; a nack flushes the acks before it. */
  private confirm(seq: number, ok: boolean): void {
    if (ok) {
      this.ackDue = seq;
      this.conn.confirmsDue.add(this);
      this.conn.scheduleFlush();
      return;
    }
    if (this.closing) return;
    this.ackDue = seq - 1;
    this.flushConfirms();
    this.conn.sendMethod(this.id, { name: 'basic.nack', args: { deliveryTag: seq, multiple: false, requeue: false } });
    this.ackSent = seq;
    this.ackDue = seq;
  }

  flushConfirms(): void {
    if (this.ackDue <= this.ackSent || this.closing) return;
    this.conn.sendMethod(this.id, {
      name: 'basic.ack',
      args: { deliveryTag: this.ackDue, multiple: this.ackDue - this.ackSent > 1 },
    });
    this.stats.confirm += this.ackDue - this.ackSent;
    this.ackSent = this.ackDue;
  }

  // --- acknowledgements ------------------------------------------------------------------------

  ack(tag: number, multiple: boolean): void {
    if (this.txOps !== undefined && !this.committing) {
      this.txOps.push({ kind: 'ack', tag, multiple });
      return;
    }
    this.settle(tag, multiple, this.ackDelivery);
  }

  /** nack and reject: requeue, or discard (dead-letter). */
  reject(tag: number, multiple: boolean, requeue: boolean): void {
    if (this.txOps !== undefined && !this.committing) {
      this.txOps.push({ kind: 'nack', tag, multiple, requeue });
      return;
    }
    this.settle(tag, multiple, requeue ? requeueDelivery : discardDelivery);
  }

  private readonly ackDelivery = (d: Delivery): void => {
    d.queue.settle(d.entry);
    this.stats.ack++;
    if (d.consumer !== undefined) d.consumer.acked++;
  };

  /**
   * RabbitMQ's channel settles deliveries in groups, one per queue and consumer (see inSettleOrder),
   * and each queue delivers again, with the credit returned, before the next group is settled.
   * Where nothing can follow (an ack of a queue with nothing waiting and no consumer refused for
   * credit: a stream of acks from many queues), the deliveries are settled as they come.
   */
  private settle(tag: number, multiple: boolean, action: (d: Delivery) => void): void {
    const unacked = this.unacked;
    if (!multiple) {
      const d = unacked.delete(tag);
      if (d === undefined) throw new AmqpError(406, `unknown delivery tag ${tag}`);
      this.settleOne(d, action);
      d.queue.settled(this.unblockable, action === requeueDelivery);
      this.resumeWaiting(false);
      return;
    }
    if (tag !== 0 && !unacked.has(tag)) throw new AmqpError(406, `unknown delivery tag ${tag}`);
    // Up to `tag`, or (0) every delivery made before this ack; not those the settling itself makes:
    // a nack may dead-letter a message to a queue this channel consumes, delivered again at once
    // (with a new tag, after the others), and RabbitMQ settles only what was outstanding.
    const last = tag === 0 ? this.nextDeliveryTag - 1 : tag;
    if (unacked.oldestTag() > last) return;
    if (action !== this.ackDelivery) {
      const taken: Delivery[] = [];
      while (unacked.oldestTag() <= last) taken.push(unacked.shift() as Delivery);
      this.settleGroups(inSettleOrder(taken), action);
    } else {
      let held: Delivery[] | undefined;
      while (unacked.oldestTag() <= last) {
        const d = unacked.shift() as Delivery;
        if (d.queue.mayDeliver) (held ??= []).push(d);
        else this.settleOne(d, action);
      }
      if (held !== undefined) this.settleGroups(inSettleOrder(held), action);
    }
    this.resumeWaiting(false);
  }

  private settleOne(d: Delivery, action: (d: Delivery) => void): void {
    if (d.consumer !== undefined) {
      d.consumer.unacked--;
      this.unackedToConsumers--;
    }
    action(d);
  }

  /** `ds` in settle order: each group (one queue's deliveries to one consumer, or one basic.get) settled, then its queue delivers. */
  private settleGroups(ds: Delivery[], action: (d: Delivery) => void): void {
    for (let i = 0; i < ds.length; ) {
      const { queue, consumer } = ds[i];
      do this.settleOne(ds[i++], action);
      while (consumer !== undefined && i < ds.length && ds[i].queue === queue && ds[i].consumer === consumer);
      queue.settled(this.unblockable, action === requeueDelivery || action === recoverDelivery);
    }
  }

  /** basic.recover: everything unacked goes back to its queue, redelivered, in settle order. */
  recover(): void {
    const taken = [...this.unacked.values()];
    this.unacked.clear();
    this.settleGroups(inSettleOrder(taken), recoverDelivery);
    this.resumeWaiting(false);
  }

  /**
   * Which consumers refused for want of credit an ack, a requeue or this channel's returning credit
   * lets back into their queue's rotation (see Queue.unblock): this channel's with prefetch to
   * spare, as RabbitMQ's limiter decides; a global prefetch or a full socket refuses them again.
   */
  readonly unblockable = (c: Consumer): boolean => c instanceof ChannelConsumer && c.channel === this && c.hasOwnCredit();

  /**
   * Credit came back: a settle returns global prefetch, a drained socket returns room (and lets
   * those refused for the global prefetch meanwhile try again). Only the consumers refused for it
   * get a turn (see WaitingConsumers).
   */
  resumeWaiting(drained: boolean): void {
    if (drained) this.waitingForSocket.resume(this.canWrite);
    this.waitingForPrefetch.resume(this.hasGlobalCredit);
  }

  /**
   * basic.qos with global set. As RabbitMQ's limiter: a limit set where there was none starts
   * counting from every unacked delivery, basic.get's included (though their acks do not count
   * down); a limit changed keeps the count; no limit, no count.
   */
  limitGlobally(prefetch: number): void {
    if (prefetch === 0) this.unackedToConsumers = 0;
    else if (this.globalPrefetch === 0) this.unackedToConsumers = this.unacked.size;
    this.globalPrefetch = prefetch;
  }

  /** Deliveries to consumers have used up the global prefetch: the channel's consumers wait, no-ack ones too. */
  globalPrefetchUsedUp(): boolean {
    return this.globalPrefetch !== 0 && this.unackedToConsumers >= this.globalPrefetch;
  }

  private readonly canWrite = (): boolean => !this.closing && this.conn.canWrite();

  private readonly hasGlobalCredit = (): boolean => !this.globalPrefetchUsedUp() && this.canWrite();

  // --- consumers -------------------------------------------------------------------------------

  addConsumer(c: ChannelConsumer): void {
    this.consumers.set(c.tag, c);
  }

  cancelConsumer(tag: string): void {
    const c = this.consumers.get(tag);
    if (c === undefined) {
      this.conn.directReplyTo.cancel(this, tag);
      return;
    }
    this.consumers.delete(tag);
    this.conn.core.emit({ type: 'consumer.deleted', vhost: this.vhost.name, queue: c.queue.name, tag });
    c.queue.removeConsumer(c);
  }

  consumerCancelledByServer(c: ChannelConsumer): void {
    if (this.consumers.get(c.tag) !== c) return;
    this.consumers.delete(c.tag);
    if (this.conn.consumerCancelNotify && !this.closing) {
      if (this.heldCancels !== undefined) this.heldCancels.push(c.tag);
      else this.conn.sendMethod(this.id, { name: 'basic.cancel', args: { consumerTag: c.tag, nowait: true } });
    }
  }

  /**
   * Runs this channel's queue.delete. RabbitMQ answers delete-ok before it tells this channel's own
   * consumers of that queue they are cancelled, and clients (py-amqp raises ConsumerCancelled
   * where the cancel arrives) depend on that order. The delete-ok may wait for the disk, so the
   * cancels are returned as a function to call right after it; if `run` throws they go at once.
   */
  deletingQueue(run: () => void): () => void {
    const held: string[] = [];
    this.heldCancels = held;
    try {
      run();
    } catch (err) {
      this.sendCancels(held);
      throw err;
    } finally {
      this.heldCancels = undefined;
    }
    return () => this.sendCancels(held);
  }

  private sendCancels(tags: string[]): void {
    for (const consumerTag of tags.splice(0)) this.conn.sendMethod(this.id, { name: 'basic.cancel', args: { consumerTag, nowait: true } });
  }

  // --- closing ---------------------------------------------------------------------------------

  /** A channel error: tell the client, drop our state now, wait for close-ok. */
  private fail(err: AmqpError, classId: number, methodId: number): void {
    this.conn.log.debug(`channel ${this.id} on ${this.conn.name}: ${err.message}`);
    this.conn.sendMethod(this.id, {
      name: 'channel.close',
      args: { replyCode: err.code, replyText: err.message, classId: err.classId || classId, methodId: err.methodId || methodId },
    });
    this.release();
  }

  /** Cancels consumers, then requeues what they held — in that order, so nothing comes back to us. */
  release(): void {
    if (this.closing) return;
    this.closing = true;
    // content cut short by the channel error is followed to its end and dropped
    const p = this.pending;
    this.pending = undefined;
    if (p !== undefined && this.discarding === undefined) {
      this.discarding = new DiscardedContent({ classId: 60, methodId: 40 }, undefined, p.properties === undefined ? -1 : p.size, p.received);
    } else if (this.discarding?.refusal !== undefined) this.discarding = undefined;
    this.txOps = undefined;
    this.conn.directReplyTo.release(this);
    for (const c of this.consumers.values()) {
      this.conn.core.emit({ type: 'consumer.deleted', vhost: this.vhost.name, queue: c.queue.name, tag: c.tag });
      c.queue.removeConsumer(c);
    }
    this.consumers.clear();
    const queues = new Set<Queue>();
    // in settle order: a quorum queue serves what comes back in the order it came
    for (const d of inSettleOrder([...this.unacked.values()])) {
      d.queue.requeue(d.entry, true);
      queues.add(d.queue);
      // a cancelled consumer's too: it holds nothing any more (a quorum queue counts it till then)
      if (d.consumer !== undefined) d.consumer.unacked = 0;
    }
    this.unacked.clear();
    this.unackedToConsumers = 0;
    for (const q of queues) q.dispatch();
  }
}

/**
 * Deliveries in the order RabbitMQ settles them: queue by queue in the order of the queues' names
 * (and, in a queue, basic.get's before a consumer's, consumers by tag), each queue's in the order
 * they were delivered, except that a priority queue goes from its highest priority down
 * (rabbit_priority_queue folds its acks priority by priority). Their dead letters and requeues go
 * in that order.
 */
function inSettleOrder(ds: Delivery[]): Delivery[] {
  const first = ds[0];
  let oneGroup = true;
  let prioritised = false;
  for (const d of ds) {
    if (d.queue !== first.queue || d.consumer !== first.consumer) oneGroup = false;
    if (d.queue.maxPriority !== undefined) prioritised = true;
  }
  // each basic.get is a group of its own (RabbitMQ's consumer tag for it is its delivery tag)
  const byPriority = (a: Delivery, b: Delivery): number => (a.consumer === undefined ? 0 : b.entry.priority - a.entry.priority);
  if (oneGroup) return prioritised ? ds.sort(byPriority) : ds;
  // An ack of many queues' deliveries is bucketed in one pass, and only the buckets (a queue's gets,
  // or one consumer's deliveries) are sorted by their names' octets: a sort of the deliveries
  // themselves cost a tenth of a message's time where a channel consumed from ten queues.
  const buckets = new Map<Queue | ChannelConsumer, Delivery[]>();
  for (const d of ds) {
    const owner = d.consumer ?? d.queue;
    const bucket = buckets.get(owner);
    if (bucket === undefined) buckets.set(owner, [d]);
    else bucket.push(d);
  }
  const keyed = [...buckets].map(([owner, bucket]) => {
    const q = bucket[0].queue;
    return { key: Buffer.from(owner === q ? `${q.name}\0` : `${q.name}\0\u0001${(owner as ChannelConsumer).tag}`), bucket };
  });
  // stable: two buckets of one name (a queue deleted and declared again) stay in the order they came
  keyed.sort((a, b) => Buffer.compare(a.key, b.key));
  const ordered: Delivery[] = [];
  for (const { bucket } of keyed) {
    if (prioritised) bucket.sort(byPriority);
    for (const d of bucket) ordered.push(d);
  }
  return ordered;
}

function recoverDelivery(d: Delivery): void {
  d.queue.requeue(d.entry);
}

function requeueDelivery(d: Delivery): void {
  if (d.consumer !== undefined) d.consumer.rejected++;
  d.queue.requeue(d.entry);
}

function discardDelivery(d: Delivery): void {
  if (d.consumer !== undefined) d.consumer.rejected++;
  d.queue.discard(d.entry);
}

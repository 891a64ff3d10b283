import type { FieldTable } from './field-values';
import type { Binding } from './binding';
import type { Consumer } from './consumer';
import { FifoReadyList, PriorityReadyList, type ReadyList } from './ready-list';
import type { Message } from './message';
import type { QueuePersistence } from './persistence';
import type { BodyPaging } from './body-paging';
import type { Policy } from './policy';
import type { PropertiesCodec } from './properties';
import { queueTypeOf, withDeliveryCount, type QueueType } from './queue-type';
import { reportToStderr, type FailureReport } from './contained';

export interface QueueEntry {
  readonly msg: Message;
  /** Position in the queue's arrival order: requeued entries go back to where they were. */
  readonly seq: number;
  redelivered: boolean;
  /** ms since epoch, 0 for never */
  readonly expiresAt: number;
  /** 0 unless the queue has x-max-priority */
  readonly priority: number;
  /** The store's handle on this entry's log record; undefined for messages not on disk. */
  stored: object | undefined;
  /** Quorum queues: how often the message came back unacked (x-delivery-count). */
  returned?: number;
}

export type DeadLetterReason = 'rejected' | 'expired' | 'maxlen' | 'delivery_limit';

export interface QueueOptions {
  durable: boolean;
  exclusiveOwner: object | null;
  autoDelete: boolean;
  arguments: FieldTable;
}

/** What a queue needs from its vhost: dead-lettering, its own removal, the properties codec. */
export interface QueueHost {
  /** Encodes the properties of the messages the queue changes (a quorum queue's x-delivery-count). */
  readonly propertiesCodec: PropertiesCodec;
  deadLetter(queue: Queue, entry: QueueEntry, reason: DeadLetterReason): void;
  autoDeleteQueue(queue: Queue): void;
  /** A traced message moved: tell the console. */
  traced(queue: Queue, entry: QueueEntry, kind: 'delivered' | 'acked' | 'requeued' | 'rejected', consumerTag?: string, deliveryTag?: number): void;
  /** A timer callback of the queue failed (see contained.ts); stderr when absent. */
  reportFailure?: FailureReport;
  /** Told which messages the queue's entries hold, so that bodies beyond a budget go to disk. */
  readonly bodyPaging?: BodyPaging;
}

export type Overflow = 'drop-head' | 'reject-publish' | 'reject-publish-dlx';

/** What a queue counted, read by the console and the management API. */
export interface QueueStats {
  published: number;
  delivered: number;
  deliveredNoAck: number;
  got: number;
  getNoAck: number;
  getEmpty: number;
  acked: number;
  redelivered: number;
  dropped: number;
}

/**
 * Message references in delivery order, handed round robin to consumers that have credit.
 * Delivered-but-unacked messages are owned by the consumer's channel; the queue only counts them.
 */
export class Queue {
  // Field order is memory order. With thousands of queues each sees a message now and then and is
  // no longer in the CPU's cache when it does: what a publish, its delivery and its ack read comes
  // first, together (15 fields, 144 B: three cache lines at most), and the queue counts in fields of
  // its own rather than in a second object. A queue without a TTL, length limit, priorities or a
  // store (`perMessageRules` false) reads none of the fields that hold them.
  /** the only consumer in the rotation (see `order`): delivering to it reads no array */
  private sole: Consumer | undefined;
  /** a publish that found this queue by name takes the name as its routing key, and checks `deleted` */
  readonly name: string;
  deleted = false;
  /** the last routing that took it (see Destinations) */
  routeStamp = 0;
  /** ready.length, kept here with readyBytes: whether anything waits is read per message */
  private readyCount = 0;
  private dispatching = false;
  /** a message TTL, a length limit, priorities or a store act on each message (see resolveRules) */
  private perMessageRules = false;
  /** where the rotation starts in `order` (the next to be offered a message) while no consumer has a priority */
  private rr = 0;
  unacked = 0;
  delivered = 0;
  published = 0;
  acked = 0;
  private nextSeq = 0;
  private readonly host: QueueHost;
  /** Kept by the transient pager: messages here whose bodies it sent to page files. */
  readonly transientPaged = { messages: 0, bytes: 0 };
  // What arguments and policy make of the limits, resolved when either changes so that the
  // per-message paths read plain fields.
  messageTtl: number | undefined;
  maxLength: number | undefined;
  maxLengthBytes: number | undefined;
  readonly maxPriority: number | undefined;
  /** where persistent messages are written (see `persistence`) */
  private store: QueuePersistence | undefined;
  readonly queueType: QueueType;
  /** every consumer, highest priority first, equal priorities in arrival order */
  readonly consumers: Consumer[] = [];
  /**
   * RabbitMQ's rotation of the consumers that may be offered a message: the head of the highest
   * priority is offered the next one and, taking it, goes to the back of its priority; one without
   * credit then leaves for `blocked`, and comes back to the back when its credit returns (see
   * unblock). A new consumer joins at the back. Without priorities it is a ring starting at `rr`.
   */
  private order: Consumer[] = [];
  /** consumers refused a message for want of credit, in the order they were refused */
  private blocked: Consumer[] = [];
  private readonly ready: ReadyList;
  private readyBytes = 0;
  /** Some consumer has a non-zero x-priority: delivery goes by priority group. */
  private prioritised = false;
  /** x-single-active-consumer: one consumer gets everything, the rest wait their turn (see `active`). */
  readonly singleActiveConsumer: boolean;
  /**
   * With a single active consumer, that one: the first to come, and after it goes the one of highest
   * priority that came first (RabbitMQ 3.10 passes the turn so).
   */
  private active: Consumer | undefined;
  // more counters read by the console and the management API (see `stats`)
  deliveredNoAck = 0;
  redelivered = 0;
  got = 0;
  getNoAck = 0;
  getEmpty = 0;
  dropped = 0;

  readonly kind = 'queue' as const;
  readonly vhost: string;
  readonly durable: boolean;
  readonly autoDelete: boolean;
  readonly arguments: FieldTable;
  exclusiveOwner: object | null;
  /** The store's number for this queue in its log records. */
  storeId = 0;
  /** Bindings that lead here, so deleting the queue removes them from their exchanges. */
  readonly incoming = new Set<Binding>();
  /** Kept by the store: persistent messages on disk, and those whose body is only there. */
  readonly persisted = { messages: 0, bytes: 0, pagedOut: 0, pagedOutBytes: 0 };

  /** The vhost's policy in effect for this queue, if any (see applyPolicy). */
  policy: Policy | undefined;
  /** The vhost's operator policy in effect for this queue, if any. */
  operatorPolicy: Policy | undefined;
  overflow: Overflow = 'drop-head';
  expires: number | undefined;
  deadLetterExchange: string | undefined;
  deadLetterRoutingKey: string | undefined;
  /** Quorum queues: returns after which a message is dead-lettered instead. */
  deliveryLimit: number | undefined;

  /** Quorum queues with reject-publish: the limits are soft (see checkSoftLimit). */
  private softLimit = false;
  private refusingPublishes = false;
  /** Quorum queues: consumers cancelled while they held deliveries (see consumerCount). */
  private lingering: Consumer[] = [];
  private hadConsumer = false;
  private exclusiveConsumer = false;
  private expiryTimer: NodeJS.Timeout | undefined;
  private expiryDue = 0;
  private unusedTimer: NodeJS.Timeout | undefined;

  constructor(host: QueueHost, vhost: string, name: string, opts: QueueOptions, policy?: Policy, operatorPolicy?: Policy) {
    this.host = host;
    this.vhost = vhost;
    this.name = name;
    this.durable = opts.durable;
    this.exclusiveOwner = opts.exclusiveOwner;
    this.autoDelete = opts.autoDelete;
    this.arguments = opts.arguments;
    this.queueType = queueTypeOf(opts.arguments);
    this.policy = policy;
    this.operatorPolicy = operatorPolicy;
    this.resolveSettings();
    const maxPriority = numberArg(opts.arguments['x-max-priority']);
    // RabbitMQ caps priorities at 255
    this.maxPriority = maxPriority === undefined ? undefined : Math.min(255, Math.max(0, maxPriority));
    this.singleActiveConsumer = opts.arguments['x-single-active-consumer'] === true;
    this.ready = this.maxPriority === undefined ? new FifoReadyList() : new PriorityReadyList(this.maxPriority);
    this.resolveRules();
    this.touch();
  }

  /** Set by the store for durable queues: where persistent messages are written. */
  get persistence(): QueuePersistence | undefined {
    return this.store;
  }

  set persistence(p: QueuePersistence | undefined) {
    this.store = p;
    this.resolveRules();
  }

  private resolveRules(): void {
    this.perMessageRules =
      this.messageTtl !== undefined || this.maxLength !== undefined || this.maxLengthBytes !== undefined || this.maxPriority !== undefined || this.store !== undefined;
  }

  /** The counters, for readers that take them as a group. */
  get stats(): QueueStats {
    return this;
  }

  /**
   * One read from each cache line the enqueue and delivery of a message will touch (the queue's
   * fields, its sole consumer and that consumer's tag), all at once: with thousands of queues none
   * is in the CPU's cache, and reads that do not wait for each other are fetched side by side
   * instead of one after another as the code reaches them. The sum only keeps the reads alive.
   */
  touchLines(): number {
    const sole = this.sole;
    return this.name.length + (this.perMessageRules ? 1 : 0) + this.nextSeq + (this.transientPaged === undefined ? 1 : 0) + (sole === undefined ? 0 : sole.tag.length + (sole.noAck ? 1 : 0));
  }

  /**
   * Whether settling a delivery here (an ack, or a discard) may make the queue deliver: only when it
   * gives a refused consumer its credit back, unless the queue is a quorum queue (see settled).
   */
  get mayDeliver(): boolean {
    return this.blocked.length > 0 || (this.queueType === 'quorum' && this.readyCount > 0);
  }

  /**
   * A group of this queue's deliveries was settled (acked, discarded, or put back: `requeued`) and
   * `unblocked` says which refused consumers have their credit back. RabbitMQ 3.10's classic queue
   * delivers again only when the settle let a refused consumer back into the rotation or put
   * messages back (rabbit_amqqueue_process's subtract_acks: `unchanged` runs nothing), so an ack
   * does not wake a consumer that was left waiting beside ready messages, such as a single active
   * consumer that took over from one cancelled. rabbit_fifo delivers after every command.
   */
  settled(unblocked: (c: Consumer) => boolean, requeued: boolean): void {
    if (this.unblock(unblocked) || requeued || this.queueType === 'quorum') this.dispatch();
  }

  get messagesReady(): number {
    return this.readyCount;
  }

  /** Body bytes of the ready messages (for listings). */
  get messageBytesReady(): number {
    return this.readyBytes;
  }

  get messageCount(): number {
    return this.messagesReady;
  }

  /**
   * The consumer count a declare-ok and the listings give. A quorum queue gives what rabbit_fifo
   * counts: its consumers, but of a single active consumer's only the active one; a cancelled
   * consumer until its deliveries are settled; and each basic.get not yet settled.
   */
  get consumerCount(): number {
    if (this.queueType !== 'quorum') return this.consumers.length;
    let count = 0;
    let held = 0;
    for (const c of this.consumers) {
      held += c.unackedCount();
      if (!this.singleActiveConsumer || c === this.active) count++;
    }
    if (this.lingering.length > 0) this.lingering = this.lingering.filter((c) => c.unackedCount() > 0);
    for (const c of this.lingering) held += c.unackedCount();
    return count + this.lingering.length + Math.max(0, this.unacked - held);
  }

  /**
   * A policy came, went or changed: the limits are resolved again, and act at once as RabbitMQ's
   * do — a lower max-length drops (and dead-letters) the oldest messages, a new x-expires clock
   * starts. Messages already queued keep the TTL they were given on arrival.
   */
  applyPolicy(policy: Policy | undefined, operatorPolicy: Policy | undefined): void {
    this.policy = policy;
    this.operatorPolicy = operatorPolicy;
    this.resolveSettings();
    if (this.deleted) return;
    if (this.expires === undefined) this.clearUnusedTimer();
    else this.touch();
    this.trimToLimits();
  }

  /**
   * RabbitMQ's rules for an argument and a policy setting the same thing: the smaller limit wins,
   * the argument wins for dead-lettering and overflow — except that quorum queues let the policy
   * win for overflow and expires. An operator policy's limits join the user policy's first, the
   * smaller winning (RabbitMQ's effective policy), and then meet the arguments as above.
   */
  private resolveSettings(): void {
    const args = this.arguments;
    const p = this.policy;
    const quorum = this.queueType === 'quorum';
    const policyInt = (key: string) => minDefined(p?.int(key), this.operatorPolicy?.int(key));
    const smaller = (arg: string, key: string) => minDefined(numberArg(args[arg]), policyInt(key));
    this.messageTtl = smaller('x-message-ttl', 'message-ttl');
    this.maxLength = smaller('x-max-length', 'max-length');
    this.maxLengthBytes = smaller('x-max-length-bytes', 'max-length-bytes');
    this.expires = quorum ? (policyInt('expires') ?? numberArg(args['x-expires'])) : smaller('x-expires', 'expires');
    this.deliveryLimit = quorum ? smaller('x-delivery-limit', 'delivery-limit') : undefined;
    const argOverflow = stringArg(args['x-overflow']);
    const overflow = quorum ? (p?.str('overflow') ?? argOverflow) : (argOverflow ?? p?.str('overflow'));
    this.overflow = overflow === 'reject-publish' || overflow === 'reject-publish-dlx' ? overflow : 'drop-head';
    this.deadLetterExchange = stringArg(args['x-dead-letter-exchange']) ?? p?.str('dead-letter-exchange');
    this.deadLetterRoutingKey = stringArg(args['x-dead-letter-routing-key']) ?? p?.str('dead-letter-routing-key');
    this.softLimit = quorum && this.overflow === 'reject-publish' && (this.maxLength !== undefined || this.maxLengthBytes !== undefined);
    this.refusingPublishes = false;
    this.checkSoftLimit();
    this.resolveRules();
  }

  /**
   * A quorum queue with x-overflow reject-publish takes messages until it holds more than a limit
   * allows, and then refuses them until it is back at 80 % of its limits (rabbit_fifo's soft limit,
   * looked at after each change of the ready messages, as rabbit_fifo does after each command).
   */
  private checkSoftLimit(): void {
    if (!this.softLimit) return;
    const length = this.maxLength;
    const bytes = this.maxLengthBytes;
    if (!this.refusingPublishes) {
      this.refusingPublishes = (length !== undefined && this.readyCount > length) || (bytes !== undefined && this.readyBytes > bytes);
    } else {
      const below = (length === undefined || this.readyCount <= Math.trunc(length * 0.8)) && (bytes === undefined || this.readyBytes <= Math.trunc(bytes * 0.8));
      this.refusingPublishes = !below;
    }
  }

  /** With drop-head, ready messages over the limits leave from the head, dead-lettered as maxlen. */
  private trimToLimits(): void {
    if (this.overflow !== 'drop-head') return;
    const over = () =>
      (this.maxLength !== undefined && this.messagesReady > this.maxLength) ||
      (this.maxLengthBytes !== undefined && this.readyBytes > this.maxLengthBytes);
    while (this.messagesReady > 0 && over()) {
      const head = this.takeHead();
      if (head === undefined) break;
      this.drop(head, 'maxlen');
    }
  }

  /**
   * Returns false when the queue refused the message (x-overflow reject-publish): the publisher
   * gets a nack, and with reject-publish-dlx the refused message is dead-lettered as maxlen.
   */
  enqueue(msg: Message): boolean {
    if (this.perMessageRules && (this.softLimit ? this.refusingPublishes : this.isFull(msg.bodySize))) {
      if (this.overflow !== 'drop-head') {
        // deadLetter counts the drop itself
        if (this.overflow === 'reject-publish-dlx') this.host.deadLetter(this, this.entryFor(msg), 'maxlen');
        else this.dropped++;
        return false;
      }
      // RabbitMQ adds first and then drops from the head: in a priority queue, a message that
      // would go in front of the current head is itself the one dropped.
      if (this.maxPriority !== undefined) {
        const entry = this.entryFor(msg);
        const head = this.peekReady();
        if (head !== undefined && entry.priority > head.priority) {
          this.published++;
          this.host.deadLetter(this, entry, 'maxlen');
          return true;
        }
      }
      while (this.messagesReady > 0 && this.isFull(msg.bodySize)) {
        const head = this.shiftReady();
        if (head === undefined) break;
        this.drop(head, 'maxlen');
      }
      // max-length 0 (or a body bigger than max-length-bytes) leaves no room at all
      if (this.isFull(msg.bodySize)) {
        this.published++;
        this.host.deadLetter(this, this.entryFor(msg), 'maxlen');
        return true;
      }
    }
    const entry = this.entryFor(msg);
    // A TTL of 0 expires on arrival unless a consumer takes the message at once (as RabbitMQ)
    if (entry.expiresAt !== 0 && entry.expiresAt <= Date.now() && (this.messagesReady > 0 || !this.consumerHasCredit())) {
      this.published++;
      this.host.deadLetter(this, entry, 'expired');
      return true;
    }
    if (this.perMessageRules && this.store !== undefined && msg.persistent) this.store.stored(this, entry);
    this.host.bodyPaging?.held(msg, this.transientPaged);
    this.published++;
    // Nothing waiting and someone to take it: handed over at once, the ready list left alone. With
    // many queues each sees a message now and then, and its list is one more thing to fetch.
    if (entry.expiresAt === 0 && (this.sole !== undefined || this.consumers.length > 0) && !this.dispatching && this.readyCount === 0) {
      const consumer = this.nextConsumer();
      if (consumer !== undefined) {
        this.dispatching = true;
        try {
          this.deliverTo(consumer, entry);
        } finally {
          this.dispatching = false;
        }
        return true;
      }
    }
    this.ready.push(entry);
    this.readyBytes += msg.bodySize;
    this.readyCount++;
    if (this.softLimit) this.checkSoftLimit();
    if (this.consumers.length > 0) this.dispatch();
    if (entry.expiresAt !== 0 && this.messagesReady > 0) this.scheduleExpiry();
    return true;
  }

  /** Delivers ready messages round robin to consumers with credit, until either runs out. */
  dispatch(): void {
    if (this.dispatching || this.deleted) return;
    // Requeued messages (every requeue is followed by a dispatch) may have taken the queue over its
    // limits: RabbitMQ drops from the head at once after a requeue (requeue_and_run, and rabbit_fifo's
    // return likewise), before it delivers again.
    if (this.perMessageRules) this.trimToLimits();
    this.dispatching = true;
    try {
      const consumers = this.consumers;
      let lookedAgain = false;
      while (consumers.length > 0 && this.messagesReady > 0) {
        let consumer = this.nextConsumer();
        if (consumer === undefined && !lookedAgain && this.blocked.length > 0) {
          // unblock is told when credit returns; this only keeps a message from waiting should a
          // consumer's credit have come back some other way
          lookedAgain = true;
          this.unblock(hasCredit);
          consumer = this.nextConsumer();
        }
        if (consumer === undefined) break;
        const entry = this.shiftReady();
        if (entry === undefined) break;
        this.deliverTo(consumer, entry);
      }
    } finally {
      this.dispatching = false;
    }
  }

  /** One entry, off the ready list or just arrived, goes to `consumer`; the caller set `dispatching`. */
  private deliverTo(consumer: Consumer, entry: QueueEntry): void {
    if (consumer.noAck) this.deliveredNoAck++;
    else {
      this.unacked++;
      this.delivered++;
    }
    const cs = consumer.stats;
    cs.delivered++;
    if (entry.redelivered) {
      this.redelivered++;
      cs.redelivered++;
    }
    if (entry.stored !== undefined) this.persistDelivery(entry, !consumer.noAck);
    if (entry.msg.traceId !== 0) this.host.traced(this, entry, 'delivered', consumer.tag, consumer.nextDeliveryTag?.() ?? 0);
    consumer.deliver(this, entry);
    if (consumer.noAck) this.release(entry);
    // rabbit_fifo takes a consumer out of its turns as soon as its credit runs out (a classic queue
    // only when it is next offered a message), and puts it back at the end when credit returns
    else if (this.queueType === 'quorum' && !consumer.blocked && !consumer.hasOwnCredit()) {
      const i = this.order.indexOf(consumer);
      if (i >= 0) this.block(i);
    }
  }

  /** basic.get: the next ready message, or undefined. The caller says whether it awaits an ack. */
  fetch(ackRequired: boolean): QueueEntry | undefined {
    this.touch();
    const entry = this.shiftReady();
    if (entry === undefined) {
      this.getEmpty++;
      return undefined;
    }
    this.got++;
    if (!ackRequired) this.getNoAck++;
    if (entry.redelivered) this.redelivered++;
    if (ackRequired) this.unacked++;
    if (entry.stored !== undefined) this.persistDelivery(entry, ackRequired);
    if (entry.msg.traceId !== 0) this.host.traced(this, entry, 'delivered', '');
    // the body stays readable for the rest of this turn, when the caller sends it
    if (!ackRequired) this.release(entry);
    return entry;
  }

  /** An unacked delivery was acked (or settled without requeue). */
  settle(entry: QueueEntry): void {
    this.unacked--;
    this.acked++;
    if (entry.stored !== undefined) this.persistence?.removed(this, entry);
    if (entry.msg.traceId !== 0) this.host.traced(this, entry, 'acked');
    this.release(entry);
  }

  /** An entry lets go of its message for good: its body's copy on disk may go. */
  private release(entry: QueueEntry): void {
    this.host.bodyPaging?.released(entry.msg, this.transientPaged);
  }

  /** Ack-required deliveries are marked so a restart redelivers them as such; no-ack ones are gone. */
  private persistDelivery(entry: QueueEntry, ackRequired: boolean): void {
    const p = this.persistence;
    if (p === undefined) return;
    if (!ackRequired) p.removed(this, entry);
    else if (!entry.redelivered) p.delivered(this, entry);
  }

  /** A ready or unacked message leaves for good: off the disk, then to the dead-letter exchange. */
  private drop(entry: QueueEntry, reason: DeadLetterReason): void {
    if (entry.stored !== undefined) this.persistence?.removed(this, entry);
    this.host.deadLetter(this, entry, reason);
    this.release(entry);
  }

  /** Recovery: a message read back from the log; call in queue order. */
  restore(msg: Message, seq: number, redelivered: boolean, expiresAt: number, stored: object): QueueEntry {
    const entry = msg.entryOf(seq, expiresAt, this.priorityOf(msg), redelivered);
    entry.stored = stored;
    this.ready.push(entry);
    this.host.bodyPaging?.held(msg, this.transientPaged);
    this.readyBytes += msg.bodySize;
    this.readyCount++;
    if (seq >= this.nextSeq) this.nextSeq = seq + 1;
    return entry;
  }

  /** After recovery: numbers already used in the log are not handed out again; start the TTL clock. */
  restored(highestSeq: number): void {
    if (highestSeq >= this.nextSeq) this.nextSeq = highestSeq + 1;
    if (this.messagesReady > 0) this.scheduleExpiry();
  }

  /** The sequence number the next message will get; the store persists the queue's position. */
  get sequence(): number {
    return this.nextSeq;
  }

  /**
   * An unacked delivery comes back: to its original place, marked redelivered. `closed`: its
   * channel went (a quorum queue puts those first).
   */
  requeue(entry: QueueEntry, closed = false): void {
    this.unacked--;
    if (this.deleted) return this.release(entry);
    entry.redelivered = true;
    if (this.queueType === 'quorum') return this.requeueQuorum(entry, closed);
    if (entry.msg.traceId !== 0) this.host.traced(this, entry, 'requeued');
    this.ready.requeue(entry);
    this.readyBytes += entry.msg.bodySize;
    this.readyCount++;
  }

  /**
   * RabbitMQ 3.10's quorum queues count each return and dead-letter a message returned more
   * often than x-delivery-limit allows. With a limit, returns go out again first, in the order they
   * came back; without one, a nack's or a recover's go to the back of the queue, and only those of
   * a channel that closed go first.
   */
  private requeueQuorum(entry: QueueEntry, closed: boolean): void {
    const returned = (entry.returned ?? 0) + 1;
    entry.returned = returned;
    if (this.deliveryLimit !== undefined && returned > this.deliveryLimit) {
      this.drop(entry, 'delivery_limit');
      return;
    }
    if (entry.msg.traceId !== 0) this.host.traced(this, entry, 'requeued');
    if (this.deliveryLimit === undefined && !closed) this.ready.push(entry);
    else this.ready.giveBack(entry);
    this.readyBytes += entry.msg.bodySize;
    this.readyCount++;
    if (this.softLimit) this.checkSoftLimit();
  }

  /**
   * The encoded properties a delivery of `entry` carries: a quorum queue adds x-delivery-count,
   * on basic.get always, to consumers once the message has come back.
   */
  deliveryProperties(entry: QueueEntry, viaGet: boolean): Buffer {
    const returned = entry.returned ?? 0;
    // the entry first: the queue's type is not among the fields a delivery otherwise reads
    if ((returned === 0 && !viaGet) || this.queueType !== 'quorum') return entry.msg.rawProperties;
    return withDeliveryCount(entry.msg, returned, this.host.propertiesCodec);
  }

  /** nack/reject without requeue: dead-letter if configured, else drop. */
  discard(entry: QueueEntry): void {
    this.unacked--;
    if (entry.msg.traceId !== 0) this.host.traced(this, entry, 'rejected');
    if (!this.deleted) this.drop(entry, 'rejected');
    else {
      if (entry.stored !== undefined) this.persistence?.removed(this, entry);
      this.release(entry);
    }
  }

  purge(): number {
    const n = this.messagesReady;
    const p = this.persistence;
    // unacked messages survive a purge, so each ready one is removed on its own
    if (p !== undefined) for (const e of this.ready) if (e.stored !== undefined) p.removed(this, e);
    this.releaseReady();
    this.ready.clear();
    this.readyBytes = 0;
    this.readyCount = 0;
    this.refusingPublishes = false;
    this.clearExpiryTimer();
    return n;
  }

  addConsumer(consumer: Consumer): void {
    if (consumer.exclusive && this.queueType !== 'quorum') this.exclusiveConsumer = true;
    // kept sorted by priority, highest first; equal priorities in arrival order
    let i = this.consumers.length;
    while (i > 0 && this.consumers[i - 1].priority < consumer.priority) i--;
    this.consumers.splice(i, 0, consumer);
    if (consumer.priority !== 0 && !this.prioritised) {
      // from a ring to a list in priority order, each priority's head first
      this.order = [...this.order.slice(this.rr), ...this.order.slice(0, this.rr)];
      this.rr = 0;
      this.prioritised = true;
    }
    consumer.blocked = false;
    this.enter(consumer);
    if (this.singleActiveConsumer && this.active === undefined) this.active = consumer;
    this.hadConsumer = true;
    this.touch();
    this.dispatch();
  }

  /** With x-single-active-consumer, the consumer that gets the messages now. */
  get singleActive(): Consumer | undefined {
    return this.active;
  }

  get hasExclusiveConsumer(): boolean {
    return this.exclusiveConsumer;
  }

  /** Returns true when the queue deleted itself (auto-delete after its last consumer). */
  removeConsumer(consumer: Consumer): boolean {
    const i = this.consumers.indexOf(consumer);
    if (i < 0) return false;
    this.consumers.splice(i, 1);
    if (consumer.blocked) this.blocked.splice(this.blocked.indexOf(consumer), 1);
    else this.leave(this.order.indexOf(consumer));
    if (consumer === this.active) this.active = this.consumers[0];
    if (this.queueType === 'quorum' && consumer.unackedCount() > 0) this.lingering.push(consumer);
    this.updateSole();
    if (consumer.exclusive) this.exclusiveConsumer = false;
    if (this.autoDelete && this.hadConsumer && this.consumers.length === 0 && !this.deleted) {
      this.host.autoDeleteQueue(this);
      return true;
    }
    this.touch();
    // rabbit_fifo delivers after every command: the single active consumer that takes over gets
    // what waits at once (a classic queue's waits for something else to make it deliver)
    if (this.queueType === 'quorum') this.dispatch();
    return false;
  }

  /** Marks the queue gone; consumers get cancelled; returns the number of ready messages dropped. */
  markDeleted(): number {
    const n = this.messagesReady;
    this.persistence?.purged(this, this.nextSeq);
    this.deleted = true;
    this.clearExpiryTimer();
    this.clearUnusedTimer();
    this.releaseReady();
    this.ready.clear();
    this.readyCount = 0;
    this.readyBytes = 0;
    this.sole = undefined;
    this.order = [];
    this.blocked = [];
    this.lingering = [];
    this.rr = 0;
    this.active = undefined;
    // a channel tells its consumers of a queue's end in the order of their tags' octets, as RabbitMQ's (a gb_set of binaries)
    const byTag = this.consumers.splice(0).map((c) => ({ c, key: Buffer.from(c.tag) }));
    byTag.sort((a, b) => Buffer.compare(a.key, b.key));
    for (const { c } of byTag) c.cancelledByQueue(this);
    return n;
  }

  private releaseReady(): void {
    const paging = this.host.bodyPaging;
    if (paging !== undefined) for (const e of this.ready) paging.released(e.msg, this.transientPaged);
  }

  /**
   * The ready entry `position` places from the head (0 is delivered next), left where it is:
   * browsing reads a page in O(page), whatever the queue's length. Lazily expired heads still show.
   */
  readyAt(position: number): QueueEntry | undefined {
    return this.ready.at(position);
  }

  /**
   * Ready entries leave for good without a delivery: a move's source copies once their copies are
   * stored elsewhere. Only the first `within` ready entries are looked at; returns how many left.
   */
  removeReady(chosen: ReadonlySet<QueueEntry>, within: number): number {
    if (chosen.size === 0 || this.deleted) return 0;
    const taken = this.ready.remove(chosen, within);
    for (const e of taken) {
      this.readyBytes -= e.msg.bodySize;
      this.readyCount--;
      if (e.stored !== undefined) this.persistence?.removed(this, e);
      this.release(e);
    }
    this.checkSoftLimit();
    return taken.length;
  }

  /** Ready entries in order, oldest first: for peeking and for the store. */
  *readyEntries(): IterableIterator<QueueEntry> {
    yield* this.ready;
  }

  /** Resets the x-expires clock: any use of the queue (declare, consume, get) counts. */
  touch(): void {
    if (this.expires === undefined || this.deleted) return;
    this.armUnusedTimer(Date.now() + this.expires);
  }

  private clearUnusedTimer(): void {
    if (this.unusedTimer) clearTimeout(this.unusedTimer);
    this.unusedTimer = undefined;
  }

  private armUnusedTimer(due: number): void {
    if (this.unusedTimer) clearTimeout(this.unusedTimer);
    this.unusedTimer = setTimeout(() => {
      this.unusedTimer = undefined;
      try {
        if (Date.now() < due) this.armUnusedTimer(due);
        else if (this.consumers.length === 0 && !this.deleted) this.host.autoDeleteQueue(this);
        else this.touch();
      } catch (err) {
        this.reportFailure('deleting it after x-expires', err);
      }
    }, timerDelay(due - Date.now()));
    this.unusedTimer.unref();
  }

  private entryFor(msg: Message): QueueEntry {
    if (!this.perMessageRules && !msg.has('expiration')) return msg.entryOf(this.nextSeq++, 0, 0, false);
    let expiresAt = 0;
    const ttl = this.messageTtl;
    const expiration = msg.has('expiration') ? Number(msg.properties.expiration) : undefined;
    if (ttl !== undefined || (expiration !== undefined && Number.isFinite(expiration))) {
      const t = Math.min(ttl ?? Infinity, expiration !== undefined && Number.isFinite(expiration) ? expiration : Infinity);
      expiresAt = Date.now() + t;
    }
    return msg.entryOf(this.nextSeq++, expiresAt, this.priorityOf(msg), false);
  }

  private priorityOf(msg: Message): number {
    if (this.maxPriority === undefined || !msg.has('priority')) return 0;
    return Math.max(0, Math.min(this.maxPriority, msg.properties.priority ?? 0));
  }

  private isFull(incomingBytes: number): boolean {
    if (this.maxLength !== undefined && this.messagesReady + 1 > this.maxLength) return true;
    if (this.maxLengthBytes !== undefined && this.readyBytes + incomingBytes > this.maxLengthBytes) return true;
    return false;
  }

  private consumerHasCredit(): boolean {
    if (this.singleActiveConsumer) return this.active !== undefined && this.active.hasCredit();
    return this.consumers.some((c) => c.hasCredit());
  }

  /**
   * The consumer to give the next message to, as RabbitMQ's queues choose: the head of the rotation
   * (see `order`) if it has credit, moved to the back; one without credit leaves the rotation until
   * its credit returns. With a single active consumer, only that one (see `active`).
   */
  private nextConsumer(): Consumer | undefined {
    if (this.singleActiveConsumer) {
      // refused, the active consumer leaves the rotation like any other, and comes back (unblock)
      // only when its own credit does: RabbitMQ's queue delivers again only then
      const active = this.active;
      if (active === undefined || active.blocked) return undefined;
      if (active.hasCredit()) return active;
      this.block(this.order.indexOf(active));
      return undefined;
    }
    const sole = this.sole;
    if (sole !== undefined) {
      if (sole.hasCredit()) return sole;
      this.block(0);
      return undefined;
    }
    const order = this.order;
    while (order.length > 0) {
      const i = this.prioritised ? 0 : this.rr;
      const c = order[i];
      if (c.hasCredit()) {
        this.rotate(i);
        return c;
      }
      this.block(i);
    }
    return undefined;
  }

  /** `c` joins the back of the rotation (of its priority). */
  private enter(c: Consumer): void {
    const order = this.order;
    if (!this.prioritised) {
      // the back of a ring is just before its start
      order.splice(this.rr, 0, c);
      this.rr = (this.rr + 1) % order.length;
    } else {
      let i = order.length;
      while (i > 0 && order[i - 1].priority < c.priority) i--;
      order.splice(i, 0, c);
    }
    this.updateSole();
  }

  /** The consumer at `i` leaves the rotation. */
  private leave(i: number): void {
    if (i < 0) return;
    const order = this.order;
    order.splice(i, 1);
    if (!this.prioritised) {
      if (i < this.rr) this.rr--;
      if (this.rr >= order.length) this.rr = 0;
    }
    this.updateSole();
  }

  /** The head at `i` took a message: to the back of its priority. */
  private rotate(i: number): void {
    const order = this.order;
    if (!this.prioritised) {
      this.rr = (i + 1) % order.length;
      return;
    }
    const c = order[i];
    let end = i + 1;
    while (end < order.length && order[end].priority === c.priority) end++;
    if (end === i + 1) return;
    order.copyWithin(i, i + 1, end);
    order[end - 1] = c;
  }

  /** The consumer at `i` of the rotation was refused for want of credit. */
  private block(i: number): void {
    const c = this.order[i];
    c.blocked = true;
    this.blocked.push(c);
    this.leave(i);
  }

  /**
   * Credit came back to some consumers (an ack, a requeue, a channel's prefetch or socket): those of
   * the refused ones that `unblocked` accepts join the back of the rotation, in the order they were
   * refused. The caller dispatches; whether anyone joined is the answer.
   */
  unblock(unblocked: (c: Consumer) => boolean): boolean {
    const blocked = this.blocked;
    if (blocked.length === 0) return false;
    let kept = 0;
    for (let i = 0; i < blocked.length; i++) {
      const c = blocked[i];
      if (unblocked(c)) {
        c.blocked = false;
        this.enter(c);
      } else blocked[kept++] = c;
    }
    // setting an array's length is a runtime call: only when someone left
    if (kept === blocked.length) return false;
    blocked.length = kept;
    return true;
  }

  private updateSole(): void {
    this.sole = this.order.length === 1 && !this.singleActiveConsumer ? this.order[0] : undefined;
  }

  /** Next live entry; expired heads are dead-lettered on the way (RabbitMQ expires at the head). */
  private shiftReady(): QueueEntry | undefined {
    this.dropExpiredHeads();
    return this.takeHead();
  }

  private takeHead(): QueueEntry | undefined {
    const entry = this.ready.shift();
    if (entry !== undefined) {
      this.readyBytes -= entry.msg.bodySize;
      this.readyCount--;
      if (this.refusingPublishes) this.checkSoftLimit();
    }
    return entry;
  }

  private dropExpiredHeads(): void {
    let now = 0;
    for (;;) {
      const head = this.peekReady();
      if (head === undefined || head.expiresAt === 0) return;
      if (now === 0) now = Date.now();
      if (head.expiresAt >= now) return;
      this.takeHead();
      this.drop(head, 'expired');
    }
  }

  private peekReady(): QueueEntry | undefined {
    return this.ready.peek();
  }

  private scheduleExpiry(): void {
    const head = this.peekReady();
    if (head === undefined || head.expiresAt === 0) return;
    if (this.expiryTimer !== undefined) {
      if (this.expiryDue <= head.expiresAt) return;
      clearTimeout(this.expiryTimer);
    }
    this.expiryDue = head.expiresAt;
    const delay = timerDelay(head.expiresAt - Date.now() + 1);
    this.expiryTimer = setTimeout(() => {
      this.expiryTimer = undefined;
      try {
        this.expireHeads();
      } catch (err) {
        // each failed head was taken off first: trying again makes progress
        this.reportFailure('expiring messages', err);
        if (!this.deleted) this.scheduleExpiry();
      }
    }, delay);
    this.expiryTimer.unref();
  }

  private expireHeads(): void {
    this.dropExpiredHeads();
    const head = this.peekReady();
    if (head !== undefined && head.expiresAt !== 0) this.scheduleExpiry();
  }

  private reportFailure(what: string, err: unknown): void {
    (this.host.reportFailure ?? reportToStderr)(`queue '${this.name}' in vhost '${this.vhost}': ${what}`, err);
  }

  private clearExpiryTimer(): void {
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    this.expiryTimer = undefined;
  }
}

/**
 * Node runs a timer of more than 2^31-1 ms at once, and RabbitMQ takes TTLs and x-expires of up to
 * ten years; a longer wait is made of steps that each re-check the clock.
 */
const MAX_TIMER_MS = 2 ** 31 - 1;
const timerDelay = (ms: number): number => Math.min(Math.max(0, ms), MAX_TIMER_MS);

function numberArg(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'bigint' ? Number(v) : undefined;
}

function stringArg(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function minDefined(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.min(a, b);
}

const hasCredit = (c: Consumer): boolean => c.hasCredit();

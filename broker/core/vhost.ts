import type { FieldTable } from './field-values';
import { reportToStderr, type FailureReport } from './contained';
import type { Binding, Destination } from './binding';
import { stableStringify } from './binding';
import { Destinations } from './destinations';
import { DirectExchange } from './direct-exchange';
import { AmqpError, accessRefused, commandInvalid, defaultExchangeRefused, notFound, preconditionFailed, refuseDefaultExchange, resourceLocked } from './errors';
import type { BrokerEvent } from './events';
import type { FlowTap } from './flow';
import type { Exchange, ExchangeOptions, ExchangeType } from './exchange';
import { FanoutExchange } from './fanout-exchange';
import { HeadersExchange, invalidMatchModeText, isValidMatchMode } from './headers-exchange';
import { Message } from './message';
import { generatedQueueName } from './names';
import { deadLetterMessage, diedThereAutomatically } from './dead-letter';
import { DeadLetterSends } from './dead-letter-sends';
import { rankPolicies, type Policy } from './policy';
import type { PropertiesCodec } from './properties';
import { inequivalentArg, validateQueueArguments } from './queue-arguments';
import { checkQueueType, checkServerNamed, queueTypeOf, sameImplicitType, type QueueType } from './queue-type';
import type { BodyPaging } from './body-paging';
import { Queue, type DeadLetterReason, type QueueEntry, type QueueHost, type QueueOptions } from './queue';
import { NameIndex } from './name-index';
import { TopicExchange } from './topic-exchange';
import { deliverTrace, publishTrace, TRACE_EXCHANGE, type TraceOrigin } from './trace';

const EXCHANGE_KINDS: Record<string, new (vhost: string, name: string, opts: ExchangeOptions) => Exchange> = {
  direct: DirectExchange,
  fanout: FanoutExchange,
  topic: TopicExchange,
  headers: HeadersExchange,
};

// own keys only: a type named 'constructor' or 'toString' is unknown, not Object's
function exchangeKind(type: string): (typeof EXCHANGE_KINDS)[string] | undefined {
  return Object.hasOwn(EXCHANGE_KINDS, type) ? EXCHANGE_KINDS[type] : undefined;
}

/** The exchanges every vhost is made with, and their types. */
export const BUILT_IN: [string, ExchangeType][] = [
  ['amq.direct', 'direct'],
  ['amq.fanout', 'fanout'],
  ['amq.topic', 'topic'],
  ['amq.headers', 'headers'],
  ['amq.match', 'headers'],
];

/** Queue arguments that take part in the equivalence check of a redeclare, as in RabbitMQ. */
const EQUIVALENCE_ARGS = [
  'x-expires', 'x-message-ttl', 'x-dead-letter-exchange', 'x-dead-letter-routing-key', 'x-max-length',
  'x-max-length-bytes', 'x-max-priority', 'x-overflow', 'x-queue-mode', 'x-queue-type', 'x-single-active-consumer',
];

export const enum Routed {
  Unroutable = 0,
  Routed = 1,
  /** Some queue refused it (x-overflow reject-publish): the publisher gets a nack. */
  Rejected = 2,
}

export interface QueueDeclareResult {
  queue: Queue;
  created: boolean;
}

export class VirtualHost implements QueueHost {
  readonly name: string;
  readonly exchanges = new Map<string, Exchange>();
  readonly queues = new Map<string, Queue>();
  /** the same queues, by their names' octets: a publish through the default exchange finds its queue without decoding the key */
  private readonly queueIndex = new NameIndex<Queue>();
  readonly defaultExchange: Exchange;
  /** Reads and writes the properties of the messages here (see PropertiesCodec). */
  readonly propertiesCodec: PropertiesCodec;
  /** Failures inside the vhost's queues' timers (contained.ts); BrokerCore points it at its own. */
  reportFailure: FailureReport = reportToStderr;
  /** User policies by name. Change them through putPolicy/deletePolicy, which re-apply them. */
  readonly policies = new Map<string, Policy>();
  /** The policies in the order a match is looked for: priority, then name. */
  private ranked: Policy[] = [];
  /**
   * Operator policies by name: an administrator's limits that apply alongside the user policy (the
   * stricter value wins, see Queue.resolveSettings). Change them through putOperatorPolicy.
   */
  readonly operatorPolicies = new Map<string, Policy>();
  private rankedOperator: Policy[] = [];
  private readonly emit: (e: BrokerEvent) => void;
  // reused by every publish: routing is synchronous, so one is enough (a nested publish makes its own)
  private readonly scratch = new Destinations();
  private publishing = false;
  /** dead letters waiting for the publish being enqueued to reach all its queues (see deadLetter) */
  private readonly deadLetters = new DeadLetterSends();
  /** Set while the console follows message flow (see flow.ts). */
  tap: FlowTap | undefined;
  /** The broker's transient pager (set by BrokerCore before any message is queued). */
  bodyPaging: BodyPaging | undefined;
  /** The firehose (`rabbitmqctl trace_on`): set by the management layer, see trace.ts. */
  tracing = false;
  private readonly traceExchange: Exchange;

  constructor(name: string, emit: (e: BrokerEvent) => void, propertiesCodec: PropertiesCodec) {
    this.name = name;
    this.emit = emit;
    this.propertiesCodec = propertiesCodec;
    const opts = { durable: true, autoDelete: false, internal: false, arguments: {} };
    this.defaultExchange = new DirectExchange(name, '', opts);
    this.exchanges.set('', this.defaultExchange);
    for (const [n, t] of BUILT_IN) this.exchanges.set(n, new EXCHANGE_KINDS[t](name, n, opts));
    // RabbitMQ's firehose target, there in every vhost; internal, so clients cannot publish to it
    this.traceExchange = new TopicExchange(name, TRACE_EXCHANGE, { ...opts, internal: true });
    this.exchanges.set(TRACE_EXCHANGE, this.traceExchange);
  }

  // --- exchanges -------------------------------------------------------------------------------

  getExchange(name: string): Exchange {
    const ex = this.exchanges.get(name);
    if (ex === undefined) throw notFound(`no exchange '${name}' in vhost '${this.name}'`);
    return ex;
  }

  /**
   * What RabbitMQ refuses before it looks at permissions or at what exists: an unknown type (only
   * checked when `type` is given, i.e. not for a passive declare), then the default exchange.
   */
  checkExchangeDeclare(name: string, type?: string): void {
    if (type !== undefined && exchangeKind(type) === undefined) throw commandInvalid(`unknown exchange type '${type}'`);
    refuseDefaultExchange(name);
  }

  declareExchange(name: string, type: string, opts: ExchangeOptions): { exchange: Exchange; created: boolean } {
    this.checkExchangeDeclare(name, type);
    const Kind = EXCHANGE_KINDS[type];
    const existing = this.exchanges.get(name);
    if (existing !== undefined) {
      this.checkExchangeEquivalent(existing, type, opts);
      return { exchange: existing, created: false };
    }
    if (name.startsWith('amq.')) throw accessRefused(`exchange name '${name}' contains reserved prefix 'amq.*'`);
    const ae = opts.arguments['alternate-exchange'];
    if (ae !== undefined && typeof ae !== 'string') {
      throw preconditionFailed(`invalid arg 'alternate-exchange' for exchange '${name}' in vhost '${this.name}'`);
    }
    const exchange = new Kind(this.name, name, opts);
    const policy = this.matchPolicy('exchange', name);
    if (policy !== undefined) exchange.applyPolicy(policy);
    this.exchanges.set(name, exchange);
    this.emit({ type: 'exchange.created', vhost: this.name, name });
    return { exchange, created: true };
  }

  deleteExchange(name: string, ifUnused: boolean): void {
    refuseDefaultExchange(name);
    // RabbitMQ refuses any amq. name here, existing or not
    if (name.startsWith('amq.')) throw accessRefused(`deletion of system exchange '${name}' in vhost '${this.name}' not allowed`);
    const ex = this.exchanges.get(name);
    if (ex === undefined) return;
    // only outgoing bindings make an exchange "in use", as in RabbitMQ
    if (ifUnused && ex.bindings.size > 0) {
      throw preconditionFailed(`exchange '${name}' in vhost '${this.name}' in use`);
    }
    this.removeExchange(ex);
  }

  private removeExchange(ex: Exchange): void {
    this.exchanges.delete(ex.name);
    ex.deleted = true;
    for (const b of [...ex.bindings.values()]) this.removeBinding(b, false);
    for (const b of [...ex.incoming]) this.removeBinding(b, true);
    this.emit({ type: 'exchange.deleted', vhost: this.name, name: ex.name });
  }

  private checkExchangeEquivalent(ex: Exchange, type: string, opts: ExchangeOptions): void {
    const where = `for exchange '${ex.name}' in vhost '${this.name}'`;
    if (ex.type !== type) throw preconditionFailed(`inequivalent arg 'type' ${where}: received '${type}' but current is '${ex.type}'`);
    if (ex.durable !== opts.durable) {
      throw preconditionFailed(`inequivalent arg 'durable' ${where}: received '${opts.durable}' but current is '${ex.durable}'`);
    }
    if (ex.autoDelete !== opts.autoDelete) {
      throw preconditionFailed(`inequivalent arg 'auto_delete' ${where}: received '${opts.autoDelete}' but current is '${ex.autoDelete}'`);
    }
    if (ex.internal !== opts.internal) {
      throw preconditionFailed(`inequivalent arg 'internal' ${where}: received '${opts.internal}' but current is '${ex.internal}'`);
    }
    const inequivalent = inequivalentArg('alternate-exchange', where, ex.arguments, opts.arguments);
    if (inequivalent !== undefined) throw preconditionFailed(inequivalent);
  }

  // --- queues ----------------------------------------------------------------------------------

  getQueue(name: string): Queue {
    const q = this.queues.get(name);
    if (q === undefined) throw notFound(`no queue '${name}' in vhost '${this.name}'`);
    return q;
  }

  /** The queue named by `n` octets of `b` from `start` (a routing key in a frame), if the index finds it. */
  queueNamedBy(b: Uint8Array, start: number, n: number): Queue | undefined {
    return this.queueIndex.find(b, start, n);
  }

  /** Exclusive queues belong to one connection; everyone else gets 405. */
  checkOwner(q: Queue, owner: object | null, name = q.name): void {
    if (q.exclusiveOwner !== null && q.exclusiveOwner !== owner) {
      throw resourceLocked(
        `cannot obtain exclusive access to locked queue '${name}' in vhost '${this.name}'. It could be originally declared on another connection or the exclusive property value does not match that of the original declaration.`,
      );
    }
  }

  /**
   * `permit` checks the user's configure permission on the name, a server-made one included: after
   * the reserved prefix and before anything else, in RabbitMQ's order.
   */
  declareQueue(name: string, opts: QueueOptions, permit?: (name: string) => void): QueueDeclareResult {
    // checked before existence, so another connection's amq.gen- queue is 403, not 405
    if (name.startsWith('amq.')) throw accessRefused(`queue name '${name}' contains reserved prefix 'amq.*'`);
    const qname = name === '' ? generatedQueueName() : name;
    permit?.(qname);
    const existing = name === '' ? undefined : this.queues.get(name);
    if (existing !== undefined) {
      this.checkOwner(existing, opts.exclusiveOwner);
      // a non-exclusive queue redeclared as exclusive is "locked" too, as RabbitMQ says
      if (existing.exclusiveOwner === null && opts.exclusiveOwner !== null) this.checkOwner({ exclusiveOwner: {} } as Queue, opts.exclusiveOwner, existing.name);
      this.checkQueueEquivalent(existing, opts);
      existing.touch();
      return { queue: existing, created: false };
    }
    if (name === '') checkServerNamed(opts.arguments);
    validateQueueArguments(qname, this.name, opts.arguments);
    checkQueueType(qname, this.name, opts.durable, opts.exclusiveOwner !== null, opts.autoDelete, opts.arguments);
    return { queue: this.createQueue(qname, opts), created: true };
  }

  /**
   * A durable queue read back from disk: it was accepted when declared, so it is not checked again
   * (rules that tightened since must not stop the broker from starting with its data).
   */
  restoreQueue(name: string, opts: QueueOptions): Queue {
    return this.queues.get(name) ?? this.createQueue(name, opts);
  }

  private createQueue(name: string, opts: QueueOptions): Queue {
    const type = queueTypeOf(opts.arguments);
    const queue = new Queue(this, this.name, name, opts, this.matchPolicy('queue', name, type), this.matchOperatorPolicy(name, type));
    this.queues.set(name, queue);
    this.queueIndex.set(queue);
    this.emit({ type: 'queue.created', vhost: this.name, name });
    return queue;
  }

  private checkQueueEquivalent(q: Queue, opts: QueueOptions): void {
    const where = `for queue '${q.name}' in vhost '${this.name}'`;
    if (q.durable !== opts.durable) {
      throw preconditionFailed(`inequivalent arg 'durable' ${where}: received '${opts.durable}' but current is '${q.durable}'`);
    }
    if (q.autoDelete !== opts.autoDelete) {
      throw preconditionFailed(`inequivalent arg 'auto_delete' ${where}: received '${opts.autoDelete}' but current is '${q.autoDelete}'`);
    }
    for (const k of EQUIVALENCE_ARGS) {
      if (k === 'x-queue-type' && sameImplicitType(q.arguments, opts.arguments)) continue;
      const inequivalent = inequivalentArg(k, where, q.arguments, opts.arguments);
      if (inequivalent !== undefined) throw preconditionFailed(inequivalent);
    }
  }

  /** Returns the number of messages deleted with the queue. */
  deleteQueue(q: Queue, ifUnused: boolean, ifEmpty: boolean): number {
    if (q.queueType === 'quorum' && (ifUnused || ifEmpty)) {
      const flag = ifUnused ? 'if-unused' : 'if-empty';
      throw new AmqpError(540, `cannot delete queue '${q.name}' in vhost '${this.name}'. queue.delete operations with ${flag} flag set are not supported by quorum queues`, 'connection', 50, 40);
    }
    if (ifUnused && q.consumerCount > 0) throw preconditionFailed(`queue '${q.name}' in vhost '${this.name}' in use`);
    if (ifEmpty && q.messageCount > 0) throw preconditionFailed(`queue '${q.name}' in vhost '${this.name}' not empty`);
    return this.removeQueue(q);
  }

  private removeQueue(q: Queue): number {
    if (this.queues.get(q.name) !== q) return 0;
    this.queues.delete(q.name);
    this.queueIndex.delete(q.name);
    for (const b of [...q.incoming]) this.removeBinding(b, true);
    const n = q.markDeleted();
    this.emit({ type: 'queue.deleted', vhost: this.name, name: q.name });
    return n;
  }

  autoDeleteQueue(q: Queue): void {
    this.removeQueue(q);
  }

  purgeQueue(q: Queue): number {
    const n = q.purge();
    this.emit({ type: 'queue.purged', vhost: this.name, name: q.name });
    return n;
  }

  // --- policies --------------------------------------------------------------------------------

  /**
   * Adds or replaces a policy and re-applies the vhost's policies to every queue and exchange at
   * once. Returns false when it was there already (setting it again with the same fields changes
   * nothing, as in RabbitMQ).
   */
  putPolicy(policy: Policy): boolean {
    return this.putIn(this.policies, policy);
  }

  /** Returns false when there was no such policy. */
  deletePolicy(name: string): boolean {
    return this.deleteFrom(this.policies, name);
  }

  /** As putPolicy, for an operator policy. */
  putOperatorPolicy(policy: Policy): boolean {
    return this.putIn(this.operatorPolicies, policy);
  }

  deleteOperatorPolicy(name: string): boolean {
    return this.deleteFrom(this.operatorPolicies, name);
  }

  private putIn(policies: Map<string, Policy>, policy: Policy): boolean {
    const old = policies.get(policy.name);
    if (old !== undefined && old.sameAs(policy)) return false;
    policies.set(policy.name, policy);
    this.reapplyPolicies(policy.name);
    return old === undefined;
  }

  private deleteFrom(policies: Map<string, Policy>, name: string): boolean {
    if (!policies.delete(name)) return false;
    this.reapplyPolicies(name);
    return true;
  }

  /** The highest-ranked operator policy for queue `name`, if any matches (its keys are all queue settings). */
  matchOperatorPolicy(name: string, queueType?: QueueType): Policy | undefined {
    for (const p of this.rankedOperator) if (p.matches('queue', name, queueType)) return p;
    return undefined;
  }

  /** The highest-ranked policy for `kind` `name` (queues: of that type), if any matches. */
  matchPolicy(kind: 'queue' | 'exchange', name: string, queueType?: QueueType): Policy | undefined {
    for (const p of this.ranked) if (p.matches(kind, name, queueType)) return p;
    return undefined;
  }

  /** Work per policy change, never per message: each queue and exchange gets its match again. */
  private reapplyPolicies(changed: string): void {
    this.ranked = rankPolicies(this.policies.values());
    this.rankedOperator = rankPolicies(this.operatorPolicies.values());
    const exchanges: string[] = [];
    const queues: string[] = [];
    for (const ex of this.exchanges.values()) {
      const p = this.matchPolicy('exchange', ex.name);
      if (p === ex.policy) continue;
      ex.applyPolicy(p);
      exchanges.push(ex.name);
    }
    for (const q of this.queues.values()) {
      const p = this.matchPolicy('queue', q.name, q.queueType);
      const op = this.matchOperatorPolicy(q.name, q.queueType);
      if (p === q.policy && op === q.operatorPolicy) continue;
      q.applyPolicy(p, op);
      queues.push(q.name);
    }
    this.emit({ type: 'policy.changed', vhost: this.name, name: changed, queues, exchanges });
  }

  // --- bindings --------------------------------------------------------------------------------

  /**
   * `permit` is asked once the binding is known to be valid: RabbitMQ refuses an exclusive queue of
   * another connection (405) only after its x-match (406).
   */
  bind(source: Exchange, destination: Destination, routingKey: string, args: FieldTable, permit?: () => void): void {
    if (source === this.defaultExchange) throw defaultExchangeRefused();
    if (destination.kind === 'exchange' && destination === this.defaultExchange) {
      throw defaultExchangeRefused();
    }
    if (source.type === 'headers' && !isValidMatchMode(args['x-match'])) {
      throw preconditionFailed(invalidMatchModeText(args));
    }
    permit?.();
    const b = source.bind(destination, routingKey, args);
    if (b === undefined) return;
    destination.incoming.add(b);
    this.emit({
      type: 'binding.created', vhost: this.name, source: source.name, destination: destination.name,
      destinationType: destination.kind, routingKey,
    });
  }

  /** `permit` is asked once the binding is found: unbinding what does not exist needs no rights. */
  unbind(source: Exchange, destination: Destination, routingKey: string, args: FieldTable, permit?: () => void): void {
    if (source === this.defaultExchange) throw defaultExchangeRefused();
    for (const b of destination.incoming) {
      if (b.source === source && b.routingKey === routingKey && stableStringify(b.arguments) === stableStringify(args)) {
        permit?.();
        this.removeBinding(b, true);
        return;
      }
    }
  }

  /** `autoDeleteSource`: an auto-delete exchange goes with its last binding, unless it is being deleted itself. */
  private removeBinding(b: Binding, autoDeleteSource: boolean): void {
    b.source.unbind(b);
    b.destination.incoming.delete(b);
    this.emit({
      type: 'binding.deleted', vhost: this.name, source: b.source.name, destination: b.destination.name,
      destinationType: b.destination.kind, routingKey: b.routingKey,
    });
    const src = b.source;
    if (autoDeleteSource && src.autoDelete && src.bindings.size === 0 && this.exchanges.get(src.name) === src) {
      this.removeExchange(src);
    }
  }

  // --- routing ---------------------------------------------------------------------------------

  /**
   * Routes and enqueues. Synchronous; the hot path: the default exchange is one map lookup (none
   * when the publisher already found the queue, `named`, by the key's octets), other
   * exchanges fill a reused set. Exchange-to-exchange bindings and alternate exchanges are
   * followed, each exchange at most once per message, as RabbitMQ's rabbit_exchange:route does:
   * each exchange routes the message with all its keys (the routing key, then CC and BCC), and one
   * whose bindings matched none of them hands it to its alternate exchange. `refused`: queues the
   * message must not reach even where its routes lead (a dead letter's cycles).
   */
  publish(exchange: Exchange, msg: Message, extraKeys?: readonly string[], origin?: TraceOrigin, named?: Queue, refused?: (q: Queue) => boolean): Routed {
    exchange.publishIn++;
    const tap = this.tap;
    if (tap !== undefined && msg.traceId === 0) msg.traceId = tap.sample(this.name, exchange.name);
    if (exchange === this.defaultExchange && extraKeys === undefined && msg.traceId === 0 && !this.tracing) {
      const q = named !== undefined && !named.deleted ? named : this.queues.get(msg.routingKey);
      if (q === undefined || (refused !== undefined && refused(q))) return Routed.Unroutable;
      exchange.publishOut++;
      // what the queue drops to make room is dead-lettered once the message is in (see deadLetter)
      const outer = !this.publishing;
      this.publishing = true;
      try {
        return q.enqueue(msg) ? Routed.Routed : Routed.Rejected;
      } finally {
        if (outer) {
          this.publishing = false;
          this.deadLetters.flush();
        }
      }
    }
    // Enqueueing can dead-letter and so publish again: a nested publish gets its own set.
    const nested = this.publishing;
    const dests = nested ? new Destinations() : this.scratch;
    dests.begin(exchange);
    this.publishing = true;
    try {
      // CC/BCC headers: more routing keys for the same message (sender-selected distribution)
      const alsoAs = extraKeys === undefined ? undefined : extraKeys.map((key) => new Message(msg.exchange, key, msg.rawProperties, msg.body, msg.properties));
      this.collect(exchange, msg, alsoAs, dests);
      if (refused !== undefined) dests.dropQueues(refused);
      if (msg.traceId !== 0 && tap !== undefined) {
        const queues = queueNames(dests);
        tap.emit({
          kind: 'published', id: msg.traceId, vhost: this.name, exchange: exchange.name, routingKey: msg.routingKey, queues,
          origin: origin === undefined ? undefined : { connection: origin.conn.name, channel: origin.id, user: origin.conn.user },
        });
      }
      // the firehose copy goes out before the message reaches its queues, as in RabbitMQ
      if (this.tracing && origin !== undefined) this.tracePublish(msg, dests, origin);
      let routed = Routed.Unroutable;
      for (let i = 0; i < dests.size; i++) {
        const d = dests.at(i);
        if (d.kind !== 'queue') continue;
        if (routed === Routed.Unroutable) routed = Routed.Routed;
        if (!d.enqueue(msg)) routed = Routed.Rejected;
      }
      if (routed !== Routed.Unroutable) exchange.publishOut++;
      return routed;
    } finally {
      if (!nested) this.publishing = false;
      dests.end();
      if (!nested) this.deadLetters.flush();
    }
  }

  /** Only called with tracing on. */
  private tracePublish(msg: Message, dests: Destinations, origin: TraceOrigin): void {
    if (msg.exchange === TRACE_EXCHANGE) return;
    this.publish(this.traceExchange, publishTrace(this.name, msg, queueNames(dests), origin, this.propertiesCodec));
  }

  /** A publish that bypassed routing (direct reply-to): traced with no routed queues, as RabbitMQ does. */
  traceUnrouted(msg: Message, origin: TraceOrigin): void {
    if (this.tracing) this.publish(this.traceExchange, publishTrace(this.name, msg, [], origin, this.propertiesCodec));
  }

  /** A delivery to a client (basic.deliver or basic.get-ok) on `origin`; the caller checks `tracing`. */
  traceDeliver(queue: Queue, entry: QueueEntry, origin: TraceOrigin): void {
    const msg = entry.msg;
    // messages routed through the trace exchange are never traced, as in RabbitMQ
    if (msg.exchange === TRACE_EXCHANGE) return;
    this.publish(this.traceExchange, deliverTrace(this.name, queue.name, msg, entry.redelivered, origin, this.propertiesCodec));
  }

  traced(queue: Queue, entry: QueueEntry, kind: 'delivered' | 'acked' | 'requeued' | 'rejected', consumerTag = '', deliveryTag = 0): void {
    const tap = this.tap;
    if (tap === undefined) return;
    const id = entry.msg.traceId;
    if (kind === 'delivered') tap.emit({ kind, id, vhost: this.name, queue: queue.name, consumerTag, deliveryTag, redelivered: entry.redelivered });
    else tap.emit({ kind, id, vhost: this.name, queue: queue.name });
  }

  private collect(ex: Exchange, msg: Message, alsoAs: Message[] | undefined, out: Destinations): void {
    if (ex === this.defaultExchange) {
      const q = this.queues.get(msg.routingKey);
      if (q !== undefined) out.add(q);
      if (alsoAs !== undefined) {
        for (const m of alsoAs) {
          const other = this.queues.get(m.routingKey);
          if (other !== undefined) out.add(other);
        }
      }
      return;
    }
    this.routeOne(ex, msg, alsoAs, out);
    // Destinations added while reading are read too: nested exchanges (and alternate exchanges,
    // added as destinations) expand in place, each once (`ex` itself was taken at begin).
    for (let i = 0; i < out.size; i++) {
      const d = out.at(i);
      if (d.kind !== 'exchange') continue;
      d.publishIn++;
      this.routeOne(d, msg, alsoAs, out);
    }
  }

  /** One exchange's own routing with every key; its alternate exchange joins `out` when nothing matched. */
  private routeOne(ex: Exchange, msg: Message, alsoAs: Message[] | undefined, out: Destinations): void {
    let matched = ex.route(msg, out);
    if (alsoAs !== undefined) for (const m of alsoAs) matched += ex.route(m, out);
    if (matched > 0) return;
    const ae = ex.alternateExchange;
    if (ae === undefined) return;
    const alt = this.exchanges.get(ae);
    if (alt === undefined) return;
    if (alt !== this.defaultExchange) {
      out.add(alt);
      return;
    }
    // the default exchange as alternate: by queue name, as a publish to it
    const q = this.queues.get(msg.routingKey);
    if (q !== undefined) out.add(q);
    if (alsoAs !== undefined) {
      for (const m of alsoAs) {
        const other = this.queues.get(m.routingKey);
        if (other !== undefined) out.add(other);
      }
    }
  }

  /** Republishes a message a queue let go (rejected, expired, over max-length) to its DLX. */
  deadLetter(queue: Queue, entry: QueueEntry, reason: DeadLetterReason): void {
    queue.stats.dropped++;
    const dlx = queue.deadLetterExchange;
    const ex = dlx === undefined ? undefined : this.exchanges.get(dlx);
    const msg = entry.msg;
    if (msg.traceId !== 0 && this.tap !== undefined && ex === undefined && reason !== 'rejected') {
      this.tap.emit({ kind: reason === 'expired' ? 'expired' : 'dropped', id: msg.traceId, vhost: this.name, queue: queue.name });
    }
    if (ex === undefined || dlx === undefined) return;
    // Often called from a TTL timer: a message that cannot be dead-lettered is dropped and reported,
    // never thrown out to the process.
    try {
      const dead = deadLetterMessage(queue, msg, reason, dlx, this.propertiesCodec);
      if (msg.traceId !== 0 && this.tap !== undefined) {
        this.tap.emit({
          kind: 'dead-lettered', id: msg.traceId, vhost: this.name, queue: queue.name, exchange: ex.name, reason,
          routingKey: dead.routingKey, death: latestDeath(dead, queue.name, reason, msg.exchange),
        });
      }
      // a message that would come back to a queue it died in, with no rejection on the way, is
      // dropped there: else a queue dead-lettering to itself when full would drop and take back
      // its own head for ever, within one publish
      const deaths = dead.properties.headers?.['x-death'];
      const send = () => {
        try {
          this.publish(ex, dead, dead.extraKeys, undefined, undefined, reason === 'rejected' ? undefined : (q) => diedThereAutomatically(q.name, deaths));
        } catch (err) {
          this.failedDeadLetter(queue, reason, err);
        }
      };
      // Made while a publish is enqueued (a full queue dropping its head, an expired or refused
      // message): it goes once every queue of the publish has the message, that one included, as in
      // RabbitMQ, where a queue's dead letters reach other queues (or come back to it) after it took
      // the message, and after the other queues got theirs. See DeadLetterSends.
      this.deadLetters.add(send);
      if (!this.publishing) this.deadLetters.flush();
    } catch (err) {
      this.failedDeadLetter(queue, reason, err);
    }
  }

  private failedDeadLetter(queue: Queue, reason: DeadLetterReason, err: unknown): void {
    this.reportFailure(`queue '${queue.name}' in vhost '${this.name}': a message could not be dead-lettered (${reason}) and was dropped`, err);
  }
}

/** The x-death entry deadLetterMessage wrote first: for the journey of a followed message only. */
function latestDeath(dead: Message, queue: string, reason: string, exchange: string): { count: number; reason: string; queue: string; exchange: string } {
  const deaths = dead.properties.headers?.['x-death'];
  const first = Array.isArray(deaths) ? deaths[0] : undefined;
  const raw = typeof first === 'object' && first !== null && !Array.isArray(first) && !Buffer.isBuffer(first) ? (first as Record<string, unknown>).count : undefined;
  const count = typeof raw === 'number' ? raw : typeof raw === 'bigint' ? Number(raw) : 1;
  return { count, reason, queue, exchange };
}

function queueNames(dests: Destinations): string[] {
  const queues: string[] = [];
  for (let i = 0; i < dests.size; i++) {
    const d = dests.at(i);
    if (d.kind === 'queue') queues.push(d.name);
  }
  return queues;
}

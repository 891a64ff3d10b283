import type { Destinations } from './destinations';
import type { FieldTable } from './field-values';
import { Binding, type Destination } from './binding';
import type { Message } from './message';
import type { Policy } from './policy';

export type ExchangeType = 'direct' | 'fanout' | 'topic' | 'headers';

export interface ExchangeOptions {
  durable: boolean;
  autoDelete: boolean;
  internal: boolean;
  arguments: FieldTable;
}

/**
 * An exchange holds its outgoing bindings and picks destinations for a message. Each kind keeps
 * its own index for matching; `bindings` is the plain list for listings and deletes.
 */
export abstract class Exchange {
  readonly kind = 'exchange' as const;
  abstract readonly type: ExchangeType;
  readonly name: string;
  readonly vhost: string;
  readonly durable: boolean;
  readonly autoDelete: boolean;
  readonly internal: boolean;
  readonly arguments: FieldTable;
  /** Set once the vhost let go of it (a publisher may still hold it, see Channel.checkPublishable) */
  deleted = false;
  /** the last routing that took it (see Destinations) */
  routeStamp = 0;
  readonly bindings = new Map<string, Binding>();
  /** Bindings in which this exchange is the destination (exchange-to-exchange). */
  readonly incoming = new Set<Binding>();
  /** Counters the console reads; never events. */
  publishIn = 0;
  publishOut = 0;
  /** The vhost's policy in effect for this exchange, if any. */
  policy: Policy | undefined;
  /** The argument's, else the policy's: resolved when either changes, read by unroutable publishes. */
  alternateExchange: string | undefined;

  constructor(vhost: string, name: string, opts: ExchangeOptions) {
    this.vhost = vhost;
    this.name = name;
    this.durable = opts.durable;
    this.autoDelete = opts.autoDelete;
    this.internal = opts.internal;
    this.arguments = opts.arguments;
    this.applyPolicy(undefined);
  }

  applyPolicy(policy: Policy | undefined): void {
    this.policy = policy;
    const ae = this.arguments['alternate-exchange'];
    this.alternateExchange = typeof ae === 'string' ? ae : policy?.str('alternate-exchange');
  }

  bind(destination: Destination, routingKey: string, args: FieldTable): Binding | undefined {
    const b = new Binding(this, destination, routingKey, args);
    if (this.bindings.has(b.key)) return undefined;
    this.bindings.set(b.key, b);
    this.indexAdd(b);
    return b;
  }

  unbind(b: Binding): void {
    if (this.bindings.delete(b.key)) this.indexRemove(b);
  }

  /**
   * Adds every destination bound for the message to `out` (a Set, so a queue is reached once) and
   * says how many bindings matched: none is when RabbitMQ turns to the alternate exchange.
   */
  abstract route(msg: Message, out: Destinations): number;
  protected abstract indexAdd(b: Binding): void;
  protected abstract indexRemove(b: Binding): void;
}

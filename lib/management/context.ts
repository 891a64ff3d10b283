// The management layer's own state for one broker, made on first use: the rate sampler, the
// retired totals, and vhost metadata (description, tags) that the core does not keep.
import type { Broker } from '../../broker/index';
import { NODE_NAME } from '../../broker/core/trace';
import { channelsOf } from './amqp-view';
import { channelCounters, connectionCounters, exchangeCounters, queueCounters, type Counters } from './counters';
import { CounterHistory, historyRange, sampleOnBoundaries, type SampleDetails } from './history';
import { RateSampler } from './stats';
import { Totals } from './totals';

export interface VhostMetadata {
  description: string;
  tags: string[];
  tracing: boolean;
}

export class ManagementContext {
  readonly broker: Broker;
  readonly sampler: RateSampler;
  readonly totals: Totals;
  readonly history = new CounterHistory();
  readonly node: string;
  readonly startedAt = Date.now();
  private readonly vhostMeta = new Map<string, VhostMetadata>();

  constructor(broker: Broker) {
    this.broker = broker;
    this.node = NODE_NAME;
    this.totals = new Totals(broker.core);
    this.sampler = new RateSampler((record) => {
      const core = broker.core;
      for (const vh of core.vhosts.values()) {
        for (const q of vh.queues.values()) record(q, queueCounters(q));
        for (const e of vh.exchanges.values()) record(e, exchangeCounters(e));
        record(vh, this.totals.vhostCounters(vh));
      }
      record(this.totals.churn, { ...this.totals.churn });
      for (const c of core.connections) {
        record(c, connectionCounters(c));
        for (const ch of channelsOf(c)) record(ch, channelCounters(ch));
      }
    });
    broker.on((e) => {
      if (e.type === 'vhost.deleted') this.vhostMeta.delete(e.name);
    });
    // The timer holds the context weakly, so a broker nobody holds any more (tests start many)
    // is collected with its history instead of being kept alive by it.
    const self = new WeakRef(this);
    sampleOnBoundaries(() => {
      const ctx = self.deref();
      ctx?.sampleHistory();
      return ctx !== undefined;
    });
  }

  /** The sample history a query asks for with `<prefix>_age`/`<prefix>_incr`, if it does. */
  historyFor(vhosts: readonly string[], keys: readonly string[], query: URLSearchParams, prefix: string): Map<string, SampleDetails> | undefined {
    const range = historyRange(query, prefix);
    return range === undefined ? undefined : this.history.details(vhosts, keys, range, Date.now());
  }

  sampleHistory(now = Date.now()): void {
    const counters = new Map<string, Counters>();
    for (const vh of this.broker.core.vhosts.values()) counters.set(vh.name, this.totals.vhostCounters(vh));
    this.history.record(counters, now);
  }

  /** `tracing` is the core vhost's own flag (the firehose reads it on every publish). */
  metadata(vhost: string): VhostMetadata {
    const meta = this.vhostMeta.get(vhost) ?? { description: vhost === '/' ? 'Default virtual host' : '', tags: [], tracing: false };
    return { ...meta, tracing: this.broker.core.getVhost(vhost)?.tracing ?? false };
  }

  setMetadata(vhost: string, meta: VhostMetadata): void {
    this.vhostMeta.set(vhost, meta);
    const vh = this.broker.core.getVhost(vhost);
    if (vh !== undefined) vh.tracing = meta.tracing;
  }
}

const contexts = new WeakMap<Broker, ManagementContext>();

export function managementContext(broker: Broker): ManagementContext {
  let ctx = contexts.get(broker);
  if (ctx === undefined) contexts.set(broker, (ctx = new ManagementContext(broker)));
  return ctx;
}

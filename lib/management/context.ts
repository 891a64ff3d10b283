// The management layer's own state for one broker, made on first use: the rate sampler, the
// retired totals, and vhost metadata (description, tags) that the core does not keep.
import { hostname } from 'node:os';
import type { Broker } from '../../broker/index';
import { channelsOf } from './amqp-view';
import { channelCounters, connectionCounters, exchangeCounters, queueCounters } from './counters';
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
  readonly node: string;
  readonly startedAt = Date.now();
  private readonly vhostMeta = new Map<string, VhostMetadata>();

  constructor(broker: Broker) {
    this.broker = broker;
    this.node = `warren@${hostname()}`;
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
  }

  metadata(vhost: string): VhostMetadata {
    return this.vhostMeta.get(vhost) ?? { description: vhost === '/' ? 'Default virtual host' : '', tags: [], tracing: false };
  }

  setMetadata(vhost: string, meta: VhostMetadata): void {
    this.vhostMeta.set(vhost, meta);
  }
}

const contexts = new WeakMap<Broker, ManagementContext>();

export function managementContext(broker: Broker): ManagementContext {
  let ctx = contexts.get(broker);
  if (ctx === undefined) contexts.set(broker, (ctx = new ManagementContext(broker)));
  return ctx;
}

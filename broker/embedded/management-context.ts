// The statistics and metadata the embedded broker keeps for its management API, made with the
// broker so the rate history records from start-up: the rate sampler, the retired totals, ten
// minutes of per-vhost samples, and vhost metadata (description, tags) that the core does not keep.
import type { BrokerCore } from '../core/broker-core';
import { NODE_NAME } from '../core/trace';
import { channelsOf } from './amqp-view';
import { channelCounters, connectionCounters, exchangeCounters, queueCounters, type Counters } from './counters';
import type { Queue } from '../core/queue';
import { CounterHistory, HISTORY_AGE_MS, clampRange, sampleOnBoundaries, type SampleDetails } from './history';
import { RateSampler } from './rates';
import { Totals } from './totals';

export interface VhostMetadata {
  description: string;
  tags: string[];
  tracing: boolean;
}

/** Queues sampled at once for their own history; asking for one more forgets the longest-unasked. */
export const MAX_WATCHED_QUEUES = 64;

const queueKey = (vhost: string, name: string) => `${vhost}\u0000${name}`;

export class ManagementContext {
  readonly core: BrokerCore;
  readonly sampler: RateSampler;
  readonly totals: Totals;
  readonly history = new CounterHistory();
  readonly node: string;
  readonly startedAt = Date.now();
  /**
   * Per-queue samples, only of queues someone asked history for in the last ten minutes (a queue
   * page open in a browser): sampling every queue would cost memory per queue whether anyone looks
   * or not. Their history starts at the first request.
   */
  readonly queueHistory = new CounterHistory();
  /** queueKey → until when it is sampled; in order of the last request */
  private readonly watchedQueues = new Map<string, { vhost: string; name: string; until: number }>();
  private readonly vhostMeta = new Map<string, VhostMetadata>();
  private readonly stopHistory: () => void;

  constructor(core: BrokerCore) {
    this.core = core;
    this.node = NODE_NAME;
    this.totals = new Totals(core);
    this.sampler = new RateSampler((record) => {
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
    core.on((e) => {
      if (e.type === 'vhost.deleted') this.vhostMeta.delete(e.name);
    });
    // The timer holds the context weakly, so a broker nobody holds any more (tests start many)
    // is collected with its history instead of being kept alive by it.
    const self = new WeakRef(this);
    this.stopHistory = sampleOnBoundaries(() => {
      const ctx = self.deref();
      ctx?.sampleHistory();
      return ctx !== undefined;
    });
  }

  /** Stops sampling and listening: the broker closed. */
  close(): void {
    this.sampler.stop();
    this.totals.close();
    this.stopHistory();
  }

  /** The sample history a caller asked for, if it did. */
  historyFor(vhosts: readonly string[], keys: readonly string[], asked: { age: number; incr: number } | undefined): Map<string, SampleDetails> | undefined {
    const range = clampRange(asked);
    return range === undefined ? undefined : this.history.details(vhosts, keys, range, Date.now());
  }

  /**
   * The history of one queue a caller asked for, if it did: asking starts (or prolongs) sampling
   * the queue, with a first sample now; boundaries before sampling began are left out.
   */
  queueHistoryFor(q: Queue, keys: readonly string[], asked: { age: number; incr: number } | undefined, now = Date.now()): Map<string, SampleDetails> | undefined {
    const range = clampRange(asked);
    if (range === undefined) return undefined;
    const key = queueKey(q.vhost, q.name);
    if (!this.watchedQueues.delete(key)) {
      this.queueHistory.recordOne(key, queueCounters(q), now);
      if (this.watchedQueues.size >= MAX_WATCHED_QUEUES) {
        const [first] = this.watchedQueues.keys();
        this.watchedQueues.delete(first);
      }
    }
    this.watchedQueues.set(key, { vhost: q.vhost, name: q.name, until: now + HISTORY_AGE_MS });
    return this.queueHistory.details([key], keys, range, now, true);
  }

  sampleHistory(now = Date.now()): void {
    const counters = new Map<string, Counters>();
    for (const vh of this.core.vhosts.values()) counters.set(vh.name, this.totals.vhostCounters(vh));
    this.history.record(counters, now);
    const queues = new Map<string, Counters>();
    for (const [key, w] of this.watchedQueues) {
      const q = w.until > now ? this.core.getVhost(w.vhost)?.queues.get(w.name) : undefined;
      if (q === undefined) this.watchedQueues.delete(key);
      else queues.set(key, queueCounters(q));
    }
    this.queueHistory.record(queues, now);
  }

  /** `tracing` is the core vhost's own flag (the firehose reads it on every publish). */
  metadata(vhost: string): VhostMetadata {
    const meta = this.vhostMeta.get(vhost) ?? { description: vhost === '/' ? 'Default virtual host' : '', tags: [], tracing: false };
    return { ...meta, tracing: this.core.getVhost(vhost)?.tracing ?? false };
  }

  setMetadata(vhost: string, meta: VhostMetadata): void {
    this.vhostMeta.set(vhost, meta);
    const vh = this.core.getVhost(vhost);
    if (vh !== undefined) vh.tracing = meta.tracing;
  }
}

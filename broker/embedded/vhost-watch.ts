// Vhost watches of the embedded broker (BrokerApi.watchVhost) and the state they share: each
// watched vhost's topology as its watchers last saw it, and the three streams that go out to them —
// topology diffs (coalesced for DIFF_DELAY_MS after the first change), a stats tick every second,
// and sampled message-flow events every FLOW_INTERVAL_MS within each watcher's budget. Nothing runs
// while nobody watches: the broker event listener is attached with the first watch, the timers run
// only while someone watches, and the flow tap is installed only while some watcher's budget is
// above 0. API consumers (api-consumer.ts) keep their connections here too.
import type { BrokerCore } from '../core/broker-core';
import type { BrokerEvent } from '../core/events';
import type { Logger } from '../logger';
import { isMonitor } from '../api/access-levels';
import { BrokerError } from '../api/errors';
import { PRODUCER_WINDOW_MS, type Actor, type FlowEvent, type FollowTarget, type RatePoint, type Row, type StatsTick, type TopologyChange, type TopologySnapshot, type VhostListener, type VhostWatch } from '../api/broker-api';
import { actorOf, vhostFor } from './access';
import type { ApiConnection } from './api-connection';
import { DepartedProducers } from './departed-producers';
import { FLOW_INTERVAL_MS, FlowBudget, FlowSampler } from './flow-sampler';
import type { ManagementContext } from './management-context';
import { rateHistory, StatsTicker } from './stats-tick';
import { VhostTopology } from './vhost-topology';

/** Topology changes within this window after the first go out as one diff. */
export const DIFF_DELAY_MS = 50;
export const STATS_INTERVAL_MS = 1_000;
/** A watcher's flow budget is capped here: every sampled message costs the publishing path. */
export const MAX_FLOW_BUDGET = 1_000;

interface WatchedVhost {
  topology: VhostTopology;
  watches: Set<Watch>;
}

export class LiveState {
  readonly core: BrokerCore;
  readonly mgmt: ManagementContext;
  readonly log: Logger;
  /** API consumers' connections by name (see api-connection.ts) */
  readonly apiConnections = new Map<string, ApiConnection>();
  private readonly watched = new Map<string, WatchedVhost>();
  private readonly ticker = new StatsTicker();
  private readonly sampler = new FlowSampler<Watch>();
  private readonly departed = new DepartedProducers();
  private unsubscribe: (() => void) | undefined;
  private diffTimer: NodeJS.Timeout | undefined;
  private statsTimer: NodeJS.Timeout | undefined;
  private flowTimer: NodeJS.Timeout | undefined;
  /** the largest budget of a watcher; 0 = tap not installed */
  private flowBudget = 0;
  private lastFlow = 0;

  constructor(core: BrokerCore, mgmt: ManagementContext, log: Logger) {
    this.core = core;
    this.mgmt = mgmt;
    this.log = log;
  }

  watch(who: Actor, vhost: string, listener: VhostListener): Watch {
    const vh = vhostFor(this.core, who, vhost);
    if (this.unsubscribe === undefined) {
      this.unsubscribe = this.core.on(this.onEvent);
      this.mgmt.totals.onChannelClosed = (ch) => {
        if (this.watched.has(ch.vhost.name)) this.departed.channelClosed(ch, Date.now());
      };
    }
    let w = this.watched.get(vhost);
    if (w === undefined) {
      w = { topology: new VhostTopology(this.core, this.mgmt, vhost), watches: new Set() };
      this.watched.set(vhost, w);
    } else if (w.topology.dirty) {
      // those already watching catch up first, so the new snapshot and their state agree
      this.flush(w);
    }
    const all = w.topology.snapshot(vh);
    const watch = new Watch(this, who, vhost, listener, all, rateHistory(this.mgmt, vhost));
    w.watches.add(watch);
    if (this.statsTimer === undefined) {
      this.statsTimer = setInterval(this.guarded('stats', () => this.tickStats()), STATS_INTERVAL_MS);
      this.statsTimer.unref();
    }
    return watch;
  }

  unwatch(watch: Watch): void {
    const w = this.watched.get(watch.vhost);
    if (w === undefined || !w.watches.delete(watch)) return;
    if (w.watches.size === 0) this.watched.delete(watch.vhost);
    if (this.watched.size === 0) this.stop();
    else this.flowChanged();
  }

  /** A broker event listener runs inside the AMQP operation that emitted: it must never throw. */
  private readonly onEvent = (e: BrokerEvent): void => {
    try {
      this.noteEvent(e);
    } catch (err) {
      this.failed('event', err);
    }
  };

  private failed(what: string, err: unknown): void {
    this.log.error(`vhost watch (${what}): ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  }

  private guarded(what: string, fn: () => void): () => void {
    return () => {
      try {
        fn();
      } catch (err) {
        this.failed(what, err);
      }
    };
  }

  /** One listener's failure is logged and keeps the others from missing out. */
  private tell(watch: Watch, what: string, fn: (l: VhostListener) => void): void {
    if (!watch.closed) this.guarded(what, () => fn(watch.listener))();
  }

  private noteEvent(e: BrokerEvent): void {
    if (e.type === 'users.changed') {
      // tags decide which connections a watcher sees
      for (const w of this.watched.values()) for (const watch of w.watches) watch.who = actorOf(this.core, watch.who.name) ?? { name: watch.who.name, tags: [] };
      return;
    }
    if (e.type === 'vhost.deleted') {
      const w = this.watched.get(e.name);
      if (w === undefined) return;
      this.watched.delete(e.name);
      // closed before they hear it, so a listener that closes its watch in reply changes nothing
      for (const watch of w.watches) watch.closed = true;
      for (const watch of w.watches) this.guarded('gone', () => watch.listener.gone(`vhost '${e.name}' was deleted`))();
      if (this.watched.size === 0) this.stop();
      else this.flowChanged();
      return;
    }
    let marked = false;
    for (const w of this.watched.values()) if (w.topology.note(e)) marked = true;
    if (marked && this.diffTimer === undefined) {
      this.diffTimer = setTimeout(this.guarded('diff', () => this.flushDiffs()), DIFF_DELAY_MS);
      this.diffTimer.unref();
    }
  }

  private flushDiffs(): void {
    this.diffTimer = undefined;
    for (const w of this.watched.values()) if (w.topology.dirty) this.flush(w);
  }

  /** Watchers that may see every connection share one array (so a caller may encode it once). */
  private flush(w: WatchedVhost): void {
    const changes = w.topology.flush(this.core.getVhost(w.topology.vhost));
    if (changes.length === 0) return;
    const private_ = changes.some((c) => c.kind === 'connection');
    for (const watch of [...w.watches]) {
      if (!private_ || isMonitor(watch.who)) {
        this.tell(watch, 'topology', (l) => l.topology(changes));
        continue;
      }
      const mine: TopologyChange[] = changes.filter((c) => c.kind !== 'connection' || watch.canSee(c.item));
      if (mine.length > 0) this.tell(watch, 'topology', (l) => l.topology(mine));
    }
  }

  /** A message published through the HTTP API: a producer of its own in the watched vhost. */
  httpPublished(user: string, vhost: string, exchange: string, routingKey: string): void {
    if (this.watched.has(vhost)) this.departed.httpPublished(vhost, user, exchange, routingKey, Date.now());
  }

  // --- stats -----------------------------------------------------------------------------------

  private tickStats(): void {
    const now = Date.now();
    for (const [vhost, w] of this.watched) {
      const vh = this.core.getVhost(vhost);
      if (vh === undefined) continue;
      const departed = this.departed.of(vhost, now, PRODUCER_WINDOW_MS);
      const tick: StatsTick = this.ticker.tick(vh, this.mgmt.totals, this.core.connections, now, departed);
      for (const watch of [...w.watches]) this.tell(watch, 'stats', (l) => l.stats(tick));
    }
  }

  // --- message flow ----------------------------------------------------------------------------

  /** The tap is installed while some watcher wants sampled flow or follows a message. */
  flowChanged(): void {
    let budget = 0;
    for (const w of this.watched.values()) for (const watch of w.watches) if (watch.flow.budget > budget) budget = watch.flow.budget;
    const was = this.flowBudget;
    this.flowBudget = budget;
    if (budget > 0 && was === 0) this.sampler.start(budget);
    const wanted = budget > 0 || this.sampler.isFollowing;
    if (wanted && this.flowTimer === undefined) {
      this.lastFlow = Date.now();
      this.core.setFlowTap(this.sampler);
      this.flowTimer = setInterval(this.guarded('flow', () => this.flushFlow()), FLOW_INTERVAL_MS);
      this.flowTimer.unref();
    } else if (!wanted && this.flowTimer !== undefined) {
      this.core.setFlowTap(undefined);
      clearInterval(this.flowTimer);
      this.flowTimer = undefined;
      this.sampler.reset();
    }
  }

  /** A watcher follows a message completely (see FlowSampler): the next one to an exchange, or one by id. */
  follow(watch: Watch, target: FollowTarget): void {
    const now = Date.now();
    if ('exchange' in target) {
      const vh = this.core.getVhost(watch.vhost);
      if (vh?.exchanges.get(target.exchange) === undefined) throw BrokerError.amqp(404, `no exchange '${target.exchange}' in vhost '${watch.vhost}'`);
      this.sampler.arm(watch.vhost, target.exchange, watch, now);
    } else {
      if (!Number.isSafeInteger(target.id) || target.id <= 0) throw BrokerError.badRequest('a flow id is a positive integer');
      this.sampler.followId(target.id, watch, now);
    }
    this.flowChanged();
  }

  forgetFollows(watch: Watch): void {
    this.sampler.forget(watch);
  }

  private flushFlow(): void {
    const now = Date.now();
    const seconds = (now - this.lastFlow) / 1000;
    this.lastFlow = now;
    this.sampler.refill(this.flowBudget, seconds);
    this.flushFollowed(now);
    const { byVhost, lost } = this.sampler.drain();
    for (const [vhost, w] of this.watched) {
      const events = byVhost.get(vhost) ?? [];
      for (const watch of [...w.watches]) {
        const budget = watch.flow;
        if (budget.budget === 0) continue;
        budget.refill(seconds);
        budget.dropped += lost;
        const n = budget.take(events.length);
        if (n === 0 && budget.dropped === 0) continue;
        const dropped = budget.dropped;
        budget.dropped = 0;
        this.tell(watch, 'flow', (l) => l.flow?.(n === events.length ? events : events.slice(0, n), dropped));
      }
    }
  }

  /** Followed messages' events go to their watcher whatever its budget; then expired follows are let go. */
  private flushFollowed(now: number): void {
    const followed = this.sampler.drainFollowed();
    if (followed.length > 0) {
      const byOwner = new Map<Watch, FlowEvent[]>();
      for (const f of followed) {
        let list = byOwner.get(f.owner);
        if (list === undefined) byOwner.set(f.owner, (list = []));
        list.push(f.event);
      }
      for (const [watch, events] of byOwner) this.tell(watch, 'flow', (l) => l.flow?.(events, 0));
    }
    this.sampler.expire(now);
    if (this.flowBudget === 0 && !this.sampler.isFollowing) this.flowChanged();
  }

  private stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.mgmt.totals.onChannelClosed = undefined;
    this.departed.clear();
    // nobody is left to hear of followed messages
    this.sampler.reset();
    if (this.diffTimer !== undefined) clearTimeout(this.diffTimer);
    if (this.statsTimer !== undefined) clearInterval(this.statsTimer);
    this.diffTimer = undefined;
    this.statsTimer = undefined;
    this.flowChanged();
  }
}

class Watch implements VhostWatch {
  readonly snapshot: TopologySnapshot;
  readonly history: RatePoint[];
  readonly vhost: string;
  readonly listener: VhostListener;
  readonly flow = new FlowBudget();
  /** as the broker knows the user now: tags may change while watching */
  who: Actor;
  closed = false;
  private readonly live: LiveState;

  constructor(live: LiveState, who: Actor, vhost: string, listener: VhostListener, all: TopologySnapshot, history: RatePoint[]) {
    this.live = live;
    this.who = who;
    this.vhost = vhost;
    this.listener = listener;
    this.snapshot = { ...all, connections: all.connections.filter((c) => this.canSee(c)) };
    this.history = history;
  }

  /** Monitoring users and administrators see every connection; others their own, as in the REST API. */
  canSee(connection: Row): boolean {
    return isMonitor(this.who) || connection.user === this.who.name;
  }

  setFlowBudget(eventsPerSecond: number): void {
    if (this.closed) return;
    this.flow.setBudget(Number.isFinite(eventsPerSecond) && eventsPerSecond > 0 ? Math.min(eventsPerSecond, MAX_FLOW_BUDGET) : 0);
    this.live.flowChanged();
  }

  follow(target: FollowTarget): void {
    if (this.closed) return;
    this.live.follow(this, target);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.live.forgetFollows(this);
    this.live.unwatch(this);
  }
}

export function watchVhost(live: LiveState, who: Actor, vhost: string, listener: VhostListener): VhostWatch {
  return live.watch(who, vhost, listener);
}

// The live hub: every browser session, the vhosts they watch, and the three streams that go out to
// them — topology diffs (coalesced for DIFF_DELAY_MS after the first change), a stats tick every
// second per watched vhost, and sampled message-flow events every FLOW_INTERVAL_MS within each
// browser's budget. Nothing runs while nobody is connected: the broker event listener is attached
// with the first session, the timers run only while someone watches, and the flow tap is installed
// only while some browser on a vhost has a budget above 0.
import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import type { BrokerCore } from '../../broker/core/broker-core';
import type { BrokerEvent } from '../../broker/core/events';
import type { Broker } from '../../broker/index';
import { isMonitor } from '../management/auth';
import { managementContext, type ManagementContext } from '../management/context';
import { FLOW_INTERVAL_MS, FlowSampler } from './flow-sampler';
import { LiveSession, type SessionHost } from './session';
import { rateHistory, StatsTicker } from './stats-tick';
import { VhostTopology, type Change } from './topology';

/** Topology changes within this window after the first go out as one diff. */
export const DIFF_DELAY_MS = 50;
export const STATS_INTERVAL_MS = 1_000;

interface Watch {
  topology: VhostTopology;
  sessions: Set<LiveSession>;
}

export class LiveHub implements SessionHost {
  readonly core: BrokerCore;
  private readonly broker: Broker;
  private mgmtContext: ManagementContext | undefined;
  private readonly sessions = new Set<LiveSession>();
  private readonly watches = new Map<string, Watch>();
  private readonly ticker = new StatsTicker();
  private readonly sampler = new FlowSampler();
  private unsubscribe: (() => void) | undefined;
  private diffTimer: NodeJS.Timeout | undefined;
  private statsTimer: NodeJS.Timeout | undefined;
  private flowTimer: NodeJS.Timeout | undefined;
  /** the largest budget of a browser on a vhost; 0 = tap not installed */
  private flowBudget = 0;
  private lastFlow = 0;

  readonly authTimeoutMs: number;

  constructor(broker: Broker, authTimeoutMs: number) {
    this.broker = broker;
    this.core = broker.core;
    this.authTimeoutMs = authTimeoutMs;
  }

  /** The management layer's shared state (rate sampler, totals), made when a browser first needs it. */
  private get mgmt(): ManagementContext {
    return (this.mgmtContext ??= managementContext(this.broker));
  }

  accept(ws: WebSocket, req: IncomingMessage): LiveSession {
    const session = new LiveSession(this, ws, req);
    this.sessions.add(session);
    this.unsubscribe ??= this.core.on(this.onEvent);
    return session;
  }

  closed(session: LiveSession): void {
    this.sessions.delete(session);
    this.flowChanged();
    if (this.sessions.size === 0 && this.unsubscribe !== undefined) {
      this.unsubscribe();
      this.unsubscribe = undefined;
    }
  }

  close(): void {
    for (const s of [...this.sessions]) {
      s.ws.terminate();
      s.release();
    }
    this.stopTimers();
  }

  // --- topology --------------------------------------------------------------------------------

  watch(session: LiveSession, vhost: string): void {
    const vh = this.core.getVhost(vhost);
    if (vh === undefined) return;
    let w = this.watches.get(vhost);
    if (w === undefined) {
      w = { topology: new VhostTopology(this.core, this.mgmt, vhost), sessions: new Set() };
      this.watches.set(vhost, w);
    } else if (w.topology.dirty) {
      // those already watching catch up first, so the snapshot and their state agree
      this.flushWatch(w);
    }
    w.sessions.add(session);
    const lists = w.topology.snapshot(vh);
    session.send({
      type: 'snapshot',
      vhost,
      ...lists,
      connections: lists.connections.filter((c) => session.canSeeConnection(c)),
      history: rateHistory(this.mgmt, vhost),
    });
    if (this.statsTimer === undefined) {
      this.statsTimer = setInterval(this.guarded('stats', () => this.tickStats()), STATS_INTERVAL_MS);
      this.statsTimer.unref();
    }
  }

  unwatch(session: LiveSession): void {
    const vhost = session.vhost;
    if (vhost === undefined) return;
    const w = this.watches.get(vhost);
    if (w === undefined) return;
    w.sessions.delete(session);
    if (w.sessions.size > 0) return;
    this.watches.delete(vhost);
    if (this.watches.size === 0) this.stopTimers();
  }

  /** A broker event listener runs inside the AMQP operation that emitted: it must never throw. */
  private readonly onEvent = (e: BrokerEvent): void => {
    try {
      this.noteEvent(e);
    } catch (err) {
      this.failed('event', err);
    }
  };

  /** Timers and listeners report their failures here instead of taking the broker down. */
  failed(what: string, err: unknown): void {
    this.broker.log.error(`live hub (${what}): ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
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

  private noteEvent(e: BrokerEvent): void {
    if (e.type === 'users.changed') {
      for (const s of [...this.sessions]) s.recheckUser();
      return;
    }
    if (e.type === 'vhost.deleted') {
      const w = this.watches.get(e.name);
      if (w !== undefined) for (const s of [...w.sessions]) s.leaveVhost('not_found', `vhost '${e.name}' was deleted`);
      return;
    }
    let marked = false;
    for (const w of this.watches.values()) if (w.topology.note(e)) marked = true;
    if (marked && this.diffTimer === undefined) {
      this.diffTimer = setTimeout(this.guarded('diff', () => this.flushDiffs()), DIFF_DELAY_MS);
      this.diffTimer.unref();
    }
  }

  private flushDiffs(): void {
    this.diffTimer = undefined;
    for (const w of this.watches.values()) if (w.topology.dirty) this.flushWatch(w);
  }

  private flushWatch(w: Watch): void {
    const changes = w.topology.flush(this.core.getVhost(w.topology.vhost));
    if (changes.length === 0) return;
    const all = JSON.stringify({ type: 'diff', changes });
    const private_ = changes.some((c) => c.kind === 'connection');
    for (const s of w.sessions) {
      if (!private_ || (s.user !== undefined && isMonitor(s.user))) {
        s.sendText(all);
        continue;
      }
      const mine: Change[] = changes.filter((c) => c.kind !== 'connection' || s.canSeeConnection(c.item));
      if (mine.length > 0) s.send({ type: 'diff', changes: mine });
    }
  }

  // --- stats -----------------------------------------------------------------------------------

  private tickStats(): void {
    const now = Date.now();
    for (const w of this.watches.values()) {
      const vh = this.core.getVhost(w.topology.vhost);
      if (vh === undefined) continue;
      const text = JSON.stringify(this.ticker.tick(vh, this.mgmt.totals, now));
      for (const s of w.sessions) if (!s.congested) s.sendText(text);
    }
  }

  // --- message flow ----------------------------------------------------------------------------

  flowChanged(): void {
    let budget = 0;
    for (const w of this.watches.values()) for (const s of w.sessions) if (s.flow.budget > budget) budget = s.flow.budget;
    const was = this.flowBudget;
    this.flowBudget = budget;
    if (budget > 0 && was === 0) {
      this.sampler.start(budget);
      this.lastFlow = Date.now();
      this.core.setFlowTap(this.sampler);
      this.flowTimer = setInterval(this.guarded('flow', () => this.flushFlow()), FLOW_INTERVAL_MS);
      this.flowTimer.unref();
    } else if (budget === 0 && was > 0) {
      this.core.setFlowTap(undefined);
      clearInterval(this.flowTimer);
      this.flowTimer = undefined;
      this.sampler.reset();
    }
  }

  private flushFlow(): void {
    const now = Date.now();
    const seconds = (now - this.lastFlow) / 1000;
    this.lastFlow = now;
    this.sampler.refill(this.flowBudget, seconds);
    const { byVhost, lost } = this.sampler.drain();
    for (const [vhost, w] of this.watches) {
      const events = byVhost.get(vhost) ?? [];
      for (const s of w.sessions) {
        const budget = s.flow;
        if (budget.budget === 0) continue;
        budget.refill(seconds);
        budget.dropped += lost;
        const n = s.congested ? budget.skip(events.length) : budget.take(events.length);
        if (n === 0 && budget.dropped === 0) continue;
        s.send({ type: 'flow', events: n === events.length ? events : events.slice(0, n), dropped: budget.dropped });
        budget.dropped = 0;
      }
    }
  }

  private stopTimers(): void {
    if (this.diffTimer !== undefined) clearTimeout(this.diffTimer);
    if (this.statsTimer !== undefined) clearInterval(this.statsTimer);
    this.diffTimer = undefined;
    this.statsTimer = undefined;
    this.flowChanged();
  }
}

// The FlowTap of vhost watches, and the per-watcher budgets it feeds.
//
// `sample()` runs on every publish while the tap is installed, so it is one comparison and one
// decrement: a token bucket that the live state refills from its 100 ms flow timer (no clock read
// on the hot path). The refill rate aims at the largest watcher budget in *events* per second:
// each sampled message turns into several events (published, delivered, acked; more with
// fan-out), so the rate is divided by the events-per-message seen lately. `emit()` only appends to
// a buffer; the timer turns events into the API's FlowEvents and hands each watcher what its own
// budget allows.
//
// Followed messages (a message's journey) are not sampled: a watcher arms "the next message
// published to exchange X" or names a message's id, and every event of such a message is kept for
// that watcher, outside any budget. `sample()` pays one more comparison for that (armed > 0), and
// `emit()` one Set lookup while anything is followed. Both are bounded: MAX_FOLLOWED messages and
// arms, each for FOLLOW_MS.
import { nextTraceId, type FlowEvent as CoreFlowEvent, type FlowTap } from '../core/flow';
import type { FlowEvent } from '../api/broker-api';

export const FLOW_INTERVAL_MS = 100;
/** Events kept between two flushes at most; more are lost (counted as dropped for everyone). */
const MAX_PENDING = 20_000;
/** Sampler and browser buckets hold this many seconds of budget: short bursts pass, floods do not. */
const BURST_SECONDS = 0.2;
/** Messages followed (and exchanges armed) at once, broker-wide; the oldest make room. */
export const MAX_FOLLOWED = 64;
/** A followed message, or an armed exchange, is let go after this long. */
export const FOLLOW_MS = 5 * 60_000;

interface Follow<Owner> {
  owner: Owner;
  until: number;
}

/** A followed message's event, for its owner only. */
export interface FollowedEvent<Owner> {
  owner: Owner;
  event: FlowEvent;
}

export class FlowSampler<Owner = unknown> implements FlowTap {
  private tokens = 0;
  /** armed exchanges by `vhost\u0000exchange`: the next message published there is followed */
  private readonly armed = new Map<string, Follow<Owner>>();
  private readonly following = new Map<number, Follow<Owner>>();
  private followedEvents: FollowedEvent<Owner>[] = [];
  private sampled = 0;
  /** events per sampled message, smoothed; starts at publish → deliver → ack */
  private ratio = 3;
  private events: CoreFlowEvent[] = [];
  private times: number[] = [];
  private overflow = 0;

  sample(vhost: string, exchange: string): number {
    if (this.armed.size > 0) {
      const key = `${vhost}\u0000${exchange}`;
      const arm = this.armed.get(key);
      if (arm !== undefined) {
        this.armed.delete(key);
        const id = nextTraceId();
        this.followId(id, arm.owner, Date.now());
        return id;
      }
    }
    if (this.tokens < 1) return 0;
    this.tokens--;
    this.sampled++;
    return nextTraceId();
  }

  /** Whether anything is armed or followed: the tap must stay installed for it. */
  get isFollowing(): boolean {
    return this.armed.size > 0 || this.following.size > 0;
  }

  /** The next message published to `exchange` in `vhost` is followed for `owner`. */
  arm(vhost: string, exchange: string, owner: Owner, now: number): void {
    const key = `${vhost}\u0000${exchange}`;
    this.armed.delete(key);
    if (this.armed.size >= MAX_FOLLOWED) this.armed.delete(this.armed.keys().next().value as string);
    this.armed.set(key, { owner, until: now + FOLLOW_MS });
  }

  followId(id: number, owner: Owner, now: number): void {
    this.following.delete(id);
    if (this.following.size >= MAX_FOLLOWED) this.following.delete(this.following.keys().next().value as number);
    this.following.set(id, { owner, until: now + FOLLOW_MS });
  }

  /** An owner went away (its watch closed): what it armed or followed is let go. */
  forget(owner: Owner): void {
    for (const [k, f] of this.armed) if (f.owner === owner) this.armed.delete(k);
    for (const [k, f] of this.following) if (f.owner === owner) this.following.delete(k);
  }

  /** Lets go of arms and followed messages past their time; from the flow timer. */
  expire(now: number): void {
    for (const [k, f] of this.armed) if (f.until <= now) this.armed.delete(k);
    for (const [k, f] of this.following) if (f.until <= now) this.following.delete(k);
  }

  /** The followed messages' events since the last call, each for its owner. */
  drainFollowed(): FollowedEvent<Owner>[] {
    const out = this.followedEvents;
    this.followedEvents = [];
    return out;
  }

  emit(event: CoreFlowEvent): void {
    if (this.following.size > 0) {
      const f = this.following.get(event.id);
      if (f !== undefined) {
        // bounded by MAX_FOLLOWED messages, each with a handful of events per hop
        if (this.followedEvents.length < MAX_PENDING) this.followedEvents.push({ owner: f.owner, event: { ...apiFlowEvent(event, Date.now()), followed: true } });
        return;
      }
    }
    if (this.events.length >= MAX_PENDING) {
      this.overflow++;
      return;
    }
    this.events.push(event);
    this.times.push(Date.now());
  }

  /** Called from the flow timer: `budget` events per second wanted, `seconds` since the last call. */
  refill(budget: number, seconds: number): void {
    const emitted = this.events.length + this.overflow;
    if (this.sampled > 0) this.ratio = clamp(0.7 * this.ratio + 0.3 * (emitted / this.sampled), 1, 10);
    this.sampled = 0;
    const rate = budget / this.ratio;
    this.tokens = Math.min(Math.max(1, rate * BURST_SECONDS), this.tokens + rate * seconds);
  }

  /** The buffered events as the API gives them, grouped by vhost; and how many were lost. */
  drain(): { byVhost: Map<string, FlowEvent[]>; lost: number } {
    const byVhost = new Map<string, FlowEvent[]>();
    const events = this.events;
    const times = this.times;
    for (let i = 0; i < events.length; i++) {
      const e = events[i];
      let list = byVhost.get(e.vhost);
      if (list === undefined) byVhost.set(e.vhost, (list = []));
      list.push(apiFlowEvent(e, times[i]));
    }
    const lost = this.overflow;
    this.events = [];
    this.times = [];
    this.overflow = 0;
    return { byVhost, lost };
  }

  /** Installed afresh: a full bucket, so the first messages after a watcher asks are followed. */
  start(budget: number): void {
    this.resetSampling();
    this.tokens = Math.max(1, (budget / this.ratio) * BURST_SECONDS);
  }

  reset(): void {
    this.armed.clear();
    this.following.clear();
    this.followedEvents = [];
    this.resetSampling();
  }

  private resetSampling(): void {
    this.tokens = 0;
    this.sampled = 0;
    this.events = [];
    this.times = [];
    this.overflow = 0;
  }
}

/** One watcher's allowance: `budget` events per second, refilled by the flow timer. */
export class FlowBudget {
  private rate = 0;
  private tokens = 1;
  /** events this watcher did not get since its last flow call */
  dropped = 0;

  get budget(): number {
    return this.rate;
  }

  /** From none to some: a full bucket, so the first messages after asking are followed. */
  setBudget(eventsPerSecond: number): void {
    if (this.rate === 0 && eventsPerSecond > 0) {
      this.tokens = Math.max(1, eventsPerSecond * BURST_SECONDS);
      this.dropped = 0;
    }
    this.rate = eventsPerSecond;
  }

  refill(seconds: number): void {
    this.tokens = Math.min(Math.max(1, this.rate * BURST_SECONDS), this.tokens + this.rate * seconds);
  }

  /** How many of `offered` events may go now; the rest count as dropped. */
  take(offered: number): number {
    const n = Math.min(offered, Math.floor(this.tokens));
    this.tokens -= n;
    this.dropped += offered - n;
    return n;
  }
}

function clamp(n: number, lo: number, hi: number): number {
  return n < lo ? lo : n > hi ? hi : n;
}

export function apiFlowEvent(e: CoreFlowEvent, ts: number): FlowEvent {
  switch (e.kind) {
    case 'published':
      return e.origin === undefined
        ? { kind: e.kind, id: e.id, exchange: e.exchange, routingKey: e.routingKey, queues: e.queues, ts }
        : { kind: e.kind, id: e.id, exchange: e.exchange, routingKey: e.routingKey, queues: e.queues, origin: e.origin, ts };
    case 'returned':
      return { kind: e.kind, id: e.id, exchange: e.exchange, routingKey: e.routingKey, ts };
    case 'delivered':
      return { kind: e.kind, id: e.id, queue: e.queue, consumerTag: e.consumerTag, deliveryTag: e.deliveryTag, redelivered: e.redelivered, ts };
    case 'dead-lettered':
      return { kind: e.kind, id: e.id, queue: e.queue, exchange: e.exchange, routingKey: e.routingKey, reason: e.reason, death: e.death, ts };
    default:
      return { kind: e.kind, id: e.id, queue: e.queue, ts };
  }
}

// Stats ticks from the live stream: per-queue counts and rates, per-exchange rates, and a rolling
// history of the totals for the overview charts, seeded with the server's own recent history. Entries
// that did not change keep their object identity, so a node selecting `queues[name]` re-renders
// only when its own numbers move. The per-entity rates are the mean of the last RATE_WINDOW ticks'
// measured rates: a slow consumer taking one message every other second reads a steady 0.5/s
// instead of flickering 1/s, 0/s, 1/s. Counts are shown as measured.
import { create } from 'zustand';
import type { RatePoint, ServerMessage } from '../live/protocol';

type StatsTick = Extract<ServerMessage, { type: 'stats' }>;
export type QueueStats = StatsTick['queues'][string];
export type ExchangeStats = StatsTick['exchanges'][string];
export type BindingStats = StatsTick['bindings'][string];
export type ConsumerStats = StatsTick['consumers'][string];
export type ProducerStats = StatsTick['producers'][string];

export interface HistoryPoint {
  ts: number;
  publish: number;
  deliver: number;
  ack: number;
  messages: number;
}

function toHistoryPoint(p: RatePoint): HistoryPoint {
  return { ts: p.ts, publish: p.publish_rate, deliver: p.deliver_rate, ack: p.ack_rate, messages: p.messages };
}

/** Ten minutes at one tick a second. */
const HISTORY_LENGTH = 600;

/** Ticks (one a second) the rates shown are averaged over, and how the console says so. */
export const RATE_WINDOW = 5;
export const RATE_WINDOW_NOTE = 'average over 5 s';

/** The rate fields of each per-entity map: these are averaged, every other field is taken as it is. */
const RATE_FIELDS = {
  queues: ['publish_rate', 'deliver_rate', 'ack_rate'],
  exchanges: ['publish_in_rate', 'publish_out_rate'],
  bindings: ['publish_rate'],
  consumers: ['deliver_rate', 'ack_rate', 'reject_rate', 'redeliver_rate'],
  producers: ['publish_rate'],
} as const;
type RateKind = keyof typeof RATE_FIELDS;

const round1 = (n: number): number => Math.round(n * 10) / 10;

/** The last RATE_WINDOW measured rates of each entity, by kind and key. */
class RateWindows {
  private readonly windows = new Map<string, number[][]>();

  /** The tick's entries of one kind with their rates replaced by the window's means. */
  smooth<T extends object>(kind: RateKind, entries: Record<string, T>): Record<string, T> {
    const fields = RATE_FIELDS[kind] as readonly string[];
    const out: Record<string, T> = {};
    for (const [key, entry] of Object.entries(entries)) {
      const id = `${kind}\u0000${key}`;
      let window = this.windows.get(id);
      if (window === undefined) this.windows.set(id, (window = []));
      const values = entry as Record<string, unknown>;
      window.push(fields.map((f) => (typeof values[f] === 'number' ? (values[f] as number) : 0)));
      if (window.length > RATE_WINDOW) window.shift();
      const smoothed: Record<string, unknown> = { ...values };
      fields.forEach((f, i) => {
        if (typeof values[f] !== 'number') return;
        let sum = 0;
        for (const w of window) sum += w[i];
        smoothed[f] = round1(sum / window.length);
      });
      out[key] = smoothed as T;
    }
    return out;
  }

  /** Forgets entities the last tick did not have. */
  prune(tick: Pick<StatsTick, RateKind>): void {
    for (const id of this.windows.keys()) {
      const at = id.indexOf('\u0000');
      const kind = id.slice(0, at) as RateKind;
      if ((tick[kind] ?? {})[id.slice(at + 1)] === undefined) this.windows.delete(id);
    }
  }

  clear(): void {
    this.windows.clear();
  }
}

const rateWindows = new RateWindows();

interface StatsState {
  vhost: string | null;
  ts: number;
  queues: Record<string, QueueStats>;
  exchanges: Record<string, ExchangeStats>;
  /** by bindingStatsKey() */
  bindings: Record<string, BindingStats>;
  /** by consumerStatsKey(): each consumer's own counts and rates */
  consumers: Record<string, ConsumerStats>;
  /** by producerStatsKey(): channels that published lately, per exchange */
  producers: Record<string, ProducerStats>;
  /** by queue: the tick when messages last went in or out (a quiet second is not "no traffic") */
  queueActiveAt: Record<string, number>;
  history: HistoryPoint[];
  /** the graph shows a frozen picture: ticks still feed the history, not the per-entity maps */
  frozen: boolean;
  applyTick(vhost: string, tick: StatsTick): void;
  /** The server's recorded history, placed before the ticks this page has seen itself. */
  seedHistory(vhost: string, points: RatePoint[]): void;
  reset(vhost: string | null): void;
  setFrozen(frozen: boolean): void;
}

function sameQueue(a: QueueStats, b: QueueStats): boolean {
  return (
    a.messages_ready === b.messages_ready &&
    a.messages_unacknowledged === b.messages_unacknowledged &&
    a.consumers === b.consumers &&
    a.publish_rate === b.publish_rate &&
    a.deliver_rate === b.deliver_rate &&
    a.ack_rate === b.ack_rate
  );
}

const sameExchange = (a: ExchangeStats, b: ExchangeStats) => a.publish_in_rate === b.publish_in_rate && a.publish_out_rate === b.publish_out_rate;
const sameBinding = (a: BindingStats, b: BindingStats) => a.publish_rate === b.publish_rate;
const sameConsumer = (a: ConsumerStats, b: ConsumerStats) =>
  a.delivered === b.delivered &&
  a.acked === b.acked &&
  a.rejected === b.rejected &&
  a.redelivered === b.redelivered &&
  a.deliver_rate === b.deliver_rate &&
  a.ack_rate === b.ack_rate &&
  a.reject_rate === b.reject_rate &&
  a.unacked === b.unacked &&
  a.prefetch === b.prefetch;
const sameProducer = (a: ProducerStats, b: ProducerStats) =>
  a.published === b.published && a.publish_rate === b.publish_rate && a.connection_name === b.connection_name && a.gone === b.gone;

/** The new map, reusing unchanged entries; the old map itself when nothing changed. */
function merge<T>(old: Record<string, T>, next: Record<string, T>, same: (a: T, b: T) => boolean): Record<string, T> {
  let changed = Object.keys(old).length !== Object.keys(next).length;
  const out: Record<string, T> = {};
  for (const [k, v] of Object.entries(next)) {
    const prev = old[k];
    if (prev !== undefined && same(prev, v)) out[k] = prev;
    else {
      out[k] = v;
      changed = true;
    }
  }
  return changed ? out : old;
}

export const useStats = create<StatsState>()((set, get) => ({
  vhost: null,
  ts: 0,
  queues: {},
  exchanges: {},
  bindings: {},
  consumers: {},
  producers: {},
  queueActiveAt: {},
  history: [],
  frozen: false,
  applyTick(vhost, tick) {
    const s = get();
    if (s.vhost !== vhost) return;
    const point = toHistoryPoint({ ts: tick.ts, ...tick.totals });
    const history = s.history.length >= HISTORY_LENGTH ? [...s.history.slice(s.history.length - HISTORY_LENGTH + 1), point] : [...s.history, point];
    if (s.frozen) {
      set({ history });
      return;
    }
    let queueActiveAt = s.queueActiveAt;
    for (const [name, q] of Object.entries(tick.queues ?? {})) {
      if (q.publish_rate > 0 || q.deliver_rate > 0 || q.ack_rate > 0) {
        if (queueActiveAt === s.queueActiveAt) queueActiveAt = { ...queueActiveAt };
        queueActiveAt[name] = tick.ts;
      }
    }
    rateWindows.prune(tick);
    set({
      ts: tick.ts,
      history,
      queueActiveAt,
      queues: merge(s.queues, rateWindows.smooth('queues', tick.queues ?? {}), sameQueue),
      exchanges: merge(s.exchanges, rateWindows.smooth('exchanges', tick.exchanges ?? {}), sameExchange),
      bindings: merge(s.bindings, rateWindows.smooth('bindings', tick.bindings ?? {}), sameBinding),
      consumers: merge(s.consumers, rateWindows.smooth('consumers', tick.consumers ?? {}), sameConsumer),
      producers: merge(s.producers, rateWindows.smooth('producers', tick.producers ?? {}), sameProducer),
    });
  },
  seedHistory(vhost, points) {
    const s = get();
    if (s.vhost !== vhost) return;
    const firstOwn = s.history[0]?.ts ?? Infinity;
    const older = points.filter((p) => p.ts < firstOwn).map(toHistoryPoint);
    if (older.length === 0) return;
    set({ history: [...older, ...s.history].slice(-HISTORY_LENGTH) });
  },
  reset(vhost) {
    rateWindows.clear();
    set({ vhost, ts: 0, queues: {}, exchanges: {}, bindings: {}, consumers: {}, producers: {}, queueActiveAt: {}, history: [] });
  },
  setFrozen(frozen) {
    set({ frozen });
  },
}));

export const useQueueStats = (name: string): QueueStats | undefined => useStats((s) => s.queues[name]);
export const useExchangeStats = (name: string): ExchangeStats | undefined => useStats((s) => s.exchanges[name]);
export const useConsumerStats = (key: string): ConsumerStats | undefined => useStats((s) => s.consumers[key]);
export const useProducerStats = (key: string): ProducerStats | undefined => useStats((s) => s.producers[key]);

/** A quiet spell this long after the last message in or out reads as "no traffic". */
export const QUEUE_QUIET_MS = 60_000;

/**
 * Seconds since messages last went in or out of the queue, while that is under QUEUE_QUIET_MS;
 * null when it moved nothing for longer (or not since the page started watching).
 */
export const useQueueQuietSeconds = (name: string): number | null =>
  useStats((s) => {
    const at = s.queueActiveAt[name];
    if (at === undefined || s.ts - at > QUEUE_QUIET_MS) return null;
    return Math.round((s.ts - at) / 1000);
  });

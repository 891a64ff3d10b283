// The once-a-second stats tick of one watched vhost: queue depths and consumer counts, and rates
// taken as the change of the broker's O(1) counters (counters.ts) since the previous tick. Runs
// only for vhosts someone watches; objects are WeakMap keys, so deleted ones are forgotten.
import type { ConnectionHandle } from '../core/broker-core';
import type { VirtualHost } from '../core/vhost';
import { REPLY_TO_QUEUE } from '../amqp/direct-reply-to';
import {
  bindingStatsKey, consumerStatsKey, PRODUCER_WINDOW_MS, producerStatsKey, type ConsumerStats, type ProducerStats, type RatePoint, type StatsTick,
} from '../api/broker-api';
import { asAmqp, channelName } from './amqp-view';
import { propertiesKey } from './bindings';
import { exchangeCounters, queueCounters, type Counters } from './counters';
import { HISTORY_AGE_MS, HISTORY_INCR_MS, type SamplePoint } from './history';
import { connectionNameOf, type ProducerSource } from './departed-producers';
import type { ManagementContext } from './management-context';
import { round1 } from './rates';
import type { Totals } from './totals';

interface Sample {
  t: number;
  values: Counters;
}

export class StatsTicker {
  private readonly last = new WeakMap<object, Sample>();
  /** a producer counter → when it last moved */
  private readonly lastPublish = new WeakMap<object, number>();
  /** a producer counter → its count at the previous tick */
  private readonly seen = new WeakMap<object, number>();

  tick(vh: VirtualHost, totals: Totals, connections: Iterable<ConnectionHandle> = [], now = Date.now(), departed: readonly ProducerSource[] = []): StatsTick {
    const queues: StatsTick['queues'] = {};
    const consumers: StatsTick['consumers'] = {};
    for (const q of vh.queues.values()) {
      for (const c of q.consumers) {
        const s = c.stats;
        const info = c.describe();
        const channel = channelName(info.connection, info.channel);
        const r = this.rates(c, { delivered: s.delivered, acked: s.acked, rejected: s.rejected, redelivered: s.redelivered }, now);
        consumers[consumerStatsKey({ queue: q.name, channel, consumer_tag: c.tag })] = {
          queue: q.name,
          consumer_tag: c.tag,
          channel,
          delivered: s.delivered,
          redelivered: s.redelivered,
          acked: s.acked,
          rejected: s.rejected,
          deliver_rate: r('delivered'),
          ack_rate: r('acked'),
          reject_rate: r('rejected'),
          redeliver_rate: r('redelivered'),
          unacked: c.unackedCount(),
          prefetch: info.ackRequired ? info.prefetchCount : 0,
        };
      }
      const c = queueCounters(q);
      const rate = this.rates(q, c, now);
      queues[q.name] = {
        messages_ready: c.messages_ready,
        messages_unacknowledged: c.messages_unacknowledged,
        consumers: q.consumerCount,
        publish_rate: rate('publish'),
        deliver_rate: rate('deliver_get'),
        ack_rate: rate('ack'),
      };
    }
    const exchanges: StatsTick['exchanges'] = {};
    const bindings: StatsTick['bindings'] = {};
    for (const e of vh.exchanges.values()) {
      const rate = this.rates(e, exchangeCounters(e), now);
      exchanges[e.name] = { publish_in_rate: rate('publish_in'), publish_out_rate: rate('publish_out') };
      for (const b of e.bindings.values()) {
        const key = bindingStatsKey({
          source: e.name,
          destination_type: b.destination.kind,
          destination: b.destination.name,
          properties_key: propertiesKey(b.routingKey, b.arguments),
        });
        bindings[key] = { publish_rate: this.rates(b, { routed: b.routed }, now)('routed') };
      }
    }
    const producers = this.producers(vh, connections, departed, consumers, now);
    // channel publishes, queue deliveries and acks, and what departed objects left behind
    const t = totals.vhostCounters(vh);
    const rate = this.rates(vh, t, now);
    return {
      ts: now,
      queues,
      exchanges,
      bindings,
      consumers,
      producers,
      totals: { publish_rate: rate('publish'), deliver_rate: rate('deliver_get'), ack_rate: rate('ack'), messages: t.messages ?? 0 },
    };
  }

  /**
   * Channels of the vhost's AMQP connections that published within PRODUCER_WINDOW_MS, per exchange;
   * then channels that closed since (as gone) and the HTTP API. A reply through direct reply-to
   * names the reply consumer it reached, and that consumer is reported with its delivered count.
   */
  private producers(vh: VirtualHost, connections: Iterable<ConnectionHandle>, departed: readonly ProducerSource[], consumers: StatsTick['consumers'], now: number): StatsTick['producers'] {
    // the vhost's previous tick: a counter born since then counts from there
    const since = this.last.get(vh)?.t;
    const sources: ProducerSource[] = [];
    const replies = new Map<string, { channel: string; consumer_tag: string }>();
    for (const conn of connections) {
      if (conn.vhostName !== vh.name) continue;
      const amqp = asAmqp(conn);
      if (amqp === undefined) continue;
      let named: string | undefined | null = null;
      for (const ch of amqp.channels.values()) {
        const channel = channelName(conn.name, ch.id);
        if (ch.replyTo !== undefined) {
          const reply = ch.replyTo;
          replies.set(reply.key, { channel, consumer_tag: reply.tag });
          if (reply.delivered > 0) consumers[consumerStatsKey({ queue: REPLY_TO_QUEUE, channel, consumer_tag: reply.tag })] = this.replyConsumer(reply, channel, now, since);
        }
        for (const counter of ch.publishCounters()) {
          named ??= connectionNameOf(amqp.clientProperties);
          sources.push({ vhost: vh.name, connection: conn.name, ...(named !== undefined ? { connection_name: named } : {}), channel, user: conn.user, counter });
        }
      }
    }
    const out: StatsTick['producers'] = {};
    for (const src of [...sources, ...departed]) {
      const counter = src.counter;
      const rate = this.counterRate(counter, counter.count, counter.since, now, since);
      const prevCount = this.seen.get(counter);
      this.seen.set(counter, counter.count);
      if (prevCount === undefined ? counter.since > now - PRODUCER_WINDOW_MS : counter.count !== prevCount) this.lastPublish.set(counter, now);
      const moved = this.lastPublish.get(counter);
      if (moved === undefined || now - moved > PRODUCER_WINDOW_MS) continue;
      const reply = counter.exchange === '' ? replies.get(counter.routingKey) : undefined;
      const p: ProducerStats = {
        connection: src.connection,
        ...(src.connection_name !== undefined ? { connection_name: src.connection_name } : {}),
        channel: src.channel,
        user: src.user,
        exchange: counter.exchange,
        ...(counter.exchange === '' ? { routing_key: counter.routingKey } : {}),
        published: counter.count,
        publish_rate: rate,
        ...(src.closedAt !== undefined ? { gone: true } : {}),
        ...(reply !== undefined ? { reply_to: reply } : {}),
      };
      out[producerStatsKey(p)] = p;
    }
    return out;
  }

  /** A direct reply-to consumer: replies are delivered without acks, so only deliveries count. */
  private replyConsumer(reply: { tag: string; delivered: number }, channel: string, now: number, since: number | undefined): ConsumerStats {
    const deliver = this.counterRate(reply, reply.delivered, undefined, now, since);
    return {
      queue: REPLY_TO_QUEUE,
      consumer_tag: reply.tag,
      channel,
      delivered: reply.delivered,
      redelivered: 0,
      acked: 0,
      rejected: 0,
      deliver_rate: deliver,
      ack_rate: 0,
      reject_rate: 0,
      redeliver_rate: 0,
      unacked: 0,
      prefetch: 0,
    };
  }

  /**
   * Per-second change of one counter since its previous tick. On its first tick, a counter born
   * after the vhost's previous tick counted all of its value in this interval; an older one has no
   * interval to go by yet (0).
   */
  private counterRate(obj: object, count: number, born: number | undefined, now: number, since: number | undefined): number {
    const prev = this.last.get(obj);
    if (prev === undefined && born !== undefined && since !== undefined && born > since && now > since) {
      this.last.set(obj, { t: now, values: { n: count } });
      return round1(count / ((now - since) / 1000));
    }
    return this.rates(obj, { n: count }, now)('n');
  }

  /** Per-second change since this object's previous tick; 0 on its first. */
  private rates(obj: object, values: Counters, now: number): (key: string) => number {
    const prev = this.last.get(obj);
    this.last.set(obj, { t: now, values });
    if (prev === undefined || now <= prev.t) return () => 0;
    const seconds = (now - prev.t) / 1000;
    return (key) => round1(Math.max(0, (values[key] ?? 0) - (prev.values[key] ?? 0)) / seconds);
  }
}

/** The counters behind RateTotals: deliver_rate counts deliver_get, as RabbitMQ's overview does. */
const HISTORY_KEYS = ['publish', 'deliver_get', 'ack', 'messages'];

/** The vhost's recorded history as rate points, oldest first (rates between neighbouring samples). */
export function rateHistory(mgmt: ManagementContext, vhost: string, now = Date.now()): RatePoint[] {
  const range = { age: HISTORY_AGE_MS / 1000, incr: HISTORY_INCR_MS / 1000 };
  const d = mgmt.history.details([vhost], HISTORY_KEYS, range, now);
  const series = (k: string) => d.get(k)!.samples.slice().reverse();
  const [publish, deliver, ack, messages] = HISTORY_KEYS.map(series);
  // only what was recorded: before its first sample the history would repeat that sample
  const since = mgmt.history.oldest(vhost) ?? now;
  const points: RatePoint[] = [];
  for (let i = 1; i < publish.length; i++) {
    if (publish[i - 1].timestamp < since) continue;
    const rate = (s: SamplePoint[]) => round1(Math.max(0, s[i].sample - s[i - 1].sample) / range.incr);
    points.push({ ts: publish[i].timestamp, publish_rate: rate(publish), deliver_rate: rate(deliver), ack_rate: rate(ack), messages: messages[i].sample });
  }
  return points;
}

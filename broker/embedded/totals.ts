// Per-vhost totals that outlive the objects they came from, as RabbitMQ's overview and vhost
// message_stats do: when a queue is deleted or a channel or connection closes, its counters are
// folded into the vhost's "retired" sums. Also counts churn (created/closed) from the event
// stream. Topology events only — nothing here runs per message.
import type { BrokerCore, ConnectionHandle } from '../core/broker-core';
import type { BrokerEvent } from '../core/events';
import type { Queue } from '../core/queue';
import type { VirtualHost } from '../core/vhost';
import { asAmqp, channelsOf, type Channel } from './amqp-view';
import {
  addCounters, channelCounters, connectionCounters, DELIVER_STATS, OCTETS, PUBLISH_STATS, queueCounters, queueSums, type Counters,
} from './counters';

export const CHURN_KEYS = [
  'channel_closed', 'channel_created', 'connection_closed', 'connection_created', 'queue_created', 'queue_declared', 'queue_deleted',
] as const;

export class Totals {
  readonly churn: Counters = Object.fromEntries(CHURN_KEYS.map((k) => [k, 0]));
  private readonly retired = new Map<string, Counters>();
  private readonly queues = new Map<string, Queue>();
  private readonly connections = new Map<string, ConnectionHandle>();
  private readonly channels = new Map<string, Map<number, Channel>>();
  private readonly unsubscribe: () => void;
  /** Told of each AMQP channel that closed, alone or with its connection (the live view's gone producers). */
  onChannelClosed: ((ch: Channel) => void) | undefined;

  constructor(private readonly core: BrokerCore) {
    for (const vh of core.vhosts.values()) for (const q of vh.queues.values()) this.queues.set(queueKey(vh.name, q.name), q);
    for (const c of core.connections) this.trackConnection(c);
    this.unsubscribe = core.on((e) => this.onEvent(e));
  }

  close(): void {
    this.unsubscribe();
  }

  /** Live counters of everything in the vhost plus what departed objects left behind. */
  vhostCounters(vh: VirtualHost): Counters {
    const sum: Counters = { ...this.retired.get(vh.name) };
    addCounters(sum, queueSums(vh.queues.values()), [...DELIVER_STATS, 'messages', 'messages_ready', 'messages_unacknowledged']);
    for (const c of this.core.connections) {
      if (c.vhostName !== vh.name) continue;
      addCounters(sum, connectionCounters(c), OCTETS);
      for (const ch of channelsOf(c)) addCounters(sum, channelCounters(ch), PUBLISH_STATS);
    }
    return sum;
  }

  /** Counts something done outside any channel (a management publish) towards the vhost. */
  add(vhost: string, counters: Counters): void {
    this.fold(vhost, counters, Object.keys(counters));
  }

  private fold(vhost: string, counters: Counters, keys: readonly string[]): void {
    let r = this.retired.get(vhost);
    if (r === undefined) this.retired.set(vhost, (r = {}));
    addCounters(r, counters, keys);
  }

  private trackConnection(c: ConnectionHandle): void {
    this.connections.set(c.name, c);
    this.channels.set(c.name, new Map(channelsOf(c).map((ch) => [ch.id, ch])));
  }

  private findConnection(name: string): ConnectionHandle | undefined {
    for (const c of this.core.connections) if (c.name === name) return c;
    return undefined;
  }

  private onEvent(e: BrokerEvent): void {
    switch (e.type) {
      case 'queue.created': {
        this.churn.queue_created++;
        this.churn.queue_declared++;
        const q = this.core.vhosts.get(e.vhost)?.queues.get(e.name);
        if (q !== undefined) this.queues.set(queueKey(e.vhost, e.name), q);
        return;
      }
      case 'queue.deleted': {
        this.churn.queue_deleted++;
        const key = queueKey(e.vhost, e.name);
        const q = this.queues.get(key);
        if (q !== undefined) this.fold(e.vhost, queueCounters(q), DELIVER_STATS);
        this.queues.delete(key);
        return;
      }
      case 'connection.opened': {
        this.churn.connection_created++;
        const c = this.findConnection(e.name);
        if (c !== undefined) this.trackConnection(c);
        return;
      }
      case 'channel.opened': {
        this.churn.channel_created++;
        const conn = this.connections.get(e.connection);
        const ch = conn === undefined ? undefined : asAmqp(conn)?.channels.get(e.channel);
        if (ch !== undefined) this.channels.get(e.connection)?.set(e.channel, ch);
        return;
      }
      case 'channel.closed': {
        this.churn.channel_closed++;
        const chans = this.channels.get(e.connection);
        const ch = chans?.get(e.channel);
        if (ch !== undefined) {
          this.fold(ch.vhost.name, channelCounters(ch), PUBLISH_STATS);
          this.onChannelClosed?.(ch);
        }
        chans?.delete(e.channel);
        return;
      }
      case 'connection.closed': {
        this.churn.connection_closed++;
        const c = this.connections.get(e.name);
        // channels still open when the connection went are closed with it, without events of their own
        for (const ch of this.channels.get(e.name)?.values() ?? []) {
          this.churn.channel_closed++;
          this.fold(ch.vhost.name, channelCounters(ch), PUBLISH_STATS);
          this.onChannelClosed?.(ch);
        }
        if (c !== undefined && c.vhostName !== '') this.fold(c.vhostName, connectionCounters(c), OCTETS);
        this.connections.delete(e.name);
        this.channels.delete(e.name);
        return;
      }
      case 'vhost.deleted':
        this.retired.delete(e.name);
        for (const k of [...this.queues.keys()]) if (k.startsWith(`${e.name}\u0000`)) this.queues.delete(k);
        return;
      default:
        return;
    }
  }
}

function queueKey(vhost: string, name: string): string {
  return `${vhost}\u0000${name}`;
}

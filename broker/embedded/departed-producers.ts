// Producers the stats tick cannot find among open AMQP channels: channels that published and closed
// since (a tutorial's send.py publishes once and exits before the next tick), and publishes through
// the HTTP API (the console's Publish panel), counted per user. Fed by channel-closed events and API
// calls while a vhost is watched, never per AMQP message; both lists are bounded.
import type { PublishCounter } from '../amqp/channel';
import { channelName, type Channel } from './amqp-view';

/** A producer as the tick reports it, with the counter its numbers come from. */
export interface ProducerSource {
  vhost: string;
  connection: string;
  connection_name?: string;
  channel: string;
  user: string;
  counter: PublishCounter;
  /** when its channel closed; undefined for the HTTP API, which never closes */
  closedAt?: number;
}

/** Departed channels kept at most; a flood of one-shot senders drops the oldest first. */
const MAX_DEPARTED = 1_000;
/** HTTP API producers (vhost, user, exchange) kept at most: starts over past this. */
const MAX_HTTP = 256;

/** How RabbitMQ's management UI names the HTTP API's publishes; the console calls the producer so. */
export const HTTP_API_CONNECTION = 'HTTP API';

/** The client's connection_name property, when it gave one. */
export function connectionNameOf(clientProperties: Record<string, unknown>): string | undefined {
  const n = clientProperties.connection_name;
  return typeof n === 'string' && n !== '' ? n : Buffer.isBuffer(n) ? n.toString('utf8') : undefined;
}

export class DepartedProducers {
  private departed: ProducerSource[] = [];
  private readonly http = new Map<string, ProducerSource>();

  /** A channel closed: what it published goes on being reported, as gone, for a while. */
  channelClosed(ch: Channel, now: number): void {
    if (ch.publishCounterCount === 0) return;
    const conn = ch.conn;
    const named = connectionNameOf(conn.clientProperties);
    const channel = channelName(conn.name, ch.id);
    for (const counter of ch.publishCounters()) {
      this.departed.push({
        vhost: ch.vhost.name,
        connection: conn.name,
        ...(named !== undefined ? { connection_name: named } : {}),
        channel,
        user: conn.user,
        counter,
        closedAt: now,
      });
    }
    if (this.departed.length > MAX_DEPARTED) this.departed.splice(0, this.departed.length - MAX_DEPARTED);
  }

  /** One message published through the HTTP API by `user`. */
  httpPublished(vhost: string, user: string, exchange: string, routingKey: string, now: number): void {
    const key = `${vhost}\u0000${user}\u0000${exchange}\u0000${exchange === '' ? routingKey : ''}`;
    let p = this.http.get(key);
    if (p === undefined) {
      if (this.http.size >= MAX_HTTP) this.http.clear();
      const channel = `${HTTP_API_CONNECTION} (${user})`;
      p = { vhost, connection: HTTP_API_CONNECTION, channel, user, counter: { exchange, routingKey: exchange === '' ? routingKey : '', since: now, count: 0 } };
      this.http.set(key, p);
    }
    p.counter.count++;
  }

  /** The vhost's departed and HTTP producers; departed ones older than `windowMs` are forgotten. */
  of(vhost: string, now: number, windowMs: number): ProducerSource[] {
    if (this.departed.length > 0 && now - (this.departed[0].closedAt ?? now) > windowMs) {
      this.departed = this.departed.filter((p) => now - (p.closedAt ?? now) <= windowMs);
    }
    const out: ProducerSource[] = [];
    for (const p of this.departed) if (p.vhost === vhost) out.push(p);
    for (const p of this.http.values()) if (p.vhost === vhost) out.push(p);
    return out;
  }

  /** Nobody watches any more: nothing is kept for later. */
  clear(): void {
    this.departed = [];
    this.http.clear();
  }
}

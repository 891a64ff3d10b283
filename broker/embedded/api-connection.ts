// How the broker API's consumers appear to the core and the management rows: a ConnectionHandle
// named as the caller asked (`websocket 10.0.0.5:51234`), in core.connections only while it has at
// least one consumer — so /api/consumers can name its user and connection, /api/connections lists
// it, and closing it there or deleting its vhost cancels the consumers, as for an AMQP connection.
// Its "channels" are its consumers, one each, numbered from 1.
import type { BrokerCore, ConnectionHandle } from '../core/broker-core';
import type { ApiConsumer } from './api-consumer';

export class ApiConnection implements ConnectionHandle {
  readonly name: string;
  readonly user: string;
  readonly vhostName: string;
  readonly clientProperties: Record<string, unknown> = { product: 'Warren', connection_type: 'broker API' };
  readonly core: BrokerCore;
  /** the live connections by name, where this one is found while it has consumers */
  private readonly registry: Map<string, ApiConnection>;
  private readonly consumers = new Set<ApiConsumer>();
  private nextChannel = 1;

  constructor(core: BrokerCore, registry: Map<string, ApiConnection>, o: { name: string; user: string; vhost: string }) {
    this.core = core;
    this.registry = registry;
    this.name = o.name;
    this.user = o.user;
    this.vhostName = o.vhost;
  }

  get channelCount(): number {
    return this.consumers.size;
  }

  /** The channel number the next consumer gets. */
  allocateChannel(): number {
    return this.nextChannel++;
  }

  /** A consumer starts; the connection is listed from its first. */
  opened(c: ApiConsumer): void {
    if (this.consumers.size === 0 && !this.core.connections.has(this)) {
      this.registry.set(this.name, this);
      this.core.connections.add(this);
      this.core.emit({ type: 'connection.opened', name: this.name });
    }
    this.consumers.add(c);
    this.core.emit({ type: 'channel.opened', connection: this.name, channel: c.channel });
  }

  /** A consumer ended; the connection goes with its last. */
  closed(c: ApiConsumer): void {
    if (!this.consumers.delete(c)) return;
    this.core.emit({ type: 'channel.closed', connection: this.name, channel: c.channel });
    if (this.consumers.size > 0) return;
    if (this.registry.get(this.name) === this) this.registry.delete(this.name);
    if (this.core.connections.delete(this)) this.core.emit({ type: 'connection.closed', name: this.name });
  }

  /**
   * Force-close (management API) or vhost deletion: every consumer ends and its sink is told why.
   * All leave their queues before anything is requeued, so what one held does not go to another.
   */
  close(_code: number, reason: string): void {
    const all = [...this.consumers];
    for (const c of all) c.detach();
    for (const c of all) c.requeueAll();
    for (const q of new Set(all.map((c) => c.queue))) q.dispatch();
    for (const c of all) c.notifyCancelled(reason);
  }
}

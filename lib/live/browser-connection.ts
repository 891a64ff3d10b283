// How a browser with consumers appears to the core and the management API: a ConnectionHandle
// named `websocket <address>:<port>`, registered in core.connections only while the browser has at
// least one consumer (so /api/consumers can name its user and connection, /api/connections lists
// it, and closing it there or deleting its vhost cancels the consumers). Its "channels" are the
// browser's consumers, one each, numbered from 1.
import type { BrokerCore, ConnectionHandle } from '../../broker/core/broker-core';

export class BrowserConnection implements ConnectionHandle {
  readonly name: string;
  readonly user: string;
  readonly vhostName: string;
  readonly clientProperties: Record<string, unknown> = { product: 'Warren console', connection_type: 'websocket' };
  private readonly channels: () => number;
  private readonly onClose: (reason: string) => void;

  constructor(o: { name: string; user: string; vhost: string; channels: () => number; onClose: (reason: string) => void }) {
    this.name = o.name;
    this.user = o.user;
    this.vhostName = o.vhost;
    this.channels = o.channels;
    this.onClose = o.onClose;
  }

  get channelCount(): number {
    return this.channels();
  }

  /** Force-close (management API) or vhost deletion: the consumers end, the WebSocket stays. */
  close(_code: number, reason: string): void {
    this.onClose(reason);
  }

  register(core: BrokerCore): void {
    if (core.connections.has(this)) return;
    core.connections.add(this);
    core.emit({ type: 'connection.opened', name: this.name });
  }

  unregister(core: BrokerCore): void {
    if (core.connections.delete(this)) core.emit({ type: 'connection.closed', name: this.name });
  }
}

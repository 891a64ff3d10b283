// What the management API reads from AMQP connections beyond the core's ConnectionHandle: socket
// addresses, negotiated limits, channels and their counters. Read-only.
import type { AmqpConnection } from '../amqp/connection';
import type { Channel } from '../amqp/channel';
import type { ConnectionHandle } from '../core/broker-core';

export type { AmqpConnection, Channel };

/** The AMQP connection behind a handle, or undefined for any other kind of connection. */
export function asAmqp(c: ConnectionHandle): AmqpConnection | undefined {
  return 'socket' in c && 'channels' in c ? (c as AmqpConnection) : undefined;
}

export function channelsOf(c: ConnectionHandle): Channel[] {
  const amqp = asAmqp(c);
  return amqp === undefined ? [] : [...amqp.channels.values()];
}

export interface Endpoints {
  peerHost: string;
  peerPort: number;
  host: string;
  port: number;
}

/** Addresses from the name (`peer:port -> local:port`), which outlives the socket. */
export function endpointsOf(c: Pick<ConnectionHandle, 'name'>): Endpoints {
  const m = /^(.*):(\d+) -> (.*):(\d+)$/.exec(c.name);
  if (m === null) return { peerHost: '', peerPort: 0, host: '', port: 0 };
  return { peerHost: m[1], peerPort: Number(m[2]), host: m[3], port: Number(m[4]) };
}

/** RabbitMQ names a channel after its connection: `127.0.0.1:5000 -> 127.0.0.1:5672 (1)`. */
export const channelName = (connection: string, number: number): string => `${connection} (${number})`;

/** Finds connections by name; built once per request. */
export function connectionIndex(connections: Iterable<ConnectionHandle>): Map<string, ConnectionHandle> {
  const index = new Map<string, ConnectionHandle>();
  for (const c of connections) index.set(c.name, c);
  return index;
}

import type { BrokerCore } from './core/broker-core';

export interface BrokerSnapshot {
  connections: { name: string; user: string; vhost: string; channels: number; clientProperties: Record<string, unknown> }[];
  vhosts: {
    name: string;
    exchanges: { name: string; type: string; durable: boolean; autoDelete: boolean; internal: boolean; arguments: Record<string, unknown> }[];
    queues: {
      name: string; durable: boolean; exclusive: boolean; autoDelete: boolean; arguments: Record<string, unknown>;
      messages: number; messagesReady: number; messagesUnacknowledged: number; consumers: number;
    }[];
    bindings: { source: string; destination: string; destinationType: 'queue' | 'exchange'; routingKey: string; arguments: Record<string, unknown> }[];
  }[];
}

/** A plain-data picture of the broker, for the console's first page and for tests. */
export function snapshotOf(core: BrokerCore): BrokerSnapshot {
  return {
    connections: [...core.connections].map((c) => ({
      name: c.name, user: c.user, vhost: c.vhostName, channels: c.channelCount, clientProperties: c.clientProperties,
    })),
    vhosts: [...core.vhosts.values()].map((vh) => ({
      name: vh.name,
      exchanges: [...vh.exchanges.values()].map((e) => ({
        name: e.name, type: e.type, durable: e.durable, autoDelete: e.autoDelete, internal: e.internal, arguments: e.arguments,
      })),
      queues: [...vh.queues.values()].map((q) => ({
        name: q.name,
        durable: q.durable,
        exclusive: q.exclusiveOwner !== null,
        autoDelete: q.autoDelete,
        arguments: q.arguments,
        messages: q.messagesReady + q.unacked,
        messagesReady: q.messagesReady,
        messagesUnacknowledged: q.unacked,
        consumers: q.consumerCount,
      })),
      bindings: [...vh.exchanges.values()].flatMap((e) =>
        [...e.bindings.values()].map((b) => ({
          source: e.name, destination: b.destination.name, destinationType: b.destination.kind, routingKey: b.routingKey, arguments: b.arguments,
        })),
      ),
    })),
  };
}

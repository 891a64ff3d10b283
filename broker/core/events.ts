/**
 * What the broker tells observers (the console's live hub, logs). Emitted on topology changes and
 * connection lifecycle only — never per message — so with nobody listening they cost nothing.
 */
export type BrokerEvent =
  | { type: 'exchange.created' | 'exchange.deleted'; vhost: string; name: string }
  | { type: 'queue.created' | 'queue.deleted' | 'queue.purged'; vhost: string; name: string }
  | { type: 'binding.created' | 'binding.deleted'; vhost: string; source: string; destination: string; destinationType: 'queue' | 'exchange'; routingKey: string }
  | { type: 'consumer.created' | 'consumer.deleted'; vhost: string; queue: string; tag: string }
  | { type: 'connection.opened' | 'connection.closed'; name: string }
  | { type: 'channel.opened' | 'channel.closed'; connection: string; channel: number }
  | { type: 'vhost.created' | 'vhost.deleted'; name: string }
  /** a policy was set or cleared; `queues` and `exchanges` are those whose policy changed with it */
  | { type: 'policy.changed'; vhost: string; name: string; queues: readonly string[]; exchanges: readonly string[] }
  /** users, tags or permissions changed */
  | { type: 'users.changed' };

export type BrokerEventListener = (event: BrokerEvent) => void;

// TanStack Query keys, all under `warren`: per-vhost topology lists and the global listings.
export const warrenKeys = {
  all: ['warren'] as const,
  whoami: () => ['warren', 'whoami'] as const,
  overview: () => ['warren', 'overview'] as const,
  vhosts: () => ['warren', 'vhosts'] as const,
  users: () => ['warren', 'users'] as const,
  permissions: () => ['warren', 'permissions'] as const,
  topicPermissions: () => ['warren', 'topic-permissions'] as const,
  vhost: (vhost: string) => ['warren', 'vhost', vhost] as const,
  exchanges: (vhost: string) => ['warren', 'vhost', vhost, 'exchanges'] as const,
  queues: (vhost: string) => ['warren', 'vhost', vhost, 'queues'] as const,
  bindings: (vhost: string) => ['warren', 'vhost', vhost, 'bindings'] as const,
  consumers: (vhost: string) => ['warren', 'vhost', vhost, 'consumers'] as const,
  connections: (vhost: string) => ['warren', 'vhost', vhost, 'connections'] as const,
  channels: (vhost: string) => ['warren', 'vhost', vhost, 'channels'] as const,
  policies: (vhost: string) => ['warren', 'vhost', vhost, 'policies'] as const,
  operatorPolicies: (vhost: string) => ['warren', 'vhost', vhost, 'operator-policies'] as const,
  /** one queue's page: its row with history, and its bindings */
  queue: (vhost: string, name: string) => ['warren', 'vhost', vhost, 'queue', name] as const,
  queueBindings: (vhost: string, name: string) => ['warren', 'vhost', vhost, 'queue', name, 'bindings'] as const,
};

export type TopologyListKey = 'exchanges' | 'queues' | 'bindings' | 'consumers' | 'connections';

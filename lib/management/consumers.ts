// /api/consumers: every consumer of every visible queue, with its channel.
import { json } from './http';
import { listing } from './paging';
import type { Route } from './route';

const ORDER = ['queue.vhost', 'queue.name', 'consumer_tag'];

export const consumerRoutes: Route[] = [
  { method: 'GET', path: '/api/consumers', handle: async (c) => json(listing(await c.api.listConsumers(c.user), c.query, ORDER)) },
  // RabbitMQ lists a vhost's consumers to any management user, filtered to what they may see
  { method: 'GET', path: '/api/consumers/:vhost', vhostCheck: 'exists', handle: async (c) => json(listing(await c.api.listConsumers(c.user, c.vhost), c.query, ORDER)) },
];

// /api/channels: the AMQP channels of the connections a user may see, with prefetch, unacked
// counts and message stats.
import { mapped, notFoundPlain } from './errors';
import { json } from './http';
import { listing } from './paging';
import type { Route } from './route';

export const channelRoutes: Route[] = [
  { method: 'GET', path: '/api/channels', handle: async (c) => json(listing(await c.api.listChannels(c.user), c.query, ['name'])) },
  {
    method: 'GET',
    path: '/api/vhosts/:vhost/channels',
    handle: async (c) => json(listing(await c.api.listChannels(c.user, { vhost: c.vhost }), c.query, ['name'])),
  },
  {
    method: 'GET',
    path: '/api/connections/:name/channels',
    handle: async (c) => json(listing(await mapped(c.api.listChannels(c.user, { connection: c.params.name }), notFoundPlain), c.query, ['name'])),
  },
  {
    method: 'GET',
    path: '/api/channels/:name',
    handle: async (c) => json(await mapped(c.api.getChannel(c.user, c.params.name), notFoundPlain)),
  },
];

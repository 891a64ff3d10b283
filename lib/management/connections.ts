// /api/connections: client connections, and closing one by force (clients get connection.close
// 320 with the X-Reason header's text). Monitoring users and administrators see every connection,
// other users their own.
import { mapped, notFoundPlain } from './errors';
import { json, noContent } from './http';
import { listing } from './paging';
import type { Route } from './route';

export const FORCED_CLOSE_REASON = 'Closed via management plugin';


export const connectionRoutes: Route[] = [
  { method: 'GET', path: '/api/connections', handle: async (c) => json(listing(await c.api.listConnections(c.user), c.query, ['name'])) },
  {
    method: 'GET',
    path: '/api/vhosts/:vhost/connections',
    handle: async (c) => json(listing(await c.api.listConnections(c.user, c.vhost), c.query, ['name'])),
  },
  { method: 'GET', path: '/api/connections/:name', handle: async (c) => json(await mapped(c.api.getConnection(c.user, c.params.name), notFoundPlain)) },
  {
    method: 'DELETE',
    path: '/api/connections/:name',
    handle: async (c) => {
      const reason = c.req.headers['x-reason'];
      await mapped(c.api.closeConnection(c.user, c.params.name, reason !== undefined && reason !== '' ? reason : FORCED_CLOSE_REASON), notFoundPlain);
      return noContent();
    },
  },
];

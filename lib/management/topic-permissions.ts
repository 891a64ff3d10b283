// /api/topic-permissions: per user, vhost and exchange, the routing keys the user may publish with
// (write) and bind with (read) on a topic exchange. Administrators only, as in RabbitMQ 3.10.
//
// Where Warren answers otherwise than RabbitMQ 3.10.8 (measured against it):
// - GET /api/topic-permissions/<vhost> lists the vhost's (RabbitMQ answers an empty 400);
// - DELETE /api/topic-permissions/<vhost>/<user>?exchange=<x> clears only that exchange's
//   (RabbitMQ ignores the parameter and clears them all, as Warren does without it).
import type { Row } from '../../broker/index';
import { readJsonObject, reqStr } from './body';
import { mapped, notFoundPlain, objectNotFound } from './errors';
import { createdOrUpdated, json, noContent } from './http';
import { listing } from './paging';
import type { Route, RouteContext } from './route';

const SORT = ['vhost', 'user', 'exchange'];

/** RabbitMQ's rows under /api/vhosts/<vhost>/topic-permissions name the vhost first. */
const vhostFirst = (r: Row): Row => {
  const { vhost, user, ...rest } = r;
  return { vhost, user, ...rest };
};

async function vhostExists(c: RouteContext, name: string): Promise<boolean> {
  return (await c.api.vhostAccess(c.user, name)) !== 'missing';
}

/** One user's in one vhost: 404 when the user or vhost is missing, or the user has none there. */
async function ofUserInVhost(c: RouteContext): Promise<Row[]> {
  const rows = await c.api.listTopicPermissions(c.user, { vhost: c.params.vh, user: c.params.user });
  if (rows.length === 0) throw objectNotFound();
  return rows;
}

export const topicPermissionRoutes: Route[] = [
  {
    method: 'GET',
    path: '/api/topic-permissions',
    access: 'administrator',
    handle: async (c) => json(listing(await c.api.listTopicPermissions(c.user), c.query, SORT)),
  },
  {
    method: 'GET',
    path: '/api/topic-permissions/:vh',
    access: 'administrator',
    handle: async (c) => {
      if (!(await vhostExists(c, c.params.vh))) throw objectNotFound();
      return json(listing(await c.api.listTopicPermissions(c.user, { vhost: c.params.vh }), c.query, SORT));
    },
  },
  { method: 'GET', path: '/api/topic-permissions/:vh/:user', access: 'administrator', handle: async (c) => json(await ofUserInVhost(c)) },
  {
    method: 'PUT',
    path: '/api/topic-permissions/:vh/:user',
    access: 'administrator',
    handle: async (c) => {
      const o = readJsonObject(c.req.body);
      const spec = { exchange: reqStr(o, 'exchange'), write: reqStr(o, 'write'), read: reqStr(o, 'read') };
      return createdOrUpdated(await c.api.setTopicPermission(c.user, c.params.vh, c.params.user, spec));
    },
  },
  {
    method: 'DELETE',
    path: '/api/topic-permissions/:vh/:user',
    access: 'administrator',
    handle: async (c) => {
      const exchange = c.query.get('exchange') ?? undefined;
      await mapped(c.api.clearTopicPermissions(c.user, c.params.vh, c.params.user, exchange), notFoundPlain);
      return noContent();
    },
  },
  {
    method: 'GET',
    path: '/api/users/:name/topic-permissions',
    access: 'administrator',
    handle: async (c) => {
      if ((await c.api.getUser(c.user, c.params.name)) === undefined) throw objectNotFound();
      return json(listing(await c.api.listTopicPermissions(c.user, { user: c.params.name }), c.query, SORT));
    },
  },
  {
    method: 'GET',
    path: '/api/vhosts/:name/topic-permissions',
    access: 'administrator',
    handle: async (c) => {
      if (!(await vhostExists(c, c.params.name))) throw objectNotFound();
      return json(listing((await c.api.listTopicPermissions(c.user, { vhost: c.params.name })).map(vhostFirst), c.query, SORT));
    },
  },
];

// /api/permissions: per-vhost configure/write/read regexes of users. Administrators only.
import { readJsonObject, reqStr } from './body';
import { mapped, notFoundPlain, objectNotFound } from './errors';
import { createdOrUpdated, json, noContent } from './http';
import { listing } from './paging';
import type { Route, RouteContext } from './route';

async function existing(c: RouteContext) {
  const p = (await c.api.listPermissions(c.user, { vhost: c.params.vh, user: c.params.user }))[0];
  if (p === undefined) throw objectNotFound();
  return p;
}

export const permissionRoutes: Route[] = [
  { method: 'GET', path: '/api/permissions', access: 'administrator', handle: async (c) => json(listing(await c.api.listPermissions(c.user), c.query, ['vhost', 'user'])) },
  { method: 'GET', path: '/api/permissions/:vh/:user', access: 'administrator', handle: async (c) => json(await existing(c)) },
  {
    method: 'PUT',
    path: '/api/permissions/:vh/:user',
    access: 'administrator',
    handle: async (c) => {
      const o = readJsonObject(c.req.body);
      const spec = { configure: reqStr(o, 'configure'), write: reqStr(o, 'write'), read: reqStr(o, 'read') };
      return createdOrUpdated(await c.api.setPermission(c.user, c.params.vh, c.params.user, spec));
    },
  },
  {
    method: 'DELETE',
    path: '/api/permissions/:vh/:user',
    access: 'administrator',
    handle: async (c) => {
      await mapped(c.api.clearPermission(c.user, c.params.vh, c.params.user), notFoundPlain);
      return noContent();
    },
  },
];

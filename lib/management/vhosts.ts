// /api/vhosts: virtual hosts with their message totals, created and deleted by administrators.
import { optBool, readJsonObject, toTags } from './body';
import { mapped, notFoundPlain, objectNotFound } from './errors';
import { createdOrUpdated, json, noContent } from './http';
import { historyQuery } from './overview';
import { listing } from './paging';
import type { Route, RouteContext } from './route';

async function getVhost(c: RouteContext) {
  const vh = await c.api.getVhost(c.user, c.params.name, historyQuery(c.query));
  if (vh === undefined) throw objectNotFound();
  return vh;
}

/** PUT: creates the vhost (the creator gets full permissions on it, as in RabbitMQ) or updates its metadata. */
async function putVhost(c: RouteContext) {
  const body = readJsonObject(c.req.body);
  const spec = {
    description: typeof body.description === 'string' ? body.description : undefined,
    tags: body.tags === undefined ? undefined : toTags(body.tags),
    tracing: body.tracing === undefined ? undefined : optBool(body, 'tracing', false),
  };
  return createdOrUpdated(await c.api.putVhost(c.user, c.params.name, spec));
}

export const vhostRoutes: Route[] = [
  { method: 'GET', path: '/api/vhosts', handle: async (c) => json(listing(await c.api.listVhosts(c.user, historyQuery(c.query)), c.query, ['name'])) },
  { method: 'GET', path: '/api/vhosts/:name', access: 'administrator', handle: async (c) => json(await getVhost(c)) },
  { method: 'PUT', path: '/api/vhosts/:name', access: 'administrator', handle: putVhost },
  {
    method: 'DELETE',
    path: '/api/vhosts/:name',
    access: 'administrator',
    handle: async (c) => {
      await mapped(c.api.deleteVhost(c.user, c.params.name), notFoundPlain);
      return noContent();
    },
  },
  {
    method: 'GET',
    path: '/api/vhosts/:name/permissions',
    access: 'administrator',
    handle: async (c) => {
      await getVhost(c);
      return json(listing(await c.api.listPermissions(c.user, { vhost: c.params.name }), c.query, ['vhost', 'user']));
    },
  },
];

// /api/users and /api/whoami. Administrators only, but whoami.
import { badRequest, objectNotFound } from './errors';
import { readJsonObject, toTags, type JsonObject } from './body';
import { createdOrUpdated, json, noContent } from './http';
import { listing } from './paging';
import type { Route, RouteContext } from './route';

/** A PUT body: `password`, or `password_hash` (with an optional `hashing_algorithm`), or neither; `tags` is required. */
function userSpec(o: JsonObject) {
  if (o.tags === undefined) throw badRequest('tags_not_present');
  const tags = toTags(o.tags);
  if (o.password !== undefined && typeof o.password !== 'string') throw badRequest(['not_string', 'password']);
  const h = o.password_hash;
  if (o.password === undefined && h !== undefined && typeof h !== 'string') throw badRequest(['not_base64', h]);
  const algorithm = o.hashing_algorithm;
  if (algorithm !== undefined && typeof algorithm !== 'string') throw badRequest(['unsupported_hashing_algorithm', algorithm]);
  return { tags, password: o.password as string | undefined, passwordHash: h as string | undefined, hashingAlgorithm: algorithm };
}

async function existing(c: RouteContext) {
  const u = await c.api.getUser(c.user, c.params.name);
  if (u === undefined) throw objectNotFound();
  return u;
}

export const userRoutes: Route[] = [
  { method: 'GET', path: '/api/whoami', handle: (c) => json({ name: c.user.name, tags: c.user.tags }) },
  { method: 'GET', path: '/api/users', access: 'administrator', handle: async (c) => json(listing(await c.api.listUsers(c.user), c.query, ['name'])) },
  {
    method: 'GET',
    path: '/api/users/without-permissions',
    access: 'administrator',
    handle: async (c) => json(listing(await c.api.listUsers(c.user, { withoutPermissions: true }), c.query, ['name'])),
  },
  {
    method: 'POST',
    path: '/api/users/bulk-delete',
    access: 'administrator',
    handle: async (c) => {
      const names = readJsonObject(c.req.body).users;
      if (!Array.isArray(names) || !names.every((n): n is string => typeof n === 'string')) throw badRequest('[{key_missing,users}]');
      await c.api.deleteUsers(c.user, names);
      return noContent();
    },
  },
  { method: 'GET', path: '/api/users/:name', access: 'administrator', handle: async (c) => json(await existing(c)) },
  {
    method: 'PUT',
    path: '/api/users/:name',
    access: 'administrator',
    handle: async (c) => createdOrUpdated(await c.api.putUser(c.user, c.params.name, userSpec(readJsonObject(c.req.body)))),
  },
  {
    method: 'DELETE',
    path: '/api/users/:name',
    access: 'administrator',
    handle: async (c) => {
      await existing(c);
      await c.api.deleteUsers(c.user, [c.params.name]);
      return noContent();
    },
  },
  {
    method: 'GET',
    path: '/api/users/:name/permissions',
    access: 'administrator',
    handle: async (c) => {
      await existing(c);
      return json(listing(await c.api.listPermissions(c.user, { user: c.params.name }), c.query, ['vhost', 'user']));
    },
  },
];

// /api/users and /api/whoami. Password hashes use RabbitMQ's rabbit_password_hashing_sha256, so
// users move between Warren and RabbitMQ with their passwords intact.
import { HASHING_ALGORITHM, hashPassword } from '../../broker/auth/password';
import type { User } from '../../broker/auth/users';
import { readJsonObject, toTags } from './body';
import { badRequest, objectNotFound } from './errors';
import { createdOrUpdated, json, noContent } from './http';
import { listing } from './paging';
import { listPermissions } from './permissions';
import type { Route, RouteContext } from './route';

export function userDto(u: User) {
  return { name: u.name, password_hash: u.passwordHash, hashing_algorithm: u.hashingAlgorithm, tags: u.tags, limits: {} };
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * A user from a PUT body or a definitions entry: `password`, or `password_hash` (with an optional
 * `hashing_algorithm`), or neither (no password: the user cannot log in); `tags` is required.
 */
export function readUser(name: string, o: Record<string, unknown>): User {
  if (o.tags === undefined) throw badRequest('tags_not_present');
  const tags = toTags(o.tags);
  let passwordHash = '';
  if (o.password !== undefined) {
    if (typeof o.password !== 'string') throw badRequest(['not_string', 'password']);
    passwordHash = hashPassword(o.password);
  } else if (o.password_hash !== undefined) {
    const h = o.password_hash;
    if (typeof h !== 'string' || !BASE64.test(h)) throw badRequest(['not_base64', h]);
    const algorithm = o.hashing_algorithm ?? HASHING_ALGORITHM;
    if (algorithm !== HASHING_ALGORITHM) throw badRequest(['unsupported_hashing_algorithm', algorithm]);
    passwordHash = h;
  }
  return { name, passwordHash, hashingAlgorithm: HASHING_ALGORITHM, tags };
}

function existing(c: RouteContext): User {
  const u = c.broker.core.users.users.get(c.params.name);
  if (u === undefined) throw objectNotFound();
  return u;
}

export const userRoutes: Route[] = [
  { method: 'GET', path: '/api/whoami', handle: (c) => json({ name: c.user.name, tags: c.user.tags }) },
  {
    method: 'GET',
    path: '/api/users',
    access: 'administrator',
    handle: (c) => json(listing([...c.broker.core.users.users.values()].map(userDto), c.query, ['name'])),
  },
  {
    method: 'GET',
    path: '/api/users/without-permissions',
    access: 'administrator',
    handle: (c) => {
      const users = c.broker.core.users;
      const withPerms = new Set(users.listPermissions().map((p) => p.user));
      return json(listing([...users.users.values()].filter((u) => !withPerms.has(u.name)).map(userDto), c.query, ['name']));
    },
  },
  {
    method: 'POST',
    path: '/api/users/bulk-delete',
    access: 'administrator',
    handle: (c) => {
      const names = readJsonObject(c.req.body).users;
      if (!Array.isArray(names) || !names.every((n): n is string => typeof n === 'string')) throw badRequest('[{key_missing,users}]');
      for (const n of names) c.broker.core.users.deleteUser(n);
      return noContent();
    },
  },
  { method: 'GET', path: '/api/users/:name', access: 'administrator', handle: (c) => json(userDto(existing(c))) },
  {
    method: 'PUT',
    path: '/api/users/:name',
    access: 'administrator',
    handle: (c) => {
      const users = c.broker.core.users;
      const user = readUser(c.params.name, readJsonObject(c.req.body));
      const isNew = !users.users.has(user.name);
      users.putUser(user);
      return createdOrUpdated(isNew);
    },
  },
  {
    method: 'DELETE',
    path: '/api/users/:name',
    access: 'administrator',
    handle: (c) => {
      c.broker.core.users.deleteUser(existing(c).name);
      return noContent();
    },
  },
  {
    method: 'GET',
    path: '/api/users/:name/permissions',
    access: 'administrator',
    handle: (c) => {
      const name = existing(c).name;
      return json(listing(listPermissions(c.broker.core, (p) => p.user === name), c.query, ['vhost', 'user']));
    },
  },
];

// /api/permissions: per-vhost configure/write/read regexes of users. Administrators only.
import type { Permission } from '../../broker/auth/users';
import type { BrokerCore } from '../../broker/core/broker-core';
import { readJsonObject, reqStr } from './body';
import { badRequest, objectNotFound } from './errors';
import { createdOrUpdated, json, noContent } from './http';
import { listing } from './paging';
import type { Route, RouteContext } from './route';

export function permissionDto(p: { vhost: string; user: string; permission: Permission }) {
  return { user: p.user, vhost: p.vhost, configure: p.permission.configure, write: p.permission.write, read: p.permission.read };
}

/** A pattern RabbitMQ would refuse; JS regexes stand in for PCRE. */
export function checkRegex(pattern: string): void {
  try {
    new RegExp(pattern);
  } catch (err) {
    throw badRequest(['invalid_regexp', pattern, err instanceof Error ? err.message : String(err)]);
  }
}

/** Reads and checks configure/write/read from a body or a definitions entry. */
export function readPermission(o: Record<string, unknown>): Permission {
  const p = { configure: reqStr(o, 'configure'), write: reqStr(o, 'write'), read: reqStr(o, 'read') };
  checkRegex(p.configure);
  checkRegex(p.write);
  checkRegex(p.read);
  return p;
}

export function listPermissions(core: BrokerCore, filter: (p: { vhost: string; user: string }) => boolean = () => true) {
  return core.users.listPermissions().filter(filter).map(permissionDto);
}

function existing(c: RouteContext): Permission {
  const p = c.broker.core.users.getPermission(c.params.vh, c.params.user);
  if (p === undefined) throw objectNotFound();
  return p;
}

export const permissionRoutes: Route[] = [
  {
    method: 'GET',
    path: '/api/permissions',
    access: 'administrator',
    handle: (c) => json(listing(listPermissions(c.broker.core), c.query, ['vhost', 'user'])),
  },
  {
    method: 'GET',
    path: '/api/permissions/:vh/:user',
    access: 'administrator',
    handle: (c) => json(permissionDto({ vhost: c.params.vh, user: c.params.user, permission: existing(c) })),
  },
  {
    method: 'PUT',
    path: '/api/permissions/:vh/:user',
    access: 'administrator',
    handle: (c) => {
      const core = c.broker.core;
      const p = readPermission(readJsonObject(c.req.body));
      const { vh, user } = c.params;
      if (!core.vhosts.has(vh) || !core.users.users.has(user)) throw badRequest('vhost_or_user_not_found');
      const isNew = core.users.getPermission(vh, user) === undefined;
      core.users.setPermission(vh, user, p);
      return createdOrUpdated(isNew);
    },
  },
  {
    method: 'DELETE',
    path: '/api/permissions/:vh/:user',
    access: 'administrator',
    handle: (c) => {
      existing(c);
      c.broker.core.users.clearPermission(c.params.vh, c.params.user);
      return noContent();
    },
  },
];

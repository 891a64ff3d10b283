// HTTP basic auth with the broker's users, and the rights RabbitMQ gives each user tag:
// management (own vhosts and connections), policymaker (+ policies), monitoring (+ every vhost,
// connection and node), administrator (everything). Failures are 401 with RabbitMQ's bodies.
import type { PermissionKind, User } from '../../broker/auth/users';
import type { BrokerCore } from '../../broker/core/broker-core';
import type { VirtualHost } from '../../broker/core/vhost';
import { accessRefused, HttpError, notAuthorised } from './errors';

export type Access = 'management' | 'policymaker' | 'monitoring' | 'administrator';

export const WWW_AUTHENTICATE = { 'www-authenticate': 'Basic realm="RabbitMQ Management"' };

const DENIED: Record<Access, string> = {
  management: 'Not management user',
  policymaker: 'Not policymaker user',
  monitoring: 'Not monitor user',
  administrator: 'Not administrator user',
};

/** The user named by an `Authorization: Basic` header, or a 401. */
export function authenticate(core: BrokerCore, authorization: string | undefined, remoteAddress: string | undefined): User {
  const credentials = parseBasic(authorization);
  // No credentials at all: an empty 401 that makes browsers ask, as RabbitMQ.
  if (credentials === undefined) throw new HttpError(401, '', '', WWW_AUTHENTICATE);
  const user = core.users.authenticate(credentials.user, credentials.password);
  if (user === undefined) throw new HttpError(401, 'not_authorized', 'Login failed', WWW_AUTHENTICATE);
  if (user.name === 'guest' && !isLoopback(remoteAddress)) {
    throw new HttpError(401, 'not_authorized', 'User can only log in via localhost', WWW_AUTHENTICATE);
  }
  return user;
}

function parseBasic(header: string | undefined): { user: string; password: string } | undefined {
  if (header === undefined) return undefined;
  const m = /^\s*basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (m === null) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

export function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

export function hasAccess(user: User, access: Access): boolean {
  const tags = user.tags;
  if (tags.includes('administrator')) return true;
  switch (access) {
    case 'administrator':
      return false;
    case 'monitoring':
      return tags.includes('monitoring');
    case 'policymaker':
      return tags.includes('policymaker');
    case 'management':
      return tags.includes('management') || tags.includes('policymaker') || tags.includes('monitoring');
  }
}

export function requireAccess(user: User, access: Access): void {
  if (!hasAccess(user, access)) throw notAuthorised(DENIED[access]);
}

export const isAdmin = (user: User): boolean => hasAccess(user, 'administrator');
/** Monitoring users and administrators see every connection, channel and vhost name. */
export const isMonitor = (user: User): boolean => hasAccess(user, 'monitoring');

export function canAccessVhost(core: BrokerCore, user: User, vhost: string): boolean {
  return isAdmin(user) || core.users.canAccessVhost(user.name, vhost);
}

/** Vhosts whose queues, exchanges and bindings the user may list. */
export function visibleVhosts(core: BrokerCore, user: User): VirtualHost[] {
  return [...core.vhosts.values()].filter((vh) => canAccessVhost(core, user, vh.name));
}

export function checkVhostAccess(core: BrokerCore, user: User, vhost: string): void {
  if (!canAccessVhost(core, user, vhost)) throw notAuthorised('User not authorised to access virtual host');
}

/**
 * The vhost for routes where RabbitMQ finds a missing vhost only after reading the body (publish,
 * get): undefined when there is none, a 401 at once when the user may not use the one there is.
 */
export function vhostIfExists(core: BrokerCore, user: User, name: string): VirtualHost | undefined {
  const vh = core.getVhost(name);
  if (vh !== undefined) checkVhostAccess(core, user, vh.name);
  return vh;
}

/** A configure/write/read permission, checked as the AMQP side does; 401 "Access refused." otherwise. */
export function checkPermission(core: BrokerCore, user: User, vhost: string, kind: PermissionKind, resource: string): void {
  if (!core.users.isAllowed(user.name, vhost, kind, resource)) throw accessRefused();
}

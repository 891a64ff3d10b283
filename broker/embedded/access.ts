// Who may do what in the embedded broker: logins, vhost access and configure/write/read
// permissions, checked as the AMQP side checks them. Refusals are BrokerErrors.
import { createHash } from 'node:crypto';
import type { PermissionKind } from '../auth/users';
import type { BrokerCore } from '../core/broker-core';
import type { VirtualHost } from '../core/vhost';
import { isAdmin, isLoopback } from '../api/access-levels';
import type { Actor } from '../api/broker-api';
import { BrokerError } from '../api/errors';

export function authenticate(core: BrokerCore, username: string, password: string, peer: string | undefined): Actor {
  const user = core.users.authenticate(username, password);
  if (user === undefined) throw new BrokerError('not_authorised', 'Login failed');
  if (user.name === 'guest' && !isLoopback(peer)) throw new BrokerError('not_authorised', 'User can only log in via localhost');
  return { name: user.name, tags: [...user.tags] };
}

export function actorOf(core: BrokerCore, name: string): Actor | undefined {
  const user = core.users.users.get(name);
  return user === undefined ? undefined : { name: user.name, tags: [...user.tags] };
}

/** A digest of the stored password hash: a new salt with every password set, so it changes with it. */
export function passwordStampOf(core: BrokerCore, name: string): string | undefined {
  const user = core.users.users.get(name);
  if (user === undefined) return undefined;
  return createHash('sha256').update(`${user.hashingAlgorithm}:${user.passwordHash}`).digest('base64url');
}

export function canAccessVhost(core: BrokerCore, who: Actor, vhost: string): boolean {
  return isAdmin(who) || core.users.canAccessVhost(who.name, vhost);
}

/** Vhosts whose queues, exchanges and bindings the user may list. */
export function visibleVhosts(core: BrokerCore, who: Actor): VirtualHost[] {
  return [...core.vhosts.values()].filter((vh) => canAccessVhost(core, who, vh.name));
}

/** The vhost a call names: not_found when missing, not_authorised when the user may not use it. */
export function vhostFor(core: BrokerCore, who: Actor, name: string): VirtualHost {
  const vh = core.getVhost(name);
  if (vh === undefined) throw new BrokerError('not_found', `no vhost '${name}'`, { code: 404 });
  if (!canAccessVhost(core, who, name)) throw new BrokerError('not_authorised', 'User not authorised to access virtual host');
  return vh;
}

/**
 * As opening an AMQP connection to the vhost: administrators too need permissions there. RabbitMQ's
 * management API publishes, gets and tests aliveness through such a connection, and answers
 * "Access refused." when it cannot open one.
 */
export function requireVhostLogin(core: BrokerCore, who: Actor, vhost: string): void {
  if (!core.users.canAccessVhost(who.name, vhost)) throw new BrokerError('not_authorised', 'Access refused.');
}

/** The listed vhosts: one (checked) or every one the user may see. */
export function vhostsFor(core: BrokerCore, who: Actor, vhost: string | undefined): VirtualHost[] {
  return vhost === undefined ? visibleVhosts(core, who) : [vhostFor(core, who, vhost)];
}

/** A configure/write/read permission as AMQP checks it, with AMQP's 403 text. */
export function checkPermission(core: BrokerCore, who: Actor, vhost: string, kind: PermissionKind, resource: string, what = 'queue'): void {
  if (!core.users.isAllowed(who.name, vhost, kind, resource)) {
    throw new BrokerError('access_refused', `access to ${what} '${resource}' in vhost '${vhost}' refused for user '${who.name}'`, { code: 403 });
  }
}

/** Tags the operation needs; RabbitMQ's words when missing. */
export function requireAdmin(who: Actor): void {
  if (!isAdmin(who)) throw new BrokerError('not_authorised', 'Not administrator user');
}

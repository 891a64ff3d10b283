// Users and their per-vhost permissions. Password hashes use RabbitMQ's
// rabbit_password_hashing_sha256, so users move between Warren and RabbitMQ with their passwords.
import { HASHING_ALGORITHM, hashPassword } from '../auth/password';
import type { Permission, TopicPermission, User } from '../auth/users';
import type { BrokerCore } from '../core/broker-core';
import { compilePattern } from '../core/pcre';
import type { PermissionSpec, Row, TopicPermissionSpec, UserSpec } from '../api/broker-api';
import { BrokerError } from '../api/errors';

const badRequest = BrokerError.badRequest;

export function userRow(u: User): Row {
  return { name: u.name, password_hash: u.passwordHash, hashing_algorithm: u.hashingAlgorithm, tags: u.tags, limits: {} };
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** A user from a spec: a password, or a hash (RabbitMQ's algorithm only), or neither (cannot log in). */
export function userFromSpec(name: string, spec: UserSpec): User {
  let passwordHash = '';
  if (spec.password !== undefined) {
    passwordHash = hashPassword(spec.password);
  } else if (spec.passwordHash !== undefined) {
    const h = spec.passwordHash;
    if (!BASE64.test(h)) throw badRequest(['not_base64', h]);
    const algorithm = spec.hashingAlgorithm ?? HASHING_ALGORITHM;
    if (algorithm !== HASHING_ALGORITHM) throw badRequest(['unsupported_hashing_algorithm', algorithm]);
    passwordHash = h;
  }
  return { name, passwordHash, hashingAlgorithm: HASHING_ALGORITHM, tags: [...spec.tags] };
}

export function permissionRow(p: { vhost: string; user: string; permission: Permission }): Row {
  return { user: p.user, vhost: p.vhost, configure: p.permission.configure, write: p.permission.write, read: p.permission.read };
}

/** Erlang's string (a list of bytes), as RabbitMQ's error reasons print one. */
const charList = (s: string): number[] => [...Buffer.from(s)];

/** A pattern RabbitMQ would refuse, with its reason: `{invalid_regexp, Pattern, {Message, Offset}}`. */
function checkRegex(pattern: string): void {
  const r = compilePattern(pattern);
  if (!r.ok) throw badRequest(['invalid_regexp', charList(pattern), [charList(r.message), r.offset]]);
}

export function permissionFromSpec(spec: PermissionSpec): Permission {
  checkRegex(spec.configure);
  checkRegex(spec.write);
  checkRegex(spec.read);
  return { configure: spec.configure, write: spec.write, read: spec.read };
}

export function listPermissions(core: BrokerCore, filter: { vhost?: string; user?: string } = {}): Row[] {
  return core.users
    .listPermissions()
    .filter((p) => (filter.vhost === undefined || p.vhost === filter.vhost) && (filter.user === undefined || p.user === filter.user))
    .map(permissionRow);
}

export function listUsers(core: BrokerCore, withoutPermissions: boolean): Row[] {
  const users = [...core.users.users.values()];
  if (!withoutPermissions) return users.map(userRow);
  const withPerms = new Set(core.users.listPermissions().map((p) => p.user));
  return users.filter((u) => !withPerms.has(u.name)).map(userRow);
}

export function topicPermissionRow(p: { vhost: string; user: string; permission: TopicPermission }): Row {
  return { user: p.user, vhost: p.vhost, exchange: p.permission.exchange, write: p.permission.write, read: p.permission.read };
}

/** RabbitMQ quotes a refused topic pattern as a string (permissions quote it as a byte list). */
function checkTopicRegex(pattern: string): void {
  const r = compilePattern(pattern);
  if (!r.ok) throw badRequest(['invalid_regexp', pattern, [charList(r.message), r.offset]]);
}

export function topicPermissionFromSpec(spec: TopicPermissionSpec): TopicPermission {
  checkTopicRegex(spec.write);
  checkTopicRegex(spec.read);
  return { exchange: spec.exchange, write: spec.write, read: spec.read };
}

/** By vhost, user, then exchange: a stable order for listings and exports. */
export function listTopicPermissions(core: BrokerCore, filter: { vhost?: string; user?: string } = {}): Row[] {
  return core.users
    .listTopicPermissions()
    .filter((p) => (filter.vhost === undefined || p.vhost === filter.vhost) && (filter.user === undefined || p.user === filter.user))
    .sort((a, b) => cmp(a.vhost, b.vhost) || cmp(a.user, b.user) || cmp(a.permission.exchange, b.permission.exchange))
    .map(topicPermissionRow);
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

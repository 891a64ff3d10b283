import { compilePattern, type NamePattern } from '../core/pcre';
import { checkPassword, hashPassword, HASHING_ALGORITHM } from './password';

export interface User {
  name: string;
  passwordHash: string;
  hashingAlgorithm: string;
  tags: string[];
}

export interface Permission {
  configure: string;
  write: string;
  read: string;
}

export type PermissionKind = keyof Permission;

interface CompiledPermission extends Permission {
  re: Record<PermissionKind, NamePattern>;
  /**
   * Per kind, the last name tested and the answer: a publisher writes to one exchange over and over,
   * and this is checked for every message. A changed permission is a new object, with no answers yet.
   */
  last: Record<PermissionKind, { name: string | undefined; allowed: boolean }>;
}

/** RabbitMQ's topic authorisation: routing keys a user may publish with, or bind with, on one exchange. */
export interface TopicPermission {
  exchange: string;
  write: string;
  read: string;
}

export type TopicPermissionKind = 'write' | 'read';

interface CompiledTopicPermission extends TopicPermission {
  re: Record<TopicPermissionKind, NamePattern>;
}

/** Users, their tags, and per-vhost configure/write/read permissions, as RabbitMQ models them. */
export class UserStore {
  readonly users = new Map<string, User>();
  /** vhost → user → permission */
  private readonly permissions = new Map<string, Map<string, CompiledPermission>>();
  /** vhost → user → exchange → topic permission */
  private readonly topicPermissions = new Map<string, Map<string, Map<string, CompiledTopicPermission>>>();
  /** Topic permissions held by anyone: with none, a publish's topic check is this one comparison. */
  private topicPermissionCount = 0;
  /** Told about every change, so the store can persist users and permissions. */
  onChange: () => void = () => {};
  /** Counts the changes: a channel keeps a publish target's checked permission while this stays the same. */
  generation = 0;

  private changed(): void {
    this.generation++;
    this.onChange();
  }

  addUser(name: string, password: string | undefined, tags: string[] = []): User {
    const user: User = {
      name,
      passwordHash: password === undefined ? '' : hashPassword(password),
      hashingAlgorithm: HASHING_ALGORITHM,
      tags,
    };
    this.users.set(name, user);
    this.changed();
    return user;
  }

  /** Adds or replaces a user whose password hash is known (definitions import, recovery). */
  putUser(user: User): void {
    this.users.set(user.name, user);
    this.changed();
  }

  /** Forgets every user and permission: recovery replaces them with what was stored. */
  clear(): void {
    this.users.clear();
    this.permissions.clear();
    this.topicPermissions.clear();
    this.topicPermissionCount = 0;
    this.changed();
  }

  deleteUser(name: string): boolean {
    for (const perms of this.permissions.values()) perms.delete(name);
    for (const byUser of this.topicPermissions.values()) {
      this.topicPermissionCount -= byUser.get(name)?.size ?? 0;
      byUser.delete(name);
    }
    const deleted = this.users.delete(name);
    this.changed();
    return deleted;
  }

  /** undefined for an unknown user or a wrong password: callers must not tell the two apart. */
  authenticate(name: string, password: string): User | undefined {
    const user = this.users.get(name);
    if (user === undefined || user.passwordHash === '') return undefined;
    return checkPassword(password, user.passwordHash) ? user : undefined;
  }

  setPermission(vhost: string, user: string, p: Permission): void {
    let perms = this.permissions.get(vhost);
    if (perms === undefined) this.permissions.set(vhost, (perms = new Map()));
    perms.set(user, {
      ...p,
      re: { configure: compile(p.configure), write: compile(p.write), read: compile(p.read) },
      last: { configure: { name: undefined, allowed: false }, write: { name: undefined, allowed: false }, read: { name: undefined, allowed: false } },
    });
    this.changed();
  }

  clearPermission(vhost: string, user: string): void {
    this.permissions.get(vhost)?.delete(user);
    this.changed();
  }

  clearVhost(vhost: string): void {
    this.permissions.delete(vhost);
    for (const byExchange of this.topicPermissions.get(vhost)?.values() ?? []) this.topicPermissionCount -= byExchange.size;
    this.topicPermissions.delete(vhost);
    this.changed();
  }

  getPermission(vhost: string, user: string): Permission | undefined {
    return this.permissions.get(vhost)?.get(user);
  }

  listPermissions(): { vhost: string; user: string; permission: Permission }[] {
    const out: { vhost: string; user: string; permission: Permission }[] = [];
    for (const [vhost, perms] of this.permissions) {
      for (const [user, p] of perms) out.push({ vhost, user, permission: { configure: p.configure, write: p.write, read: p.read } });
    }
    return out;
  }

  canAccessVhost(user: string, vhost: string): boolean {
    return this.permissions.get(vhost)?.has(user) ?? false;
  }

  /** RabbitMQ searches the name with the regex unanchored (`^$` is how one denies); '' denies too. */
  isAllowed(user: string, vhost: string, kind: PermissionKind, resource: string): boolean {
    const p = this.permissions.get(vhost)?.get(user);
    if (p === undefined) return false;
    const last = p.last[kind];
    if (last.name !== resource) {
      last.allowed = p.re[kind].test(resource);
      last.name = resource;
    }
    return last.allowed;
  }

  // --- topic permissions ---------------------------------------------------------------------

  /**
   * `{username}` and `{vhost}` are the user's and the vhost's (fixed for the permission, so the
   * patterns are expanded and compiled once, here). `{client_id}` stays as written: RabbitMQ 3.10
   * has one only for MQTT clients, and a 0-9-1 client's `client_id` property is not used.
   */
  setTopicPermission(vhost: string, user: string, p: TopicPermission): void {
    let byUser = this.topicPermissions.get(vhost);
    if (byUser === undefined) this.topicPermissions.set(vhost, (byUser = new Map()));
    let byExchange = byUser.get(user);
    if (byExchange === undefined) byUser.set(user, (byExchange = new Map()));
    if (!byExchange.has(p.exchange)) this.topicPermissionCount++;
    const expand = (pattern: string) => pattern.split('{username}').join(user).split('{vhost}').join(vhost);
    byExchange.set(p.exchange, {
      exchange: p.exchange,
      write: p.write,
      read: p.read,
      re: { write: compileTopic(expand(p.write)), read: compileTopic(expand(p.read)) },
    });
    this.changed();
  }

  /** All of the user's topic permissions in the vhost, or only the one for `exchange`; false when there was none. */
  clearTopicPermissions(vhost: string, user: string, exchange?: string): boolean {
    const byUser = this.topicPermissions.get(vhost);
    const byExchange = byUser?.get(user);
    if (byUser === undefined || byExchange === undefined) return false;
    let removed = 0;
    if (exchange === undefined) removed = byExchange.size;
    else if (byExchange.delete(exchange)) removed = 1;
    if (byExchange.size === 0 || exchange === undefined) byUser.delete(user);
    this.topicPermissionCount -= removed;
    if (removed > 0) this.changed();
    return removed > 0;
  }

  hasTopicPermissions(vhost: string, user: string): boolean {
    return this.topicPermissions.get(vhost)?.has(user) ?? false;
  }

  listTopicPermissions(): { vhost: string; user: string; permission: TopicPermission }[] {
    const out: { vhost: string; user: string; permission: TopicPermission }[] = [];
    for (const [vhost, byUser] of this.topicPermissions) {
      for (const [user, byExchange] of byUser) {
        for (const p of byExchange.values()) out.push({ vhost, user, permission: { exchange: p.exchange, write: p.write, read: p.read } });
      }
    }
    return out;
  }

  /**
   * Whether the routing key matches the user's `kind` pattern for the exchange; true when the user
   * has no topic permission for that exchange (as RabbitMQ: none means unrestricted). On the publish
   * path: no allocation, and one comparison while nobody has a topic permission.
   */
  isTopicAllowed(user: string, vhost: string, exchange: string, kind: TopicPermissionKind, routingKey: string): boolean {
    if (this.topicPermissionCount === 0) return true;
    const p = this.topicPermissions.get(vhost)?.get(user)?.get(exchange);
    return p === undefined || p.re[kind].test(routingKey);
  }
}

const DENY: NamePattern = { test: () => false };

/** PCRE, as RabbitMQ's permissions, run by the core's backtracking-free matcher (never a RegExp). */
function compile(pattern: string): NamePattern {
  if (pattern === '') return DENY;
  const r = compilePattern(pattern);
  return r.ok ? r.regex : DENY;
}

/** RabbitMQ reads an empty topic pattern as `^$`: only the empty routing key. */
function compileTopic(pattern: string): NamePattern {
  return compile(pattern === '' ? '^$' : pattern);
}

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
}

/** Users, their tags, and per-vhost configure/write/read permissions, as RabbitMQ models them. */
export class UserStore {
  readonly users = new Map<string, User>();
  /** vhost → user → permission */
  private readonly permissions = new Map<string, Map<string, CompiledPermission>>();
  /** Told about every change, so the store can persist users and permissions. */
  onChange: () => void = () => {};

  addUser(name: string, password: string | undefined, tags: string[] = []): User {
    const user: User = {
      name,
      passwordHash: password === undefined ? '' : hashPassword(password),
      hashingAlgorithm: HASHING_ALGORITHM,
      tags,
    };
    this.users.set(name, user);
    this.onChange();
    return user;
  }

  /** Adds or replaces a user whose password hash is known (definitions import, recovery). */
  putUser(user: User): void {
    this.users.set(user.name, user);
    this.onChange();
  }

  /** Forgets every user and permission: recovery replaces them with what was stored. */
  clear(): void {
    this.users.clear();
    this.permissions.clear();
    this.onChange();
  }

  deleteUser(name: string): boolean {
    for (const perms of this.permissions.values()) perms.delete(name);
    const deleted = this.users.delete(name);
    this.onChange();
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
    });
    this.onChange();
  }

  clearPermission(vhost: string, user: string): void {
    this.permissions.get(vhost)?.delete(user);
    this.onChange();
  }

  clearVhost(vhost: string): void {
    this.permissions.delete(vhost);
    this.onChange();
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
    return p.re[kind].test(resource);
  }
}

const DENY: NamePattern = { test: () => false };

/** PCRE, as RabbitMQ's permissions, run by the core's backtracking-free matcher (never a RegExp). */
function compile(pattern: string): NamePattern {
  if (pattern === '') return DENY;
  const r = compilePattern(pattern);
  return r.ok ? r.regex : DENY;
}

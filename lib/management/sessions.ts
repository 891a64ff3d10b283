// Console login sessions: a random 256-bit id (the cookie) mapped to a user name and a stamp of the
// password it was opened with — never the password. Held in memory (a restart logs everyone out),
// bounded in number with the least recently used dropped first, so a flood of logins cannot grow
// the process. Whether the user still exists, and with which tags, is asked of the broker on every
// use (resolveSession), so deleting the user or changing the password ends the session.
import { randomBytes } from 'node:crypto';
import type { Actor, BrokerApi } from '../../broker/index';
import { SESSION_COOKIE } from './session-cookie';

export interface SessionLimits {
  /** a session unused this long ends (default 8 h, RabbitMQ's management.login_session_timeout) */
  idleMs?: number;
  /** a session ends this long after login, used or not (default 24 h) */
  lifetimeMs?: number;
  /** sessions held at most; the least recently used go first (default 10 000) */
  maxSessions?: number;
  /** sessions of one user at most; that user's least recently used go first (default 100) */
  maxPerUser?: number;
  now?: () => number;
  /** the cookie these logins travel in (default SESSION_COOKIE, the default broker's) */
  cookieName?: string;
}

export const DEFAULT_IDLE_MS = 8 * 60 * 60 * 1000;
export const DEFAULT_LIFETIME_MS = 24 * 60 * 60 * 1000;

export interface LoginSession {
  readonly id: string;
  readonly user: string;
  /** the broker's passwordStamp at login; undefined when the broker cannot tell */
  readonly stamp: string | undefined;
  readonly created: number;
  lastUsed: number;
}

/**
 * A session in the store's list by last use. A linked list, not a Map's insertion order: a Map
 * emptied from the front keeps the deleted slots until it rehashes, and every walk from its start
 * steps over them (a login flood made each login cost thousands of steps).
 */
interface Entry extends LoginSession {
  older: Entry | undefined;
  newer: Entry | undefined;
}

/** 32 random bytes, base64url: what the cookie carries. */
const ID_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export class LoginSessions {
  readonly idleMs: number;
  readonly lifetimeMs: number;
  private readonly maxSessions: number;
  private readonly maxPerUser: number;
  private readonly now: () => number;
  private readonly byId = new Map<string, Entry>();
  /** the least and the most recently used */
  private oldest: Entry | undefined;
  private newest: Entry | undefined;
  private readonly byUser = new Map<string, Set<string>>();
  private readonly endListeners = new Set<(ids: readonly string[]) => void>();

  readonly cookieName: string;

  constructor(limits: SessionLimits = {}) {
    this.cookieName = limits.cookieName ?? SESSION_COOKIE;
    this.idleMs = limits.idleMs ?? DEFAULT_IDLE_MS;
    this.lifetimeMs = limits.lifetimeMs ?? DEFAULT_LIFETIME_MS;
    this.maxSessions = limits.maxSessions ?? 10_000;
    this.maxPerUser = limits.maxPerUser ?? 100;
    this.now = limits.now ?? Date.now;
  }

  get size(): number {
    return this.byId.size;
  }

  open(user: string, stamp: string | undefined): LoginSession {
    const now = this.now();
    this.dropIdle(now);
    const entry: Entry = { id: randomBytes(32).toString('base64url'), user, stamp, created: now, lastUsed: now, older: undefined, newer: undefined };
    this.byId.set(entry.id, entry);
    this.append(entry);
    let mine = this.byUser.get(user);
    if (mine === undefined) this.byUser.set(user, (mine = new Set()));
    mine.add(entry.id);
    // a Set iterates in insertion order, and an id is never re-added: its first is the oldest login
    if (mine.size > this.maxPerUser) this.end([mine.values().next().value as string]);
    if (this.byId.size > this.maxSessions && this.oldest !== undefined) this.end([this.oldest.id]);
    return entry;
  }

  /** The live session with this id, marked as used now; undefined when unknown or expired. */
  use(id: string): LoginSession | undefined {
    if (!ID_PATTERN.test(id)) return undefined;
    const entry = this.byId.get(id);
    if (entry === undefined) return undefined;
    const now = this.now();
    if (now - entry.lastUsed > this.idleMs || now - entry.created > this.lifetimeMs) {
      this.end([id]);
      return undefined;
    }
    entry.lastUsed = now;
    this.unlink(entry);
    this.append(entry);
    return entry;
  }

  /** When the session ends at the latest (its lifetime), in ms since the epoch. */
  expiresAt(s: LoginSession): number {
    return s.created + this.lifetimeMs;
  }

  /** Logout. */
  revoke(id: string): void {
    if (this.byId.has(id)) this.end([id]);
  }

  revokeUser(user: string): void {
    const mine = this.byUser.get(user);
    if (mine !== undefined) this.end([...mine]);
  }

  /** Told the ids of sessions that ended (logout, expiry, eviction, revocation); returns the unsubscribe. */
  onEnd(listener: (ids: readonly string[]) => void): () => void {
    this.endListeners.add(listener);
    return () => this.endListeners.delete(listener);
  }

  /** The least recently used sessions that have been idle too long; the rest expire when next used. */
  private dropIdle(now: number): void {
    const idle: string[] = [];
    for (let e = this.oldest; e !== undefined && now - e.lastUsed > this.idleMs; e = e.newer) idle.push(e.id);
    if (idle.length > 0) this.end(idle);
  }

  private append(e: Entry): void {
    e.older = this.newest;
    e.newer = undefined;
    if (this.newest === undefined) this.oldest = e;
    else this.newest.newer = e;
    this.newest = e;
  }

  private unlink(e: Entry): void {
    if (e.older === undefined) this.oldest = e.newer;
    else e.older.newer = e.newer;
    if (e.newer === undefined) this.newest = e.older;
    else e.newer.older = e.older;
    e.older = e.newer = undefined;
  }

  private end(ids: readonly string[]): void {
    for (const id of ids) {
      const e = this.byId.get(id);
      if (e === undefined) continue;
      this.byId.delete(id);
      this.unlink(e);
      const mine = this.byUser.get(e.user);
      mine?.delete(id);
      if (mine?.size === 0) this.byUser.delete(e.user);
    }
    for (const listener of this.endListeners) {
      try {
        listener(ids);
      } catch {
        // a listener's failure must not keep a session alive or break the caller
      }
    }
  }
}

export type SessionCheck = { ok: true; actor: Actor; session: LoginSession } | { ok: false; reason: string };

/** Why a session cookie no longer works, as the 401 says it. */
export const SESSION_ENDED = 'Login session ended';

/**
 * The user a session stands for, as the broker knows them now: a deleted user or a changed password
 * ends the session. Nothing about the user is cached: tags and permissions are the current ones.
 */
export async function resolveSession(api: BrokerApi, sessions: LoginSessions, id: string): Promise<SessionCheck> {
  const s = sessions.use(id);
  if (s === undefined) return { ok: false, reason: SESSION_ENDED };
  const [actor, stamp] = await Promise.all([api.actor(s.user), api.passwordStamp?.(s.user)]);
  if (actor === undefined || stamp !== s.stamp) {
    sessions.revoke(id);
    return { ok: false, reason: SESSION_ENDED };
  }
  return { ok: true, actor, session: s };
}

// Who is logged in. The login itself is an HttpOnly cookie the browser keeps for every tab of this
// site (scripts cannot read it, and nothing secret is kept in sessionStorage or localStorage); this
// store only knows the user's name and tags, asked of /api/whoami when a tab opens. A tab remembers
// them (sessionStorage, no secret) so that a reload draws the console at once while whoami confirms.
// The vhost the console shows is kept in localStorage across sessions.
import { create } from 'zustand';
import { ApiError, fetchWhoami, postLogout } from './api';

export interface Session {
  username: string;
  tags: string[];
}

interface SessionState {
  /** false until the server said whether this browser is logged in (never on the server) */
  hydrated: boolean;
  session: Session | null;
  vhost: string;
  /** Asks the server who the cookie belongs to; once per tab. */
  hydrate(): void;
  login(session: Session): void;
  /** Ends the login on the server (every tab of this browser), then here. */
  logout(): Promise<void>;
  /** The server no longer knows the login (expired, revoked, user deleted): forget it here. */
  expire(): void;
  setVhost(vhost: string): void;
}

const VHOST_KEY = 'warren.vhost';
/** Who this tab was logged in as: a name and tags, nothing that logs anyone in. */
const USER_KEY = 'warren.user';
/** Where an earlier version kept the password: removed wherever it is still found. */
const OLD_SESSION_KEY = 'warren.session';

function readUser(): Session | null {
  try {
    const raw = sessionStorage.getItem(USER_KEY);
    if (raw === null) return null;
    const v: unknown = JSON.parse(raw);
    if (typeof v !== 'object' || v === null) return null;
    const o = v as Record<string, unknown>;
    if (typeof o.username !== 'string' || !Array.isArray(o.tags)) return null;
    return { username: o.username, tags: o.tags.filter((t): t is string => typeof t === 'string') };
  } catch {
    return null;
  }
}

function writeUser(session: Session | null): void {
  try {
    if (session === null) sessionStorage.removeItem(USER_KEY);
    else sessionStorage.setItem(USER_KEY, JSON.stringify({ username: session.username, tags: session.tags }));
  } catch {
    /* storage unavailable: the next tab or reload asks whoami first */
  }
}

const sameSession = (a: Session | null, b: Session): boolean =>
  a !== null && a.username === b.username && a.tags.length === b.tags.length && a.tags.every((t, i) => t === b.tags[i]);

function readVhost(): string {
  try {
    return localStorage.getItem(VHOST_KEY) ?? '/';
  } catch {
    return '/';
  }
}

function dropOldCredentials(): void {
  try {
    sessionStorage.removeItem(OLD_SESSION_KEY);
  } catch {
    /* storage unavailable: nothing was kept there either */
  }
}

let hydrating = false;
/** logins and logouts so far in this tab */
let changes = 0;

export const useSession = create<SessionState>()((set, get) => ({
  hydrated: false,
  session: null,
  vhost: '/',
  hydrate() {
    if (hydrating || get().hydrated) return;
    hydrating = true;
    dropOldCredentials();
    const remembered = readUser();
    set(remembered === null ? { vhost: readVhost() } : { vhost: readVhost(), hydrated: true, session: remembered });
    const asked = changes;
    fetchWhoami().then(
      (me) => {
        // a login or logout made meanwhile (the form, another request's 401) is newer than this answer
        if (changes !== asked) return;
        const session = { username: me.name, tags: me.tags };
        // the same user keeps the same object: the live connection restarts only for another one
        if (sameSession(get().session, session)) set({ hydrated: true });
        else get().login(session);
      },
      (err: unknown) => {
        if (changes !== asked) return;
        if (err instanceof ApiError && err.status === 401) return get().expire();
        // unreachable: what the tab remembered stands until a request says otherwise
        console.warn('warren: cannot tell who is logged in:', err);
        set({ hydrated: true });
      },
    );
  },
  login(session) {
    changes++;
    writeUser(session);
    set({ session, hydrated: true });
  },
  async logout() {
    try {
      await postLogout();
    } catch {
      // the server is unreachable: the cookie stays until it expires, but this tab logs out anyway
    }
    get().expire();
  },
  expire() {
    changes++;
    writeUser(null);
    set({ session: null, hydrated: true });
  },
  setVhost(vhost) {
    try {
      localStorage.setItem(VHOST_KEY, vhost);
    } catch {
      /* not persisted */
    }
    set({ vhost });
  },
}));

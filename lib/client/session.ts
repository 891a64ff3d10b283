// Who is logged in. The login itself is an HttpOnly cookie the browser keeps for every tab of this
// site (scripts cannot read it, and nothing secret is kept in sessionStorage or localStorage); this
// store only knows the user's name and tags, asked of /api/whoami when a tab opens. The vhost the
// console shows is kept in localStorage across sessions.
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
/** Where an earlier version kept the password: removed wherever it is still found. */
const OLD_SESSION_KEY = 'warren.session';

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

export const useSession = create<SessionState>()((set, get) => ({
  hydrated: false,
  session: null,
  vhost: '/',
  hydrate() {
    if (hydrating || get().hydrated) return;
    hydrating = true;
    dropOldCredentials();
    set({ vhost: readVhost() });
    fetchWhoami().then(
      (me) => {
        // a login made meanwhile (the form) is newer than this answer
        if (!get().hydrated) set({ hydrated: true, session: { username: me.name, tags: me.tags } });
      },
      (err: unknown) => {
        if (!(err instanceof ApiError && err.status === 401)) console.warn('warren: cannot tell who is logged in:', err);
        if (!get().hydrated) set({ hydrated: true, session: null });
      },
    );
  },
  login(session) {
    set({ session, hydrated: true });
  },
  async logout() {
    try {
      await postLogout();
    } catch {
      // the server is unreachable: the cookie stays until it expires, but this tab logs out anyway
    }
    set({ session: null });
  },
  expire() {
    set({ session: null });
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

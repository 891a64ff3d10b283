// Who is logged in: broker user credentials for HTTP basic auth, kept in sessionStorage (gone
// when the tab closes), and the vhost the console shows (kept in localStorage across sessions).
import { create } from 'zustand';

export interface Session {
  username: string;
  password: string;
  tags: string[];
}

interface SessionState {
  /** false until sessionStorage has been read (never on the server) */
  hydrated: boolean;
  session: Session | null;
  vhost: string;
  hydrate(): void;
  login(session: Session): void;
  logout(): void;
  setVhost(vhost: string): void;
}

const SESSION_KEY = 'warren.session';
const VHOST_KEY = 'warren.vhost';

function readSession(): Session | null {
  try {
    const raw = sessionStorage.getItem(SESSION_KEY);
    if (raw === null) return null;
    const v: unknown = JSON.parse(raw);
    if (typeof v !== 'object' || v === null) return null;
    const o = v as Record<string, unknown>;
    if (typeof o.username !== 'string' || typeof o.password !== 'string') return null;
    const tags = Array.isArray(o.tags) ? o.tags.filter((t): t is string => typeof t === 'string') : [];
    return { username: o.username, password: o.password, tags };
  } catch {
    return null;
  }
}

function readVhost(): string {
  try {
    return localStorage.getItem(VHOST_KEY) ?? '/';
  } catch {
    return '/';
  }
}

export const useSession = create<SessionState>()((set) => ({
  hydrated: false,
  session: null,
  vhost: '/',
  hydrate() {
    set({ hydrated: true, session: readSession(), vhost: readVhost() });
  },
  login(session) {
    try {
      sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
    } catch {
      /* private mode: the session lives in memory only */
    }
    set({ session, hydrated: true });
  },
  logout() {
    try {
      sessionStorage.removeItem(SESSION_KEY);
    } catch {
      /* nothing stored */
    }
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

/** `Basic …` for the given credentials (UTF-8 safe). */
export function basicAuth(username: string, password: string): string {
  const bytes = new TextEncoder().encode(`${username}:${password}`);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return `Basic ${btoa(bin)}`;
}

// The console's login cookie: how it is written (HttpOnly, SameSite=Strict, Path=/, Secure over
// TLS, Max-Age the session's lifetime) and read back from a Cookie header. Only the random id
// travels; what it stands for stays in the server's LoginSessions.

export const SESSION_COOKIE = 'warren_session';

/** `Set-Cookie` for a new session, expiring with it. */
export function sessionCookie(id: string, maxAgeMs: number, secure: boolean): string {
  const maxAge = Math.max(0, Math.floor(maxAgeMs / 1000));
  return `${SESSION_COOKIE}=${id}; Path=/; Max-Age=${maxAge}; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

/** `Set-Cookie` that makes the browser forget the session cookie (logout, ended session). */
export function clearedSessionCookie(secure: boolean): string {
  return `${SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

/** Longest Cookie header looked at; a session id is 43 characters, other cookies of the site add some. */
const MAX_COOKIE_HEADER = 8192;

/** The session id from a Cookie header, or undefined when there is none. */
export function sessionIdOf(cookieHeader: string | undefined): string | undefined {
  if (cookieHeader === undefined || cookieHeader.length > MAX_COOKIE_HEADER) return undefined;
  for (const part of cookieHeader.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === SESSION_COOKIE) {
      const value = part.slice(eq + 1).trim();
      return value === '' ? undefined : value;
    }
  }
  return undefined;
}

// The console's login cookie: how it is written (HttpOnly, SameSite=Strict, Path=/, Secure over
// TLS, Max-Age the session's lifetime) and read back from a Cookie header. Only the random id
// travels; what it stands for stays in the server's LoginSessions. Each broker the console serves
// has its logins under a cookie name of its own (the default broker's is SESSION_COOKIE).

export const SESSION_COOKIE = 'warren_session';

/** The cookie name of a broker's logins: a name of any characters, as a cookie-name token. */
export function sessionCookieName(broker: string | undefined): string {
  return broker === undefined ? SESSION_COOKIE : `${SESSION_COOKIE}_${Buffer.from(broker, 'utf8').toString('hex')}`;
}

/** `Set-Cookie` for a new session, expiring with it. */
export function sessionCookie(id: string, maxAgeMs: number, secure: boolean, name = SESSION_COOKIE): string {
  const maxAge = Math.max(0, Math.floor(maxAgeMs / 1000));
  return `${name}=${id}; Path=/; Max-Age=${maxAge}; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

/** `Set-Cookie` that makes the browser forget the session cookie (logout, ended session). */
export function clearedSessionCookie(secure: boolean, name = SESSION_COOKIE): string {
  return `${name}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

/** Longest Cookie header looked at; a session id is 43 characters, other cookies of the site add some. */
const MAX_COOKIE_HEADER = 8192;

/** The session id from a Cookie header, or undefined when there is none. */
export function sessionIdOf(cookieHeader: string | undefined, name = SESSION_COOKIE): string | undefined {
  if (cookieHeader === undefined || cookieHeader.length > MAX_COOKIE_HEADER) return undefined;
  for (const part of cookieHeader.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      const value = part.slice(eq + 1).trim();
      return value === '' ? undefined : value;
    }
  }
  return undefined;
}

// The login cookie as written and read back: Secure only over TLS, and a Cookie header of any
// shape yields the session id or nothing, never an exception.
import { describe, expect, it } from 'vitest';
import { csrfRefusal, sameOrigin } from './browser-origin';
import { clearedSessionCookie, sessionCookie, sessionIdOf } from './session-cookie';

describe('session cookie', () => {
  it('is HttpOnly, SameSite=Strict, Path=/, expiring with the session, Secure over TLS', () => {
    expect(sessionCookie('abc', 90_500, false)).toBe('warren_session=abc; Path=/; Max-Age=90; HttpOnly; SameSite=Strict');
    expect(sessionCookie('abc', 90_500, true)).toBe('warren_session=abc; Path=/; Max-Age=90; HttpOnly; SameSite=Strict; Secure');
    expect(clearedSessionCookie(true)).toBe('warren_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict; Secure');
  });

  it('is found among other cookies, and odd headers give nothing', () => {
    expect(sessionIdOf('a=1; warren_session=xyz; b=2')).toBe('xyz');
    expect(sessionIdOf('warren_session_other=1;warren_session = xyz ')).toBe('xyz');
    for (const odd of [undefined, '', ';;;', '=', 'warren_session=', 'warren_session', 'x'.repeat(10_000) + '; warren_session=xyz']) {
      expect(sessionIdOf(odd)).toBeUndefined();
    }
  });
});

describe('cross-site checks', () => {
  it('same origin is the host the request was sent to', () => {
    expect(sameOrigin('http://127.0.0.1:15672', '127.0.0.1:15672')).toBe(true);
    expect(sameOrigin('http://LOCALHOST:15672', 'localhost:15672')).toBe(true);
    expect(sameOrigin('http://evil.example', '127.0.0.1:15672')).toBe(false);
    expect(sameOrigin('null', '127.0.0.1:15672')).toBe(false);
    expect(sameOrigin('http://127.0.0.1:15672', undefined)).toBe(false);
  });

  it('a change needs the CSRF header, and an Origin if any of this host', () => {
    expect(csrfRefusal({ host: 'h:1' })).toMatch(/x-warren-csrf/);
    expect(csrfRefusal({ host: 'h:1', 'x-warren-csrf': '1', origin: 'http://other:1' })).toBe('cross-origin request refused');
    expect(csrfRefusal({ host: 'h:1', 'x-warren-csrf': '1', origin: 'http://h:1' })).toBeUndefined();
    expect(csrfRefusal({ host: 'h:1', 'x-warren-csrf': '1' })).toBeUndefined();
  });
});

// The console's login: POST /api/login checks a user as Basic auth does (same back-off on failed
// logins per address, guest from loopback only, management tag required as RabbitMQ's UI requires
// it) and answers with the session cookie; POST /api/logout ends the session. RabbitMQ's own UI
// has no such routes (it sends Basic credentials), so these paths are Warren's.
import { hasAccess, isBrokerError } from '../../broker/index';
import { csrfRefusal } from './browser-origin';
import { badRequest, HttpError, notAuthorised, objectNotFound } from './errors';
import { readJsonObject } from './body';
import { empty, json } from './http';
import type { Route, RouteContext } from './route';
import { clearedSessionCookie, sessionCookie, sessionIdOf } from './session-cookie';
import type { LoginSessions } from './sessions';

const NO_STORE = { 'cache-control': 'no-store' };

/** Logging in and out are changes too: another site must not log a browser in or out. */
function checkCsrf(c: RouteContext): void {
  const refusal = csrfRefusal(c.req.headers);
  if (refusal !== undefined) throw new HttpError(403, 'forbidden', refusal);
}

function sessionsOf(c: RouteContext): LoginSessions {
  if (c.sessions === undefined) throw objectNotFound();
  return c.sessions;
}

async function login(c: RouteContext) {
  const sessions = sessionsOf(c);
  checkCsrf(c);
  const body = readJsonObject(c.req.body);
  const { username, password } = body;
  if (typeof username !== 'string' || typeof password !== 'string') throw badRequest('username and password must be strings');
  let actor;
  try {
    actor = await c.api.authenticate(username, password, c.req.remoteAddress);
  } catch (err) {
    // as a failed Basic login says it, without the challenge that would make a browser ask
    if (isBrokerError(err) && err.kind === 'not_authorised') throw new HttpError(401, 'not_authorized', err.detail);
    throw err;
  }
  if (!hasAccess(actor, 'management')) throw notAuthorised('Not management user');
  const stamp = await c.api.passwordStamp?.(actor.name);
  // a new id at every login: whatever cookie the browser had is ended, not reused
  const previous = sessionIdOf(c.req.headers.cookie, sessions.cookieName);
  if (previous !== undefined) sessions.revoke(previous);
  const session = sessions.open(actor.name, stamp);
  return json({ name: actor.name, tags: actor.tags }, 200, {
    ...NO_STORE,
    'set-cookie': sessionCookie(session.id, sessions.lifetimeMs, c.req.secure === true, sessions.cookieName),
  });
}

function logout(c: RouteContext) {
  const sessions = sessionsOf(c);
  checkCsrf(c);
  const id = sessionIdOf(c.req.headers.cookie, sessions.cookieName);
  if (id !== undefined) sessions.revoke(id);
  return empty(204, { ...NO_STORE, 'set-cookie': clearedSessionCookie(c.req.secure === true, sessions.cookieName) });
}

export const loginRoutes: Route[] = [
  { method: 'POST', path: '/api/login', access: 'none', handle: login },
  { method: 'POST', path: '/api/logout', access: 'none', handle: logout },
];

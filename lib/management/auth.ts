// Who makes a request — HTTP basic auth with the broker's users, as RabbitMQ, or the console's login
// cookie — and the tag a route needs. Failures are 401 with RabbitMQ's bodies.
import { hasAccess, type AccessLevel, type Actor, type BrokerApi } from '../../broker/index';
import { CSRF_HEADER, csrfRefusal } from './browser-origin';
import { HttpError, notAuthorised, toHttpError } from './errors';
import type { ManagementRequest } from './http';
import { clearedSessionCookie, sessionIdOf } from './session-cookie';
import { resolveSession, type LoginSessions } from './sessions';

export type Access = AccessLevel;

export const WWW_AUTHENTICATE = { 'www-authenticate': 'Basic realm="RabbitMQ Management"' };

/** The console asked without a login cookie (logged out, or the browser dropped an expired one). */
export const LOGIN_REQUIRED = 'Login required';

const DENIED: Record<Access, string> = {
  management: 'Not management user',
  policymaker: 'Not policymaker user',
  monitoring: 'Not monitor user',
  administrator: 'Not administrator user',
};

/** Methods that change nothing: the only ones a login cookie may use without the CSRF header. */
const SAFE_METHODS = new Set(['GET', 'HEAD']);

/**
 * The user a request acts as: its `Authorization: Basic` header when it has one (tools, curl,
 * warrenctl: unchanged), else its login cookie. A cookie that no longer stands for a session is a
 * 401 that also clears it; a change made with the cookie needs the CSRF header (403 without).
 */
export async function authenticateRequest(api: BrokerApi, req: ManagementRequest, sessions: LoginSessions | undefined): Promise<Actor> {
  const id = sessions === undefined || req.headers.authorization !== undefined ? undefined : sessionIdOf(req.headers.cookie, sessions.cookieName);
  if (id === undefined || sessions === undefined) return authenticate(api, req.headers.authorization, req.remoteAddress, req.headers[CSRF_HEADER] !== undefined);
  const check = await resolveSession(api, sessions, id);
  if (!check.ok) throw new HttpError(401, 'not_authorised', check.reason, { 'set-cookie': clearedSessionCookie(req.secure === true, sessions?.cookieName) });
  if (!SAFE_METHODS.has(req.method)) {
    const refusal = csrfRefusal(req.headers);
    if (refusal !== undefined) throw new HttpError(403, 'forbidden', refusal);
  }
  return check.actor;
}

/**
 * The user named by an `Authorization: Basic` header, or a 401. `fromConsole`: the request came
 * from the console's own scripts, which log in on their page and must not make the browser pop up
 * its password dialog.
 */
export async function authenticate(api: BrokerApi, authorization: string | undefined, remoteAddress: string | undefined, fromConsole = false): Promise<Actor> {
  const credentials = parseBasic(authorization);
  if (credentials === undefined) {
    if (fromConsole) throw notAuthorised(LOGIN_REQUIRED);
    // No credentials at all: an empty 401 that makes browsers ask, as RabbitMQ.
    throw new HttpError(401, '', '', WWW_AUTHENTICATE);
  }
  try {
    return await api.authenticate(credentials.user, credentials.password, remoteAddress);
  } catch (err) {
    const e = toHttpError(err);
    // RabbitMQ spells this one with a z
    if (e instanceof HttpError && e.status === 401) throw new HttpError(401, 'not_authorized', e.reason, WWW_AUTHENTICATE);
    throw e;
  }
}

function parseBasic(header: string | undefined): { user: string; password: string } | undefined {
  if (header === undefined) return undefined;
  const m = /^\s*basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (m === null) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** As RabbitMQ: a user without any management tag hears that first, whatever the route needs. */
export function requireAccess(user: Actor, access: Access): void {
  if (!hasAccess(user, 'management')) throw notAuthorised(DENIED.management);
  if (!hasAccess(user, access)) throw notAuthorised(DENIED[access]);
}

/** 404 when the vhost is missing, 401 when the user may not use it (or see it, for 'visible'). */
export async function checkVhost(api: BrokerApi, user: Actor, vhost: string, how: 'access' | 'visible' | 'exists' = 'access'): Promise<void> {
  const access = await api.vhostAccess(user, vhost);
  if (access === 'missing') throw new HttpError(404, 'Object Not Found', 'Not Found');
  if (access === 'refused' && how !== 'exists' && !(how === 'visible' && hasAccess(user, 'monitoring'))) {
    throw notAuthorised('User not authorised to access virtual host');
  }
}

// HTTP basic auth with the broker's users, and the tag a route needs. Failures are 401 with
// RabbitMQ's bodies.
import { hasAccess, type AccessLevel, type Actor, type BrokerApi } from '../../broker/index';
import { HttpError, notAuthorised, toHttpError } from './errors';

export type Access = AccessLevel;

export const WWW_AUTHENTICATE = { 'www-authenticate': 'Basic realm="RabbitMQ Management"' };

const DENIED: Record<Access, string> = {
  management: 'Not management user',
  policymaker: 'Not policymaker user',
  monitoring: 'Not monitor user',
  administrator: 'Not administrator user',
};

/** The user named by an `Authorization: Basic` header, or a 401. */
export async function authenticate(api: BrokerApi, authorization: string | undefined, remoteAddress: string | undefined): Promise<Actor> {
  const credentials = parseBasic(authorization);
  // No credentials at all: an empty 401 that makes browsers ask, as RabbitMQ.
  if (credentials === undefined) throw new HttpError(401, '', '', WWW_AUTHENTICATE);
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

export function requireAccess(user: Actor, access: Access): void {
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

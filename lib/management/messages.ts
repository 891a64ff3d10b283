// POST /api/exchanges/{vhost}/{name}/publish and POST /api/queues/{vhost}/{name}/get: a message
// from the console or a script, routed as an AMQP publish would be; messages taken as basic.get
// takes them and settled per `ackmode`. Both find a missing vhost only after reading the body, as
// RabbitMQ does, and quote broker refusals its way.
import type { AckMode, GetOptions } from '../../broker/index';
import { exchangeName, isJsonObject, readJsonObject, requireKeys, toInt, toStr } from './body';
import { accessRefused, badRequest, HttpError, mapped, notAuthorised } from './errors';
import { json } from './http';
import type { Route, RouteContext } from './route';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The body bytes of a publish request: `payload` as UTF-8 text or base64. */
export function decodePayload(payload: string, encoding: unknown): Buffer {
  if (encoding === 'string') return Buffer.from(payload, 'utf8');
  if (encoding === 'base64') {
    const compact = payload.replace(/\s+/g, '');
    if (compact.length % 4 !== 0 || !BASE64.test(compact)) throw badRequest(['not_base64', payload]);
    return Buffer.from(compact, 'base64');
  }
  throw badRequest(['unsupported_encoding', encoding]);
}

/**
 * The vhost of the URL: a refused one at once, a missing one only once the body has been read
 * (then RabbitMQ refuses it like one the user may not use) — so `body` runs in between.
 */
async function readAgainstVhost<T>(c: RouteContext, body: () => T): Promise<T> {
  const access = await c.api.vhostAccess(c.user, c.params.vh);
  if (access === 'refused') throw notAuthorised('User not authorised to access virtual host');
  const out = body();
  if (access === 'missing') throw accessRefused();
  return out;
}

async function publish(c: RouteContext) {
  const body = await readAgainstVhost(c, () => {
    const b = readJsonObject(c.req.body);
    requireKeys(b, ['routing_key', 'properties', 'payload', 'payload_encoding']);
    return b;
  });
  const routingKey = toStr(body.routing_key, 'routing_key');
  const payload = toStr(body.payload, 'payload');
  // an empty list is how some clients (and RabbitMQ itself) write "no properties"
  const props = Array.isArray(body.properties) && body.properties.length === 0 ? {} : body.properties;
  if (!isJsonObject(props)) throw badRequest(['not_table', 'properties']);
  const bytes = decodePayload(payload, body.payload_encoding);
  const message = { routingKey, properties: props, body: bytes };
  // a refusal is quoted as AMQP's reply (`404 NOT_FOUND - no exchange ...`), always in a 400
  const out = await mapped(c.api.publish(c.user, c.params.vh, exchangeName(c.params.name), message), (err) =>
    err.kind === 'bad_request' || err.kind === 'not_authorised' ? undefined : badRequest(`${err.code} ${err.message}`),
  );
  return json({ routed: out.routed });
}

export const ACK_MODES: readonly AckMode[] = ['ack_requeue_true', 'ack_requeue_false', 'reject_requeue_true', 'reject_requeue_false'];
export const GET_KEYS = ['ackmode', 'count', 'encoding'] as const;

export function readGetOptions(body: Record<string, unknown>): GetOptions {
  requireKeys(body, GET_KEYS);
  const notInteger = (v: unknown) => () => badRequest(['not_integer', v]);
  const rawCount = body.count;
  const count = toInt(rawCount, notInteger(rawCount));
  const ackmode = body.ackmode;
  if (!ACK_MODES.includes(ackmode as AckMode)) throw badRequest(`Unsupported ackmode. Please use one of ${ACK_MODES.join(', ')}.`);
  const encoding = body.encoding;
  if (encoding !== 'auto' && encoding !== 'base64') throw badRequest('Unsupported encoding. Please use auto or base64.');
  const t = body.truncate;
  const truncate = t === undefined || t === null ? undefined : toInt(t, notInteger(t));
  return { count, ackMode: ackmode as AckMode, encoding, truncate };
}

async function get(c: RouteContext) {
  const body = await readAgainstVhost(c, () => {
    const b = readJsonObject(c.req.body);
    requireKeys(b, GET_KEYS);
    return b;
  });
  const opts = readGetOptions(body);
  const got = await mapped(c.api.get(c.user, c.params.vh, c.params.name, opts), (err) => {
    if (err.kind === 'not_found') return new HttpError(404, 'not_found', err.message);
    if (err.kind === 'access_refused') return notAuthorised(err.message);
    return undefined;
  });
  return json(got);
}

// `:vh`, not `:vhost`: the router would answer a missing vhost with a 404 before the body is read
export const messageRoutes: Route[] = [
  { method: 'POST', path: '/api/exchanges/:vh/:name/publish', handle: publish },
  { method: 'POST', path: '/api/queues/:vh/:name/get', handle: get },
];

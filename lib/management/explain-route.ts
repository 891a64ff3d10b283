// POST /api/exchanges/{vhost}/{name}/explain — Warren's own endpoint, not RabbitMQ's: what a publish
// of this routing key and headers would do, publishing nothing (BrokerApi.explainRoute). The body
// is a publish's without the payload: `{"routing_key": "...", "properties": {"headers": {...}},
// "mandatory": true}`. Refused as a publish is: the user needs write permission on the exchange.
import { exchangeName, isJsonObject, readJsonObject, requireKeys, toStr } from './body';
import { badRequest, mapped, notAuthorised, accessRefused } from './errors';
import { json } from './http';
import type { Route, RouteContext } from './route';
import type { JsonTable } from '../../broker/index';

/** AMQP's short-string limit: no routing key a client could publish is longer. */
const MAX_KEY_BYTES = 255;
/** CC and BCC keys explained at most: each is a walk of its own over the bindings. */
export const MAX_EXTRA_KEYS = 256;

function extraKeyCount(v: unknown): number {
  return typeof v === 'string' ? 1 : Array.isArray(v) ? v.length : 0;
}

async function explain(c: RouteContext) {
  const access = await c.api.vhostAccess(c.user, c.params.vh);
  if (access === 'refused') throw notAuthorised('User not authorised to access virtual host');
  const body = readJsonObject(c.req.body);
  requireKeys(body, ['routing_key']);
  if (access === 'missing') throw accessRefused();
  const routingKey = toStr(body.routing_key, 'routing_key');
  if (Buffer.byteLength(routingKey) > MAX_KEY_BYTES) throw badRequest(['too_long', 'routing_key']);
  const props = body.properties === undefined || (Array.isArray(body.properties) && body.properties.length === 0) ? {} : body.properties;
  if (!isJsonObject(props)) throw badRequest(['not_table', 'properties']);
  const headers = props.headers;
  if (headers !== undefined && !isJsonObject(headers)) throw badRequest(['not_table', 'headers']);
  if (headers !== undefined) {
    const h = headers as JsonTable;
    if (extraKeyCount(h.CC) + extraKeyCount(h.BCC) > MAX_EXTRA_KEYS) throw badRequest(`at most ${MAX_EXTRA_KEYS} CC and BCC keys are explained`);
  }
  const mandatory = body.mandatory === undefined ? false : body.mandatory;
  if (typeof mandatory !== 'boolean') throw badRequest(['not_boolean', 'mandatory']);
  const out = await mapped(
    c.api.explainRoute(c.user, c.params.vh, exchangeName(c.params.name), { routingKey, headers: headers as JsonTable | undefined, mandatory }),
    // as publish: a refusal is quoted as AMQP's reply in a 400
    (err) => (err.kind === 'bad_request' || err.kind === 'not_authorised' ? undefined : badRequest(`${err.code} ${err.message}`)),
  );
  return json(out);
}

// `:vh` as publish: a missing vhost is answered once the body has been read
export const explainRoutes: Route[] = [{ method: 'POST', path: '/api/exchanges/:vh/:name/explain', handle: explain }];

// POST /api/exchanges/{vhost}/{name}/publish: a message from the console or a script, routed as
// an AMQP publish would be. Errors quote the AMQP reply (`404 NOT_FOUND - ...`) in a 400.
import { encodeProperties } from '../../broker/amqp/generated/protocol';
import { AmqpError } from '../../broker/core/errors';
import { invalidExpiration } from '../../broker/core/expiry';
import { Message } from '../../broker/core/message';
import { Routed } from '../../broker/core/vhost';
import { vhostIfExists } from './auth';
import { readJsonObject, requireKeys, toStr } from './body';
import { accessRefused, badRequest, publishError } from './errors';
import { DEFAULT_EXCHANGE_ALIAS, exchangeName } from './exchange-name';
import { isJsonObject } from './field-json';
import { json } from './http';
import { jsonToProperties } from './message-properties';
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

function publish(c: RouteContext) {
  const core = c.broker.core;
  const found = vhostIfExists(core, c.user, c.params.vh);
  const body = readJsonObject(c.req.body);
  requireKeys(body, ['routing_key', 'properties', 'payload', 'payload_encoding']);
  // RabbitMQ refuses a vhost that does not exist like one the user may not write to
  if (found === undefined) throw accessRefused();
  const vh = found;
  const rawProps = body.properties;
  const routingKey = toStr(body.routing_key, 'routing_key');
  const payload = toStr(body.payload, 'payload');
  const encoding = body.payload_encoding;
  // an empty list is how some clients (and RabbitMQ itself) write "no properties"
  const props = Array.isArray(rawProps) && rawProps.length === 0 ? {} : rawProps;
  if (!isJsonObject(props)) throw badRequest(['not_table', 'properties']);
  const properties = jsonToProperties(props);
  const bytes = decodePayload(payload, encoding);
  const name = exchangeName(c.params.name);
  try {
    const ex = vh.getExchange(name);
    if (ex.internal) throw new AmqpError(403, `cannot publish to internal exchange '${name}' in vhost '${vh.name}'`);
    // RabbitMQ checks the name as the URL gives it: `amq.default` for the default exchange
    const resource = name === '' ? DEFAULT_EXCHANGE_ALIAS : name;
    if (!core.users.isAllowed(c.user.name, vh.name, 'write', resource)) {
      throw new AmqpError(403, `access to exchange '${resource}' in vhost '${vh.name}' refused for user '${c.user.name}'`);
    }
    if (properties.userId !== undefined && properties.userId !== c.user.name) {
      throw new AmqpError(406, `user_id property set to '${properties.userId}' but authenticated user was '${c.user.name}'`);
    }
    const badExpiration = properties.expiration === undefined ? undefined : invalidExpiration(properties.expiration);
    if (badExpiration !== undefined) throw new AmqpError(406, badExpiration);
    // RabbitMQ's HTTP publish takes only the two modes AMQP defines
    const mode = properties.deliveryMode;
    if (mode !== undefined && mode !== 1 && mode !== 2) throw new AmqpError(406, `invalid message: {delivery_mode_unknown,${mode}}`);
    const max = core.limits.maxMessageSize;
    if (bytes.length > max) throw new AmqpError(406, `message size ${bytes.length} is larger than configured max size ${max}`);
    const routed = vh.publish(ex, new Message(name, routingKey, encodeProperties(properties), bytes, properties));
    c.mgmt.totals.add(vh.name, { publish: 1 });
    return json({ routed: routed !== Routed.Unroutable });
  } catch (err) {
    throw publishError(err);
  }
}

// `:vh`, not `:vhost`: the router would answer a missing vhost with a 404 before the body is read
export const publishRoutes: Route[] = [{ method: 'POST', path: '/api/exchanges/:vh/:name/publish', handle: publish }];

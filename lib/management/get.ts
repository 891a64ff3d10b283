// POST /api/queues/{vhost}/{name}/get: takes messages as a consumer of the core would (fetch with
// ack required), then acks, requeues or rejects them all per `ackmode` — so redelivered flags and
// dead-lettering behave exactly as with AMQP.
import { isUtf8 } from 'node:buffer';
import type { BasicProperties } from '../../broker/amqp/generated/protocol';
import type { Queue, QueueEntry } from '../../broker/core/queue';
import { AmqpError } from '../../broker/core/errors';
import { vhostIfExists } from './auth';
import { readJsonObject, requireKeys, toInt } from './body';
import { accessRefused, badRequest, detailOf, HttpError, notAuthorised } from './errors';
import type { Json } from './field-json';
import { json } from './http';
import { propertiesToJson } from './message-properties';
import type { Route, RouteContext } from './route';

export const ACK_MODES = ['ack_requeue_true', 'ack_requeue_false', 'reject_requeue_true', 'reject_requeue_false'] as const;
export type AckMode = (typeof ACK_MODES)[number];

export interface GetOptions {
  count: number;
  ackmode: AckMode;
  encoding: 'auto' | 'base64';
  /** bytes of payload to return; the rest is cut off (payload_bytes still tells the full size) */
  truncate?: number;
}

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
  return { count, ackmode: ackmode as AckMode, encoding, truncate };
}

/**
 * Properties as RabbitMQ's get writes them: last spec field first, and `[]` (its empty proplist)
 * when there are none — rabbitmqadmin then shows an empty `properties` column.
 */
function httpProperties(p: BasicProperties): Record<string, Json> | [] {
  const entries = Object.entries(propertiesToJson(p));
  return entries.length === 0 ? [] : Object.fromEntries(entries.reverse());
}

function messageDto(entry: QueueEntry, remaining: number, opts: GetOptions) {
  const msg = entry.msg;
  const full = msg.body;
  const body = opts.truncate !== undefined && opts.truncate >= 0 && full.length > opts.truncate ? full.subarray(0, opts.truncate) : full;
  const asString = opts.encoding === 'auto' && isUtf8(body);
  return {
    payload_bytes: msg.bodySize,
    redelivered: entry.redelivered,
    exchange: msg.exchange,
    routing_key: msg.routingKey,
    message_count: remaining,
    properties: httpProperties(msg.properties),
    payload: asString ? body.toString('utf8') : body.toString('base64'),
    payload_encoding: asString ? 'string' : 'base64',
  };
}

/** Takes up to `count` messages and settles them per the ack mode; returns their DTOs. */
export function getMessages(q: Queue, opts: GetOptions) {
  const taken: QueueEntry[] = [];
  const out: ReturnType<typeof messageDto>[] = [];
  try {
    for (let i = 0; i < opts.count; i++) {
      const entry = q.fetch(true);
      if (entry === undefined) break;
      taken.push(entry);
      out.push(messageDto(entry, q.messagesReady, opts));
    }
  } finally {
    // all settled together, as RabbitMQ's get does when its channel closes: requeued messages
    // are not fetched again by the same request
    for (const e of taken) {
      if (opts.ackmode === 'ack_requeue_false') q.settle(e);
      else if (opts.ackmode === 'reject_requeue_false') q.discard(e);
      else q.requeue(e);
    }
    if (taken.length > 0) q.dispatch();
  }
  return out;
}

function get(c: RouteContext) {
  const found = vhostIfExists(c.broker.core, c.user, c.params.vh);
  const body = readJsonObject(c.req.body);
  requireKeys(body, GET_KEYS);
  // RabbitMQ refuses a vhost that does not exist like one the user may not read from
  if (found === undefined) throw accessRefused();
  const vh = found;
  const opts = readGetOptions(body);
  let q: Queue;
  try {
    q = vh.getQueue(c.params.name);
    if (!c.broker.core.users.isAllowed(c.user.name, vh.name, 'read', q.name)) {
      throw new AmqpError(403, `access to queue '${q.name}' in vhost '${vh.name}' refused for user '${c.user.name}'`);
    }
    vh.checkOwner(q, null);
  } catch (err) {
    if (!(err instanceof AmqpError)) throw err;
    if (err.code === 404) throw new HttpError(404, 'not_found', err.message);
    if (err.code === 403) throw notAuthorised(err.message);
    throw badRequest(detailOf(err));
  }
  return json(getMessages(q, opts));
}

// `:vh`, not `:vhost`: the router would answer a missing vhost with a 404 before the body is read
export const getRoutes: Route[] = [{ method: 'POST', path: '/api/queues/:vh/:name/get', handle: get }];

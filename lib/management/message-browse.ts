// Warren's own endpoints for browsing a queue without consuming (RabbitMQ has none; a remote
// RabbitMQ answers 501):
//   GET /api/queues/{vhost}/{name}/messages?state=ready|unacked&offset=0&limit=50&body_limit=4096
//     → { state, offset, total, messages: [{ position, id, redelivered, exchange, routing_key,
//         properties, payload (base64), payload_bytes, truncated, expires_at, consumer_tag?,
//         channel?, delivery_tag? }] }
//   GET /api/queues/{vhost}/{name}/messages/{id}?position=N → one ready message, body whole
//   POST /api/queues/{vhost}/{name}/messages/filter {expression, cursor?, limit?, body_limit?,
//     max_scanned?, max_ms?} → { matches, scanned, total, next_cursor, stopped, errors, first_error }:
//     ready messages matching a CEL expression, examined within a budget per request; a bad
//     expression is a 400 naming what is wrong and where.
// Read permission on the queue, as basic.get; nothing about the messages changes.
import { BROWSE_MAX_BODY_BYTES, BROWSE_MAX_LIMIT, FILTER_MAX_MS, FILTER_MAX_SCANNED, type BrowseOptions, type FilterOptions } from '../../broker/index';
import { readJsonObject } from './body';
import { badRequest, HttpError, mapped } from './errors';
import { json } from './http';
import type { Route, RouteContext } from './route';

const DEFAULT_LIMIT = 50;
const DEFAULT_BODY_LIMIT = 4096;

/** A non-negative integer query parameter within `max`, or its default; anything else is a 400 naming it. */
function intParam(q: URLSearchParams, name: string, fallback: number, max: number): number {
  const raw = q.get(name);
  if (raw === null || raw === '') return fallback;
  if (!/^\d{1,16}$/.test(raw)) throw badRequest(`${name} must be a whole number from 0 to ${max}, not '${raw.slice(0, 40)}'`);
  const n = Number(raw);
  if (n > max) throw badRequest(`${name} must be a whole number from 0 to ${max}, not ${raw}`);
  return n;
}

function browseOptions(q: URLSearchParams): BrowseOptions {
  const state = q.get('state') ?? 'ready';
  if (state !== 'ready' && state !== 'unacked') throw badRequest(`state must be ready or unacked, not '${state.slice(0, 40)}'`);
  return {
    state,
    offset: intParam(q, 'offset', 0, Number.MAX_SAFE_INTEGER),
    limit: intParam(q, 'limit', DEFAULT_LIMIT, BROWSE_MAX_LIMIT),
    bodyLimit: intParam(q, 'body_limit', DEFAULT_BODY_LIMIT, BROWSE_MAX_BODY_BYTES),
  };
}

/** The queue's 404 says what is missing; a refused read is RabbitMQ's "Access refused.". */
const browseRefusal = (err: { kind: string; detail: string }) => (err.kind === 'not_found' ? new HttpError(404, 'not_found', err.detail) : undefined);

async function browse(c: RouteContext) {
  const opts = browseOptions(c.query);
  return json(await mapped(c.api.browseQueue(c.user, c.vhost, c.params.name, opts), browseRefusal));
}

async function browseOne(c: RouteContext) {
  const raw = c.params.id;
  if (!/^\d{1,16}$/.test(raw)) throw badRequest(`message id must be a whole number, not '${raw.slice(0, 40)}'`);
  const position = intParam(c.query, 'position', 0, Number.MAX_SAFE_INTEGER);
  return json(await mapped(c.api.browseMessage(c.user, c.vhost, c.params.name, Number(raw), position), browseRefusal));
}

/** A body number: a whole number from 0 to `max`, or the default when absent. */
function intField(body: Record<string, unknown>, name: string, fallback: number, max: number): number {
  const v = body[name];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) throw badRequest(`${name} must be a whole number from 0 to ${max}`);
  return v;
}

async function filter(c: RouteContext) {
  const body = readJsonObject(c.req.body);
  if (typeof body.expression !== 'string') throw badRequest('expression must be a string: a CEL expression over routing_key, exchange, redelivered, size, properties, headers, body and json');
  const opts: FilterOptions = {
    expression: body.expression,
    cursor: intField(body, 'cursor', 0, Number.MAX_SAFE_INTEGER),
    limit: intField(body, 'limit', DEFAULT_LIMIT, BROWSE_MAX_LIMIT),
    bodyLimit: intField(body, 'body_limit', DEFAULT_BODY_LIMIT, BROWSE_MAX_BODY_BYTES),
    maxScanned: intField(body, 'max_scanned', FILTER_MAX_SCANNED, FILTER_MAX_SCANNED),
    maxMs: intField(body, 'max_ms', FILTER_MAX_MS, FILTER_MAX_MS),
  };
  return json(await mapped(c.api.filterQueue(c.user, c.vhost, c.params.name, opts), browseRefusal));
}

export const messageBrowseRoutes: Route[] = [
  { method: 'GET', path: '/api/queues/:vhost/:name/messages', handle: browse },
  { method: 'GET', path: '/api/queues/:vhost/:name/messages/:id', handle: browseOne },
  { method: 'POST', path: '/api/queues/:vhost/:name/messages/filter', handle: filter },
];

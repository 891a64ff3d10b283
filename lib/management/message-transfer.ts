// Warren's own endpoints for moving, copying and returning a queue's ready messages (a remote
// RabbitMQ answers 501 to starting one):
//   POST /api/queues/{vhost}/{name}/messages/move|copy {selection, target, rate?} → 202 a job
//   POST /api/queues/{vhost}/{name}/messages/return {selection, rate?} → 202 a job
//   POST /api/queues/{vhost}/{name}/messages/return/preview {selection, cursor?, limit?}
//     → { destinations: [{id, position, exchange, routing_keys, stays}], scanned, next_cursor }
//   GET /api/message-transfers/{vhost}/{id} → the job: state, done, failed, no_origin,
//     duplicates, unroutable, examined, remaining, total, rate (measured), rate_limit, first_error
//   DELETE /api/message-transfers/{vhost}/{id} → the job, cancelled after its current slice
// Imports (message-export.ts) are jobs of the same kind, answered here too, on a remote RabbitMQ
// as well.
// selection: {"all": true} | {"ids": [{"id", "position"}]} | {"expression": "<CEL>"};
// target: {"queue": "q"} (through the default exchange) | {"exchange": "x", "routing_key"?: "k"}
// (without routing_key each message keeps its own). Read permission on the queue and write
// permission on the destination exchange, as a shovel between them would need.
import { TRANSFER_MAX_IDS, TRANSFER_MAX_RATE, type MessageSelection, type TransferSpec } from '../../broker/index';
import { readJsonObject } from './body';
import { badRequest, HttpError, mapped } from './errors';
import { json } from './http';
import type { Route, RouteContext } from './route';

const PREVIEW_LIMIT = 100;

function selectionOf(body: Record<string, unknown>): MessageSelection {
  const chosen = ['all', 'ids', 'expression'].filter((k) => body[k] !== undefined && body[k] !== null && body[k] !== false);
  if (chosen.length !== 1) throw badRequest('say which messages: exactly one of all (true), ids ([{id, position}]) or expression (CEL)');
  if (body.all === true) return { kind: 'all' };
  if (typeof body.expression === 'string') return { kind: 'filter', expression: body.expression };
  const ids = body.ids;
  if (!Array.isArray(ids) || ids.length > TRANSFER_MAX_IDS) throw badRequest(`ids must be a list of at most ${TRANSFER_MAX_IDS} {id, position}`);
  return {
    kind: 'ids',
    ids: ids.map((x: unknown) => {
      const o = x as { id?: unknown; position?: unknown };
      const whole = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
      if (typeof x !== 'object' || x === null || !whole(o.id) || !(o.position === undefined || whole(o.position))) throw badRequest('each of ids must be {id, position} with whole numbers');
      return { id: o.id as number, position: (o.position as number | undefined) ?? 0 };
    }),
  };
}

function rateOf(body: Record<string, unknown>): number {
  const r = body.rate ?? 0;
  if (typeof r !== 'number' || !Number.isFinite(r) || r < 0 || r > TRANSFER_MAX_RATE) throw badRequest(`rate must be a number of messages a second from 0 (no limit) to ${TRANSFER_MAX_RATE}`);
  return r;
}

function targetOf(body: Record<string, unknown>): TransferSpec['target'] {
  const t = body.target;
  if (typeof t !== 'object' || t === null || Array.isArray(t)) throw badRequest('target must be {"queue": name} or {"exchange": name, "routing_key"?: key}');
  const o = t as Record<string, unknown>;
  if (typeof o.queue === 'string' && o.exchange === undefined) return { exchange: '', routingKey: o.queue };
  if (typeof o.exchange === 'string' && o.queue === undefined && (o.routing_key === undefined || typeof o.routing_key === 'string')) {
    // the management API's name for the default exchange
    return { exchange: o.exchange === 'amq.default' ? '' : o.exchange, routingKey: o.routing_key as string | undefined };
  }
  throw badRequest('target must be {"queue": name} or {"exchange": name, "routing_key"?: key}');
}

/** The queue's 404 says what is missing. */
const refusal = (err: { kind: string; detail: string }) => (err.kind === 'not_found' ? new HttpError(404, 'not_found', err.detail) : undefined);

const start = (mode: TransferSpec['mode']) => async (c: RouteContext) => {
  const body = readJsonObject(c.req.body);
  const spec: TransferSpec = { mode, selection: selectionOf(body), rate: rateOf(body), target: mode === 'return' ? undefined : targetOf(body) };
  return json(await mapped(c.api.startTransfer(c.user, c.vhost, c.params.name, spec), refusal), 202);
};

async function preview(c: RouteContext) {
  const body = readJsonObject(c.req.body);
  const cursor = body.cursor ?? 0;
  const limit = body.limit ?? PREVIEW_LIMIT;
  if (typeof cursor !== 'number' || !Number.isSafeInteger(cursor) || cursor < 0) throw badRequest('cursor must be a whole number');
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 0 || limit > 500) throw badRequest('limit must be a whole number from 0 to 500');
  return json(await mapped(c.api.previewReturn(c.user, c.vhost, c.params.name, { selection: selectionOf(body), cursor, limit }), refusal));
}

function jobId(c: RouteContext): string {
  const id = c.params.id;
  if (!/^\d{1,16}$/.test(id)) throw badRequest(`a transfer id is a whole number, not '${id.slice(0, 40)}'`);
  return id;
}

export const messageTransferRoutes: Route[] = [
  { method: 'POST', path: '/api/queues/:vhost/:name/messages/move', handle: start('move') },
  { method: 'POST', path: '/api/queues/:vhost/:name/messages/copy', handle: start('copy') },
  { method: 'POST', path: '/api/queues/:vhost/:name/messages/return', handle: start('return') },
  { method: 'POST', path: '/api/queues/:vhost/:name/messages/return/preview', handle: preview },
  { method: 'GET', path: '/api/message-transfers/:vhost/:id', handle: async (c) => json(await mapped(c.api.getTransfer(c.user, c.vhost, jobId(c)), refusal)) },
  { method: 'DELETE', path: '/api/message-transfers/:vhost/:id', handle: async (c) => json(await mapped(c.api.cancelTransfer(c.user, c.vhost, jobId(c)), refusal)) },
];

// Messages as JSON Lines, one message a line, for a test fixture or a bug reproduction in one file:
//   GET /api/queues/{vhost}/{name}/messages/export[?expression=<CEL>&max=N]
//     → application/x-ndjson, each line {exchange, routing_key, redelivered, properties,
//       properties_raw, payload, payload_bytes}: `properties` as the management API writes them,
//       `properties_raw` the AMQP encoding (base64) that keeps every header's AMQP type, `payload`
//       the whole body in base64. The ready messages in order (or those matching the filter),
//       read without consuming; at most `max` (default and limit 100,000). Read permission.
//   POST /api/exchanges/{vhost}/{name}/import[?rate=N] with such lines as the body
//     → 202 a job (as a move's: GET/DELETE /api/message-transfers/{vhost}/{id} for progress and
//       cancel; `done` published, `unroutable` of those routed nowhere, `total` lines): every line
//       checked first (a bad one is a 400 naming its line, and nothing is published), then
//       published in order at most `rate` a second (default 1,000, limit 10,000), as the publish
//       endpoint would. Write permission on the exchange.
// With MASK_RULES the export is masked as everything shown is: masked values are "***", and a line
// whose headers were masked has no `properties_raw` — such a file re-imports the masked data, not
// the original messages.
// Both work through the broker API only: export needs a broker that can browse; import works on
// any, a remote RabbitMQ taking `properties` (it has no way to take the raw encoding).
import { BROWSE_MAX_BODY_BYTES, BROWSE_MAX_LIMIT, IMPORT_MAX_MESSAGES, IMPORT_MAX_RATE, type BrowsedMessage, type OutgoingMessage, type Row } from '../../broker/index';
import { exchangeName, isJsonObject } from './body';
import { badRequest, HttpError, mapped } from './errors';
import { json, type ManagementResponse } from './http';
import type { Route, RouteContext } from './route';

export const EXPORT_MAX = 100_000;
const IMPORT_DEFAULT_RATE = 1_000;
const PAGE = BROWSE_MAX_LIMIT;
/** Bodies come whole: up to this in the page, larger ones fetched one by one. */
const PAGE_BODY_LIMIT = 64 * 1024;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

const refusal = (err: { kind: string; detail: string }) => (err.kind === 'not_found' ? new HttpError(404, 'not_found', err.detail) : undefined);

function exportLine(m: BrowsedMessage): string {
  return `${JSON.stringify({
    exchange: m.exchange,
    routing_key: m.routing_key,
    redelivered: m.redelivered,
    properties: m.properties,
    properties_raw: m.properties_raw,
    payload: m.payload,
    payload_bytes: m.payload_bytes,
  })}\n`;
}

function positiveParam(c: RouteContext, name: string, fallback: number, max: number): number {
  const raw = c.query.get(name);
  if (raw === null || raw === '') return fallback;
  const n = /^\d{1,9}$/.test(raw) ? Number(raw) : NaN;
  if (!(n >= 1 && n <= max)) throw badRequest(`${name} must be a whole number from 1 to ${max}`);
  return n;
}

async function exportMessages(c: RouteContext): Promise<ManagementResponse> {
  const max = positiveParam(c, 'max', EXPORT_MAX, EXPORT_MAX);
  const expression = c.query.get('expression');
  const { api, user, vhost } = c;
  const queue = c.params.name;
  const whole = async (m: BrowsedMessage) => (m.truncated ? api.browseMessage(user, vhost, queue, m.id, m.position, { raw: true }) : m);
  // the first page is read before answering, so a refusal (404, 401, a bad filter) is its own status
  type Step = { messages: BrowsedMessage[]; next: number | null };
  const step = async (cursor: number, left: number): Promise<Step> => {
    const limit = Math.min(PAGE, left);
    if (expression !== null && expression !== '') {
      const p = await api.filterQueue(user, vhost, queue, { expression, cursor, limit, bodyLimit: PAGE_BODY_LIMIT, raw: true });
      return { messages: p.matches, next: p.next_cursor };
    }
    const p = await api.browseQueue(user, vhost, queue, { state: 'ready', offset: cursor, limit, bodyLimit: PAGE_BODY_LIMIT, raw: true });
    const next = cursor + p.messages.length;
    return { messages: p.messages, next: p.messages.length < limit || next >= p.total ? null : next };
  };
  const first = await mapped(step(0, max), refusal);
  async function* lines(): AsyncIterable<string> {
    let s = first;
    let sent = 0;
    for (;;) {
      for (const m of s.messages) {
        try {
          yield exportLine(await whole(m));
          sent++;
        } catch {
          // the message left the queue while the export ran: it is not part of it
        }
      }
      if (s.next === null || sent >= max) return;
      s = await step(s.next, max - sent);
    }
  }
  const file = `${queue.replace(/[^A-Za-z0-9._-]/g, '_')}.jsonl`;
  return { status: 200, headers: { 'content-type': 'application/x-ndjson', 'content-disposition': `attachment; filename="${file}"` }, body: lines() };
}

/** One import line as a message to publish; the line number in every complaint. */
function importLine(line: string, n: number): OutgoingMessage {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    throw badRequest(`line ${n}: not JSON`);
  }
  if (!isJsonObject(v)) throw badRequest(`line ${n}: not a JSON object`);
  const o = v as Row;
  if (typeof o.routing_key !== 'string') throw badRequest(`line ${n}: routing_key must be a string`);
  if (typeof o.payload !== 'string' || o.payload.length % 4 !== 0 || !BASE64.test(o.payload)) throw badRequest(`line ${n}: payload must be base64`);
  const props = o.properties === undefined || (Array.isArray(o.properties) && o.properties.length === 0) ? {} : o.properties;
  if (!isJsonObject(props)) throw badRequest(`line ${n}: properties must be an object`);
  const raw = o.properties_raw;
  if (raw !== undefined && raw !== null && (typeof raw !== 'string' || raw.length % 4 !== 0 || !BASE64.test(raw))) throw badRequest(`line ${n}: properties_raw must be base64`);
  const body = Buffer.from(o.payload, 'base64');
  if (body.length > BROWSE_MAX_BODY_BYTES * 64) throw badRequest(`line ${n}: payload too large`);
  return { routingKey: o.routing_key, properties: props as Row, body, ...(typeof raw === 'string' && raw !== '' ? { rawProperties: Buffer.from(raw, 'base64') } : {}) };
}

async function importMessages(c: RouteContext) {
  const rate = positiveParam(c, 'rate', IMPORT_DEFAULT_RATE, IMPORT_MAX_RATE);
  const text = c.req.body === undefined ? '' : typeof c.req.body === 'string' ? c.req.body : c.req.body.toString('utf8');
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  if (lines.length > IMPORT_MAX_MESSAGES) throw badRequest(`at most ${IMPORT_MAX_MESSAGES} lines in one import`);
  const messages = lines.map((l, i) => importLine(l, i + 1));
  const exchange = exchangeName(c.params.name);
  const job = await mapped(c.api.startImport(c.user, c.vhost, { exchange, messages, rate }), (err) => (err.kind === 'not_found' ? new HttpError(404, 'not_found', err.detail) : undefined));
  return json(job, 202);
}

export const messageExportRoutes: Route[] = [
  { method: 'GET', path: '/api/queues/:vhost/:name/messages/export', handle: exportMessages },
  { method: 'POST', path: '/api/exchanges/:vhost/:name/import', handle: importMessages },
];

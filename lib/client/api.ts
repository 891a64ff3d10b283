// The management API over fetch: the browser's login cookie, JSON in and out, errors as values
// with the HTTP status and RabbitMQ's `reason`.
import { brokerPath } from './broker-choice';
import type { BindingDto, BrowsedMessageDto, BrowsePageDto, FilterPageDto, ReturnPreviewDto, TransferJobDto, TransferSelection, GotMessageDto, JsonObject, PublishRequest, WhoamiDto } from './types';

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly error: string,
    readonly reason: string,
  ) {
    super(reason || error || `HTTP ${status}`);
  }
}

interface RequestOptions {
  method?: 'GET' | 'PUT' | 'POST' | 'DELETE';
  body?: unknown;
  /** a body sent as it is (JSON Lines), instead of `body` as JSON */
  text?: { contentType: string; value: string };
  signal?: AbortSignal;
}

/**
 * Sent with every request: the server takes changes made with the login cookie only from requests
 * that carry it (another site's form cannot), and answers a missing login with a 401 that does not
 * make the browser ask for a password itself. lib/management/browser-origin.ts names it too.
 */
const CSRF_HEADERS = { 'x-warren-csrf': '1' } as const;

/** One path segment: vhost `/` becomes `%2F`, the default exchange `amq.default`. */
export const seg = (s: string): string => encodeURIComponent(s);
export const exchangeSeg = (name: string): string => seg(name === '' ? 'amq.default' : name);

function reasonOf(body: unknown): { error: string; reason: string } {
  if (typeof body === 'object' && body !== null) {
    const o = body as Record<string, unknown>;
    const reason = typeof o.reason === 'string' ? o.reason : o.reason !== undefined ? JSON.stringify(o.reason) : '';
    return { error: typeof o.error === 'string' ? o.error : '', reason };
  }
  return { error: '', reason: typeof body === 'string' ? body : '' };
}

export async function request<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...CSRF_HEADERS };
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  if (opts.text !== undefined) headers['content-type'] = opts.text.contentType;
  let res: Response;
  try {
    res = await fetch(brokerPath(path), {
      method: opts.method ?? 'GET',
      headers,
      body: opts.text !== undefined ? opts.text.value : opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal: opts.signal,
      cache: 'no-store',
      credentials: 'same-origin',
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError(0, 'network', 'Warren cannot be reached');
  }
  const text = await res.text();
  let body: unknown = undefined;
  if (text !== '') {
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
  }
  if (!res.ok) {
    const { error, reason } = reasonOf(body);
    throw new ApiError(res.status, error, reason || (res.status === 401 ? 'Login failed' : res.statusText));
  }
  return body as T;
}

// ---- operations the console performs -------------------------------------------------------

export const fetchWhoami = () => request<WhoamiDto>('/api/whoami');

/** Opens a login session: the answer sets the HttpOnly cookie every tab of this site then uses. */
export const postLogin = (username: string, password: string) => request<WhoamiDto>('/api/login', { method: 'POST', body: { username, password } });

export const postLogout = () => request<void>('/api/logout', { method: 'POST' });

export interface ExchangeDeclaration {
  type: string;
  durable: boolean;
  auto_delete: boolean;
  internal: boolean;
  arguments: JsonObject;
}

export const declareExchange = (vhost: string, name: string, d: ExchangeDeclaration) =>
  request<void>(`/api/exchanges/${seg(vhost)}/${exchangeSeg(name)}`, { method: 'PUT', body: d });

export const deleteExchange = (vhost: string, name: string) =>
  request<void>(`/api/exchanges/${seg(vhost)}/${exchangeSeg(name)}`, { method: 'DELETE' });

export interface QueueDeclaration {
  durable: boolean;
  auto_delete: boolean;
  arguments: JsonObject;
}

export const declareQueue = (vhost: string, name: string, d: QueueDeclaration) =>
  request<void>(`/api/queues/${seg(vhost)}/${seg(name)}`, { method: 'PUT', body: d });

export const deleteQueue = (vhost: string, name: string) => request<void>(`/api/queues/${seg(vhost)}/${seg(name)}`, { method: 'DELETE' });

export const purgeQueue = (vhost: string, name: string) =>
  request<void>(`/api/queues/${seg(vhost)}/${seg(name)}/contents`, { method: 'DELETE' });

const bindingBase = (vhost: string, source: string, kind: 'queue' | 'exchange', destination: string) =>
  `/api/bindings/${seg(vhost)}/e/${exchangeSeg(source)}/${kind === 'queue' ? 'q' : 'e'}/${kind === 'queue' ? seg(destination) : exchangeSeg(destination)}`;

export const createBinding = (
  vhost: string,
  source: string,
  kind: 'queue' | 'exchange',
  destination: string,
  routingKey: string,
  args: JsonObject,
) => request<void>(bindingBase(vhost, source, kind, destination), { method: 'POST', body: { routing_key: routingKey, arguments: args } });

export const deleteBinding = (b: BindingDto) =>
  request<void>(`${bindingBase(b.vhost, b.source, b.destination_type, b.destination)}/${seg(b.properties_key)}`, { method: 'DELETE' });

export const publishMessage = (vhost: string, exchange: string, message: PublishRequest) =>
  request<{ routed: boolean }>(`/api/exchanges/${seg(vhost)}/${exchangeSeg(exchange)}/publish`, { method: 'POST', body: message });

export type AckMode = 'ack_requeue_true' | 'ack_requeue_false' | 'reject_requeue_true' | 'reject_requeue_false';

/** A page of a queue's messages, read without consuming them. */
export const browseQueue = (vhost: string, queue: string, page: { state: 'ready' | 'unacked'; offset: number; limit: number; bodyLimit: number }, signal?: AbortSignal) =>
  request<BrowsePageDto>(
    `/api/queues/${seg(vhost)}/${seg(queue)}/messages?state=${page.state}&offset=${page.offset}&limit=${page.limit}&body_limit=${page.bodyLimit}`,
    { signal },
  );

/** One budgeted stretch of a filter scan over the ready messages, from `cursor`. */
export const filterQueue = (vhost: string, queue: string, f: { expression: string; cursor: number; limit: number; bodyLimit: number; maxMs: number }, signal?: AbortSignal) =>
  request<FilterPageDto>(`/api/queues/${seg(vhost)}/${seg(queue)}/messages/filter`, {
    method: 'POST',
    body: { expression: f.expression, cursor: f.cursor, limit: f.limit, body_limit: f.bodyLimit, max_ms: f.maxMs },
    signal,
  });

/** Where a queue's messages (or those matching `expression`) download as JSON Lines. */
export const exportUrl = (vhost: string, queue: string, expression: string | null) =>
  brokerPath(`/api/queues/${seg(vhost)}/${seg(queue)}/messages/export${expression ? `?expression=${encodeURIComponent(expression)}` : ''}`);

/** Starts publishing a JSON Lines export's messages to an exchange, at most `rate` a second: the job. */
export const importMessages = (vhost: string, exchange: string, lines: string, rate: number) =>
  request<TransferJobDto>(`/api/exchanges/${seg(vhost)}/${exchangeSeg(exchange)}/import?rate=${rate}`, {
    method: 'POST',
    text: { contentType: 'application/x-ndjson', value: lines },
  });

/** Starts moving or copying messages to a queue or an exchange, or returning dead letters to their origin. */
export const startTransfer = (
  vhost: string,
  queue: string,
  mode: 'move' | 'copy' | 'return',
  body: { selection: TransferSelection; target?: { queue: string } | { exchange: string; routing_key?: string }; rate: number },
) =>
  request<TransferJobDto>(`/api/queues/${seg(vhost)}/${seg(queue)}/messages/${mode}`, {
    method: 'POST',
    body: { ...body.selection, ...(body.target === undefined ? {} : { target: body.target }), rate: body.rate },
  });

export const transferJob = (vhost: string, id: string, signal?: AbortSignal) => request<TransferJobDto>(`/api/message-transfers/${seg(vhost)}/${seg(id)}`, { signal });

export const cancelTransfer = (vhost: string, id: string) => request<TransferJobDto>(`/api/message-transfers/${seg(vhost)}/${seg(id)}`, { method: 'DELETE' });

/** Where "return to origin" would send the chosen messages (the first 100). */
export const previewReturn = (vhost: string, queue: string, selection: TransferSelection) =>
  request<ReturnPreviewDto>(`/api/queues/${seg(vhost)}/${seg(queue)}/messages/return/preview`, { method: 'POST', body: { ...selection, limit: 100 } });

/** One ready message with its whole body; 404 once it has left the queue. */
export const browseMessage = (vhost: string, queue: string, id: number, position: number) =>
  request<BrowsedMessageDto>(`/api/queues/${seg(vhost)}/${seg(queue)}/messages/${id}?position=${position}`);

export const getMessages = (vhost: string, queue: string, count: number, ackmode: AckMode) =>
  request<GotMessageDto[]>(`/api/queues/${seg(vhost)}/${seg(queue)}/get`, {
    method: 'POST',
    body: { count, ackmode, encoding: 'auto', truncate: 50_000 },
  });


export type { BindingVerdict, ExchangeVisit, RouteExplanation } from '../../broker/index';

export interface ExplainRequest {
  routing_key: string;
  properties?: { headers?: JsonObject };
  mandatory: boolean;
}

/** Warren's routing dry run: what a publish would do, publishing nothing. */
export const explainRoute = (vhost: string, exchange: string, body: ExplainRequest, signal?: AbortSignal) =>
  request<import('../../broker/index').RouteExplanation>(`/api/exchanges/${seg(vhost)}/${exchangeSeg(exchange)}/explain`, { method: 'POST', body, signal });

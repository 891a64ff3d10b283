// The router's view of HTTP: a request and a response as plain data, so the same code runs behind
// server.ts's one HTTP server, a bare node:http server in tests, or anything else.

export type HttpMethod = 'GET' | 'PUT' | 'POST' | 'DELETE' | 'HEAD' | 'PATCH' | 'OPTIONS';

export interface ManagementRequest {
  method: string;
  /** The raw path, still percent-encoded: `/api/queues/%2F/foo`. */
  path: string;
  query: URLSearchParams;
  /** Lower-case header names. */
  headers: Record<string, string | undefined>;
  body: Buffer | string | undefined;
  /** The peer's IP address as the socket saw it; undefined when unknown (treated as remote). */
  remoteAddress: string | undefined;
  /** true when it came over TLS (the web port serves HTTPS): the login cookie is then marked Secure */
  secure?: boolean;
}

export interface ManagementResponse {
  status: number;
  headers: Record<string, string>;
  /**
   * Already encoded; '' for no body. A large body made in pieces (per-object metrics) is a stream
   * of text, sent chunked as it comes, with back-pressure.
   */
  body: string | AsyncIterable<string>;
}

const JSON_TYPE = { 'content-type': 'application/json' };

/**
 * Rates RabbitMQ always writes as floats: a zero rate is `0.0`, which rabbitmqadmin (Python)
 * prints as `0.0`, not `0`. JSON.stringify cannot write `0.0`, so such values go out as a marked
 * string and the mark is swapped for the number afterwards.
 */
const FLOAT_KEYS = new Set(['rate', 'avg', 'avg_rate']);
const FLOAT_MARK = '\u0000float:';
const MARKED_FLOAT = /"(rate|avg|avg_rate)":"\\u0000float:(-?\d+)"/g;

/** JSON replacer for values JSON.stringify cannot take (bigint from int64 fields) or write as RabbitMQ does. */
function replacer(key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'number' && Number.isSafeInteger(value) && FLOAT_KEYS.has(key)) return FLOAT_MARK + String(value);
  return value;
}

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): ManagementResponse {
  const text = (JSON.stringify(body, replacer) ?? '').replace(MARKED_FLOAT, '"$1":$2.0');
  return { status, headers: { ...JSON_TYPE, ...headers }, body: text };
}

export function empty(status: number, headers: Record<string, string> = {}): ManagementResponse {
  return { status, headers, body: '' };
}

export const noContent = (): ManagementResponse => empty(204);
export const created = (headers: Record<string, string> = {}): ManagementResponse => empty(201, headers);

/** PUT answers 201 when it made something, 204 when it updated what was there, as RabbitMQ. */
export const createdOrUpdated = (wasCreated: boolean): ManagementResponse => (wasCreated ? created() : noContent());

/**
 * Sent with every page and API answer: no other site may show Warren in a frame (clickjacking).
 * next.config.ts sends the same with the console's pages.
 */
export const FRAME_HEADERS: Readonly<Record<string, string>> = {
  'x-frame-options': 'DENY',
  'content-security-policy': "frame-ancestors 'none'",
};

// The router's view of HTTP: a request and a response as plain data, so the same code runs behind
// Next.js route handlers, a bare node:http server (tests, warrenctl's target) or anything else.

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
}

export interface ManagementResponse {
  status: number;
  headers: Record<string, string>;
  /** Already encoded; '' for no body. */
  body: string;
}

const JSON_TYPE = { 'content-type': 'application/json' };

/** JSON replacer for values JSON.stringify cannot take (bigint from int64 fields). */
function replacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? Number(value) : value;
}

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): ManagementResponse {
  return { status, headers: { ...JSON_TYPE, ...headers }, body: JSON.stringify(body, replacer) };
}

export function empty(status: number, headers: Record<string, string> = {}): ManagementResponse {
  return { status, headers, body: '' };
}

export const noContent = (): ManagementResponse => empty(204);
export const created = (headers: Record<string, string> = {}): ManagementResponse => empty(201, headers);

/** PUT answers 201 when it made something, 204 when it updated what was there, as RabbitMQ. */
export const createdOrUpdated = (wasCreated: boolean): ManagementResponse => (wasCreated ? created() : noContent());


// Test harness for the management API: a broker on a free port, the router on a plain node:http
// server (what server.ts serves, minus the console pages), a small HTTP client, and amqplib clients
// that make real state. Used by lib/management/*.test.ts only.
import type http from 'node:http';
import amqp, { type ChannelModel } from 'amqplib';
import { createBroker, type Broker, type BrokerOptions } from '../../broker/index';
import { serveManagement, type ServeOptions } from './node-http';

export interface ApiResponse {
  status: number;
  headers: Headers;
  text: string;
  /** the parsed body, undefined when empty or not JSON */
  body: unknown;
}

export interface ApiOptions {
  user?: string;
  password?: string;
  /** false: send no Authorization header */
  auth?: boolean;
  headers?: Record<string, string>;
  /** a raw body instead of JSON */
  raw?: string;
}

export interface TestApi {
  broker: Broker;
  baseUrl: string;
  amqpUrl(user?: string, password?: string, vhost?: string): string;
  request(method: string, path: string, body?: unknown, opts?: ApiOptions): Promise<ApiResponse>;
  get(path: string, opts?: ApiOptions): Promise<ApiResponse>;
  put(path: string, body?: unknown, opts?: ApiOptions): Promise<ApiResponse>;
  post(path: string, body?: unknown, opts?: ApiOptions): Promise<ApiResponse>;
  del(path: string, opts?: ApiOptions): Promise<ApiResponse>;
  /** An amqplib connection that is closed by close(). */
  connect(opts?: { user?: string; password?: string; vhost?: string; name?: string }): Promise<ChannelModel>;
  close(): Promise<void>;
}

/** `%2F` and friends: one vhost or object name as a URL path segment. */
export const seg = (s: string): string => encodeURIComponent(s);

export async function startApi(options: BrokerOptions = {}, serve: ServeOptions = {}): Promise<TestApi> {
  const broker = await createBroker({ port: 0, host: '127.0.0.1', logLevel: 'error', ...options });
  const server: http.Server = await serveManagement(broker, 0, '127.0.0.1', serve);
  const addr = server.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
  const baseUrl = `http://127.0.0.1:${port}`;
  const connections: ChannelModel[] = [];

  const request = async (method: string, path: string, body?: unknown, opts: ApiOptions = {}): Promise<ApiResponse> => {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.auth !== false) {
      headers.authorization = `Basic ${Buffer.from(`${opts.user ?? 'guest'}:${opts.password ?? opts.user ?? 'guest'}`).toString('base64')}`;
    }
    let payload: string | undefined = opts.raw;
    if (payload === undefined && body !== undefined) {
      payload = JSON.stringify(body);
      headers['content-type'] = 'application/json';
    }
    const res = await fetch(baseUrl + path, { method, headers, body: payload });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: res.status, headers: res.headers, text, body: parsed };
  };

  const amqpUrl = (user = 'guest', password = user, vhost = '/') =>
    `amqp://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${broker.port}/${encodeURIComponent(vhost)}`;

  return {
    broker,
    baseUrl,
    amqpUrl,
    request,
    get: (path, opts) => request('GET', path, undefined, opts),
    put: (path, body, opts) => request('PUT', path, body, opts),
    post: (path, body, opts) => request('POST', path, body, opts),
    del: (path, opts) => request('DELETE', path, undefined, opts),
    async connect(opts = {}) {
      const conn = await amqp.connect(amqpUrl(opts.user, opts.password, opts.vhost), {
        clientProperties: opts.name === undefined ? {} : { connection_name: opts.name },
      });
      conn.on('error', () => {});
      connections.push(conn);
      return conn;
    },
    async close() {
      await Promise.all(connections.map((c) => c.close().catch(() => {})));
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await broker.close();
    },
  };
}

/** Polls until `check` returns true (the broker applies AMQP commands asynchronously). */
export async function eventually(check: () => boolean | Promise<boolean>, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

export type Obj = Record<string, unknown>;

/** The body as an object (test assertion helper). */
export const obj = (r: ApiResponse): Obj => r.body as Obj;
/** The body as a list of objects. */
export const list = (r: ApiResponse): Obj[] => r.body as Obj[];

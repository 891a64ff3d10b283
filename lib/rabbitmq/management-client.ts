// HTTP to one RabbitMQ cluster's management API: Basic auth with the caller's credentials, a time
// limit on every request, a keep-alive agent (with the configured CA for https), bounded response
// bodies, and pagination for the lists that can be long. Errors come back as BrokerErrors.
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { BrokerError } from '../../broker/index';
import { errorFromResponse, unreachable, type ErrorBody } from './http-errors';

export interface Credentials {
  username: string;
  password: string;
}

export interface ClientOptions {
  /** `http(s)://host:15672`, without credentials or path */
  baseUrl: string;
  /** PEM file of the CA that signed the cluster's certificates */
  caFile?: string;
  timeoutMs?: number;
  /** a response larger than this is refused (a list of 10,000 queues with every column is ~20 MB) */
  maxBodyBytes?: number;
}

// a list of 10,000 queues can take RabbitMQ 20 s on a busy machine; a refusal comes at once anyway
export const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_MAX_BODY = 256 * 1024 * 1024;
/** Items per page when a list is paginated (the plugin allows up to 500). */
export const PAGE_SIZE = 500;

export interface Page<T> {
  items: T[];
  page_count: number;
  total_count: number;
}

export class ManagementClient {
  readonly baseUrl: URL;
  private readonly agent: http.Agent;
  private readonly timeoutMs: number;
  private readonly maxBody: number;

  constructor(options: ClientOptions) {
    this.baseUrl = new URL(options.baseUrl);
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
    const ca = options.caFile !== undefined ? fs.readFileSync(options.caFile) : undefined;
    this.agent = this.baseUrl.protocol === 'https:' ? new https.Agent({ keepAlive: true, maxSockets: 8, ca }) : new http.Agent({ keepAlive: true, maxSockets: 8 });
  }

  close(): void {
    this.agent.destroy();
  }

  /** `path` starts with /api/ and has its parts already encoded (see `p`). Resolves to parsed JSON, or undefined for 204. */
  async request<T>(who: Credentials, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    return (await this.exchange<T>(who, method, path, body, headers)).body;
  }

  /** As request, with the status and headers (201 or 204 tells created from updated; Location names a binding). */
  async exchange<T>(who: Credentials, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: T }> {
    const { status, text, headers: got } = await this.send(who, method, path, body, headers);
    if (status >= 200 && status < 300) return { status, headers: got, body: (text === '' ? undefined : JSON.parse(text)) as T };
    let parsed: ErrorBody | undefined;
    try {
      parsed = JSON.parse(text) as ErrorBody;
    } catch {
      parsed = undefined;
    }
    throw errorFromResponse(status, parsed, `${method} ${path}`);
  }

  /** GET that reads a 404 as "there is none". */
  async getOptional<T>(who: Credentials, path: string): Promise<T | undefined> {
    try {
      return await this.request<T>(who, 'GET', path);
    } catch (err) {
      if ((err as BrokerError).kind === 'not_found') return undefined;
      throw err;
    }
  }

  /** Every item of a list, PAGE_SIZE at a time (`query` without page parameters, e.g. `columns=...`). */
  async all<T>(who: Credentials, path: string, query = ''): Promise<T[]> {
    const out: T[] = [];
    const sep = query === '' ? '' : `&${query}`;
    for (let page = 1; ; page++) {
      const res = await this.request<Page<T> | T[]>(who, 'GET', `${path}?page=${page}&page_size=${PAGE_SIZE}${sep}`);
      // some lists (a vhost's connections, consumers) ignore paging and answer with the whole array
      if (Array.isArray(res)) return res;
      for (const item of res.items) out.push(item);
      if (page >= res.page_count) return out;
    }
  }

  private send(who: Credentials, method: string, path: string, body: unknown, extra: Record<string, string>): Promise<{ status: number; text: string; headers: http.IncomingHttpHeaders }> {
    const url = new URL(path, this.baseUrl);
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const lib = url.protocol === 'https:' ? https : http;
    const what = `${method} ${url.pathname}`;
    return new Promise((resolve, reject) => {
      const req = lib.request(
        url,
        {
          method,
          agent: this.agent,
          timeout: this.timeoutMs,
          headers: {
            authorization: `Basic ${Buffer.from(`${who.username}:${who.password}`).toString('base64')}`,
            accept: 'application/json',
            ...extra,
            ...(payload !== undefined ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > this.maxBody) {
              req.destroy(new Error(`response larger than ${this.maxBody} bytes`));
              return;
            }
            chunks.push(chunk);
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', (err) => reject(unreachable(what, err)));
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${this.timeoutMs} ms`)));
      req.on('error', (err) => reject(unreachable(what, err)));
      req.end(payload);
    });
  }
}

/** A path from parts, each encoded as the management API wants (`/` of the default vhost as %2F). */
export function p(...parts: string[]): string {
  return `/api/${parts.map((s) => encodeURIComponent(s)).join('/')}`;
}

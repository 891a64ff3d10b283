// Serves the management router on node:http: what server.ts uses for /api/* and /metrics (through
// http-server.ts), what the tests use, and what a process without Next.js (a headless broker) can
// use to offer the API. The peer address comes from the socket, never from a header.
import http from 'node:http';
import type { TLSSocket } from 'node:tls';
import { createLogger, type BrokerApi, type Logger } from '../../broker/index';
import { FRAME_HEADERS, json, type ManagementRequest, type ManagementResponse } from './http';
import { handleManagement } from './router';
import { LoginSessions } from './sessions';

/** Largest request body read (definitions files are the big ones). */
export const MAX_BODY_BYTES = 64 * 1024 * 1024;

export interface ServeOptions {
  /** Largest request body read; a bigger one is answered 413 (default MAX_BODY_BYTES). */
  maxBodyBytes?: number;
  /** Where failures are reported (default: stderr, errors only). */
  log?: Logger;
  /** /metrics and /metrics/per-object need a monitoring user (METRICS_AUTH); default open. */
  metricsAuth?: boolean;
  /** the console's login sessions (/api/login and its cookie); without them, Basic auth only */
  sessions?: LoginSessions;
}

const DEFAULT_LOG = createLogger('error');

/** How long the rest of a refused body is read (and dropped) before the connection is cut. */
const DRAIN_MS = 1_000;

class BodyTooLarge extends Error {}
class ClientGone extends Error {}

/** The request body, at most `limit` bytes of it; undefined when there is none. */
function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      reject(new BodyTooLarge());
      return;
    }
    const parts: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (err: Error | undefined, body?: Buffer) => {
      if (done) return;
      done = true;
      req.off('data', onData);
      if (err === undefined) resolve(body);
      else reject(err);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        parts.length = 0;
        finish(new BodyTooLarge());
        return;
      }
      parts.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => finish(undefined, parts.length === 0 ? undefined : Buffer.concat(parts)));
    req.on('error', () => finish(new ClientGone()));
    req.on('close', () => {
      if (!req.complete) finish(new ClientGone());
    });
  });
}

export function toManagementRequest(req: http.IncomingMessage, body: Buffer | undefined): ManagementRequest {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const headers: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
  return {
    method: req.method ?? 'GET',
    // the raw path: %2F in a vhost name must not become a separator
    path: (req.url ?? '/').split('?')[0],
    query: url.searchParams,
    headers,
    body,
    remoteAddress: req.socket.remoteAddress,
    secure: (req.socket as Partial<TLSSocket>).encrypted === true,
  };
}

export function writeResponse(res: http.ServerResponse, out: ManagementResponse): void {
  const headers: Record<string, string> = { ...FRAME_HEADERS, ...out.headers };
  if (typeof out.body !== 'string') {
    res.writeHead(out.status, headers);
    void streamBody(res, out.body);
    return;
  }
  const bodyless = out.status === 204 || out.status === 304;
  if (!bodyless) headers['content-length'] = String(Buffer.byteLength(out.body));
  res.writeHead(out.status, headers);
  res.end(bodyless ? undefined : out.body);
}

/** Writes the pieces as they come, waiting for the socket to drain; a failure cuts the response. */
async function streamBody(res: http.ServerResponse, body: AsyncIterable<string>): Promise<void> {
  try {
    for await (const piece of body) {
      if (res.destroyed) return;
      if (!res.write(piece)) {
        await new Promise<void>((resolve) => {
          const done = () => {
            res.off('drain', done);
            res.off('close', done);
            resolve();
          };
          res.on('drain', done);
          res.on('close', done);
        });
      }
    }
    res.end();
  } catch {
    res.destroy();
  }
}

/** 413, then the connection is closed: the rest of the body is dropped, never buffered. */
function refuseBody(req: http.IncomingMessage, res: http.ServerResponse, limit: number): void {
  writeResponse(res, json({ error: 'payload_too_large', reason: `request body larger than ${limit} bytes` }, 413, { connection: 'close' }));
  req.resume();
  const cut = setTimeout(() => req.socket.destroy(), DRAIN_MS);
  cut.unref();
  req.socket.once('close', () => clearTimeout(cut));
}

/**
 * Answers one management request: reads the body (bounded), runs the router, writes its response.
 * Never rejects: an oversized body is a 413, an unexpected failure a 500 with a JSON body.
 */
export async function serveManagementRequest(
  api: BrokerApi,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  options: ServeOptions = {},
): Promise<void> {
  const limit = options.maxBodyBytes ?? MAX_BODY_BYTES;
  const log = options.log ?? DEFAULT_LOG;
  try {
    let body: Buffer | undefined;
    try {
      body = await readBody(req, limit);
    } catch (err) {
      if (err instanceof BodyTooLarge) refuseBody(req, res, limit);
      else res.destroy();
      return;
    }
    writeResponse(res, await handleManagement(api, toManagementRequest(req, body), { log, metricsAuth: options.metricsAuth, sessions: options.sessions }));
  } catch (err) {
    try {
      log.error(`management API ${req.method} ${req.url}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    } catch {
      // logging must not turn one failed request into a crash
    }
    try {
      if (res.headersSent) res.destroy();
      else writeResponse(res, json({ error: 'internal_error', reason: err instanceof Error ? err.message : String(err) }, 500));
    } catch {
      res.destroy();
    }
  }
}

/** A request listener for http.createServer. */
export function managementListener(api: BrokerApi, options: ServeOptions = {}): http.RequestListener {
  return (req, res) => {
    void serveManagementRequest(api, req, res, options);
  };
}

/** Starts a server with only the management API (and /metrics); resolves to it once listening. */
export function serveManagement(api: BrokerApi, port = 0, host = '127.0.0.1', options: ServeOptions = {}): Promise<http.Server> {
  const server = http.createServer(managementListener(api, { ...options, sessions: options.sessions ?? new LoginSessions() }));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

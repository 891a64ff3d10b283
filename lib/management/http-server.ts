// The management layer's share of Warren's one HTTP server (server.ts): it decides which requests
// are its own — the REST API under /api, Prometheus' /metrics and the /api/health probe — and
// answers them, before Next's handler sees anything. The /api/ws WebSocket arrives as an upgrade,
// which server.ts hands to lib/live; a request listener never sees it.
import type http from 'node:http';
import type { BrokerApi } from '../../broker/index';
import { empty, json } from './http';
import { serveManagementRequest, writeResponse, type ServeOptions } from './node-http';

export const HEALTH_PATH = '/api/health';

/** The raw path of a request URL, without the query. */
function pathOf(url: string | undefined): string {
  const raw = url ?? '/';
  const q = raw.indexOf('?');
  return q < 0 ? raw : raw.slice(0, q);
}

/** Paths the management layer answers; everything else belongs to the console pages. */
export function isManagementPath(path: string): boolean {
  return path === '/api' || path.startsWith('/api/') || path === '/metrics' || path.startsWith('/metrics/');
}

export interface FrontOptions extends ServeOptions {
  /** What /api/health reports: the port AMQP clients connect to. */
  amqpPort: number;
}

/** `GET /api/health`: 200 `{ ok: true, amqpPort }`, for scripts and Playwright waiting on start-up. */
function health(amqpPort: number, req: http.IncomingMessage, res: http.ServerResponse): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') return writeResponse(res, empty(405, { allow: 'GET, HEAD' }));
  writeResponse(res, json({ ok: true, amqpPort }, 200, { 'cache-control': 'no-store' }));
}

/** A request handler that answers the management paths and returns false for any other. */
export function managementFront(api: BrokerApi, options: FrontOptions): (req: http.IncomingMessage, res: http.ServerResponse) => boolean {
  return (req, res) => {
    const path = pathOf(req.url);
    if (!isManagementPath(path)) return false;
    if (path === HEALTH_PATH) health(options.amqpPort, req, res);
    else void serveManagementRequest(api, req, res, options);
    return true;
  };
}

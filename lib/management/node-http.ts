// Serves the management router on a plain node:http server: what the tests use, and what a
// process without Next.js (a headless broker) can use to offer the API.
import http from 'node:http';
import type { Broker } from '../../broker/index';
import type { ManagementRequest } from './http';
import { handleManagement } from './router';

/** Largest request body read (definitions files are the big ones). */
export const MAX_BODY_BYTES = 64 * 1024 * 1024;

function readBody(req: http.IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('request body too large'));
        req.destroy();
        return;
      }
      parts.push(chunk);
    });
    req.on('end', () => resolve(parts.length === 0 ? undefined : Buffer.concat(parts)));
    req.on('error', reject);
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
  };
}

/** A request listener for http.createServer. */
export function managementListener(broker: Broker): http.RequestListener {
  return (req, res) => {
    readBody(req)
      .then((body) => handleManagement(broker, toManagementRequest(req, body)))
      .then((out) => {
        res.writeHead(out.status, { ...out.headers, 'content-length': String(Buffer.byteLength(out.body)) });
        res.end(out.body);
      })
      .catch(() => {
        if (!res.headersSent) res.writeHead(413);
        res.end();
      });
  };
}

/** Starts a server with only the management API (and /metrics); resolves to it once listening. */
export function serveManagement(broker: Broker, port = 0, host = '127.0.0.1'): Promise<http.Server> {
  const server = http.createServer(managementListener(broker));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

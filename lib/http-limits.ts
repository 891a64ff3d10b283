// The HTTP server's limits: how long a client may take to send its request, and how many connections
// it may hold. Node's defaults let 20,000 half-sent requests sit for a minute each, holding every
// file descriptor of the process, so that no AMQP client could connect any more. server.ts makes its
// one HTTP (or HTTPS) server here.
import http from 'node:http';
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import { connectionCaps, type Logger, type TlsCredentials } from '../broker/index';
import { positiveInt, type Env } from '../cli-args';

export interface HttpLimits {
  /** Connections held at once; one past it is closed at once. Default: connectionCaps().http. */
  maxConnections: number;
  /** ms from connecting (or the previous response) to the end of the request's headers */
  headersTimeoutMs: number;
  /** ms for the whole request, body included (64 MiB of definitions on a slow link) */
  requestTimeoutMs: number;
  /** ms an idle keep-alive connection is kept */
  keepAliveTimeoutMs: number;
}

export const DEFAULT_HTTP_LIMITS: Omit<HttpLimits, 'maxConnections'> = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 120_000,
  keepAliveTimeoutMs: 5_000,
};

/**
 * The limits, with `HTTP_MAX_CONNECTIONS` and `HTTP_HEADERS_TIMEOUT_MS` from the environment when
 * set; throws ArgError (cli-args) for a value that is not a positive integer.
 */
export function httpLimits(env: Env = process.env): HttpLimits {
  const max = env.HTTP_MAX_CONNECTIONS;
  const headers = env.HTTP_HEADERS_TIMEOUT_MS;
  const headersTimeoutMs = headers === undefined || headers === '' ? DEFAULT_HTTP_LIMITS.headersTimeoutMs : positiveInt(headers, 'HTTP_HEADERS_TIMEOUT_MS');
  return {
    ...DEFAULT_HTTP_LIMITS,
    maxConnections: max === undefined || max === '' ? connectionCaps().http : positiveInt(max, 'HTTP_MAX_CONNECTIONS'),
    headersTimeoutMs,
    // Node requires requestTimeout >= headersTimeout
    requestTimeoutMs: Math.max(DEFAULT_HTTP_LIMITS.requestTimeoutMs, headersTimeoutMs),
  };
}

/**
 * `AMQP_MAX_CONNECTIONS` for the broker server.ts starts (`npm run broker` reads the same variable
 * or `--max-connections`); undefined leaves the default, from the descriptor limit.
 */
export function amqpMaxConnections(env: Env = process.env): number | undefined {
  const raw = env.AMQP_MAX_CONNECTIONS;
  return raw === undefined || raw === '' ? undefined : positiveInt(raw, 'AMQP_MAX_CONNECTIONS');
}

/** How often Node looks for requests past their timeouts: a tenth of the headers timeout, 1 s at most. */
function checkingInterval(limits: HttpLimits): number {
  return Math.max(50, Math.min(1_000, Math.floor(limits.headersTimeoutMs / 10)));
}

/**
 * An HTTP server with these limits, or an HTTPS one with `tls` (RabbitMQ's management.ssl). Past
 * maxConnections a new connection is closed at once (logged once until connections are accepted
 * again, not once per client); over TLS a connection counts from its first byte, and its handshake
 * must be done within the headers timeout, which only starts once the handshake is. The limits do
 * not reach a socket once it is upgraded (the /api/ws live stream): its own code keeps it alive.
 */
export function createLimitedHttpServer(limits: HttpLimits, log?: Logger, tls?: TlsCredentials): http.Server {
  const options: http.ServerOptions = {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionsCheckingInterval: checkingInterval(limits),
  };
  const server = tls === undefined ? http.createServer(options) : https.createServer({
    ...options,
    cert: tls.cert,
    key: tls.key,
    ...(tls.ca === undefined ? {} : { ca: tls.ca }),
    handshakeTimeout: limits.headersTimeoutMs,
    minVersion: 'TLSv1.2',
  });
  if (tls !== undefined) {
    server.on('tlsClientError', (err: Error, socket: TLSSocket) => {
      log?.debug(`HTTPS ${socket.remoteAddress}:${socket.remotePort}: TLS handshake failed: ${err.message}`);
      // closed here, as on the AMQPS listener, where a reported handshake timeout left the socket open
      socket.destroy();
    });
  }
  server.maxConnections = limits.maxConnections;
  let refusing = false;
  server.on('drop', () => {
    if (refusing) return;
    refusing = true;
    log?.warn(`HTTP: refusing new connections: ${limits.maxConnections} connections, the most held at once; accepting again once some close`);
  });
  server.on('connection', () => {
    if (!refusing) return;
    refusing = false;
    log?.info('HTTP: accepting connections again');
  });
  return server;
}

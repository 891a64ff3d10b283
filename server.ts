// The one Warren process: the AMQP broker, and one HTTP server for the REST API and /metrics (the one
// management instance, answered here before Next sees the request), the `/api/ws` live stream and
// the console pages. `npm start` (scripts/start.ts) builds the console when needed and
// calls main(); `npm run dev` runs this file with --dev for Next.js hot reload.
import { EventEmitter } from 'node:events';
import http from 'node:http';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import next from 'next';
import { createBroker, createLogger, loadTlsCredentials, TlsConfigError, type Broker } from './broker/index';
import { amqpMaxConnections, createLimitedHttpServer, httpLimits } from './lib/http-limits';
import { ConfigError, EMBEDDED_BROKER_NAME, USAGE, displayHost, loadConfig, type Config } from './lib/config';
import { createBrokerDirectory } from './lib/broker-directory';
import { byteSize } from './cli-args';

const ROOT = path.dirname(fileURLToPath(import.meta.url));
export const LIVE_PATH = '/api/ws';

/** How long in-flight HTTP requests may take to finish once shutdown has begun. */
const HTTP_DRAIN_MS = 2_000;
/** Shutdown that takes longer than this is given up on (exit 1). */
const SHUTDOWN_LIMIT_MS = 10_000;

type UpgradeHandler = (req: http.IncomingMessage, socket: Duplex, head: Buffer) => void;

function rejectUpgrade(socket: Duplex, status: number, text: string): void {
  if (socket.writable) socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  socket.destroy();
}

function listen(server: http.Server, port: number, host: string | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen({ port, host }, () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

function closeHttp(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    const force = setTimeout(() => server.closeAllConnections(), HTTP_DRAIN_MS);
    server.close(() => {
      clearTimeout(force);
      resolve();
    });
    server.closeIdleConnections();
  });
}

export interface RunningServer {
  /** undefined with --no-embedded */
  broker: Broker | undefined;
  consoleUrl: string;
  amqpUrl: string;
  /** the AMQPS listener's URL, when there is one */
  amqpsUrl: string | undefined;
  /** Stops HTTP (in-flight requests get a moment), then the broker (clients get 320). */
  close(reason?: string): Promise<void>;
}

/** Starts Warren; unusable TLS files reject with TlsConfigError before anything listens. */
export async function startServer(config: Config): Promise<RunningServer> {
  const limits = httpLimits();
  const webTls = config.webTls === undefined ? undefined : loadTlsCredentials(config.webTls);
  const broker = !config.embedded ? undefined : await createBroker({
    maxConnections: amqpMaxConnections(),
    port: config.amqpPort,
    host: config.host,
    dataDir: config.dataDir,
    logLevel: config.logLevel,
    diskFreeLimit: config.diskFreeLimit,
    amqps: config.amqps,
    maskRules: config.maskRules,
    // env only, as AMQP_MAX_CONNECTIONS; `npm run broker` also takes --transient-memory-budget
    transientMemoryBudget: process.env.TRANSIENT_MEMORY_BUDGET ? byteSize(process.env.TRANSIENT_MEMORY_BUDGET, 'TRANSIENT_MEMORY_BUDGET') : undefined,
  });

  // timeouts and a connection cap, so that idle or half-sent requests cannot take every descriptor
  const server = createLimitedHttpServer(limits, createLogger(config.logLevel), webTls);
  let port: number;
  try {
    port = await listen(server, config.port, config.host);
  } catch (err) {
    await broker?.close('startup failed');
    throw err;
  }
  const hostname = displayHost(config.host);

  // Next 16's app.getUpgradeHandler() does nothing for custom servers; Next attaches its real upgrade
  // handler (dev HMR) with .on('upgrade') to `httpServer` on the first request. It gets an emitter of
  // its own so that the 'upgrade' listener below alone decides which upgrades reach Next.
  const nextUpgrades = new EventEmitter();
  const app = next({
    dev: config.dev,
    dir: ROOT,
    hostname,
    port,
    httpServer: nextUpgrades as unknown as http.Server,
  });
  const ready = app.prepare();
  const handle = app.getRequestHandler();
  const log = createLogger(config.logLevel);
  // the embedded broker and any --rabbitmq clusters; the default keeps RabbitMQ's own paths. Each
  // has its own console logins (a cookie of its own): a cluster's users are not Warren's
  const brokers = createBrokerDirectory({
    embedded: broker && { name: EMBEDDED_BROKER_NAME, broker },
    remotes: config.rabbitmq,
    maskRules: config.maskRules,
    log,
    metricsAuth: config.metricsAuth,
    sessions: { idleMs: config.loginSessionTimeout * 60_000, lifetimeMs: config.loginSessionLifetime * 60_000 },
    dataDir: config.dataDir,
  });
  const { live, management } = brokers.default;

  server.on('request', (req, res) => {
    if (brokers.handleRequest(req, res)) return;
    if (management(req, res)) return;
    ready
      .then(() => handle(req, res))
      .catch((err: unknown) => {
        console.error('warren: request failed:', err);
        if (!res.headersSent) res.statusCode = 500;
        res.end();
      });
  });

  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (pathname === LIVE_PATH) return live.handleUpgrade(req, socket, head);
    if (brokers.handleUpgrade(req, socket, head, LIVE_PATH)) return;
    if (config.dev && pathname.startsWith('/_next/') && nextUpgrades.emit('upgrade', req, socket, head)) return;
    rejectUpgrade(socket, 404, 'Not Found');
  });

  try {
    await ready;
  } catch (err) {
    await brokers.close();
    await closeHttp(server);
    await broker?.close('startup failed');
    throw err;
  }

  let closing: Promise<void> | undefined;
  return {
    broker,
    consoleUrl: `${webTls === undefined ? 'http' : 'https'}://${hostname}:${port}/`,
    amqpUrl: broker ? `amqp://${hostname}:${broker.port}` : 'none (--no-embedded)',
    amqpsUrl: broker?.amqpsPort === undefined ? undefined : `amqps://${hostname}:${broker.amqpsPort}`,
    close(reason = 'shutdown') {
      closing ??= (async () => {
        await brokers.close();
        await closeHttp(server);
        await app.close().catch(() => {});
        await broker?.close(reason);
      })();
      return closing;
    },
  };
}

function prepareEnv(dev: boolean): void {
  const env = process.env as Record<string, string | undefined>;
  // React and Next pick their production or development builds from NODE_ENV.
  if (dev) env.NODE_ENV = 'development';
  else env.NODE_ENV ??= 'production';
  // Warren's users did not ask for Next.js telemetry; set NEXT_TELEMETRY_DISABLED=0 to allow it.
  env.NEXT_TELEMETRY_DISABLED ??= '1';
}

/** Runs Warren until SIGINT or SIGTERM. A second signal exits at once. */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  let config: Config;
  try {
    const loaded = loadConfig(argv);
    if (loaded.help) {
      process.stdout.write(USAGE);
      return;
    }
    config = loaded.config;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(`warren: ${err.message}\n\n${USAGE}`);
    process.exit(2);
  }
  prepareEnv(config.dev);

  let running: RunningServer;
  try {
    running = await startServer(config);
  } catch (err) {
    if (err instanceof TlsConfigError) {
      console.error(`warren: ${err.message}`);
      process.exit(2);
    }
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'EADDRINUSE' ? `address already in use (${e.message})` : e.stack ?? String(err);
    console.error(`warren: could not start: ${why}`);
    process.exit(1);
  }

  if (config.logLevel !== 'silent') {
    console.log(
      `Warren is running${config.dev ? ' (dev)' : ''}: console ${running.consoleUrl}  AMQP ${running.amqpUrl}${running.amqpsUrl ? `  AMQPS ${running.amqpsUrl}` : ''}`,
    );
  }

  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      console.error(`warren: ${signal} again, exiting now`);
      process.exit(1);
    }
    stopping = true;
    if (config.logLevel !== 'silent') console.log(`warren: ${signal} received, shutting down`);
    setTimeout(() => {
      console.error(`warren: shutdown took longer than ${SHUTDOWN_LIMIT_MS / 1000} s, exiting`);
      process.exit(1);
    }, SHUTDOWN_LIMIT_MS).unref();
    running.close('shutdown').then(
      () => process.exit(0),
      (err: unknown) => {
        console.error('warren: shutdown failed:', err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

const entry = process.argv[1];
if (entry && path.resolve(entry).replace(/\.[cm]?[jt]s$/, '') === fileURLToPath(import.meta.url).replace(/\.[cm]?[jt]s$/, '')) {
  main().catch((err: unknown) => {
    console.error('warren:', err);
    process.exit(1);
  });
}

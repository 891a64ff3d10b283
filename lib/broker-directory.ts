// The brokers one console serves: the embedded Warren broker and any remote RabbitMQ clusters given
// with --rabbitmq, each behind its own management front and live endpoint. The default broker keeps
// RabbitMQ's paths (/api/..., /api/ws) so tools work unchanged; every broker, the default included,
// is also reachable under /brokers/<name>/ (/brokers/prod/api/queues, /brokers/prod/api/ws — the
// prefix rabbitmqadmin's --path-prefix takes). GET /api/brokers lists names and kinds for the
// console's switcher; never a URL or a credential.
import type http from 'node:http';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import type { Broker, BrokerApi, Logger } from '../broker/index';
import { createLiveEndpoint } from './live/index';
import { managementFront } from './management/http-server';
import { sessionCookieName } from './management/session-cookie';
import { LoginSessions, type SessionLimits } from './management/sessions';
import type { RemoteBrokerConfig } from './rabbitmq/broker-spec';
import type { MaskRules } from '../broker/index';
import { RecentVhosts } from './rabbitmq/recent-vhosts';
import { RemoteBrokerApi } from './rabbitmq/remote-broker';

export const BROKERS_PATH = '/api/brokers';
const PREFIX = '/brokers/';

export interface BrokerEntry {
  name: string;
  kind: 'warren' | 'rabbitmq';
  api: BrokerApi;
  /** answers the management paths of this broker, false for others */
  management(req: http.IncomingMessage, res: http.ServerResponse): boolean;
  live: { handleUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void; close(): void };
  /** how its live topology is followed now: events, polling (remote) or in process (embedded) */
  liveMode(): string;
}

function reject(socket: Duplex, status: number, text: string): void {
  if (socket.writable) socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  socket.destroy();
}

function notFound(res: http.ServerResponse, reason: string): void {
  const body = JSON.stringify({ error: 'Object Not Found', reason });
  res.writeHead(404, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  res.end(body);
}

export class BrokerDirectory {
  private readonly byName = new Map<string, BrokerEntry>();

  constructor(
    entries: readonly BrokerEntry[],
    readonly defaultName: string,
  ) {
    for (const e of entries) this.byName.set(e.name, e);
    if (!this.byName.has(defaultName)) throw new Error(`no broker named '${defaultName}'`);
  }

  get default(): BrokerEntry {
    return this.byName.get(this.defaultName)!;
  }

  get entries(): BrokerEntry[] {
    return [...this.byName.values()];
  }

  /** `/brokers/<name>/rest` → the broker and `/rest` (with the query kept), or undefined for other paths. */
  private resolve(url: string | undefined): { entry: BrokerEntry | undefined; name: string; url: string } | undefined {
    const raw = url ?? '/';
    if (!raw.startsWith(PREFIX)) return undefined;
    const after = raw.slice(PREFIX.length);
    const slash = after.search(/[/?]/);
    const name = decodeURIComponent(slash < 0 ? after : after.slice(0, slash));
    const rest = slash < 0 ? '/' : after.slice(slash);
    return { entry: this.byName.get(name), name, url: rest.startsWith('/') ? rest : `/${rest}` };
  }

  /** Answers /api/brokers and /brokers/<name>/...; false for every other request. */
  handleRequest(req: http.IncomingMessage, res: http.ServerResponse): boolean {
    const path = (req.url ?? '/').split('?')[0];
    if (path === BROKERS_PATH) {
      const body = JSON.stringify(
        this.entries.map((e) => ({ name: e.name, kind: e.kind, default: e.name === this.defaultName, live: e.liveMode() })),
      );
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
      res.end(body);
      return true;
    }
    const target = this.resolve(req.url);
    if (target === undefined) return false;
    if (target.entry === undefined) {
      notFound(res, `no broker named '${target.name}'`);
      return true;
    }
    req.url = target.url;
    if (!target.entry.management(req, res)) notFound(res, 'Not Found');
    return true;
  }

  /** Closes every live endpoint and every remote broker's connections (the embedded broker is the caller's). */
  async close(): Promise<void> {
    for (const e of this.entries) e.live.close();
    await Promise.all(this.entries.map((e) => (e.api instanceof RemoteBrokerApi ? e.api.close() : undefined)));
  }

  /** The live WebSocket of a prefixed broker; false when the path is not /brokers/<name>/... */
  handleUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer, livePath: string): boolean {
    const target = this.resolve(req.url);
    if (target === undefined) return false;
    if (target.entry === undefined || target.url.split('?')[0] !== livePath) reject(socket, 404, 'Not Found');
    else {
      req.url = target.url;
      target.entry.live.handleUpgrade(req, socket, head);
    }
    return true;
  }
}

export interface DirectoryOptions {
  /** the embedded broker and the name it goes by; undefined with --no-embedded */
  embedded?: { name: string; broker: Broker };
  remotes: readonly RemoteBrokerConfig[];
  /** masked in what the remote clusters' get and consumers show (the embedded broker has its own) */
  maskRules?: MaskRules;
  log: Logger;
  metricsAuth: boolean;
  /** console logins: each broker keeps its own, in a cookie of its own (the default's is SESSION_COOKIE) */
  sessions?: Pick<SessionLimits, 'idleMs' | 'lifetimeMs'>;
  /** where each remote cluster's recently opened vhosts are kept, to be read ahead at the next start */
  dataDir?: string;
}

/** One management front and live endpoint per broker; the embedded broker is the default, else the first remote. */
export function createBrokerDirectory(o: DirectoryOptions): BrokerDirectory {
  const entries: BrokerEntry[] = [];
  // the first broker is the default, whose logins use the plain cookie name
  const sessionsFor = (name: string) => new LoginSessions({ ...o.sessions, cookieName: sessionCookieName(entries.length === 0 ? undefined : name) });
  if (o.embedded !== undefined) {
    const { broker, name } = o.embedded;
    const sessions = sessionsFor(name);
    entries.push({
      name,
      kind: 'warren',
      api: broker,
      management: managementFront(broker, { amqpPort: broker.port, log: o.log, metricsAuth: o.metricsAuth, sessions }),
      live: createLiveEndpoint(broker, { log: o.log, sessions }),
      liveMode: () => 'embedded',
    });
  }
  for (const c of o.remotes) {
    const api = new RemoteBrokerApi(c, o.maskRules);
    if (o.dataDir !== undefined) {
      const recent = new RecentVhosts(path.join(o.dataDir, 'console', `rabbitmq-${encodeURIComponent(c.name)}-vhosts.json`), o.log);
      api.noteWatched = (vhost) => recent.note(vhost);
      // what the console opens first when nothing was opened yet: '/'
      void api.warm(recent.vhosts.length > 0 ? recent.vhosts : ['/']);
    }
    const amqpPort = c.amqpUrl !== undefined ? Number(new URL(c.amqpUrl).port || (c.amqpUrl.startsWith('amqps:') ? 5671 : 5672)) : 5672;
    const sessions = sessionsFor(c.name);
    entries.push({
      name: c.name,
      kind: 'rabbitmq',
      api,
      management: managementFront(api, { amqpPort, log: o.log, metricsAuth: o.metricsAuth, sessions }),
      live: createLiveEndpoint(api, { log: o.log, sessions }),
      liveMode: () => api.liveMode,
    });
  }
  if (entries.length === 0) throw new Error('no broker to serve: neither the embedded one nor a --rabbitmq cluster');
  return new BrokerDirectory(entries, entries[0].name);
}

// Test harness for lib/live: a broker on a free port, an http server that routes /api/ws upgrades
// to the live endpoint (as server.ts does), WebSocket clients that buffer what they receive, and
// amqplib connections. Tests change the broker through AMQP or its API, as the web side may.
// Used by lib/live/*.test.ts only.
import http from 'node:http';
import amqp, { type ChannelModel } from 'amqplib';
import WebSocket from 'ws';
import { createBroker, createLogger, type Actor, type Broker } from '../../broker/index';
import { createLiveEndpoint, type LiveEndpoint, type LiveOptions } from './index';
import type { ClientMessage, ServerMessage } from './protocol';

export type Msg<T extends ServerMessage['type']> = Extract<ServerMessage, { type: T }>;

export interface LiveTest {
  broker: Broker;
  /** guest, for API calls that set things up */
  admin: Actor;
  endpoint: LiveEndpoint;
  wsUrl: string;
  amqpUrl(user?: string, password?: string, vhost?: string): string;
  /** An amqplib connection that close() closes. */
  connect(vhost?: string): Promise<ChannelModel>;
  /** A WebSocket client that close() closes. */
  client(headers?: Record<string, string>): Promise<LiveClient>;
  /** Client, auth as guest, vhost: returns it and its snapshot. */
  login(vhost?: string): Promise<{ client: LiveClient; snapshot: Msg<'snapshot'> }>;
  close(): Promise<void>;
}

export async function startLive(options: LiveOptions = {}): Promise<LiveTest> {
  const broker = await createBroker({ port: 0, host: '127.0.0.1', logLevel: 'error' });
  const admin = await broker.authenticate('guest', 'guest', '127.0.0.1');
  const endpoint = createLiveEndpoint(broker, { log: createLogger('error'), ...options });
  const server = http.createServer((_req, res) => res.writeHead(404).end());
  server.on('upgrade', (req, socket, head) => {
    if (new URL(req.url ?? '/', 'http://localhost').pathname === '/api/ws') endpoint.handleUpgrade(req, socket, head);
    else socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
  const wsUrl = `ws://127.0.0.1:${port}/api/ws`;
  const connections: ChannelModel[] = [];
  const clients: LiveClient[] = [];
  const amqpUrl = (user = 'guest', password = user, vhost = '/') =>
    `amqp://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${broker.port}/${encodeURIComponent(vhost)}`;

  const client = async (headers?: Record<string, string>) => {
    const c = await LiveClient.open(wsUrl, headers);
    clients.push(c);
    return c;
  };

  return {
    broker,
    admin,
    endpoint,
    wsUrl,
    amqpUrl,
    async connect(vhost = '/') {
      const conn = await amqp.connect(amqpUrl('guest', 'guest', vhost));
      conn.on('error', () => {});
      connections.push(conn);
      return conn;
    },
    client,
    async login(vhost = '/') {
      const c = await client();
      c.send({ type: 'auth', username: 'guest', password: 'guest' });
      await c.take('hello');
      c.send({ type: 'vhost', vhost });
      const snapshot = await c.take('snapshot');
      return { client: c, snapshot };
    },
    async close() {
      for (const c of clients) c.ws.terminate();
      await Promise.all(connections.map((c) => c.close().catch(() => {})));
      endpoint.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await broker.close();
    },
  };
}

/** A WebSocket client that keeps every message until a test takes it. */
export class LiveClient {
  readonly ws: WebSocket;
  /** received and not yet taken */
  readonly inbox: ServerMessage[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private wake: (() => void) | undefined;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data) => {
      this.inbox.push(JSON.parse(String(data)) as ServerMessage);
      this.wake?.();
    });
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  static open(url: string, headers?: Record<string, string>): Promise<LiveClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { headers });
      const c = new LiveClient(ws);
      ws.once('open', () => resolve(c));
      ws.once('error', reject);
    });
  }

  send(msg: ClientMessage | Record<string, unknown>): void {
    this.ws.send(JSON.stringify(msg));
  }

  /** The first message of this type (and matching `where`), removed from the inbox; waits up to `ms`. */
  async take<T extends ServerMessage['type']>(type: T, where: (m: Msg<T>) => boolean = () => true, ms = 3000): Promise<Msg<T>> {
    const deadline = Date.now() + ms;
    for (;;) {
      const i = this.inbox.findIndex((m) => m.type === type && where(m as Msg<T>));
      if (i >= 0) return this.inbox.splice(i, 1)[0] as Msg<T>;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no '${type}' message within ${ms} ms; inbox: ${JSON.stringify(this.inbox).slice(0, 2000)}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  /** Removes and returns every buffered message of this type. */
  drain<T extends ServerMessage['type']>(type: T): Msg<T>[] {
    const out: Msg<T>[] = [];
    for (let i = 0; i < this.inbox.length; ) {
      if (this.inbox[i].type === type) out.push(this.inbox.splice(i, 1)[0] as Msg<T>);
      else i++;
    }
    return out;
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

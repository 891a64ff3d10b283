import { createServer, type Server, type Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { BrokerCore } from '../core/broker-core';
import type { Logger } from '../logger';
import { AmqpConnection } from './connection';
import { DirectReplyTo } from './direct-reply-to';
import { MemoryAlarm } from './memory-alarm';
import { DiskAlarm } from './disk-alarm';
import { describeError } from '../core/contained';
import { connectionCaps } from '../descriptors';
import type { TlsCredentials } from '../tls-credentials';
import { createAmqpsServer, type TlsPolicy } from './tls-listener';
import { refusedPeer } from './tls-peer';

/**
 * The AMQP listener and, when configured, the AMQPS one beside it: one AmqpConnection per socket,
 * one connection cap over both, and an orderly shutdown of all of them.
 */
export class AmqpServer {
  private readonly server: Server;
  private tlsServer: Server | undefined;
  /** TCP sockets of both listeners, TLS ones from accept on (handshakes count against the cap too) */
  private readonly sockets = new Set<Socket>();
  private readonly connections = new Set<AmqpConnection>();
  private readonly directReplyTo = new DirectReplyTo();
  readonly memoryAlarm: MemoryAlarm;
  /** Watches DATA_DIR's free space; none without a DATA_DIR (nothing is written then). */
  readonly diskAlarm: DiskAlarm | undefined;
  /** Connections accepted at once; a client past them is disconnected at once. */
  readonly maxConnections: number;
  /** Set while new clients are being turned away (cap reached or no descriptors): logged once. */
  private refusing: string | undefined;
  /** while the broker restarts in place, new clients are dropped as a stopped broker's would be */
  private restarting = false;

  constructor(
    private readonly core: BrokerCore,
    private readonly log: Logger,
    memoryHighWatermark: number,
    maxConnections = connectionCaps().amqp,
    disk?: { dir: string; freeLimit: number },
  ) {
    this.server = createServer((socket) => this.accept(socket));
    this.maxConnections = maxConnections;
    this.watch(this.server, 'AMQP');
    this.memoryAlarm = new MemoryAlarm(memoryHighWatermark, (active) => {
      if (active) this.log.warn(`memory alarm: ${this.memoryAlarm.reason}, blocking publishers`);
      else this.log.info('memory alarm cleared, publishers released');
      for (const conn of this.connections) conn.setAlarm('memory', active);
    }, { log });
    this.memoryAlarm.start();
    if (disk !== undefined) {
      const alarm = new DiskAlarm(disk.dir, disk.freeLimit, (active) => {
        if (active) this.log.warn(`disk alarm: ${alarm.free} bytes free in ${disk.dir}, below the limit of ${alarm.limitBytes}; blocking publishers`);
        else this.log.info(`disk alarm cleared (${alarm.free} bytes free in ${disk.dir}), publishers released`);
        for (const conn of this.connections) conn.setAlarm('disk', active);
      }, { log });
      alarm.start();
      this.diskAlarm = alarm;
    }
  }

  /** The cap and accept failures of one listener. */
  private watch(server: Server, label: string): void {
    // each listener drops past the cap before any work; count() holds both together to it
    if (Number.isFinite(this.maxConnections)) server.maxConnections = this.maxConnections;
    server.on('drop', () => this.refuse(`${this.maxConnections} connections, the most accepted at once`));
    // After listen, errors are failed accepts: EMFILE/ENFILE when descriptors run out. libuv closes
    // the waiting connections and goes on listening, so new clients get in once descriptors free up.
    server.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EMFILE' || err.code === 'ENFILE') this.refuse(`out of file descriptors (${err.code})`);
      else this.log.error(`${label} listener: ${describeError(err)}`);
    });
  }

  /** Client sockets open now, handshaking or not (the core counts opened connections only). */
  get socketCount(): number {
    return this.sockets.size;
  }

  /** Logs once when clients start being turned away, not for each one. */
  private refuse(why: string): void {
    if (this.refusing !== undefined) return;
    this.refusing = why;
    this.log.warn(`AMQP listener: refusing new connections: ${why}; accepting again once connections close`);
  }

  listen(port: number, host: string | undefined): Promise<number> {
    return listenOn(this.server, port, host);
  }

  /**
   * Starts the AMQPS listener. A TLS socket counts against the cap from its first byte; the
   * handshake has policy.handshakeTimeoutMs, then the AMQP handshake its own timeout as on the
   * plain port. A client that fails the TLS handshake (plain AMQP, a bad certificate) only loses
   * its socket.
   */
  listenTls(port: number, host: string | undefined, credentials: TlsCredentials, policy: TlsPolicy): Promise<number> {
    const server = createAmqpsServer(credentials, policy);
    this.tlsServer = server;
    this.watch(server, 'AMQPS');
    server.on('connection', (raw: Socket) => this.guard(raw, 'AMQPS', () => this.count(raw)));
    server.on('secureConnection', (socket: TLSSocket) => this.guard(socket, 'AMQPS', () => {
      const refused = refusedPeer(socket, policy);
      if (refused !== undefined) {
        this.log.warn(`AMQPS ${socket.remoteAddress}:${socket.remotePort}: ${refused}`);
        socket.destroy();
        return;
      }
      this.open(socket);
    }));
    server.on('tlsClientError', (err: Error, socket: TLSSocket) => {
      // not one line per client while turning a flood away (refuse() has said so once)
      if (this.refusing === undefined) this.log.info(`AMQPS ${socket.remoteAddress}:${socket.remotePort}: TLS handshake failed: ${err.message}`);
      // a handshake timeout only reports: without this the socket would stay, holding its place
      socket.destroy();
    });
    return listenOn(server, port, host);
  }

  private accept(socket: Socket): void {
    this.guard(socket, 'AMQP', () => {
      if (this.count(socket)) this.open(socket);
    });
  }

  /** An event callback: one client that cannot be set up is dropped, the listener goes on. */
  private guard(socket: Socket, label: string, f: () => void): void {
    try {
      f();
    } catch (err) {
      this.log.error(`${label} listener: cannot accept ${socket.remoteAddress}:${socket.remotePort}: ${describeError(err)}`);
      socket.destroy();
    }
  }

  /** Holds a new TCP socket to the cap over both listeners; false when it was turned away. */
  private count(socket: Socket): boolean {
    if (this.sockets.size >= this.maxConnections) {
      this.refuse(`${this.maxConnections} connections, the most accepted at once`);
      socket.destroy();
      return false;
    }
    if (this.refusing !== undefined) {
      this.log.info(`AMQP listener: accepting connections again (${this.sockets.size} open)`);
      this.refusing = undefined;
    }
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    return true;
  }

  private readonly noteRead = (bytes: number): void => this.memoryAlarm.noteRead(bytes);

  private open(socket: Socket): void {
    if (this.restarting) {
      socket.destroy();
      return;
    }
    const conn = new AmqpConnection(this.core, socket, this.log, this.directReplyTo);
    conn.onRead = this.noteRead;
    if (this.memoryAlarm.active) conn.setAlarm('memory', true);
    if (this.diskAlarm?.active === true) conn.setAlarm('disk', true);
    this.connections.add(conn);
    socket.on('close', () => this.connections.delete(conn));
  }

  /**
   * A restart in place: new clients are dropped, every client gets connection.close 320 and is
   * waited for (briefly), then `between` runs with no connection open; the listeners stay bound.
   */
  async restart<T>(reason: string, between: () => Promise<T>): Promise<T> {
    this.restarting = true;
    try {
      for (const conn of this.connections) conn.close(320, `broker forced connection closure with reason '${reason}'`);
      const deadline = Date.now() + 2000;
      while (this.connections.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      for (const s of this.sockets) s.destroy();
      while (this.connections.size > 0) await new Promise((r) => setTimeout(r, 5));
      return await between();
    } finally {
      this.restarting = false;
    }
  }

  /** Stops accepting, sends every client connection.close 320, waits briefly for them to go. */
  async close(reason: string): Promise<void> {
    this.memoryAlarm.stop();
    this.diskAlarm?.stop();
    const stopped = Promise.all([this.server, ...(this.tlsServer ? [this.tlsServer] : [])].map(
      (server) => new Promise<void>((resolve) => server.close(() => resolve())),
    ));
    for (const conn of this.connections) conn.close(320, `broker forced connection closure with reason '${reason}'`);
    const deadline = Date.now() + 2000;
    // waits for the clients that were told; a TLS handshake still under way has no one to tell
    while (this.connections.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    for (const s of this.sockets) s.destroy();
    await stopped;
  }
}

function listenOn(server: Server, port: number, host: string | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const addr = server.address();
      resolve(typeof addr === 'object' && addr !== null ? addr.port : port);
    });
  });
}

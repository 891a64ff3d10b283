import { createServer, type Server, type Socket } from 'node:net';
import type { BrokerCore } from '../core/broker-core';
import type { Logger } from '../logger';
import { AmqpConnection } from './connection';
import { DirectReplyTo } from './direct-reply-to';
import { MemoryAlarm } from './memory-alarm';
import { describeError } from '../core/contained';
import { connectionCaps } from '../descriptors';

/** The TCP listener: one AmqpConnection per socket, and an orderly shutdown of all of them. */
export class AmqpServer {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly connections = new Set<AmqpConnection>();
  private readonly directReplyTo = new DirectReplyTo();
  readonly memoryAlarm: MemoryAlarm;
  /** Connections accepted at once; a client past them is disconnected at once. */
  readonly maxConnections: number;
  /** Set while new clients are being turned away (cap reached or no descriptors): logged once. */
  private refusing: string | undefined;

  constructor(
    private readonly core: BrokerCore,
    private readonly log: Logger,
    memoryHighWatermark: number,
    maxConnections = connectionCaps().amqp,
  ) {
    this.server = createServer((socket) => this.accept(socket));
    this.maxConnections = maxConnections;
    if (Number.isFinite(maxConnections)) this.server.maxConnections = maxConnections;
    this.server.on('drop', () => this.refuse(`${this.maxConnections} connections, the most accepted at once`));
    // After listen, errors are failed accepts: EMFILE/ENFILE when descriptors run out. libuv closes
    // the waiting connections and goes on listening, so new clients get in once descriptors free up.
    this.server.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EMFILE' || err.code === 'ENFILE') this.refuse(`out of file descriptors (${err.code})`);
      else this.log.error(`AMQP listener: ${describeError(err)}`);
    });
    this.memoryAlarm = new MemoryAlarm(memoryHighWatermark, (active) => {
      if (active) this.log.warn(`memory alarm: ${this.memoryAlarm.reason}, blocking publishers`);
      else this.log.info('memory alarm cleared, publishers released');
      for (const conn of this.connections) conn.setAlarm(active);
    }, { log });
    this.memoryAlarm.start();
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
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        const addr = this.server.address();
        resolve(typeof addr === 'object' && addr !== null ? addr.port : port);
      });
    });
  }

  private accept(socket: Socket): void {
    try {
      this.admit(socket);
    } catch (err) {
      // an event callback: one client that cannot be set up is dropped, the listener goes on
      this.log.error(`AMQP listener: cannot accept ${socket.remoteAddress}:${socket.remotePort}: ${describeError(err)}`);
      socket.destroy();
    }
  }

  private admit(socket: Socket): void {
    if (this.refusing !== undefined) {
      this.log.info(`AMQP listener: accepting connections again (${this.sockets.size} open)`);
      this.refusing = undefined;
    }
    this.sockets.add(socket);
    const conn = new AmqpConnection(this.core, socket, this.log, this.directReplyTo);
    if (this.memoryAlarm.active) conn.setAlarm(true);
    this.connections.add(conn);
    socket.on('close', () => {
      this.sockets.delete(socket);
      this.connections.delete(conn);
    });
  }

  /** Stops accepting, sends every client connection.close 320, waits briefly for them to go. */
  async close(reason: string): Promise<void> {
    this.memoryAlarm.stop();
    const stopped = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const conn of this.connections) conn.close(320, `broker forced connection closure with reason '${reason}'`);
    const deadline = Date.now() + 2000;
    while (this.sockets.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    for (const s of this.sockets) s.destroy();
    await stopped;
  }
}

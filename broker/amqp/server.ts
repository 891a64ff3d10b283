import { createServer, type Server, type Socket } from 'node:net';
import type { BrokerCore } from '../core/broker-core';
import type { Logger } from '../logger';
import { AmqpConnection } from './connection';
import { DirectReplyTo } from './direct-reply-to';
import { MemoryAlarm } from './memory-alarm';

/** The TCP listener: one AmqpConnection per socket, and an orderly shutdown of all of them. */
export class AmqpServer {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly connections = new Set<AmqpConnection>();
  private readonly directReplyTo = new DirectReplyTo();
  readonly memoryAlarm: MemoryAlarm;

  constructor(
    private readonly core: BrokerCore,
    private readonly log: Logger,
    memoryHighWatermark: number,
  ) {
    this.server = createServer((socket) => this.accept(socket));
    this.memoryAlarm = new MemoryAlarm(memoryHighWatermark, (active) => {
      if (active) this.log.warn(`memory alarm: resident memory above ${this.memoryAlarm.limitBytes} bytes, blocking publishers`);
      else this.log.info('memory alarm cleared, publishers released');
      for (const conn of this.connections) conn.setAlarm(active);
    });
    this.memoryAlarm.start();
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

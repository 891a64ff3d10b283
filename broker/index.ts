import { DEFAULT_HIGH_WATERMARK } from './amqp/memory-alarm';
import { AmqpServer } from './amqp/server';
import { BrokerCore, type Limits } from './core/broker-core';
import type { BrokerEventListener } from './core/events';
import { createLogger, type LogLevel, type Logger } from './logger';
import { snapshotOf, type BrokerSnapshot } from './snapshot';

export type { BrokerEvent, BrokerEventListener } from './core/events';
export type { BrokerSnapshot } from './snapshot';
export type { LogLevel } from './logger';

export interface BrokerOptions extends Partial<Limits> {
  /** AMQP port; 0 picks a free one (see `broker.port`). Default 5672. */
  port?: number;
  /** Interface to listen on; default all, as RabbitMQ. */
  host?: string;
  dataDir?: string;
  logLevel?: LogLevel;
  /** Publishers are blocked above this share of the machine's memory (or this many bytes if > 1). Default 0.4. */
  memoryHighWatermark?: number;
}

export interface Broker {
  readonly port: number;
  readonly host: string;
  readonly core: BrokerCore;
  readonly log: Logger;
  readonly server: AmqpServer;
  /** Clients get connection.close 320 with the reason. */
  close(reason?: string): Promise<void>;
  snapshot(): BrokerSnapshot;
  on(listener: BrokerEventListener): () => void;
}

export async function createBroker(options: BrokerOptions = {}): Promise<Broker> {
  const log = createLogger(options.logLevel ?? 'info');
  const { port = 5672, host, dataDir: _dataDir, logLevel: _logLevel, memoryHighWatermark = DEFAULT_HIGH_WATERMARK, ...limits } = options;
  const core = new BrokerCore(limits);
  const server = new AmqpServer(core, log, memoryHighWatermark);
  const boundPort = await server.listen(port, host);
  log.info(`AMQP listening on ${host ?? '0.0.0.0'}:${boundPort}`);
  let closing: Promise<void> | undefined;
  return {
    port: boundPort,
    host: host ?? '0.0.0.0',
    core,
    log,
    server,
    close: (reason = 'shutdown') => (closing ??= server.close(reason)),
    snapshot: () => snapshotOf(core),
    on: (listener) => core.on(listener),
  };
}

import { DEFAULT_HIGH_WATERMARK } from './amqp/memory-alarm';
import { AmqpServer } from './amqp/server';
import { DEFAULT_STORE_OPTIONS, DurableStore } from './store/durable-store';
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
  /** Where durable definitions and persistent messages live; without it the broker keeps nothing. */
  dataDir?: string;
  logLevel?: LogLevel;
  /** Bytes of persistent message bodies kept in memory; more are paged out to DATA_DIR. Default 256 MiB. */
  memoryBudget?: number;
  /** Size of a message log segment file. Default 16 MiB. */
  segmentSize?: number;
  /** Publishers are blocked above this share of the machine's memory (or this many bytes if > 1). Default 0.4. */
  memoryHighWatermark?: number;
}

export interface Broker {
  readonly port: number;
  readonly host: string;
  readonly core: BrokerCore;
  readonly log: Logger;
  readonly server: AmqpServer;
  /** undefined without a dataDir: then nothing survives a restart */
  readonly store: DurableStore | undefined;
  /** Clients get connection.close 320 with the reason. */
  close(reason?: string): Promise<void>;
  snapshot(): BrokerSnapshot;
  on(listener: BrokerEventListener): () => void;
}

export async function createBroker(options: BrokerOptions = {}): Promise<Broker> {
  const log = createLogger(options.logLevel ?? 'info');
  const {
    port = 5672, host, dataDir, logLevel: _logLevel, memoryHighWatermark = DEFAULT_HIGH_WATERMARK,
    memoryBudget = DEFAULT_STORE_OPTIONS.memoryBudget, segmentSize = DEFAULT_STORE_OPTIONS.segmentSize, ...limits
  } = options;
  const core = new BrokerCore(limits);
  let store: DurableStore | undefined;
  if (dataDir !== undefined) {
    store = new DurableStore(core, dataDir, log, { memoryBudget, segmentSize });
    const r = store.recover();
    log.info(`recovered ${r.queues} durable queues and ${r.messages} messages from ${dataDir} in ${r.ms} ms`);
  }
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
    store,
    close: (reason = 'shutdown') => (closing ??= server.close(reason).then(() => store?.close())),
    snapshot: () => snapshotOf(core),
    on: (listener) => core.on(listener),
  };
}

import { DEFAULT_HIGH_WATERMARK } from './amqp/memory-alarm';
import { DEFAULT_DISK_FREE_LIMIT } from './amqp/disk-alarm';
import { AMQP_PROPERTIES } from './amqp/properties-codec';
import { AmqpServer } from './amqp/server';
import { tlsPolicy, type AmqpsOptions } from './amqp/tls-listener';
import { loadTlsCredentials } from './tls-credentials';
import { DEFAULT_STORE_OPTIONS, DurableStore } from './store/durable-store';
import { DEFAULT_PAGER_OPTIONS, TransientPager } from './store/transient-pages';
import { BrokerCore, type Limits } from './core/broker-core';
import { createLogger, type LogLevel } from './logger';
import { describeError } from './core/contained';
import type { BrokerApi } from './api/broker-api';
import { EmbeddedBrokerApi } from './embedded/embedded-broker';
import { registerInternals } from './embedded/internals';
import { ManagementContext } from './embedded/management-context';
import type { MaskRules } from './core/mask-rules';

// The broker API: the only module of broker/ that the web side (lib/, app/, components/, bin/,
// server.ts) may import. It hands out plain data and the interface, never core, server or store.
export type * from './api/broker-api';
export { bindingStatsKey, consumerStatsKey, producerStatsKey, PRODUCER_WINDOW_MS, BROWSE_MAX_LIMIT, BROWSE_MAX_BODY_BYTES, BROWSE_MAX_PAGE_BYTES, BROWSE_MAX_WHOLE_BYTES, FILTER_MAX_EXPRESSION, FILTER_MAX_SCANNED, FILTER_MAX_MS, TRANSFER_MAX_IDS, TRANSFER_MAX_RATE, TRANSFER_MAX_RUNNING, IMPORT_MAX_MESSAGES, IMPORT_MAX_RATE } from './api/broker-api';
export { MessageJobs } from './api/message-jobs';
export { runImport } from './api/message-import';
export { BrokerError, isBrokerError, replyName, type BrokerErrorKind } from './api/errors';
export { hasAccess, isAdmin, isLoopback, isMonitor, type AccessLevel } from './api/access-levels';
export * from './api/json-fields';
export { quotePlus } from './api/quote-plus';
// pure and plain-data in, plain-data out: a remote broker's listed bindings are explained with the
// same walk and matchers as the embedded broker's own
export { explainRoute, type ExplainRequest, type RouteBinding, type RouteExchange, type RouteSource } from './core/route-explain';
export { parseMaskRules, MaskRulesError, type MaskRules } from './core/mask-rules';
export { maskDelivery, maskGot, maskingSink, MASK_WHOLE_MAX_BYTES } from './api/masking';
export { LoopSlices } from './api/loop-slices';
export { compileNamePattern, type NamePattern } from './api/name-pattern';
export { createLogger, LOG_LEVELS, type Logger, type LogLevel } from './logger';
export { connectionCaps, descriptorLimit, type ConnectionCaps } from './descriptors';
export { loadTlsCredentials, TlsConfigError, type TlsCredentials, type TlsFiles } from './tls-credentials';
export { DEFAULT_TLS_HANDSHAKE_TIMEOUT_MS, type AmqpsOptions } from './amqp/tls-listener';

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
  /**
   * Bytes of queued bodies of other messages (transient, or in non-durable queues) kept in memory;
   * the bodies of messages queued beyond it go to page files in DATA_DIR/pages (or a private
   * temporary directory without a dataDir), deleted at start and at shutdown. Default 256 MiB.
   */
  transientMemoryBudget?: number;
  /** Size of a message log segment file. Default 16 MiB. */
  segmentSize?: number;
  /** Publishers are blocked above this share of the machine's memory (or this many bytes if > 1). Default 0.4. */
  memoryHighWatermark?: number;
  /**
   * Publishers are blocked while the file system of dataDir has fewer bytes free than this, as
   * RabbitMQ's disk_free_limit. Default 50 MB; only with a dataDir.
   */
  diskFreeLimit?: number;
  /**
   * AMQP connections accepted at once; a client past them is disconnected at once. Default: what
   * the descriptor limit leaves after files and HTTP (connectionCaps in descriptors.ts).
   */
  maxConnections?: number;
  /**
   * An AMQPS listener beside the plain one (RabbitMQ's `listeners.ssl.default` and `ssl_options`).
   * Its files are read before anything listens: one that cannot be used rejects with TlsConfigError.
   * The connection cap covers both listeners together.
   */
  amqps?: AmqpsOptions;
  /** values masked in every message this API shows (parseMaskRules); the messages themselves stay whole */
  maskRules?: MaskRules;
}

/** The embedded broker: its API, and the AMQP listener it runs. */
export interface Broker extends BrokerApi {
  readonly port: number;
  /** the AMQPS port, when `amqps` was given */
  readonly amqpsPort: number | undefined;
  readonly host: string;
  /** Clients get connection.close 320 with the reason. */
  close(reason?: string): Promise<void>;
}

export async function createBroker(options: BrokerOptions = {}): Promise<Broker> {
  const log = createLogger(options.logLevel ?? 'info');
  const {
    port = 5672, host, dataDir, logLevel: _logLevel, memoryHighWatermark = DEFAULT_HIGH_WATERMARK, maxConnections, diskFreeLimit = DEFAULT_DISK_FREE_LIMIT,
    memoryBudget = DEFAULT_STORE_OPTIONS.memoryBudget, transientMemoryBudget = DEFAULT_PAGER_OPTIONS.budget, segmentSize = DEFAULT_STORE_OPTIONS.segmentSize, amqps, maskRules, ...limits
  } = options;
  // first of all: a wrong TLS file must stop start-up before recovery or any listener
  const tlsCredentials = amqps === undefined ? undefined : loadTlsCredentials(amqps);
  const core = new BrokerCore(AMQP_PROPERTIES, limits);
  core.reportFailure = (what, err) => log.error(`${what}: ${describeError(err)}`);
  // before recovery: restored messages are counted as held from the start
  const pager = TransientPager.open(dataDir, { ...DEFAULT_PAGER_OPTIONS, budget: transientMemoryBudget }, log);
  core.bodyPaging = pager;
  let store: DurableStore | undefined;
  // the disk alarm, made with the server below, counts what the store writes between its samples
  let noteWritten = (_bytes: number): void => {};
  const storeOptions = { memoryBudget, segmentSize, onWrite: (bytes: number) => noteWritten(bytes) };
  if (dataDir !== undefined) {
    store = new DurableStore(core, dataDir, log, storeOptions);
    let r;
    try {
      r = store.recover();
    } catch (err) {
      pager.close();
      throw err;
    }
    log.info(`recovered ${r.queues} durable queues and ${r.messages} messages from ${dataDir} in ${r.ms} ms`);
  }
  const disk = dataDir === undefined ? undefined : { dir: dataDir, freeLimit: diskFreeLimit };
  const server = new AmqpServer(core, log, memoryHighWatermark, maxConnections, disk);
  const diskAlarm = server.diskAlarm;
  if (diskAlarm !== undefined) {
    noteWritten = (bytes) => diskAlarm.noteWritten(bytes);
    // page files fill DATA_DIR's disk as the message log does
    pager.onWrite = noteWritten;
  }
  const boundPort = await server.listen(port, host).catch(async (err: unknown) => {
    await store?.close();
    pager.close();
    throw err;
  });
  log.info(`AMQP listening on ${host ?? '0.0.0.0'}:${boundPort}`);
  let amqpsPort: number | undefined;
  if (amqps !== undefined && tlsCredentials !== undefined) {
    try {
      amqpsPort = await server.listenTls(amqps.port, host, tlsCredentials, tlsPolicy(amqps));
    } catch (err) {
      await server.close('startup failed');
      await store?.close();
      pager.close();
      throw err;
    }
    log.info(`AMQPS listening on ${host ?? '0.0.0.0'}:${amqpsPort}`);
  }
  const mgmt = new ManagementContext(core);
  const hostName = host ?? '0.0.0.0';
  let closing: Promise<void> | undefined;
  const reopenStore = dataDir === undefined ? undefined : () => new DurableStore(core, dataDir, log, storeOptions);
  const parts = { core, server, store, mgmt, log, reopenStore, maskRules };
  const broker: Broker = Object.assign(new EmbeddedBrokerApi(parts, {
    host: hostName, port: boundPort, amqpsPort, externalAuth: amqpsPort !== undefined && amqps?.verifyPeer === true,
  }), {
    port: boundPort,
    amqpsPort,
    host: hostName,
    close: (reason = 'shutdown') => (closing ??= server.close(reason).then(async () => {
      mgmt.close();
      // resolves once the store has written what it holds and its clean-shutdown marker (a restart may have replaced it)
      await parts.store?.close();
      pager.close();
    })),
  });
  registerInternals(broker, parts);
  return broker;
}

// The overview, the node and the health checks, as RabbitMQ reports them.
import { readdirSync, readFileSync, statfsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { BrokerCore } from '../core/broker-core';
import type { Actor, HistoryQuery, Row } from '../api/broker-api';
import { PRODUCT, RABBITMQ_VERSION, VERSION } from '../amqp/server-properties';
import type { MemoryAlarm } from '../amqp/memory-alarm';
import { DEFAULT_DISK_FREE_LIMIT, type DiskAlarm } from '../amqp/disk-alarm';
import { visibleVhosts } from './access';
import { channelsOf } from './amqp-view';
import { visibleConnections } from './connections';
import { addCounters, MESSAGE_COUNTS, type Counters } from './counters';
import type { ManagementContext } from './management-context';
import { withDetails } from './rates';
import { CHURN_KEYS } from './totals';
import { ALL_MESSAGE_STATS } from './vhosts';

export { PRODUCT, RABBITMQ_VERSION, VERSION };

export const EXCHANGE_TYPES = ['direct', 'fanout', 'headers', 'topic'].map((name) => ({
  name,
  description: `AMQP ${name} exchange, as per the AMQP specification`,
  enabled: true,
}));

export interface NodeSide {
  host: string;
  port: number;
  alarm: MemoryAlarm;
  /** DATA_DIR's free-space alarm; none without a DATA_DIR */
  disk: DiskAlarm | undefined;
  /** AMQPS with peer verification: EXTERNAL is offered, as with RabbitMQ's rabbitmq_auth_mechanism_ssl */
  externalAuth: boolean;
}

const EXTERNAL_MECHANISM = {
  name: 'EXTERNAL',
  description: 'TLS peer verification-based authentication plugin. Used in combination with the EXTERNAL SASL mechanism.',
  enabled: true,
};

export function overviewRow(mgmt: ManagementContext, core: BrokerCore, who: Actor, node: NodeSide, history: HistoryQuery = {}): Row {
  const vhosts = visibleVhosts(core, who);
  const sum: Counters = {};
  for (const vh of vhosts) addCounters(sum, mgmt.totals.vhostCounters(vh));
  const rate = mgmt.sampler.rateSum(vhosts);
  const names = vhosts.map((vh) => vh.name);
  const connections = visibleConnections(core, who);
  const channels = connections.reduce((n, conn) => n + channelsOf(conn).length, 0);
  let queues = 0;
  let exchanges = 0;
  let consumers = 0;
  for (const vh of vhosts) {
    exchanges += vh.exchanges.size;
    queues += vh.queues.size;
    for (const q of vh.queues.values()) consumers += q.consumerCount;
  }
  return {
    management_version: RABBITMQ_VERSION,
    rates_mode: 'basic',
    sample_retention_policies: { global: [600, 3600, 28800, 86400], basic: [600, 3600], detailed: [600] },
    exchange_types: EXCHANGE_TYPES,
    product_version: VERSION,
    product_name: PRODUCT,
    rabbitmq_version: RABBITMQ_VERSION,
    cluster_name: core.clusterName,
    node_version: process.version,
    disable_stats: false,
    enable_queue_totals: false,
    message_stats: withDetails(sum, ALL_MESSAGE_STATS, rate, mgmt.historyFor(names, ALL_MESSAGE_STATS, history.msgRates)),
    churn_rates: withDetails(mgmt.totals.churn, CHURN_KEYS, mgmt.sampler.rateOf(mgmt.totals.churn)),
    queue_totals: withDetails(sum, MESSAGE_COUNTS, rate, mgmt.historyFor(names, MESSAGE_COUNTS, history.lengths)),
    object_totals: { channels, connections: connections.length, consumers, exchanges, queues },
    statistics_db_event_queue: 0,
    node: mgmt.node,
    listeners: [{ node: mgmt.node, protocol: 'amqp', ip_address: node.host, port: node.port, socket_opts: {} }],
    contexts: [],
  };
}

function diskFree(dir: string): number {
  try {
    const s = statfsSync(dir);
    return s.bavail * s.bsize;
  } catch {
    return 0;
  }
}

/**
 * Open descriptors and their limit, from /proc where there is one (monitoring tools watch
 * fd_used/fd_total); elsewhere the sockets in use and no limit known.
 */
function fileDescriptors(sockets: number): { used: number; total: number | null } {
  try {
    const limit = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    return { used: readdirSync('/proc/self/fd').length, total: limit === null ? null : Number(limit[1]) };
  } catch {
    return { used: sockets, total: null };
  }
}

export function nodeRow(mgmt: ManagementContext, core: BrokerCore, node: NodeSide): Row {
  const alarm = node.alarm;
  // the alarm's last sample, the one publishers are blocked by; without a DATA_DIR, the working directory now
  const disk = node.disk;
  const free = disk !== undefined && disk.free >= 0 ? disk.free : diskFree(disk?.dir ?? process.cwd());
  const sockets = core.connections.size;
  const fd = fileDescriptors(sockets);
  return {
    // as RabbitMQ lists its own: tools read `rabbit`'s version, which is the one Warren answers as
    applications: [
      { name: 'warren', description: PRODUCT, version: VERSION },
      { name: 'rabbit', description: `RabbitMQ (the version ${PRODUCT} answers as)`, version: RABBITMQ_VERSION },
    ],
    auth_mechanisms: [
      { name: 'PLAIN', description: 'SASL PLAIN authentication mechanism', enabled: true },
      { name: 'AMQPLAIN', description: 'QPid AMQPLAIN mechanism', enabled: true },
      ...(node.externalAuth ? [EXTERNAL_MECHANISM] : []),
    ],
    ...withDetails(mgmt.totals.churn, CHURN_KEYS, mgmt.sampler.rateOf(mgmt.totals.churn)),
    config_files: [],
    contexts: [],
    disk_free: free,
    disk_free_alarm: disk?.active ?? false,
    disk_free_limit: disk?.limitBytes ?? DEFAULT_DISK_FREE_LIMIT,
    enabled_plugins: node.externalAuth ? ['rabbitmq_auth_mechanism_ssl', 'rabbitmq_management', 'rabbitmq_prometheus'] : ['rabbitmq_management', 'rabbitmq_prometheus'],
    exchange_types: EXCHANGE_TYPES,
    fd_total: fd.total,
    fd_used: fd.used,
    log_files: ['<stderr>'],
    mem_alarm: alarm.active,
    mem_calculation_strategy: 'rss',
    mem_limit: alarm.limitBytes,
    mem_used: alarm.residentMemory(),
    mem_used_details: { rate: 0 },
    net_ticktime: 60,
    name: mgmt.node,
    os_pid: String(process.pid),
    partitions: [],
    processors: availableParallelism(),
    rates_mode: 'basic',
    run_queue: 0,
    running: true,
    // every AMQP connection is a descriptor, so the descriptor limit is the socket limit
    sockets_total: fd.total,
    sockets_used: sockets,
    type: 'disc',
    uptime: Math.round(process.uptime() * 1000),
  };
}

// Health checks (aliveness test, alarms, listeners) and the node, as RabbitMQ reports them.
import { readdirSync, readFileSync, statfsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Message } from '../../broker/core/message';
import { encodeProperties } from '../../broker/amqp/generated/protocol';
import { AmqpError } from '../../broker/core/errors';
import { detailOf, objectNotFound } from './errors';
import { json } from './http';
import { EXCHANGE_TYPES, listeners } from './overview';
import { listing, selectColumns } from './paging';
import type { Route, RouteContext } from './route';
import { withDetails } from './stats';
import { CHURN_KEYS } from './totals';

export const ALIVENESS_QUEUE = 'aliveness-test';
const ALIVENESS_PAYLOAD = 'test_message';
const DISK_FREE_LIMIT = 50_000_000;

const failed = (reason: string, extra: Record<string, unknown> = {}) => json({ status: 'failed', reason, ...extra }, 503);

/** Declares `aliveness-test`, publishes a message to it and gets it back, as RabbitMQ does. */
function aliveness(c: RouteContext) {
  const vh = c.vhost;
  try {
    const { queue } = vh.declareQueue(ALIVENESS_QUEUE, { durable: false, autoDelete: false, exclusiveOwner: null, arguments: {} });
    const properties = {};
    vh.publish(vh.defaultExchange, new Message('', ALIVENESS_QUEUE, encodeProperties(properties), Buffer.from(ALIVENESS_PAYLOAD), properties));
    const entry = queue.fetch(false);
    if (entry === undefined || entry.msg.body.toString('utf8') !== ALIVENESS_PAYLOAD) return failed('message not returned');
  } catch (err) {
    if (err instanceof AmqpError) return failed(detailOf(err));
    throw err;
  }
  return json({ status: 'ok' });
}

function alarms(c: RouteContext) {
  if (!c.broker.server.memoryAlarm.active) return json({ status: 'ok' });
  return failed('resource alarm(s) in effect in the cluster', { alarms: [{ node: c.mgmt.node, resource: 'memory' }] });
}

function portListener(c: RouteContext) {
  const ports = listeners(c).map((l) => l.port as number);
  const port = Number(c.params.port);
  if (ports.includes(port)) return json({ status: 'ok', port });
  return failed(`No active listener on port ${c.params.port}`, { missing: port, ports });
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

export function nodeDto(c: RouteContext) {
  const alarm = c.broker.server.memoryAlarm;
  const free = diskFree(process.cwd());
  const sockets = c.broker.core.connections.size;
  const fd = fileDescriptors(sockets);
  return {
    applications: [],
    auth_mechanisms: [
      { name: 'PLAIN', description: 'SASL PLAIN authentication mechanism', enabled: true },
      { name: 'AMQPLAIN', description: 'QPid AMQPLAIN mechanism', enabled: true },
    ],
    ...withDetails(c.mgmt.totals.churn, CHURN_KEYS, c.mgmt.sampler.rateOf(c.mgmt.totals.churn)),
    config_files: [],
    contexts: [],
    disk_free: free,
    disk_free_alarm: free > 0 && free < DISK_FREE_LIMIT,
    disk_free_limit: DISK_FREE_LIMIT,
    enabled_plugins: ['rabbitmq_management', 'rabbitmq_prometheus'],
    exchange_types: EXCHANGE_TYPES,
    fd_total: fd.total,
    fd_used: fd.used,
    log_files: ['<stderr>'],
    mem_alarm: alarm.active,
    mem_calculation_strategy: 'rss',
    mem_limit: alarm.limitBytes,
    mem_used: process.memoryUsage.rss(),
    mem_used_details: { rate: 0 },
    net_ticktime: 60,
    name: c.mgmt.node,
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

export const healthRoutes: Route[] = [
  { method: 'GET', path: '/api/aliveness-test/:vhost', handle: aliveness },
  { method: 'GET', path: '/api/health/checks/alarms', handle: alarms },
  { method: 'GET', path: '/api/health/checks/local-alarms', handle: alarms },
  { method: 'GET', path: '/api/health/checks/virtual-hosts', handle: () => json({ status: 'ok' }) },
  { method: 'GET', path: '/api/health/checks/port-listener/:port', handle: portListener },
  { method: 'GET', path: '/api/nodes', access: 'monitoring', handle: (c) => json(listing([nodeDto(c)], c.query, ['name'])) },
  {
    method: 'GET',
    path: '/api/nodes/:node',
    access: 'monitoring',
    handle: (c) => {
      if (c.params.node !== c.mgmt.node) throw objectNotFound();
      return json(selectColumns(nodeDto(c), c.query));
    },
  },
];

// GET /metrics: Prometheus text format, with RabbitMQ's prometheus plugin's metric names where it
// has them (per-object metrics on). Everything is read from counters at scrape time.
import { Counter, Gauge, Registry } from 'prom-client';
import type { Broker } from '../../broker/index';
import { channelsOf } from './amqp-view';
import type { ManagementContext } from './context';
import type { ManagementResponse } from './http';
import type { Route } from './route';

type Labels = Record<string, string>;
type Sample = [Labels, number];

const registries = new WeakMap<ManagementContext, Registry>();

function gauge(register: Registry, name: string, help: string, labelNames: string[], samples: () => Sample[]): void {
  new Gauge({
    name,
    help,
    labelNames,
    registers: [register],
    collect() {
      this.reset();
      for (const [labels, v] of samples()) this.set(labels, v);
    },
  });
}

function counter(register: Registry, name: string, help: string, labelNames: string[], samples: () => Sample[]): void {
  new Counter({
    name,
    help,
    labelNames,
    registers: [register],
    collect() {
      this.reset();
      for (const [labels, v] of samples()) this.inc(labels, v);
    },
  });
}

function buildRegistry(mgmt: ManagementContext): Registry {
  const broker: Broker = mgmt.broker;
  const core = broker.core;
  const register = new Registry();
  const queues = () => [...core.vhosts.values()].flatMap((vh) => [...vh.queues.values()]);
  const exchanges = () => [...core.vhosts.values()].flatMap((vh) => [...vh.exchanges.values()]);
  const q = (pick: (x: ReturnType<typeof queues>[number]) => number) => () => queues().map((x): Sample => [{ vhost: x.vhost, queue: x.name }, pick(x)]);
  const e = (pick: (x: ReturnType<typeof exchanges>[number]) => number) => () =>
    exchanges().map((x): Sample => [{ vhost: x.vhost, exchange: x.name }, pick(x)]);
  const one = (v: () => number) => () => [[{}, v()] as Sample];
  const qLabels = ['vhost', 'queue'];
  const eLabels = ['vhost', 'exchange'];

  gauge(register, 'rabbitmq_queue_messages_ready', 'Messages ready to be delivered to consumers', qLabels, q((x) => x.messagesReady));
  gauge(register, 'rabbitmq_queue_messages_unacked', 'Messages delivered to consumers but not yet acknowledged', qLabels, q((x) => x.unacked));
  gauge(register, 'rabbitmq_queue_messages', 'Sum of ready and unacknowledged messages', qLabels, q((x) => x.messagesReady + x.unacked));
  gauge(register, 'rabbitmq_queue_consumers', 'Consumers on a queue', qLabels, q((x) => x.consumerCount));
  counter(register, 'rabbitmq_queue_messages_published_total', 'Messages published to a queue', qLabels, q((x) => x.stats.published));
  counter(register, 'rabbitmq_queue_messages_delivered_total', 'Messages delivered to consumers', qLabels, q((x) => x.stats.delivered + x.stats.deliveredNoAck + x.stats.got));
  counter(register, 'rabbitmq_queue_messages_acked_total', 'Messages acknowledged by consumers', qLabels, q((x) => x.stats.acked));
  counter(register, 'rabbitmq_exchange_messages_published_in_total', 'Messages published into an exchange', eLabels, e((x) => x.publishIn));
  counter(register, 'rabbitmq_exchange_messages_published_out_total', 'Messages routed out of an exchange', eLabels, e((x) => x.publishOut));
  gauge(register, 'rabbitmq_connections', 'Open client connections', [], one(() => core.connections.size));
  gauge(register, 'rabbitmq_channels', 'Open channels', [], one(() => [...core.connections].reduce((n, c) => n + channelsOf(c).length, 0)));
  gauge(register, 'rabbitmq_consumers', 'Consumers', [], one(() => queues().reduce((n, x) => n + x.consumerCount, 0)));
  gauge(register, 'rabbitmq_queues', 'Queues', [], one(() => queues().length));
  gauge(register, 'rabbitmq_process_resident_memory_bytes', 'Resident memory of the broker process', [], one(() => process.memoryUsage.rss()));
  gauge(register, 'rabbitmq_resident_memory_limit_bytes', 'Memory high watermark: publishers are blocked above it', [], one(() => broker.server.memoryAlarm.limitBytes));
  gauge(register, 'rabbitmq_alarms_memory_used_watermark', 'Whether the memory alarm is on', [], one(() => (broker.server.memoryAlarm.active ? 1 : 0)));
  gauge(register, 'nodejs_heap_used_bytes', 'V8 heap in use', [], one(() => process.memoryUsage().heapUsed));
  gauge(register, 'rabbitmq_identity_info', 'Node and cluster names', ['rabbitmq_node', 'rabbitmq_cluster'], () => [
    [{ rabbitmq_node: mgmt.node, rabbitmq_cluster: core.clusterName }, 1],
  ]);
  return register;
}

export async function metrics(mgmt: ManagementContext): Promise<ManagementResponse> {
  let register = registries.get(mgmt);
  if (register === undefined) registries.set(mgmt, (register = buildRegistry(mgmt)));
  return { status: 200, headers: { 'content-type': register.contentType }, body: await register.metrics() };
}

export const metricRoutes: Route[] = [{ method: 'GET', path: '/metrics', access: 'none', handle: (c) => metrics(c.mgmt) }];

// GET /metrics: Prometheus text format, with RabbitMQ's prometheus plugin's metric names where it
// has them (per-object metrics on). Everything is read from counters at scrape time.
import { Counter, Gauge, Registry } from 'prom-client';
import type { BrokerApi, MetricsSample } from '../../broker/index';
import type { ManagementResponse } from './http';
import type { Route } from './route';

type Labels = Record<string, string>;
type Sample = [Labels, number];

const registries = new WeakMap<BrokerApi, Registry>();

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

/** A registry whose collectors read the sample taken for the scrape in progress. */
function buildRegistry(current: () => { sample: MetricsSample; node: string; cluster: string }): Registry {
  const register = new Registry();
  type Q = MetricsSample['queues'][number];
  type E = MetricsSample['exchanges'][number];
  const q = (pick: (x: Q) => number) => () => current().sample.queues.map((x): Sample => [{ vhost: x.vhost, queue: x.name }, pick(x)]);
  const e = (pick: (x: E) => number) => () => current().sample.exchanges.map((x): Sample => [{ vhost: x.vhost, exchange: x.name }, pick(x)]);
  const one = (v: (s: MetricsSample) => number) => () => [[{}, v(current().sample)] as Sample];
  const qLabels = ['vhost', 'queue'];
  const eLabels = ['vhost', 'exchange'];

  gauge(register, 'rabbitmq_queue_messages_ready', 'Messages ready to be delivered to consumers', qLabels, q((x) => x.ready));
  gauge(register, 'rabbitmq_queue_messages_unacked', 'Messages delivered to consumers but not yet acknowledged', qLabels, q((x) => x.unacked));
  gauge(register, 'rabbitmq_queue_messages', 'Sum of ready and unacknowledged messages', qLabels, q((x) => x.ready + x.unacked));
  gauge(register, 'rabbitmq_queue_consumers', 'Consumers on a queue', qLabels, q((x) => x.consumers));
  counter(register, 'rabbitmq_queue_messages_published_total', 'Messages published to a queue', qLabels, q((x) => x.published));
  counter(register, 'rabbitmq_queue_messages_delivered_total', 'Messages delivered to consumers', qLabels, q((x) => x.delivered));
  counter(register, 'rabbitmq_queue_messages_acked_total', 'Messages acknowledged by consumers', qLabels, q((x) => x.acked));
  counter(register, 'rabbitmq_exchange_messages_published_in_total', 'Messages published into an exchange', eLabels, e((x) => x.publishIn));
  counter(register, 'rabbitmq_exchange_messages_published_out_total', 'Messages routed out of an exchange', eLabels, e((x) => x.publishOut));
  gauge(register, 'rabbitmq_connections', 'Open client connections', [], one((s) => s.connections));
  gauge(register, 'rabbitmq_channels', 'Open channels', [], one((s) => s.channels));
  gauge(register, 'rabbitmq_consumers', 'Consumers', [], one((s) => s.consumers));
  gauge(register, 'rabbitmq_queues', 'Queues', [], one((s) => s.queues.length));
  gauge(register, 'rabbitmq_process_resident_memory_bytes', 'Resident memory of the broker process', [], one((s) => s.memory.rss));
  gauge(register, 'rabbitmq_resident_memory_limit_bytes', 'Memory high watermark: publishers are blocked above it', [], one((s) => s.memory.limit));
  gauge(register, 'rabbitmq_alarms_memory_used_watermark', 'Whether the memory alarm is on', [], one((s) => (s.memory.alarm ? 1 : 0)));
  gauge(register, 'nodejs_heap_used_bytes', 'V8 heap in use', [], one((s) => s.memory.heapUsed));
  gauge(register, 'rabbitmq_identity_info', 'Node and cluster names', ['rabbitmq_node', 'rabbitmq_cluster'], () => [
    [{ rabbitmq_node: current().node, rabbitmq_cluster: current().cluster }, 1],
  ]);
  return register;
}

interface Scrape {
  sample: MetricsSample;
  node: string;
  cluster: string;
}

const scrapes = new WeakMap<Registry, Scrape>();

export async function metrics(api: BrokerApi): Promise<ManagementResponse> {
  let register = registries.get(api);
  if (register === undefined) {
    const r: Registry = buildRegistry(() => scrapes.get(r) as Scrape);
    registries.set(api, (register = r));
  }
  const [sample, info] = await Promise.all([api.metrics(), api.info()]);
  scrapes.set(register, { sample, node: info.node, cluster: info.clusterName });
  return { status: 200, headers: { 'content-type': register.contentType }, body: await register.metrics() };
}

export const metricRoutes: Route[] = [{ method: 'GET', path: '/metrics', access: 'none', handle: (c) => metrics(c.api) }];

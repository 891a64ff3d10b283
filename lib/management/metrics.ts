// Prometheus text format with the metric names of RabbitMQ's prometheus plugin, read from counters
// at scrape time. As that plugin: GET /metrics is aggregated (broker-wide totals, no queue or
// exchange names); GET /metrics/per-object has one sample per queue and exchange, built a chunk at
// a time so that a scrape of many queues does not hold up AMQP. Open by default, as RabbitMQ's;
// with METRICS_AUTH=true (`--metrics-auth true`) both need a monitoring user.
import type { BrokerApi, ExchangeMetrics, MetricsSample, QueueMetrics } from '../../broker/index';
import type { ManagementResponse } from './http';
import type { Route } from './route';

const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

interface Family<T> {
  name: string;
  type: 'gauge' | 'counter';
  help: string;
  value: (x: T) => number;
}

const QUEUE_FAMILIES: Family<Omit<QueueMetrics, 'vhost' | 'name'>>[] = [
  { name: 'rabbitmq_queue_messages_ready', type: 'gauge', help: 'Messages ready to be delivered to consumers', value: (x) => x.ready },
  { name: 'rabbitmq_queue_messages_unacked', type: 'gauge', help: 'Messages delivered to consumers but not yet acknowledged', value: (x) => x.unacked },
  { name: 'rabbitmq_queue_messages', type: 'gauge', help: 'Sum of ready and unacknowledged messages', value: (x) => x.ready + x.unacked },
  { name: 'rabbitmq_queue_consumers', type: 'gauge', help: 'Consumers on a queue', value: (x) => x.consumers },
  { name: 'rabbitmq_queue_messages_published_total', type: 'counter', help: 'Messages published to a queue', value: (x) => x.published },
  { name: 'rabbitmq_queue_messages_delivered_total', type: 'counter', help: 'Messages delivered to consumers', value: (x) => x.delivered },
  { name: 'rabbitmq_queue_messages_acked_total', type: 'counter', help: 'Messages acknowledged by consumers', value: (x) => x.acked },
];

const EXCHANGE_FAMILIES: Family<Omit<ExchangeMetrics, 'vhost' | 'name'>>[] = [
  { name: 'rabbitmq_exchange_messages_published_in_total', type: 'counter', help: 'Messages published into an exchange', value: (x) => x.publishIn },
  { name: 'rabbitmq_exchange_messages_published_out_total', type: 'counter', help: 'Messages routed out of an exchange', value: (x) => x.publishOut },
];

function header(f: { name: string; type: string; help: string }): string {
  return `# HELP ${f.name} ${f.help}\n# TYPE ${f.name} ${f.type}\n`;
}

/** A label value as the text format wants it: backslash, quote and newline escaped. */
export function labelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** The broker-wide families, the same on both endpoints. */
function globals(s: MetricsSample, node: string, cluster: string): string {
  const one = (name: string, type: 'gauge' | 'counter', help: string, v: number) => `${header({ name, type, help })}${name} ${v}\n`;
  return (
    one('rabbitmq_connections', 'gauge', 'Open client connections', s.connections) +
    one('rabbitmq_channels', 'gauge', 'Open channels', s.channels) +
    one('rabbitmq_consumers', 'gauge', 'Consumers', s.consumers) +
    one('rabbitmq_queues', 'gauge', 'Queues', s.queues.count) +
    one('rabbitmq_exchanges', 'gauge', 'Exchanges', s.exchanges.count) +
    one('rabbitmq_process_resident_memory_bytes', 'gauge', 'Resident memory of the broker process', s.memory.rss) +
    one('rabbitmq_resident_memory_limit_bytes', 'gauge', 'Memory high watermark: publishers are blocked above it', s.memory.limit) +
    one('rabbitmq_alarms_memory_used_watermark', 'gauge', 'Whether the memory alarm is on', s.memory.alarm ? 1 : 0) +
    one('nodejs_heap_used_bytes', 'gauge', 'V8 heap in use', s.memory.heapUsed) +
    header({ name: 'rabbitmq_identity_info', type: 'gauge', help: 'Node and cluster names' }) +
    `rabbitmq_identity_info{rabbitmq_node="${labelValue(node)}",rabbitmq_cluster="${labelValue(cluster)}"} 1\n`
  );
}

/** GET /metrics: totals only — no vhost, queue or exchange names. */
export async function aggregatedMetrics(api: BrokerApi): Promise<string> {
  const [s, info] = await Promise.all([api.metrics(), api.info()]);
  let out = '';
  for (const f of QUEUE_FAMILIES) out += `${header(f)}${f.name} ${f.value(s.queues)}\n`;
  for (const f of EXCHANGE_FAMILIES) out += `${header(f)}${f.name} ${f.value(s.exchanges)}\n`;
  return out + globals(s, info.node, info.clusterName);
}

/**
 * GET /metrics/per-object: one sample per queue and exchange, as a stream of text. Each family is
 * one pass over the objects, a chunk at a time, each chunk's text sent before the next is read: no
 * step holds the event loop for long, and nothing big is kept (a 9 MB body built whole, for 20,000
 * queues, stalled the broker in garbage collection).
 */
export async function* perObjectMetrics(api: BrokerApi, chunkSize = 250): AsyncGenerator<string> {
  for (const f of QUEUE_FAMILIES) {
    yield header(f);
    for await (const chunk of api.metricsPerObject({ chunkSize, kind: 'queues' })) {
      let text = '';
      for (const q of chunk.queues) text += `${f.name}{vhost="${labelValue(q.vhost)}",queue="${labelValue(q.name)}"} ${f.value(q)}\n`;
      yield text;
    }
  }
  for (const f of EXCHANGE_FAMILIES) {
    yield header(f);
    for await (const chunk of api.metricsPerObject({ chunkSize, kind: 'exchanges' })) {
      let text = '';
      for (const e of chunk.exchanges) text += `${f.name}{vhost="${labelValue(e.vhost)}",exchange="${labelValue(e.name)}"} ${f.value(e)}\n`;
      yield text;
    }
  }
  const [s, info] = await Promise.all([api.metrics(), api.info()]);
  yield globals(s, info.node, info.clusterName);
}

const text = (body: string | AsyncIterable<string>): ManagementResponse => ({ status: 200, headers: { 'content-type': CONTENT_TYPE }, body });

/** `access: 'metrics'`: open, or a monitoring user's when the server requires a login for metrics. */
export const metricRoutes: Route[] = [
  { method: 'GET', path: '/metrics', access: 'metrics', handle: async (c) => text(await aggregatedMetrics(c.api)) },
  { method: 'GET', path: '/metrics/per-object', access: 'metrics', handle: (c) => text(perObjectMetrics(c.api)) },
];

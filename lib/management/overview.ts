// GET /api/overview: versions, totals and rates over the vhosts the user may see.
import { PRODUCT, RABBITMQ_VERSION, VERSION } from '../../broker/amqp/server-properties';
import { channelsOf } from './amqp-view';
import { visibleVhosts } from './auth';
import { visibleConnections } from './connections';
import { addCounters, MESSAGE_COUNTS, type Counters } from './counters';
import { json } from './http';
import { selectColumns, WHOLE_VALUES } from './paging';
import type { Route, RouteContext } from './route';
import { withDetails } from './stats';
import { CHURN_KEYS } from './totals';
import { ALL_MESSAGE_STATS } from './vhosts';

/** The RabbitMQ release whose management API (and definitions format) Warren speaks. */
export const RABBITMQ_API_VERSION = RABBITMQ_VERSION;

export const EXCHANGE_TYPES = ['direct', 'fanout', 'headers', 'topic'].map((name) => ({
  name,
  description: `AMQP ${name} exchange, as per the AMQP specification`,
  enabled: true,
}));

/** The HTTP port the request came in on, from its Host header. */
function httpPort(c: RouteContext): number | undefined {
  const m = /:(\d+)$/.exec(c.req.headers.host ?? '');
  return m === null ? undefined : Number(m[1]);
}

export function listeners(c: RouteContext) {
  const node = c.mgmt.node;
  const out: Record<string, unknown>[] = [
    { node, protocol: 'amqp', ip_address: c.broker.host, port: c.broker.port, socket_opts: {} },
  ];
  const port = httpPort(c);
  if (port !== undefined) out.push({ node, protocol: 'http', ip_address: c.broker.host, port, socket_opts: {} });
  return out;
}

function overview(c: RouteContext) {
  const { mgmt, broker } = c;
  const vhosts = visibleVhosts(broker.core, c.user);
  const sum: Counters = {};
  for (const vh of vhosts) addCounters(sum, mgmt.totals.vhostCounters(vh));
  const rate = mgmt.sampler.rateSum(vhosts);
  const names = vhosts.map((vh) => vh.name);
  const msgHistory = mgmt.historyFor(names, ALL_MESSAGE_STATS, c.query, 'msg_rates');
  const lengthHistory = mgmt.historyFor(names, MESSAGE_COUNTS, c.query, 'lengths');
  const connections = visibleConnections(c);
  const channels = connections.reduce((n, conn) => n + channelsOf(conn).length, 0);
  let queues = 0;
  let exchanges = 0;
  let consumers = 0;
  for (const vh of vhosts) {
    exchanges += vh.exchanges.size;
    queues += vh.queues.size;
    for (const q of vh.queues.values()) consumers += q.consumerCount;
  }
  const port = httpPort(c);
  return {
    management_version: RABBITMQ_API_VERSION,
    rates_mode: 'basic',
    sample_retention_policies: { global: [600, 3600, 28800, 86400], basic: [600, 3600], detailed: [600] },
    exchange_types: EXCHANGE_TYPES,
    product_version: VERSION,
    product_name: PRODUCT,
    rabbitmq_version: RABBITMQ_API_VERSION,
    cluster_name: broker.core.clusterName,
    node_version: process.version,
    disable_stats: false,
    enable_queue_totals: false,
    message_stats: withDetails(sum, ALL_MESSAGE_STATS, rate, msgHistory),
    churn_rates: withDetails(mgmt.totals.churn, CHURN_KEYS, mgmt.sampler.rateOf(mgmt.totals.churn)),
    queue_totals: withDetails(sum, MESSAGE_COUNTS, rate, lengthHistory),
    object_totals: { channels, connections: connections.length, consumers, exchanges, queues },
    statistics_db_event_queue: 0,
    node: mgmt.node,
    listeners: listeners(c),
    contexts: port === undefined ? [] : [{ ssl_opts: [], node: mgmt.node, description: 'Warren Management', path: '/', cowboy_opts: '[]', ip: broker.host, port: String(port) }],
  };
}

/** The totals RabbitMQ holds as maps: `columns=queue_totals.messages` gives all of queue_totals. */
const OVERVIEW_WHOLE = new Set([...WHOLE_VALUES, 'message_stats', 'churn_rates', 'queue_totals', 'object_totals']);

export const overviewRoutes: Route[] = [
  { method: 'GET', path: '/api/overview', handle: (c) => json(selectColumns(overview(c), c.query, OVERVIEW_WHOLE)) },
  { method: 'GET', path: '/api/cluster-name', handle: (c) => json({ name: c.broker.core.clusterName }) },
];

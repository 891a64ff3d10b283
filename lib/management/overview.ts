// GET /api/overview: versions, totals and rates over the vhosts the user may see; and the
// listeners, which the HTTP side completes with its own port.
import type { HistoryQuery, Row } from '../../broker/index';
import { json } from './http';
import { selectColumns, WHOLE_VALUES } from './paging';
import type { Route, RouteContext } from './route';

/** `<prefix>_age` and `<prefix>_incr` of RabbitMQ's API, when the query has both. */
function range(query: URLSearchParams, prefix: string): { age: number; incr: number } | undefined {
  const age = Number(query.get(`${prefix}_age`));
  const incr = Number(query.get(`${prefix}_incr`));
  return age > 0 && incr > 0 ? { age, incr } : undefined;
}

/** The sample history a query asks for (`msg_rates_age=&msg_rates_incr=`, `lengths_*`). */
export function historyQuery(query: URLSearchParams): HistoryQuery {
  return { msgRates: range(query, 'msg_rates'), lengths: range(query, 'lengths') };
}

/** The HTTP port the request came in on, from its Host header. */
function httpPort(c: RouteContext): number | undefined {
  const m = /:(\d+)$/.exec(c.req.headers.host ?? '');
  return m === null ? undefined : Number(m[1]);
}

/** The broker's listeners (AMQP, and AMQPS as `amqp/ssl`) plus this HTTP or HTTPS one. */
export async function listeners(c: RouteContext): Promise<Row[]> {
  const info = await c.api.info();
  const out: Row[] = [{ node: info.node, protocol: 'amqp', ip_address: info.amqp.host, port: info.amqp.port, socket_opts: {} }];
  if (info.amqps !== undefined) out.push({ node: info.node, protocol: 'amqp/ssl', ip_address: info.amqps.host, port: info.amqps.port, socket_opts: {} });
  const port = httpPort(c);
  if (port !== undefined) out.push({ node: info.node, protocol: c.req.secure === true ? 'https' : 'http', ip_address: info.amqp.host, port, socket_opts: {} });
  return out;
}

async function overview(c: RouteContext): Promise<Row> {
  const [row, info, ls] = await Promise.all([c.api.overview(c.user, historyQuery(c.query)), c.api.info(), listeners(c)]);
  const port = httpPort(c);
  return {
    ...row,
    listeners: ls,
    contexts: port === undefined ? [] : [{ ssl_opts: [], node: info.node, description: 'Warren Management', path: '/', cowboy_opts: '[]', ip: info.amqp.host, port: String(port) }],
  };
}

/** The totals RabbitMQ holds as maps: `columns=queue_totals.messages` gives all of queue_totals. */
const OVERVIEW_WHOLE = new Set([...WHOLE_VALUES, 'message_stats', 'churn_rates', 'queue_totals', 'object_totals']);

export const overviewRoutes: Route[] = [
  { method: 'GET', path: '/api/overview', handle: async (c) => json(selectColumns(await overview(c), c.query, OVERVIEW_WHOLE)) },
  { method: 'GET', path: '/api/cluster-name', handle: async (c) => json({ name: (await c.api.info()).clusterName }) },
];

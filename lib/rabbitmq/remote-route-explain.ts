// explainRoute on a remote RabbitMQ: RabbitMQ's API has no dry run, so Warren computes it itself —
// the same walk and matchers as its embedded broker (explainRoute of broker/index.ts) over the
// exchanges, queues and bindings the cluster lists for the user. The answer says so
// (computedBy 'client'), and the console labels it "computed by Warren from the cluster's bindings".
// The exchange is refused as a publish would be where the API lets Warren see it: missing (404),
// internal (403); the write permission is RabbitMQ's to check on a real publish.
import { BrokerError, explainRoute, type ExplainRouteRequest, type RouteBinding, type RouteExchange, type RouteExplanation, type Row } from '../../broker/index';

export interface ClusterTopology {
  exchanges: Row[];
  queues: Row[];
  bindings: Row[];
}

function table(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

export function explainFromListing(vhost: string, exchange: string, req: ExplainRouteRequest, topo: ClusterTopology): RouteExplanation {
  const exchanges = new Map<string, Row>();
  for (const e of topo.exchanges) exchanges.set(String(e.name), e);
  const queues = new Set(topo.queues.map((q) => String(q.name)));
  const bySource = new Map<string, RouteBinding[]>();
  for (const b of topo.bindings) {
    const source = String(b.source);
    if (source === '') continue;
    let list = bySource.get(source);
    if (list === undefined) bySource.set(source, (list = []));
    list.push({
      destination: String(b.destination),
      destinationType: b.destination_type === 'exchange' ? 'exchange' : 'queue',
      routingKey: String(b.routing_key ?? ''),
      arguments: table(b.arguments),
      propertiesKey: String(b.properties_key ?? ''),
    });
  }
  const ex = exchanges.get(exchange);
  if (ex === undefined) throw BrokerError.amqp(404, `no exchange '${exchange}' in vhost '${vhost}'`);
  if (ex.internal === true) throw BrokerError.amqp(403, `cannot publish to internal exchange '${exchange}' in vhost '${vhost}'`);
  const source = {
    exchange(name: string): RouteExchange | undefined {
      const row = exchanges.get(name);
      if (row === undefined) return undefined;
      const ae = table(row.arguments)['alternate-exchange'] ?? table(row.effective_policy_definition)['alternate-exchange'];
      return { name, type: String(row.type), alternateExchange: typeof ae === 'string' ? ae : undefined, bindings: bySource.get(name) ?? [] };
    },
    hasQueue: (name: string) => queues.has(name),
  };
  return explainRoute(source, { vhost, exchange, routingKey: req.routingKey, headers: req.headers, mandatory: req.mandatory, computedBy: 'client' });
}

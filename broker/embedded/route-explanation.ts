// BrokerApi.explainRoute on the embedded broker: the checks a publish makes (vhost login, the
// exchange exists and is not internal, write permission, the headers as the management publish
// reads them), then route-explain.ts over the vhost's live exchanges and bindings. Publishes nothing
// and counts nothing.
import type { BrokerCore } from '../core/broker-core';
import type { Exchange } from '../core/exchange';
import { publishTarget } from '../core/publishing';
import { explainRoute, type RouteExchange, type RouteExplanation, type RouteSource } from '../core/route-explain';
import type { VirtualHost } from '../core/vhost';
import type { Actor, ExplainRouteRequest } from '../api/broker-api';
import { requireVhostLogin, vhostFor } from './access';
import { propertiesKey } from './bindings';
import { jsonToProperties } from './message-properties';

/** The management API's name for the default exchange, also in its permission check. */

function routeExchange(ex: Exchange): RouteExchange {
  return {
    name: ex.name,
    type: ex.type,
    alternateExchange: ex.alternateExchange,
    // iterable again for each visit (an exchange is routed once per key)
    bindings: {
      *[Symbol.iterator]() {
        for (const b of ex.bindings.values()) {
          yield {
            destination: b.destination.name,
            destinationType: b.destination.kind,
            routingKey: b.routingKey,
            arguments: b.arguments,
            propertiesKey: propertiesKey(b.routingKey, b.arguments),
          };
        }
      },
    },
  };
}

export function vhostRouteSource(vh: VirtualHost): RouteSource {
  return {
    exchange: (name) => {
      const ex = vh.exchanges.get(name);
      return ex === undefined ? undefined : routeExchange(ex);
    },
    hasQueue: (name) => vh.queues.has(name),
  };
}

export function explainEmbeddedRoute(core: BrokerCore, who: Actor, vhost: string, exchange: string, req: ExplainRouteRequest): RouteExplanation {
  const vh = vhostFor(core, who, vhost);
  requireVhostLogin(core, who, vhost);
  // the headers as a publish of the same properties would carry them (jsonToProperties refuses what it would)
  const properties = jsonToProperties(req.headers === undefined ? {} : { headers: req.headers });
  publishTarget(vh, core.users, who.name, exchange, req.routingKey);
  return explainRoute(vhostRouteSource(vh), {
    vhost, exchange, routingKey: req.routingKey, headers: properties.headers, mandatory: req.mandatory, computedBy: 'broker',
  });
}

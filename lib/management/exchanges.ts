// /api/exchanges: listing, declare (PUT), delete, and the bindings on either side of one exchange.
import type { Exchange } from '../../broker/core/exchange';
import type { VirtualHost } from '../../broker/core/vhost';
import { checkPermission, visibleVhosts } from './auth';
import { optBool, optStr, optTable, readJsonObject } from './body';
import { BINDING_ORDER, bindingsOf } from './bindings';
import type { ManagementContext } from './context';
import { anyNonZero, EXCHANGE_STATS, exchangeCounters } from './counters';
import { amqpOp, objectNotFound } from './errors';
import { exchangeName } from './exchange-name';
import { tableToJson } from './field-json';
import { createdOrUpdated, json, noContent } from './http';
import { listing } from './paging';
import type { Route, RouteContext } from './route';
import { withDetails } from './stats';

export function exchangeDto(mgmt: ManagementContext, e: Exchange): Record<string, unknown> {
  const counters = exchangeCounters(e);
  return {
    arguments: tableToJson(e.arguments),
    auto_delete: e.autoDelete,
    durable: e.durable,
    internal: e.internal,
    ...(anyNonZero(counters, EXCHANGE_STATS) ? { message_stats: withDetails(counters, EXCHANGE_STATS, mgmt.sampler.rateOf(e)) } : {}),
    name: e.name,
    // RabbitMQ names an exchange's policy only when it has one
    ...(e.policy !== undefined ? { policy: e.policy.name } : {}),
    type: e.type,
    vhost: e.vhost,
  };
}

/** The exchange named in the URL, or 404. */
export function exchangeAt(c: RouteContext, vh: VirtualHost = c.vhost, name = c.params.name): Exchange {
  const e = vh.exchanges.get(exchangeName(name));
  if (e === undefined) throw objectNotFound();
  return e;
}

function listExchanges(c: RouteContext, vhosts: VirtualHost[]) {
  const rows = vhosts.flatMap((vh) => [...vh.exchanges.values()].map((e) => exchangeDto(c.mgmt, e)));
  return json(listing(rows, c.query));
}

function putExchange(c: RouteContext) {
  const vh = c.vhost;
  const name = exchangeName(c.params.name);
  const body = readJsonObject(c.req.body);
  const type = optStr(body, 'type', 'direct');
  const opts = {
    durable: optBool(body, 'durable', false),
    autoDelete: optBool(body, 'auto_delete', false),
    internal: optBool(body, 'internal', false),
    arguments: optTable(body, 'arguments'),
  };
  checkPermission(c.broker.core, c.user, vh.name, 'configure', name);
  const { created } = amqpOp(() => vh.declareExchange(name, type, opts));
  return createdOrUpdated(created);
}

function deleteExchange(c: RouteContext) {
  const vh = c.vhost;
  const e = exchangeAt(c);
  checkPermission(c.broker.core, c.user, vh.name, 'configure', e.name);
  amqpOp(() => vh.deleteExchange(e.name, c.query.get('if-unused') === 'true'));
  return noContent();
}

export const exchangeRoutes: Route[] = [
  { method: 'GET', path: '/api/exchanges', handle: (c) => listExchanges(c, visibleVhosts(c.broker.core, c.user)) },
  { method: 'GET', path: '/api/exchanges/:vhost', handle: (c) => listExchanges(c, [c.vhost]) },
  {
    method: 'GET',
    path: '/api/exchanges/:vhost/:name',
    handle: (c) => json({ ...exchangeDto(c.mgmt, exchangeAt(c)), incoming: [], outgoing: [] }),
  },
  { method: 'PUT', path: '/api/exchanges/:vhost/:name', handle: putExchange },
  { method: 'DELETE', path: '/api/exchanges/:vhost/:name', handle: deleteExchange },
  {
    method: 'GET',
    path: '/api/exchanges/:vhost/:name/bindings/source',
    handle: (c) => {
      const e = exchangeAt(c);
      return json(listing(bindingsOf(c.vhost).filter((b) => b.source === e.name), c.query, BINDING_ORDER));
    },
  },
  {
    method: 'GET',
    path: '/api/exchanges/:vhost/:name/bindings/destination',
    handle: (c) => {
      const e = exchangeAt(c);
      return json(listing(bindingsOf(c.vhost).filter((b) => b.destination_type === 'exchange' && b.destination === e.name), c.query, BINDING_ORDER));
    },
  },
];

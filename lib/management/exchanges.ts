// /api/exchanges: listing, declare (PUT), delete, and the bindings on either side of one exchange.
import type { Row } from '../../broker/index';
import { BINDING_ORDER } from './bindings';
import { exchangeName, optBool, optStr, optTable, readJsonObject } from './body';
import { mapped, notFoundPlain, objectNotFound } from './errors';
import { createdOrUpdated, json, noContent } from './http';
import { listing } from './paging';
import type { Route, RouteContext } from './route';

/** The exchange named in the URL, or 404. */
async function exchangeAt(c: RouteContext): Promise<Row> {
  const e = await c.api.getExchange(c.user, c.vhost, exchangeName(c.params.name));
  if (e === undefined) throw objectNotFound();
  return e;
}

async function putExchange(c: RouteContext) {
  const body = readJsonObject(c.req.body);
  const spec = {
    type: optStr(body, 'type', 'direct'),
    durable: optBool(body, 'durable', false),
    autoDelete: optBool(body, 'auto_delete', false),
    internal: optBool(body, 'internal', false),
    arguments: optTable(body, 'arguments'),
  };
  return createdOrUpdated(await c.api.declareExchange(c.user, c.vhost, exchangeName(c.params.name), spec));
}

async function bindingsOn(c: RouteContext, side: 'source' | 'destination') {
  const e = await exchangeAt(c);
  const all = await c.api.listBindings(c.user, c.vhost);
  const mine = side === 'source' ? all.filter((b) => b.source === e.name) : all.filter((b) => b.destination_type === 'exchange' && b.destination === e.name);
  return json(listing(mine, c.query, BINDING_ORDER));
}

export const exchangeRoutes: Route[] = [
  { method: 'GET', path: '/api/exchanges', handle: async (c) => json(listing(await c.api.listExchanges(c.user), c.query)) },
  { method: 'GET', path: '/api/exchanges/:vhost', handle: async (c) => json(listing(await c.api.listExchanges(c.user, c.vhost), c.query)) },
  { method: 'GET', path: '/api/exchanges/:vhost/:name', handle: async (c) => json({ ...(await exchangeAt(c)), incoming: [], outgoing: [] }) },
  { method: 'PUT', path: '/api/exchanges/:vhost/:name', handle: putExchange },
  {
    method: 'DELETE',
    path: '/api/exchanges/:vhost/:name',
    handle: async (c) => {
      await mapped(c.api.deleteExchange(c.user, c.vhost, exchangeName(c.params.name), { ifUnused: c.query.get('if-unused') === 'true' }), notFoundPlain);
      return noContent();
    },
  },
  { method: 'GET', path: '/api/exchanges/:vhost/:name/bindings/source', handle: (c) => bindingsOn(c, 'source') },
  { method: 'GET', path: '/api/exchanges/:vhost/:name/bindings/destination', handle: (c) => bindingsOn(c, 'destination') },
];

// /api/bindings: listings, bind (POST, answering 201 with a Location) and unbind by
// `properties_key`, RabbitMQ's URL-safe name for a binding.
import { quotePlus, type Row } from '../../broker/index';
import { exchangeName, optStr, optTable, readJsonObject } from './body';
import { HttpError, objectNotFound } from './errors';
import { created, json, noContent } from './http';
import { listing } from './paging';
import type { Route, RouteContext } from './route';

export const BINDING_ORDER = ['vhost', 'source', 'destination', 'destination_type', 'routing_key', 'properties_key'];

type Kind = 'q' | 'e';

function ends(c: RouteContext, kind: Kind) {
  return { source: exchangeName(c.params.source), destination: c.params.dest, destinationType: kind === 'q' ? ('queue' as const) : ('exchange' as const) };
}

/** Bindings between the URL's two ends; 404 with the broker's reason when either is missing. */
async function between(c: RouteContext, kind: Kind): Promise<Row[]> {
  const e = ends(c, kind);
  if ((await c.api.getExchange(c.user, c.vhost, e.source)) === undefined) throw notFound(`no exchange '${e.source}' in vhost '${c.vhost}'`);
  const target = kind === 'q' ? await c.api.getQueue(c.user, c.vhost, e.destination) : await c.api.getExchange(c.user, c.vhost, e.destination);
  if (target === undefined || (kind === 'e' && e.destination === '')) throw notFound(`no ${e.destinationType} '${e.destination}' in vhost '${c.vhost}'`);
  const all = await c.api.listBindings(c.user, c.vhost);
  return all.filter((b) => b.source === e.source && b.destination === e.destination && b.destination_type === e.destinationType);
}

const notFound = (detail: string) => new HttpError(404, 'not_found', detail);

function routesFor(kind: Kind): Route[] {
  const base = `/api/bindings/:vhost/e/:source/${kind}/:dest`;
  const find = async (c: RouteContext) => {
    const b = (await between(c, kind)).find((x) => x.properties_key === c.params.props);
    if (b === undefined) throw objectNotFound();
    return b;
  };
  return [
    { method: 'GET', path: base, handle: async (c) => json(listing(await between(c, kind), c.query, BINDING_ORDER)) },
    {
      method: 'POST',
      path: base,
      handle: async (c) => {
        const body = readJsonObject(c.req.body);
        const spec = { ...ends(c, kind), routingKey: optStr(body, 'routing_key', ''), arguments: optTable(body, 'arguments') };
        const key = await c.api.bind(c.user, c.vhost, spec);
        return created({ location: `${quotePlus(spec.destination)}/${quotePlus(key)}` });
      },
    },
    { method: 'GET', path: `${base}/:props`, handle: async (c) => json(await find(c)) },
    {
      method: 'DELETE',
      path: `${base}/:props`,
      handle: async (c) => {
        const b = await find(c);
        await c.api.unbind(c.user, c.vhost, { ...ends(c, kind), propertiesKey: String(b.properties_key) });
        return noContent();
      },
    },
  ];
}

export const bindingRoutes: Route[] = [
  { method: 'GET', path: '/api/bindings', handle: async (c) => json(listing(await c.api.listBindings(c.user), c.query, BINDING_ORDER)) },
  { method: 'GET', path: '/api/bindings/:vhost', handle: async (c) => json(listing(await c.api.listBindings(c.user, c.vhost), c.query, BINDING_ORDER)) },
  ...routesFor('q'),
  ...routesFor('e'),
];

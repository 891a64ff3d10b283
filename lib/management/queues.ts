// /api/queues: listing with counts and message stats, declare (PUT), delete (if-empty, if-unused),
// purge (DELETE .../contents) and the queue's bindings.
import type { Row } from '../../broker/index';
import { BINDING_ORDER } from './bindings';
import { optBool, optTable, readJsonObject } from './body';
import { mapped, notFoundPlain, objectNotFound } from './errors';
import { createdOrUpdated, json, noContent } from './http';
import { historyQuery } from './overview';
import { listing } from './paging';
import type { Route, RouteContext } from './route';

/** The queue named in the URL, or 404; with its sample history when the query asks for it. */
async function queueAt(c: RouteContext): Promise<Row> {
  const q = await c.api.getQueue(c.user, c.vhost, c.params.name, historyQuery(c.query));
  if (q === undefined) throw objectNotFound();
  return q;
}

/** PUT declares a non-exclusive queue; `exclusive` and `node` are ignored, as RabbitMQ's API does. */
async function putQueue(c: RouteContext) {
  const body = readJsonObject(c.req.body);
  const spec = { durable: optBool(body, 'durable', false), autoDelete: optBool(body, 'auto_delete', false), arguments: optTable(body, 'arguments') };
  return createdOrUpdated(await c.api.declareQueue(c.user, c.vhost, c.params.name, spec));
}

export const queueRoutes: Route[] = [
  { method: 'GET', path: '/api/queues', handle: async (c) => json(listing(await c.api.listQueues(c.user), c.query)) },
  { method: 'GET', path: '/api/queues/:vhost', handle: async (c) => json(listing(await c.api.listQueues(c.user, c.vhost), c.query)) },
  {
    method: 'GET',
    path: '/api/queues/:vhost/:name',
    handle: async (c) => json({ ...(await queueAt(c)), deliveries: [], incoming: [] }),
  },
  { method: 'PUT', path: '/api/queues/:vhost/:name', handle: putQueue },
  {
    method: 'DELETE',
    path: '/api/queues/:vhost/:name',
    handle: async (c) => {
      const opts = { ifUnused: c.query.get('if-unused') === 'true', ifEmpty: c.query.get('if-empty') === 'true' };
      await mapped(c.api.deleteQueue(c.user, c.vhost, c.params.name, opts), notFoundPlain);
      return noContent();
    },
  },
  {
    method: 'DELETE',
    path: '/api/queues/:vhost/:name/contents',
    handle: async (c) => {
      await mapped(c.api.purgeQueue(c.user, c.vhost, c.params.name), notFoundPlain);
      return noContent();
    },
  },
  {
    method: 'GET',
    path: '/api/queues/:vhost/:name/bindings',
    handle: async (c) => {
      const q = await queueAt(c);
      const all = await c.api.listBindings(c.user, c.vhost);
      const mine = all.filter((b) => b.destination_type === 'queue' && b.destination === q.name);
      return json(listing(mine, c.query, BINDING_ORDER));
    },
  },
];

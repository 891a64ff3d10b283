// GET/POST /api/definitions[/{vhost}]: RabbitMQ's definitions format, exported and imported by
// the broker (a bad file changes nothing).
import { readJsonObject } from './body';
import { HttpError, mapped } from './errors';
import { json, noContent } from './http';
import type { Route, RouteContext } from './route';

/** RabbitMQ answers a missing vhost here with `vhost_not_found`: a 400 on export, a 404 on import. */
const missingVhost = (status: 400 | 404) => (err: { kind: string; detail: string }) =>
  err.kind === 'not_found' ? new HttpError(status, status === 400 ? 'bad_request' : 'not_found', 'vhost_not_found') : undefined;

async function postDefinitions(c: RouteContext, vhost?: string) {
  const body = readJsonObject(c.req.body, 'failed_to_parse_json');
  await mapped(c.api.importDefinitions(c.user, body, vhost), missingVhost(404));
  return noContent();
}

export const definitionRoutes: Route[] = [
  { method: 'GET', path: '/api/definitions', access: 'administrator', handle: async (c) => json(await c.api.exportDefinitions(c.user)) },
  { method: 'POST', path: '/api/definitions', access: 'administrator', handle: (c) => postDefinitions(c) },
  {
    method: 'GET',
    path: '/api/definitions/:vh',
    access: 'administrator',
    handle: async (c) => json(await mapped(c.api.exportDefinitions(c.user, c.params.vh), missingVhost(400))),
  },
  { method: 'POST', path: '/api/definitions/:vh', access: 'administrator', handle: (c) => postDefinitions(c, c.params.vh) },
];

// /api/policies: a vhost's user policies, as RabbitMQ's management API lists, sets and clears
// them. Listing is for any management user (vhosts they may use); reading, setting and clearing one
// takes the policymaker tag and access to its vhost. Validation and the effect on queues and
// exchanges are the core's (broker/core/policy*.ts).
//
// Operator policies: an administrator's (management users may list those of their vhosts), as in
// RabbitMQ 3.10; validation and the effect on queues are the core's.
//
// Runtime parameters and vhost limits Warren does not have: their listings are
// empty (as RabbitMQ's are on a fresh node, which is what `rabbitmqadmin list ...` and monitoring
// tools expect) and setting one is refused with a reason, not a 404 that would read as a missing
// vhost.
import { hasAccess, type Row } from '../../broker/index';
import { readJsonObject, requireKeys } from './body';
import { badRequest, HttpError, notAuthorised, objectNotFound } from './errors';
import { createdOrUpdated, json, noContent } from './http';
import { listing, selectColumns } from './paging';
import type { Route, RouteContext } from './route';

/** Sorted by priority, then vhost and name, as RabbitMQ lists them; it pages no policy list. */
async function listPolicies(c: RouteContext, vhost?: string, kind: 'user' | 'operator' = 'user') {
  const rows = await (kind === 'user' ? c.api.listPolicies(c.user, vhost) : c.api.listOperatorPolicies(c.user, vhost));
  const query = new URLSearchParams(c.query);
  for (const k of ['page', 'page_size', 'name', 'use_regex']) query.delete(k);
  return json(listing(rows, query, ['priority', 'vhost', 'name']));
}

/**
 * One policy is an administrator's, or a policymaker's who may use its vhost — checked before
 * anything else, so others learn nothing about the vhost (RabbitMQ's `is_authorized_policies`).
 */
async function policyAccess(c: RouteContext): Promise<'allowed' | 'missing'> {
  const access = await c.api.vhostAccess(c.user, c.params.vh);
  const allowed = hasAccess(c.user, 'administrator') || (hasAccess(c.user, 'policymaker') && access === 'allowed');
  if (!allowed) throw notAuthorised('User not authorised to access object');
  return access === 'missing' ? 'missing' : 'allowed';
}

async function existing(c: RouteContext): Promise<Row> {
  if ((await policyAccess(c)) === 'missing') throw objectNotFound();
  const p = (await c.api.listPolicies(c.user, c.params.vh)).find((x) => x.name === c.params.name);
  if (p === undefined) throw objectNotFound();
  return p;
}

async function putPolicy(c: RouteContext) {
  if ((await policyAccess(c)) === 'missing') throw new HttpError(404, 'not_found', 'vhost_not_found');
  const body = readJsonObject(c.req.body);
  requireKeys(body, ['pattern', 'definition']);
  const spec = { pattern: body.pattern, definition: body.definition, priority: body.priority, applyTo: body['apply-to'] };
  return createdOrUpdated(await c.api.putPolicy(c.user, c.params.vh, c.params.name, spec));
}

async function deletePolicy(c: RouteContext) {
  await existing(c);
  await c.api.deletePolicy(c.user, c.params.vh, c.params.name);
  return noContent();
}

async function existingOperatorPolicy(c: RouteContext): Promise<Row> {
  const p = (await c.api.listOperatorPolicies(c.user, c.vhost)).find((x) => x.name === c.params.name);
  if (p === undefined) throw objectNotFound();
  return p;
}

async function putOperatorPolicy(c: RouteContext) {
  const body = readJsonObject(c.req.body);
  requireKeys(body, ['pattern', 'definition']);
  const spec = { pattern: body.pattern, definition: body.definition, priority: body.priority, applyTo: body['apply-to'] };
  return createdOrUpdated(await c.api.putOperatorPolicy(c.user, c.params.vh, c.params.name, spec));
}

const none = () => json([]);

/** Runtime parameters are a policymaker's business in RabbitMQ, with this reason for others. */
function policymakerOnly(c: RouteContext) {
  if (!hasAccess(c.user, 'policymaker')) throw notAuthorised('User not authorised to access object');
  return none();
}

const unsupported = (what: string) => () => {
  throw badRequest(`${what} are not supported by Warren`);
};
const notFound = () => {
  throw objectNotFound();
};

const policymakerNotFound = (c: RouteContext) => {
  policymakerOnly(c);
  return notFound();
};
const policymakerUnsupported = (what: string) => (c: RouteContext) => {
  policymakerOnly(c);
  return unsupported(what)();
};

export const policyRoutes: Route[] = [
  { method: 'GET', path: '/api/policies', handle: (c) => listPolicies(c) },
  { method: 'GET', path: '/api/policies/:vhost', handle: (c) => listPolicies(c, c.vhost) },
  // `:vh`, not `:vhost`: these resolve the vhost after checking the user, as RabbitMQ does
  { method: 'GET', path: '/api/policies/:vh/:name', handle: async (c) => json(selectColumns(await existing(c), c.query)) },
  { method: 'PUT', path: '/api/policies/:vh/:name', handle: putPolicy },
  { method: 'DELETE', path: '/api/policies/:vh/:name', handle: deletePolicy },
  // operator policies: listed to management users, each one an administrator's; a PUT to a missing
  // vhost is RabbitMQ's `vhost_not_found` (`:vh`: the API answers it), a GET or DELETE a plain 404
  { method: 'GET', path: '/api/operator-policies', handle: (c) => listPolicies(c, undefined, 'operator') },
  { method: 'GET', path: '/api/operator-policies/:vhost', handle: (c) => listPolicies(c, c.vhost, 'operator') },
  { method: 'GET', path: '/api/operator-policies/:vhost/:name', access: 'administrator', handle: async (c) => json(selectColumns(await existingOperatorPolicy(c), c.query)) },
  { method: 'PUT', path: '/api/operator-policies/:vh/:name', access: 'administrator', handle: putOperatorPolicy },
  {
    method: 'DELETE',
    path: '/api/operator-policies/:vhost/:name',
    access: 'administrator',
    handle: async (c) => {
      await existingOperatorPolicy(c);
      await c.api.deleteOperatorPolicy(c.user, c.vhost, c.params.name);
      return noContent();
    },
  },
  // vhost limits: a vhost's are listed to those who see the vhost (monitoring users see all), set
  // by administrators; one limit has no GET (405), and deleting one that is not set is no error
  { method: 'GET', path: '/api/vhost-limits', handle: none },
  { method: 'GET', path: '/api/vhost-limits/:vhost', vhostCheck: 'visible', handle: none },
  { method: 'PUT', path: '/api/vhost-limits/:vhost/:name', access: 'administrator', handle: unsupported('vhost limits') },
  { method: 'DELETE', path: '/api/vhost-limits/:vhost/:name', access: 'administrator', handle: () => noContent() },
  { method: 'GET', path: '/api/parameters', handle: policymakerOnly },
  { method: 'GET', path: '/api/parameters/:component', handle: policymakerOnly },
  { method: 'GET', path: '/api/parameters/:component/:vhost', handle: policymakerOnly },
  { method: 'GET', path: '/api/parameters/:component/:vhost/:name', handle: policymakerNotFound },
  { method: 'PUT', path: '/api/parameters/:component/:vhost/:name', handle: policymakerUnsupported('runtime parameters') },
  { method: 'DELETE', path: '/api/parameters/:component/:vhost/:name', handle: policymakerNotFound },
];

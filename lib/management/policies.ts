// /api/policies: a vhost's user policies, as RabbitMQ's management API lists, sets and clears
// them. Listing is for any management user (vhosts they may use); reading, setting and clearing one
// takes the policymaker tag and access to its vhost. Validation and the effect on queues and
// exchanges are the core's (broker/core/policy*.ts).
//
// Operator policies, runtime parameters and vhost limits Warren does not have: their listings are
// empty (as RabbitMQ's are on a fresh node, which is what `rabbitmqadmin list ...` and monitoring
// tools expect) and setting one is refused with a reason, not a 404 that would read as a missing
// vhost.
import type { User } from '../../broker/auth/users';
import type { Policy } from '../../broker/core/policy';
import { parsePolicy, PolicyError } from '../../broker/core/policy-validation';
import type { VirtualHost } from '../../broker/core/vhost';
import { canAccessVhost, hasAccess, isAdmin, visibleVhosts } from './auth';
import { readJsonObject, requireKeys } from './body';
import { badRequest, HttpError, notAuthorised, objectNotFound } from './errors';
import { createdOrUpdated, json, noContent } from './http';
import { listing, selectColumns } from './paging';
import type { Route, RouteContext } from './route';

/** A policy as RabbitMQ shows it, in its key order. */
export function policyDto(p: Policy) {
  return { vhost: p.vhost, name: p.name, pattern: p.pattern, 'apply-to': p.applyTo, definition: p.definition, priority: p.priority };
}

/** RabbitMQ's messages come out of Erlang's ~p (`<<"x">>`) and its API escapes them as HTML. */
export function escapeHtmlTags(s: string): string {
  return s.replace(/[<>&]/g, (c) => (c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&amp;'));
}

/** The 400 RabbitMQ answers a policy it refuses with; `suffix` is what an import adds. */
export function policyRefused(err: PolicyError, suffix = ''): HttpError {
  return badRequest(escapeHtmlTags(err.message + suffix));
}

/** Sorted by priority, then vhost and name, as RabbitMQ lists them; it pages no policy list. */
function listPolicies(c: RouteContext, vhosts: VirtualHost[]) {
  const rows = vhosts.flatMap((vh) => [...vh.policies.values()].map(policyDto));
  const query = new URLSearchParams(c.query);
  for (const k of ['page', 'page_size', 'name', 'use_regex']) query.delete(k);
  return json(listing(rows, query, ['priority', 'vhost', 'name']));
}

/**
 * One policy is an administrator's, or a policymaker's who may use its vhost — checked before
 * anything else, so others learn nothing about the vhost (RabbitMQ's `is_authorized_policies`).
 */
function policyVhost(c: RouteContext): VirtualHost | undefined {
  const user: User = c.user;
  const vh = c.broker.core.getVhost(c.params.vh);
  const allowed = isAdmin(user) || (hasAccess(user, 'policymaker') && vh !== undefined && canAccessVhost(c.broker.core, user, vh.name));
  if (!allowed) throw notAuthorised('User not authorised to access object');
  return vh;
}

function existing(c: RouteContext): Policy {
  const p = policyVhost(c)?.policies.get(c.params.name);
  if (p === undefined) throw objectNotFound();
  return p;
}

function putPolicy(c: RouteContext) {
  const vh = policyVhost(c);
  if (vh === undefined) throw new HttpError(404, 'not_found', 'vhost_not_found');
  const body = readJsonObject(c.req.body);
  requireKeys(body, ['pattern', 'definition']);
  let policy: Policy;
  try {
    policy = parsePolicy(vh.name, c.params.name, { pattern: body.pattern, definition: body.definition, priority: body.priority, applyTo: body['apply-to'] });
  } catch (err) {
    if (err instanceof PolicyError) throw policyRefused(err);
    throw err;
  }
  return createdOrUpdated(vh.putPolicy(policy));
}

function deletePolicy(c: RouteContext) {
  const p = existing(c);
  c.broker.core.getVhost(p.vhost)?.deletePolicy(p.name);
  return noContent();
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

/** GET of the list (all vhosts and one vhost) and of one item, PUT and DELETE of one item. */
function emptyResource(base: string, what: string, item: string): Route[] {
  return [
    { method: 'GET', path: base, handle: none },
    { method: 'GET', path: `${base}/:vhost`, handle: none },
    { method: 'GET', path: `${base}/:vhost/${item}`, handle: notFound },
    { method: 'PUT', path: `${base}/:vhost/${item}`, handle: unsupported(what) },
    { method: 'DELETE', path: `${base}/:vhost/${item}`, handle: notFound },
  ];
}

export const policyRoutes: Route[] = [
  { method: 'GET', path: '/api/policies', handle: (c) => listPolicies(c, visibleVhosts(c.broker.core, c.user)) },
  { method: 'GET', path: '/api/policies/:vhost', handle: (c) => listPolicies(c, [c.vhost]) },
  // `:vh`, not `:vhost`: these resolve the vhost after checking the user, as RabbitMQ does
  { method: 'GET', path: '/api/policies/:vh/:name', handle: (c) => json(selectColumns(policyDto(existing(c)), c.query)) },
  { method: 'PUT', path: '/api/policies/:vh/:name', handle: putPolicy },
  { method: 'DELETE', path: '/api/policies/:vh/:name', handle: deletePolicy },
  ...emptyResource('/api/operator-policies', 'operator policies', ':name'),
  ...emptyResource('/api/vhost-limits', 'vhost limits', ':name'),
  { method: 'GET', path: '/api/parameters', handle: policymakerOnly },
  { method: 'GET', path: '/api/parameters/:component', handle: policymakerOnly },
  { method: 'GET', path: '/api/parameters/:component/:vhost', handle: policymakerOnly },
  { method: 'GET', path: '/api/parameters/:component/:vhost/:name', handle: notFound },
  { method: 'PUT', path: '/api/parameters/:component/:vhost/:name', handle: unsupported('runtime parameters') },
  { method: 'DELETE', path: '/api/parameters/:component/:vhost/:name', handle: notFound },
];

// Policies, operator policies, runtime parameters and vhost limits: Warren has none of them, so
// their listings are empty (as RabbitMQ's are on a fresh node, which is what `rabbitmqadmin list
// policies` and monitoring tools expect) and setting one is refused with a reason, not a 404 that
// would read as a missing vhost.
import { hasAccess } from './auth';
import { badRequest, notAuthorised, objectNotFound } from './errors';
import { json } from './http';
import type { Route, RouteContext } from './route';

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
  ...emptyResource('/api/policies', 'policies', ':name'),
  ...emptyResource('/api/operator-policies', 'operator policies', ':name'),
  ...emptyResource('/api/vhost-limits', 'vhost limits', ':name'),
  { method: 'GET', path: '/api/parameters', handle: policymakerOnly },
  { method: 'GET', path: '/api/parameters/:component', handle: policymakerOnly },
  { method: 'GET', path: '/api/parameters/:component/:vhost', handle: policymakerOnly },
  { method: 'GET', path: '/api/parameters/:component/:vhost/:name', handle: notFound },
  { method: 'PUT', path: '/api/parameters/:component/:vhost/:name', handle: unsupported('runtime parameters') },
  { method: 'DELETE', path: '/api/parameters/:component/:vhost/:name', handle: notFound },
];

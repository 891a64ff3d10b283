// /api/vhosts: virtual hosts with their message totals, created and deleted by administrators.
import type { VirtualHost } from '../../broker/core/vhost';
import { isMonitor, visibleVhosts } from './auth';
import { optBool, readJsonObject, toTags } from './body';
import type { ManagementContext } from './context';
import { DELIVER_STATS, MESSAGE_COUNTS, OCTETS, PUBLISH_STATS } from './counters';
import { objectNotFound } from './errors';
import { createdOrUpdated, json, noContent } from './http';
import { listing } from './paging';
import { permissionDto } from './permissions';
import type { Route, RouteContext } from './route';
import { withDetails } from './stats';

/** Every message_stats key of a vhost or the overview, in RabbitMQ's (alphabetical) order. */
export const ALL_MESSAGE_STATS = [...PUBLISH_STATS, ...DELIVER_STATS].sort();

/** `query` may ask for sample history (msg_rates_age/incr, lengths_age/incr). */
export function vhostDto(mgmt: ManagementContext, vh: VirtualHost, query = new URLSearchParams()): Record<string, unknown> {
  const meta = mgmt.metadata(vh.name);
  const counters = mgmt.totals.vhostCounters(vh);
  const rate = mgmt.sampler.rateOf(vh);
  return {
    cluster_state: { [mgmt.node]: 'running' },
    default_queue_type: 'undefined',
    description: meta.description,
    message_stats: withDetails(counters, ALL_MESSAGE_STATS, rate, mgmt.historyFor([vh.name], ALL_MESSAGE_STATS, query, 'msg_rates')),
    ...withDetails(counters, MESSAGE_COUNTS, rate, mgmt.historyFor([vh.name], MESSAGE_COUNTS, query, 'lengths')),
    metadata: { description: meta.description, tags: meta.tags },
    name: vh.name,
    ...withDetails(counters, OCTETS, rate),
    tags: meta.tags,
    tracing: meta.tracing,
  };
}

function getVhost(c: RouteContext): VirtualHost {
  const vh = c.broker.core.getVhost(c.params.name);
  if (vh === undefined) throw objectNotFound();
  return vh;
}

/** PUT: creates the vhost (the creator gets full permissions on it, as in RabbitMQ) or updates its metadata. */
function putVhost(c: RouteContext) {
  const core = c.broker.core;
  const name = c.params.name;
  const body = readJsonObject(c.req.body);
  const old = c.mgmt.metadata(name);
  const meta = {
    description: typeof body.description === 'string' ? body.description : old.description,
    tags: body.tags === undefined ? old.tags : toTags(body.tags),
    tracing: optBool(body, 'tracing', old.tracing),
  };
  const existed = core.vhosts.has(name);
  core.addVhost(name);
  c.mgmt.setMetadata(name, meta);
  if (!existed) core.users.setPermission(name, c.user.name, { configure: '.*', write: '.*', read: '.*' });
  return createdOrUpdated(!existed);
}

export const vhostRoutes: Route[] = [
  {
    method: 'GET',
    path: '/api/vhosts',
    handle: (c) => {
      const core = c.broker.core;
      const vhosts = isMonitor(c.user) ? [...core.vhosts.values()] : visibleVhosts(core, c.user);
      return json(listing(vhosts.map((vh) => vhostDto(c.mgmt, vh, c.query)), c.query, ['name']));
    },
  },
  { method: 'GET', path: '/api/vhosts/:name', access: 'administrator', handle: (c) => json(vhostDto(c.mgmt, getVhost(c), c.query)) },
  { method: 'PUT', path: '/api/vhosts/:name', access: 'administrator', handle: putVhost },
  {
    method: 'DELETE',
    path: '/api/vhosts/:name',
    access: 'administrator',
    handle: (c) => {
      c.broker.core.deleteVhost(getVhost(c).name);
      return noContent();
    },
  },
  {
    method: 'GET',
    path: '/api/vhosts/:name/permissions',
    access: 'administrator',
    handle: (c) => {
      const vh = getVhost(c);
      const rows = c.broker.core.users.listPermissions().filter((p) => p.vhost === vh.name).map(permissionDto);
      return json(listing(rows, c.query, ['vhost', 'user']));
    },
  },
];


// /api/channels: the AMQP channels of the connections a user may see, with prefetch, unacked
// counts and message stats.
import type { ConnectionHandle } from '../../broker/core/broker-core';
import { channelName, channelsOf, endpointsOf, type Channel } from './amqp-view';
import { connectionAt, visibleConnections } from './connections';
import type { ManagementContext } from './context';
import { anyNonZero, channelCounters, DELIVER_STATS, PUBLISH_STATS } from './counters';
import { objectNotFound } from './errors';
import { json } from './http';
import { listing } from './paging';
import type { Route, RouteContext } from './route';
import { withDetails } from './stats';

export function channelDto(mgmt: ManagementContext, conn: ConnectionHandle, ch: Channel): Record<string, unknown> {
  const counters = channelCounters(ch);
  const rate = mgmt.sampler.rateOf(ch);
  const keys = [
    ...(anyNonZero(counters, PUBLISH_STATS) ? PUBLISH_STATS : []),
    ...(anyNonZero(counters, DELIVER_STATS) ? DELIVER_STATS : []),
  ].sort();
  const ep = endpointsOf(conn);
  const tx = ch.txOps;
  return {
    acks_uncommitted: tx?.filter((op) => op.kind !== 'publish').length ?? 0,
    confirm: ch.confirmMode,
    connection_details: { name: conn.name, peer_host: ep.peerHost, peer_port: ep.peerPort },
    consumer_count: ch.consumers.size,
    global_prefetch_count: ch.globalPrefetch,
    ...(keys.length > 0 ? { message_stats: withDetails(counters, keys, rate) } : {}),
    messages_unacknowledged: ch.unacked.size,
    messages_uncommitted: tx?.filter((op) => op.kind === 'publish').length ?? 0,
    messages_unconfirmed: 0,
    name: channelName(conn.name, ch.id),
    node: mgmt.node,
    number: ch.id,
    pending_raft_commands: 0,
    prefetch_count: ch.prefetchCount,
    state: ch.closing ? 'closing' : 'running',
    transactional: tx !== undefined,
    user: conn.user,
    user_who_performed_action: conn.user,
    vhost: conn.vhostName,
  };
}

function rows(c: RouteContext, conns: ConnectionHandle[]) {
  return conns.flatMap((conn) => channelsOf(conn).map((ch) => channelDto(c.mgmt, conn, ch)));
}

const list = (c: RouteContext, conns: ConnectionHandle[]) => json(listing(rows(c, conns), c.query, ['name']));

export const channelRoutes: Route[] = [
  { method: 'GET', path: '/api/channels', handle: (c) => list(c, visibleConnections(c)) },
  { method: 'GET', path: '/api/vhosts/:vhost/channels', handle: (c) => list(c, visibleConnections(c, c.vhost.name)) },
  { method: 'GET', path: '/api/connections/:name/channels', handle: (c) => list(c, [connectionAt(c)]) },
  {
    method: 'GET',
    path: '/api/channels/:name',
    handle: (c) => {
      const found = rows(c, visibleConnections(c)).find((ch) => ch.name === c.params.name);
      if (found === undefined) throw objectNotFound();
      return json(found);
    },
  },
];

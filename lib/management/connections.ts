// /api/connections: client connections, and closing one by force (clients get connection.close
// 320 with the X-Reason header's text). Monitoring users and administrators see every connection,
// other users their own.
import type { ConnectionHandle } from '../../broker/core/broker-core';
import { asAmqp, endpointsOf } from './amqp-view';
import { isMonitor } from './auth';
import type { ManagementContext } from './context';
import { connectionCounters, OCTETS } from './counters';
import { objectNotFound } from './errors';
import { tableToJson } from './field-json';
import { json, noContent } from './http';
import { listing } from './paging';
import type { Route, RouteContext } from './route';
import { withDetails } from './stats';

export const FORCED_CLOSE_REASON = 'Closed via management plugin';

export function connectionDto(mgmt: ManagementContext, c: ConnectionHandle): Record<string, unknown> {
  const amqp = asAmqp(c);
  const ep = endpointsOf(c);
  const clientProperties = tableToJson(amqp?.clientProperties ?? {});
  const providedName = clientProperties.connection_name;
  return {
    auth_mechanism: 'PLAIN',
    channel_max: amqp?.channelMax ?? 0,
    channels: c.channelCount,
    client_properties: clientProperties,
    connected_at: amqp?.connectedAt ?? 0,
    frame_max: amqp?.frameMax ?? 0,
    host: ep.host,
    name: c.name,
    node: mgmt.node,
    peer_cert_issuer: null,
    peer_cert_subject: null,
    peer_cert_validity: null,
    peer_host: ep.peerHost,
    peer_port: ep.peerPort,
    port: ep.port,
    protocol: 'AMQP 0-9-1',
    ...withDetails(connectionCounters(c), OCTETS, mgmt.sampler.rateOf(c)),
    send_pend: amqp?.outBytes ?? 0,
    ssl: false,
    ssl_cipher: null,
    ssl_hash: null,
    ssl_key_exchange: null,
    ssl_protocol: null,
    state: amqp?.isBlocked ? 'blocked' : 'running',
    timeout: amqp?.heartbeat ?? 0,
    type: 'network',
    user: c.user,
    ...(typeof providedName === 'string' ? { user_provided_name: providedName } : {}),
    user_who_performed_action: c.user,
    vhost: c.vhostName,
  };
}

/** Connections the user may see, optionally only those of one vhost. */
export function visibleConnections(c: RouteContext, vhost?: string): ConnectionHandle[] {
  const all = isMonitor(c.user);
  return [...c.broker.core.connections].filter(
    (conn) => (all || conn.user === c.user.name) && (vhost === undefined || conn.vhostName === vhost),
  );
}

/** The connection named in the URL, if the user may see it; 404 otherwise. */
export function connectionAt(c: RouteContext): ConnectionHandle {
  const conn = visibleConnections(c).find((x) => x.name === c.params.name);
  if (conn === undefined) throw objectNotFound();
  return conn;
}

const list = (c: RouteContext, conns: ConnectionHandle[]) => json(listing(conns.map((x) => connectionDto(c.mgmt, x)), c.query, ['name']));

export const connectionRoutes: Route[] = [
  { method: 'GET', path: '/api/connections', handle: (c) => list(c, visibleConnections(c)) },
  { method: 'GET', path: '/api/vhosts/:vhost/connections', handle: (c) => list(c, visibleConnections(c, c.vhost.name)) },
  { method: 'GET', path: '/api/connections/:name', handle: (c) => json(connectionDto(c.mgmt, connectionAt(c))) },
  {
    method: 'DELETE',
    path: '/api/connections/:name',
    handle: (c) => {
      const reason = c.req.headers['x-reason'];
      connectionAt(c).close(320, reason !== undefined && reason !== '' ? reason : FORCED_CLOSE_REASON);
      return noContent();
    },
  },
];

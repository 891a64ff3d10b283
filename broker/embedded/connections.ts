// Client connections, their channels and the consumers of queues, as the management API shows
// them. Monitoring users and administrators see every connection, other users their own.
import type { BrokerCore, ConnectionHandle } from '../core/broker-core';
import type { Consumer } from '../core/consumer';
import type { Queue } from '../core/queue';
import type { FieldTable } from '../core/field-values';
import { isAdmin, isMonitor } from '../api/access-levels';
import type { Actor, Row } from '../api/broker-api';
import { BrokerError } from '../api/errors';
import { canAccessVhost, vhostsFor } from './access';
import { tlsFields } from '../amqp/tls-peer';
import { asAmqp, channelName, channelsOf, connectionIndex, endpointsOf, type Channel } from './amqp-view';
import { anyNonZero, channelCounters, connectionCounters, DELIVER_STATS, OCTETS, PUBLISH_STATS } from './counters';
import { tableToJson } from './field-json';
import type { ManagementContext } from './management-context';
import { withDetails } from './rates';

export function connectionRow(mgmt: ManagementContext, c: ConnectionHandle): Row {
  const amqp = asAmqp(c);
  const ep = endpointsOf(c);
  const clientProperties = tableToJson(amqp?.clientProperties ?? (c.clientProperties as FieldTable));
  const providedName = clientProperties.connection_name;
  return {
    auth_mechanism: amqp?.authMechanism || 'PLAIN',
    channel_max: amqp?.channelMax ?? 0,
    channels: c.channelCount,
    client_properties: clientProperties,
    connected_at: amqp?.connectedAt ?? 0,
    frame_max: amqp?.frameMax ?? 0,
    host: ep.host,
    name: c.name,
    node: mgmt.node,
    peer_host: ep.peerHost,
    peer_port: ep.peerPort,
    port: ep.port,
    protocol: 'AMQP 0-9-1',
    ...tlsFields(amqp?.socket),
    ...withDetails(connectionCounters(c), OCTETS, mgmt.sampler.rateOf(c)),
    send_pend: amqp?.outBytes ?? 0,
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
export function visibleConnections(core: BrokerCore, who: Actor, vhost?: string): ConnectionHandle[] {
  const all = isMonitor(who);
  return [...core.connections].filter((conn) => (all || conn.user === who.name) && (vhost === undefined || conn.vhostName === vhost));
}

/**
 * One connection by name: not_found when there is none; not_authorised unless it is the user's own
 * or, to read it, the user is a monitor, or, to close it, an administrator (RabbitMQ lets
 * monitoring users see every connection, not close them).
 */
export function connectionNamed(core: BrokerCore, who: Actor, name: string, purpose: 'read' | 'close' = 'read'): ConnectionHandle {
  const conn = [...core.connections].find((x) => x.name === name);
  if (conn === undefined) throw new BrokerError('not_found', `no connection '${name}'`, { code: 404 });
  mayUse(who, conn, purpose);
  return conn;
}

function mayUse(who: Actor, conn: ConnectionHandle, purpose: 'read' | 'close'): void {
  const allowed = conn.user === who.name || (purpose === 'read' ? isMonitor(who) : isAdmin(who));
  if (!allowed) throw new BrokerError('not_authorised', 'User not authorised to access object');
}

/** One channel by name (`<connection> (<number>)`), under its connection's rule for reading. */
export function channelNamed(mgmt: ManagementContext, core: BrokerCore, who: Actor, name: string): Row {
  for (const conn of core.connections) {
    if (!name.startsWith(conn.name)) continue;
    const ch = channelsOf(conn).find((c) => channelName(conn.name, c.id) === name);
    if (ch === undefined) continue;
    mayUse(who, conn, 'read');
    return channelRow(mgmt, conn, ch);
  }
  throw new BrokerError('not_found', `no channel '${name}'`, { code: 404 });
}

export function channelRow(mgmt: ManagementContext, conn: ConnectionHandle, ch: Channel): Row {
  const counters = channelCounters(ch);
  const rate = mgmt.sampler.rateOf(ch);
  const keys = [...(anyNonZero(counters, PUBLISH_STATS) ? PUBLISH_STATS : []), ...(anyNonZero(counters, DELIVER_STATS) ? DELIVER_STATS : [])].sort();
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

export function channelRows(mgmt: ManagementContext, conns: ConnectionHandle[]): Row[] {
  return conns.flatMap((conn) => channelsOf(conn).map((ch) => channelRow(mgmt, conn, ch)));
}

export function consumerRow(mgmt: ManagementContext, q: Queue, consumer: Consumer, connections: Map<string, ConnectionHandle>): Row {
  const info = consumer.describe();
  const conn = connections.get(info.connection);
  const ep = endpointsOf(conn ?? { name: info.connection });
  // with single-active-consumer only the first consumer gets messages; the others wait
  const active = !q.singleActiveConsumer || q.singleActive === consumer;
  // the client's own name for its connection (connection_name), as connection rows give it
  const provided = conn === undefined ? undefined : (asAmqp(conn)?.clientProperties ?? conn.clientProperties).connection_name;
  return {
    arguments: tableToJson(info.arguments as FieldTable),
    ack_required: info.ackRequired,
    active,
    activity_status: active ? (q.singleActiveConsumer ? 'single_active' : 'up') : 'waiting',
    channel_details: {
      connection_name: info.connection,
      name: channelName(info.connection, info.channel),
      node: mgmt.node,
      number: info.channel,
      peer_host: ep.peerHost,
      peer_port: ep.peerPort,
      user: conn?.user ?? '',
      ...(typeof provided === 'string' && provided !== '' ? { user_provided_name: provided } : {}),
    },
    consumer_tag: consumer.tag,
    exclusive: info.exclusive,
    prefetch_count: info.prefetchCount,
    queue: { name: q.name, vhost: q.vhost },
  };
}

/** The consumers of one queue (for the queue's consumer_details). */
export function queueConsumers(mgmt: ManagementContext, core: BrokerCore, q: Queue): Row[] {
  const index = connectionIndex(core.connections);
  return q.consumers.map((consumer) => consumerRow(mgmt, q, consumer, index));
}

export function listConsumers(mgmt: ManagementContext, core: BrokerCore, who: Actor, vhost?: string): Row[] {
  const index = connectionIndex(core.connections);
  // one vhost the user may not use lists nothing rather than refusing, as RabbitMQ
  const vhosts = vhost !== undefined && core.getVhost(vhost) !== undefined && !canAccessVhost(core, who, vhost) ? [] : vhostsFor(core, who, vhost);
  return vhosts.flatMap((vh) =>
    [...vh.queues.values()].flatMap((q) => q.consumers.map((consumer) => consumerRow(mgmt, q, consumer, index))),
  );
}

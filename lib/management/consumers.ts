// /api/consumers: every consumer of every visible queue, with its channel.
import type { ConnectionHandle } from '../../broker/core/broker-core';
import type { Consumer } from '../../broker/core/consumer';
import type { Queue } from '../../broker/core/queue';
import type { VirtualHost } from '../../broker/core/vhost';
import { channelName, connectionIndex, endpointsOf } from './amqp-view';
import { visibleVhosts } from './auth';
import type { ManagementContext } from './context';
import { tableToJson } from './field-json';
import { json } from './http';
import { listing } from './paging';
import type { Route, RouteContext } from './route';
import type { FieldTable } from '../../broker/amqp/field-table';

export function consumerDto(mgmt: ManagementContext, q: Queue, consumer: Consumer, connections: Map<string, ConnectionHandle>) {
  const info = consumer.describe();
  const conn = connections.get(info.connection);
  const ep = endpointsOf(conn ?? { name: info.connection });
  // with single-active-consumer only the first consumer gets messages; the others wait
  const active = !q.singleActiveConsumer || q.consumers[0] === consumer;
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
    },
    consumer_tag: consumer.tag,
    exclusive: info.exclusive,
    prefetch_count: info.prefetchCount,
    queue: { name: q.name, vhost: q.vhost },
  };
}

/** The consumers of one queue (for the queue's consumer_details). */
export function queueConsumers(c: RouteContext, q: Queue) {
  const index = connectionIndex(c.broker.core.connections);
  return q.consumers.map((consumer) => consumerDto(c.mgmt, q, consumer, index));
}

function listConsumers(c: RouteContext, vhosts: VirtualHost[]) {
  const index = connectionIndex(c.broker.core.connections);
  const rows = vhosts.flatMap((vh) =>
    [...vh.queues.values()].flatMap((q) => q.consumers.map((consumer) => consumerDto(c.mgmt, q, consumer, index))),
  );
  return json(listing(rows, c.query, ['queue.vhost', 'queue.name', 'consumer_tag']));
}

export const consumerRoutes: Route[] = [
  { method: 'GET', path: '/api/consumers', handle: (c) => listConsumers(c, visibleVhosts(c.broker.core, c.user)) },
  { method: 'GET', path: '/api/consumers/:vhost', handle: (c) => listConsumers(c, [c.vhost]) },
];

// /api/queues: listing with counts and message stats, declare (PUT), delete (if-empty, if-unused),
// purge (DELETE .../contents) and the queue's bindings.
import type { ConnectionHandle } from '../../broker/core/broker-core';
import type { Queue } from '../../broker/core/queue';
import type { VirtualHost } from '../../broker/core/vhost';
import { endpointsOf } from './amqp-view';
import { checkPermission, visibleVhosts } from './auth';
import { BINDING_ORDER, queueBindings } from './bindings';
import { optBool, optTable, readJsonObject } from './body';
import { queueConsumers } from './consumers';
import type { ManagementContext } from './context';
import { anyNonZero, DELIVER_STATS, MESSAGE_COUNTS, queueCounters } from './counters';
import { amqpOp, objectNotFound } from './errors';
import { tableToJson } from './field-json';
import { createdOrUpdated, json, noContent } from './http';
import { listing } from './paging';
import type { Route, RouteContext } from './route';
import { withDetails } from './stats';

function messageStats(mgmt: ManagementContext, q: Queue) {
  const counters = queueCounters(q);
  const keys = [...(counters.publish > 0 ? ['publish'] : []), ...(anyNonZero(counters, [...DELIVER_STATS, 'get_empty']) ? DELIVER_STATS : [])].sort();
  return keys.length === 0 ? {} : { message_stats: withDetails(counters, keys, mgmt.sampler.rateOf(q)) };
}

function headTimestamp(q: Queue): number | null {
  const head = q.readyEntries().next();
  return head.done === true ? null : (head.value.msg.properties.timestamp ?? null);
}

function isConnection(owner: object): owner is ConnectionHandle {
  return 'name' in owner && 'vhostName' in owner;
}

export function queueDto(mgmt: ManagementContext, q: Queue): Record<string, unknown> {
  const counters = queueCounters(q);
  const bytes = q.messageBytesReady;
  const owner = q.exclusiveOwner;
  const exclusiveConsumer = q.hasExclusiveConsumer ? q.consumers.find((c) => c.exclusive) : undefined;
  const sac = q.singleActiveConsumer ? q.consumers[0] : undefined;
  const busy = q.consumerCount > 0 ? 1 : 0;
  return {
    arguments: tableToJson(q.arguments),
    auto_delete: q.autoDelete,
    consumer_capacity: busy,
    consumer_utilisation: busy,
    consumers: q.consumerCount,
    durable: q.durable,
    effective_policy_definition: q.policy?.definition ?? {},
    exclusive: owner !== null,
    exclusive_consumer_tag: exclusiveConsumer?.tag ?? null,
    head_message_timestamp: headTimestamp(q),
    memory: bytes,
    message_bytes: bytes,
    message_bytes_paged_out: q.persisted.pagedOutBytes,
    message_bytes_persistent: q.persisted.bytes,
    message_bytes_ram: Math.max(0, bytes - q.persisted.pagedOutBytes),
    message_bytes_ready: bytes,
    message_bytes_unacknowledged: 0,
    ...messageStats(mgmt, q),
    ...withDetails(counters, MESSAGE_COUNTS, mgmt.sampler.rateOf(q)),
    messages_paged_out: q.persisted.pagedOut,
    messages_persistent: q.persisted.messages,
    messages_ram: counters.messages - q.persisted.pagedOut,
    messages_ready_ram: counters.messages_ready - q.persisted.pagedOut,
    messages_unacknowledged_ram: counters.messages_unacknowledged,
    name: q.name,
    node: mgmt.node,
    operator_policy: null,
    ...(owner !== null && isConnection(owner) ? { owner_pid_details: ownerDetails(owner) } : {}),
    policy: q.policy?.name ?? null,
    recoverable_slaves: null,
    single_active_consumer_tag: sac?.tag ?? null,
    state: 'running',
    type: 'classic',
    vhost: q.vhost,
  };
}

function ownerDetails(owner: ConnectionHandle) {
  const ep = endpointsOf(owner);
  return { name: owner.name, peer_host: ep.peerHost, peer_port: ep.peerPort };
}

/** The queue named in the URL, or 404. */
export function queueAt(c: RouteContext): Queue {
  const q = c.vhost.queues.get(c.params.name);
  if (q === undefined) throw objectNotFound();
  return q;
}

function listQueues(c: RouteContext, vhosts: VirtualHost[]) {
  const rows = vhosts.flatMap((vh) => [...vh.queues.values()].map((q) => queueDto(c.mgmt, q)));
  return json(listing(rows, c.query));
}

/** PUT declares a non-exclusive queue; `exclusive` and `node` are ignored, as RabbitMQ's API does. */
function putQueue(c: RouteContext) {
  const vh = c.vhost;
  const name = c.params.name;
  const body = readJsonObject(c.req.body);
  const opts = {
    durable: optBool(body, 'durable', false),
    autoDelete: optBool(body, 'auto_delete', false),
    exclusiveOwner: null,
    arguments: optTable(body, 'arguments'),
  };
  checkPermission(c.broker.core, c.user, vh.name, 'configure', name);
  const { created } = amqpOp(() => vh.declareQueue(name, opts));
  return createdOrUpdated(created);
}

function deleteQueue(c: RouteContext) {
  const q = queueAt(c);
  checkPermission(c.broker.core, c.user, c.vhost.name, 'configure', q.name);
  amqpOp(() => c.vhost.deleteQueue(q, c.query.get('if-unused') === 'true', c.query.get('if-empty') === 'true'));
  return noContent();
}

function purgeQueue(c: RouteContext) {
  const q = queueAt(c);
  checkPermission(c.broker.core, c.user, c.vhost.name, 'read', q.name);
  c.vhost.purgeQueue(q);
  return noContent();
}

export const queueRoutes: Route[] = [
  { method: 'GET', path: '/api/queues', handle: (c) => listQueues(c, visibleVhosts(c.broker.core, c.user)) },
  { method: 'GET', path: '/api/queues/:vhost', handle: (c) => listQueues(c, [c.vhost]) },
  {
    method: 'GET',
    path: '/api/queues/:vhost/:name',
    handle: (c) => {
      const q = queueAt(c);
      return json({ consumer_details: queueConsumers(c, q), ...queueDto(c.mgmt, q), deliveries: [], incoming: [] });
    },
  },
  { method: 'PUT', path: '/api/queues/:vhost/:name', handle: putQueue },
  { method: 'DELETE', path: '/api/queues/:vhost/:name', handle: deleteQueue },
  { method: 'DELETE', path: '/api/queues/:vhost/:name/contents', handle: purgeQueue },
  {
    method: 'GET',
    path: '/api/queues/:vhost/:name/bindings',
    handle: (c) => json(listing(queueBindings(c.vhost, queueAt(c)), c.query, BINDING_ORDER)),
  },
];

// Queues as the management API shows them, and declare/delete/purge made as a user.
import { effectiveDefinition } from '../core/policy';
import type { BrokerCore, ConnectionHandle } from '../core/broker-core';
import type { Queue } from '../core/queue';
import type { Actor, HistoryQuery, QueueSpec, Row } from '../api/broker-api';
import { checkPermission, vhostFor } from './access';
import { endpointsOf } from './amqp-view';
import { anyNonZero, DELIVER_STATS, MESSAGE_COUNTS, queueCounters } from './counters';
import { jsonToTable, tableToJson } from './field-json';
import type { ManagementContext } from './management-context';
import { withDetails } from './rates';

function messageStats(mgmt: ManagementContext, q: Queue, history: HistoryQuery) {
  const counters = queueCounters(q);
  const keys = [...(counters.publish > 0 ? ['publish'] : []), ...(anyNonZero(counters, [...DELIVER_STATS, 'get_empty']) ? DELIVER_STATS : [])].sort();
  return keys.length === 0 ? {} : { message_stats: withDetails(counters, keys, mgmt.sampler.rateOf(q), mgmt.queueHistoryFor(q, keys, history.msgRates)) };
}

function headTimestamp(q: Queue): number | null {
  const head = q.readyEntries().next();
  if (head.done === true || !head.value.msg.has('timestamp')) return null;
  try {
    return head.value.msg.properties.timestamp ?? null;
  } catch {
    // properties that cannot be parsed (refused at publish, so only from elsewhere) must not make
    // the whole queue listing fail
    return null;
  }
}

function isConnection(owner: object): owner is ConnectionHandle {
  return 'name' in owner && 'vhostName' in owner;
}

function ownerDetails(owner: ConnectionHandle) {
  const ep = endpointsOf(owner);
  return { name: owner.name, peer_host: ep.peerHost, peer_port: ep.peerPort };
}

/** `history`: sample history of this one queue (its page), as RabbitMQ's `?lengths_age=&msg_rates_age=`. */
export function queueRow(mgmt: ManagementContext, q: Queue, history: HistoryQuery = {}): Row {
  const counters = queueCounters(q);
  const bytes = q.messageBytesReady;
  const owner = q.exclusiveOwner;
  const exclusiveConsumer = q.hasExclusiveConsumer ? q.consumers.find((c) => c.exclusive) : undefined;
  const sac = q.singleActive;
  const busy = q.consumerCount > 0 ? 1 : 0;
  return {
    arguments: tableToJson(q.arguments),
    auto_delete: q.autoDelete,
    consumer_capacity: busy,
    consumer_utilisation: busy,
    consumers: q.consumerCount,
    durable: q.durable,
    effective_policy_definition: effectiveDefinition(q.policy, q.operatorPolicy),
    exclusive: owner !== null,
    exclusive_consumer_tag: exclusiveConsumer?.tag ?? null,
    head_message_timestamp: headTimestamp(q),
    memory: bytes,
    message_bytes: bytes,
    message_bytes_paged_out: q.persisted.pagedOutBytes + q.transientPaged.bytes,
    message_bytes_persistent: q.persisted.bytes,
    message_bytes_ram: Math.max(0, bytes - q.persisted.pagedOutBytes - q.transientPaged.bytes),
    message_bytes_ready: bytes,
    message_bytes_unacknowledged: 0,
    ...messageStats(mgmt, q, history),
    ...withDetails(counters, MESSAGE_COUNTS, mgmt.sampler.rateOf(q), mgmt.queueHistoryFor(q, MESSAGE_COUNTS, history.lengths)),
    messages_paged_out: q.persisted.pagedOut + q.transientPaged.messages,
    messages_persistent: q.persisted.messages,
    messages_ram: counters.messages - q.persisted.pagedOut - q.transientPaged.messages,
    messages_ready_ram: Math.max(0, counters.messages_ready - q.persisted.pagedOut - q.transientPaged.messages),
    messages_unacknowledged_ram: counters.messages_unacknowledged,
    name: q.name,
    node: mgmt.node,
    operator_policy: q.operatorPolicy?.name ?? null,
    ...(owner !== null && isConnection(owner) ? { owner_pid_details: ownerDetails(owner) } : {}),
    policy: q.policy?.name ?? null,
    recoverable_slaves: null,
    single_active_consumer_tag: sac?.tag ?? null,
    state: 'running',
    type: 'classic',
    vhost: q.vhost,
  };
}

/** A declare from outside any connection: never exclusive (RabbitMQ's API ignores `exclusive`). */
export function declareQueue(core: BrokerCore, who: Actor, vhost: string, name: string, spec: QueueSpec): boolean {
  const vh = vhostFor(core, who, vhost);
  const opts = { durable: spec.durable, autoDelete: spec.autoDelete, exclusiveOwner: null, arguments: jsonToTable(spec.arguments) };
  checkPermission(core, who, vh.name, 'configure', name);
  return vh.declareQueue(name, opts).created;
}

export function deleteQueue(core: BrokerCore, who: Actor, vhost: string, name: string, ifUnused: boolean, ifEmpty: boolean): void {
  const vh = vhostFor(core, who, vhost);
  const q = vh.getQueue(name);
  checkPermission(core, who, vh.name, 'configure', q.name);
  vh.deleteQueue(q, ifUnused, ifEmpty);
}

export function purgeQueue(core: BrokerCore, who: Actor, vhost: string, name: string): void {
  const vh = vhostFor(core, who, vhost);
  const q = vh.getQueue(name);
  checkPermission(core, who, vh.name, 'read', q.name);
  vh.purgeQueue(q);
}

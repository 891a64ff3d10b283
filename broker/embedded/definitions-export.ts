// Definitions in RabbitMQ's format: what RabbitMQ imports (users with their password hashes,
// vhosts, permissions, policies, and the non-exclusive, non-built-in topology).
import type { BrokerCore } from '../core/broker-core';
import type { VirtualHost } from '../core/vhost';
import type { Row } from '../api/broker-api';
import { isBuiltInExchange } from './exchanges';
import { tableToJson } from './field-json';
import type { ManagementContext } from './management-context';
import { PRODUCT, RABBITMQ_VERSION, VERSION } from './overview';
import { policyRow } from './policies';
import { listPermissions, listTopicPermissions, userRow } from './users';

/** Unlike queues and exchanges, policies keep their vhost in a vhost's export too (as RabbitMQ's do). */
function policyDefs(vh: VirtualHost) {
  return [...vh.policies.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map(policyRow);
}

/** RabbitMQ keeps operator policies as runtime parameters of component `operator_policy`, and exports them so. */
function operatorPolicyParameters(vh: VirtualHost) {
  return [...vh.operatorPolicies.values()]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((p) => ({ value: { pattern: p.pattern, definition: p.definition, priority: p.priority, 'apply-to': p.applyTo }, vhost: vh.name, component: 'operator_policy', name: p.name }));
}

function queueDefs(vh: VirtualHost, withVhost: boolean) {
  return [...vh.queues.values()]
    .filter((q) => q.exclusiveOwner === null)
    .map((q) => ({
      name: q.name,
      ...(withVhost ? { vhost: vh.name } : {}),
      durable: q.durable,
      auto_delete: q.autoDelete,
      arguments: tableToJson(q.arguments),
    }));
}

function exchangeDefs(vh: VirtualHost, withVhost: boolean) {
  return [...vh.exchanges.values()]
    .filter((e) => !isBuiltInExchange(e.name))
    .map((e) => ({
      name: e.name,
      ...(withVhost ? { vhost: vh.name } : {}),
      type: e.type,
      durable: e.durable,
      auto_delete: e.autoDelete,
      internal: e.internal,
      arguments: tableToJson(e.arguments),
    }));
}

/** Bindings of declared exchanges; those to exclusive queues go with the queues. */
function bindingDefs(vh: VirtualHost, withVhost: boolean) {
  return [...vh.exchanges.values()].flatMap((e) =>
    [...e.bindings.values()]
      .filter((b) => b.destination.kind === 'exchange' || b.destination.exclusiveOwner === null)
      .map((b) => ({
        source: e.name,
        ...(withVhost ? { vhost: vh.name } : {}),
        destination: b.destination.name,
        destination_type: b.destination.kind,
        routing_key: b.routingKey,
        arguments: tableToJson(b.arguments),
      })),
  );
}

export function exportDefinitions(core: BrokerCore, mgmt: ManagementContext): Row {
  const vhosts = [...core.vhosts.values()];
  return {
    rabbit_version: RABBITMQ_VERSION,
    rabbitmq_version: RABBITMQ_VERSION,
    product_name: PRODUCT,
    product_version: VERSION,
    users: [...core.users.users.values()].map(userRow),
    vhosts: vhosts.map((vh) => {
      const meta = mgmt.metadata(vh.name);
      return { name: vh.name, ...(meta.description !== '' ? { description: meta.description } : {}), ...(meta.tags.length > 0 ? { tags: meta.tags } : {}) };
    }),
    permissions: listPermissions(core),
    topic_permissions: listTopicPermissions(core),
    parameters: vhosts.flatMap(operatorPolicyParameters),
    global_parameters: [],
    policies: vhosts.flatMap(policyDefs),
    queues: vhosts.flatMap((vh) => queueDefs(vh, true)),
    exchanges: vhosts.flatMap((vh) => exchangeDefs(vh, true)),
    bindings: vhosts.flatMap((vh) => bindingDefs(vh, true)),
  };
}

export function exportVhostDefinitions(vh: VirtualHost): Row {
  return {
    rabbit_version: RABBITMQ_VERSION,
    parameters: operatorPolicyParameters(vh),
    policies: policyDefs(vh),
    queues: queueDefs(vh, false),
    exchanges: exchangeDefs(vh, false),
    bindings: bindingDefs(vh, false),
  };
}

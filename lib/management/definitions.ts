// GET/POST /api/definitions[/{vhost}]: RabbitMQ's definitions format. Export writes what RabbitMQ
// imports (users with their password hashes, vhosts, permissions, policies, and the non-exclusive,
// non-built-in topology); import is definitions-import.ts.
import { PRODUCT, VERSION } from '../../broker/amqp/server-properties';
import type { BrokerCore } from '../../broker/core/broker-core';
import type { VirtualHost } from '../../broker/core/vhost';
import { readJsonObject } from './body';
import type { ManagementContext } from './context';
import { importDefinitions } from './definitions-import';
import { HttpError } from './errors';
import { isBuiltInExchange } from './exchange-name';
import { tableToJson } from './field-json';
import { json, noContent } from './http';
import { RABBITMQ_API_VERSION } from './overview';
import { listPermissions } from './permissions';
import { policyDto } from './policies';
import type { Route, RouteContext } from './route';
import { userDto } from './users';

/** Unlike queues and exchanges, policies keep their vhost in a vhost's export too (as RabbitMQ's do). */
function policyDefs(vh: VirtualHost) {
  return [...vh.policies.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map(policyDto);
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

export function exportDefinitions(core: BrokerCore, mgmt: ManagementContext) {
  const vhosts = [...core.vhosts.values()];
  return {
    rabbit_version: RABBITMQ_API_VERSION,
    rabbitmq_version: RABBITMQ_API_VERSION,
    product_name: PRODUCT,
    product_version: VERSION,
    users: [...core.users.users.values()].map(userDto),
    vhosts: vhosts.map((vh) => {
      const meta = mgmt.metadata(vh.name);
      return { name: vh.name, ...(meta.description !== '' ? { description: meta.description } : {}), ...(meta.tags.length > 0 ? { tags: meta.tags } : {}) };
    }),
    permissions: listPermissions(core),
    topic_permissions: [],
    parameters: [],
    global_parameters: [],
    policies: vhosts.flatMap(policyDefs),
    queues: vhosts.flatMap((vh) => queueDefs(vh, true)),
    exchanges: vhosts.flatMap((vh) => exchangeDefs(vh, true)),
    bindings: vhosts.flatMap((vh) => bindingDefs(vh, true)),
  };
}

export function exportVhostDefinitions(vh: VirtualHost) {
  return {
    rabbit_version: RABBITMQ_API_VERSION,
    parameters: [],
    policies: policyDefs(vh),
    queues: queueDefs(vh, false),
    exchanges: exchangeDefs(vh, false),
    bindings: bindingDefs(vh, false),
  };
}

function postDefinitions(c: RouteContext, target?: string) {
  const plan = importDefinitions(c.broker.core, c.mgmt, readJsonObject(c.req.body, 'failed_to_parse_json'), target);
  if (plan.skipped.length > 0) c.broker.log.warn(`definitions import: skipped ${plan.skipped.join(', ')} (not supported by Warren)`);
  return noContent();
}

/**
 * The vhost of `/api/definitions/:vh`, resolved here rather than by the router: RabbitMQ answers a
 * missing one with `vhost_not_found` — a 400 on export, a 404 on import — not its usual 404 body.
 */
function definitionsVhost(c: RouteContext, status: 400 | 404): VirtualHost {
  const vh = c.broker.core.getVhost(c.params.vh);
  if (vh === undefined) throw new HttpError(status, status === 400 ? 'bad_request' : 'not_found', 'vhost_not_found');
  return vh;
}

export const definitionRoutes: Route[] = [
  { method: 'GET', path: '/api/definitions', access: 'administrator', handle: (c) => json(exportDefinitions(c.broker.core, c.mgmt)) },
  { method: 'POST', path: '/api/definitions', access: 'administrator', handle: (c) => postDefinitions(c) },
  { method: 'GET', path: '/api/definitions/:vh', access: 'administrator', handle: (c) => json(exportVhostDefinitions(definitionsVhost(c, 400))) },
  { method: 'POST', path: '/api/definitions/:vh', access: 'administrator', handle: (c) => postDefinitions(c, definitionsVhost(c, 404).name) },
];

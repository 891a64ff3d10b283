// Exchanges as the management API shows them, and declare/delete made as a user.
import type { BrokerCore } from '../core/broker-core';
import type { Exchange } from '../core/exchange';
import type { Actor, ExchangeSpec, Row } from '../api/broker-api';
import { checkPermission, vhostFor } from './access';
import { anyNonZero, EXCHANGE_STATS, exchangeCounters } from './counters';
import { jsonToTable, tableToJson } from './field-json';
import type { ManagementContext } from './management-context';
import { withDetails } from './rates';

/** The default exchange and the `amq.*` ones: never exported, never declared by an import. */
export const isBuiltInExchange = (name: string): boolean => name === '' || name.startsWith('amq.');

export function exchangeRow(mgmt: ManagementContext, e: Exchange): Row {
  const counters = exchangeCounters(e);
  return {
    arguments: tableToJson(e.arguments),
    auto_delete: e.autoDelete,
    durable: e.durable,
    internal: e.internal,
    ...(anyNonZero(counters, EXCHANGE_STATS) ? { message_stats: withDetails(counters, EXCHANGE_STATS, mgmt.sampler.rateOf(e)) } : {}),
    name: e.name,
    // RabbitMQ names an exchange's policy only when it has one
    ...(e.policy !== undefined ? { policy: e.policy.name } : {}),
    type: e.type,
    vhost: e.vhost,
  };
}

export function declareExchange(core: BrokerCore, who: Actor, vhost: string, name: string, spec: ExchangeSpec): boolean {
  const vh = vhostFor(core, who, vhost);
  const opts = { durable: spec.durable, autoDelete: spec.autoDelete, internal: spec.internal, arguments: jsonToTable(spec.arguments) };
  checkPermission(core, who, vh.name, 'configure', name, 'exchange');
  return vh.declareExchange(name, spec.type, opts).created;
}

export function deleteExchange(core: BrokerCore, who: Actor, vhost: string, name: string, ifUnused: boolean): void {
  const vh = vhostFor(core, who, vhost);
  vh.getExchange(name);
  checkPermission(core, who, vh.name, 'configure', name, 'exchange');
  vh.deleteExchange(name, ifUnused);
}

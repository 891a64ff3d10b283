// Bindings as the management API shows them — `properties_key` is RabbitMQ's URL-safe name for a
// binding: the quoted routing key, plus `~` and a hash of the arguments when there are any (`~`
// alone for an empty key without arguments) — and bind/unbind made as a user.
import { createHash } from 'node:crypto';
import { stableStringify, type Binding, type Destination } from '../core/binding';
import type { BrokerCore } from '../core/broker-core';
import type { Exchange } from '../core/exchange';
import type { Queue } from '../core/queue';
import { checkBindingTopic } from '../core/publishing';
import type { VirtualHost } from '../core/vhost';
import type { FieldTable } from '../core/field-values';
import type { Actor, BindingSpec, JsonTable, Row } from '../api/broker-api';
import { BrokerError } from '../api/errors';
import { quotePlus } from '../api/quote-plus';
import { checkPermission, vhostFor } from './access';
import { jsonToTable, tableToJson } from './field-json';

export interface BindingRow extends Row {
  source: string;
  vhost: string;
  destination: string;
  destination_type: 'queue' | 'exchange';
  routing_key: string;
  arguments: JsonTable;
  properties_key: string;
}

const quoteBinding = (s: string) => quotePlus(s).replace(/~/g, '%7E');

/** A 32-bit hash of the arguments in URL-safe base64 (RabbitMQ uses erlang:phash2; any stable hash serves). */
function argumentsHash(args: FieldTable): string {
  return createHash('sha256').update(stableStringify(args)).digest().subarray(0, 4).toString('base64url');
}

export function propertiesKey(routingKey: string, args: FieldTable): string {
  const hasArgs = Object.keys(args).length > 0;
  if (!hasArgs) return routingKey === '' ? '~' : quoteBinding(routingKey);
  return `${quoteBinding(routingKey)}~${quoteBinding(argumentsHash(args))}`;
}

function row(vhost: string, source: string, destination: Destination, routingKey: string, args: FieldTable): BindingRow {
  return {
    source,
    vhost,
    destination: destination.name,
    destination_type: destination.kind,
    routing_key: routingKey,
    arguments: tableToJson(args),
    properties_key: propertiesKey(routingKey, args),
  };
}

export const bindingRow = (b: Binding): BindingRow => row(b.source.vhost, b.source.name, b.destination, b.routingKey, b.arguments);

/** Every binding of the vhost, the default exchange's implicit one per queue included. */
export function bindingsOf(vh: VirtualHost): BindingRow[] {
  const out: BindingRow[] = [];
  for (const q of vh.queues.values()) out.push(row(vh.name, '', q, q.name, {}));
  for (const e of vh.exchanges.values()) for (const b of e.bindings.values()) out.push(bindingRow(b));
  return out;
}

/** Bindings that lead to a queue, its default binding first. */
export function queueBindings(vh: VirtualHost, q: Queue): BindingRow[] {
  return [row(vh.name, '', q, q.name, {}), ...[...q.incoming].map(bindingRow)];
}

interface Ends {
  vh: VirtualHost;
  source: Exchange;
  destination: Destination;
}

function ends(core: BrokerCore, who: Actor, vhost: string, spec: { source: string; destination: string; destinationType: 'queue' | 'exchange' }): Ends {
  const vh = vhostFor(core, who, vhost);
  const source = vh.getExchange(spec.source);
  const destination = spec.destinationType === 'queue' ? vh.getQueue(spec.destination) : vh.getExchange(spec.destination);
  checkPermission(core, who, vh.name, 'write', destination.name, destination.kind);
  checkPermission(core, who, vh.name, 'read', source.name, 'exchange');
  return { vh, source, destination };
}

export function bind(core: BrokerCore, who: Actor, vhost: string, spec: BindingSpec): string {
  const { vh, source, destination } = ends(core, who, vhost, spec);
  checkBindingTopic(vh, core.users, who.name, source.name, spec.routingKey);
  const args = jsonToTable(spec.arguments);
  vh.bind(source, destination, spec.routingKey, args);
  return propertiesKey(spec.routingKey, args);
}

export function unbind(
  core: BrokerCore,
  who: Actor,
  vhost: string,
  spec: { source: string; destination: string; destinationType: 'queue' | 'exchange'; propertiesKey: string },
): void {
  const { vh, source, destination } = ends(core, who, vhost, spec);
  if (source.name === '') {
    // the default exchange's implicit bindings have no Binding object; the core refuses them
    vh.unbind(source, destination, destination.name, {});
    return;
  }
  const binding = [...destination.incoming].find((b) => b.source === source && bindingRow(b).properties_key === spec.propertiesKey);
  if (binding === undefined) throw new BrokerError('not_found', `no binding '${spec.propertiesKey}' between ${source.name} and ${destination.name}`, { code: 404 });
  checkBindingTopic(vh, core.users, who.name, source.name, binding.routingKey);
  vh.unbind(source, destination, binding.routingKey, binding.arguments);
}

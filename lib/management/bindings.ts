// /api/bindings: listings, bind (POST, answering 201 with a Location) and unbind by
// `properties_key` — RabbitMQ's URL-safe name for a binding: the quoted routing key, plus `~` and
// a hash of the arguments when there are any (`~` alone for an empty key without arguments).
import { createHash } from 'node:crypto';
import { stableStringify, type Binding, type Destination } from '../../broker/core/binding';
import type { Exchange } from '../../broker/core/exchange';
import type { Queue } from '../../broker/core/queue';
import type { VirtualHost } from '../../broker/core/vhost';
import type { FieldTable } from '../../broker/amqp/field-table';
import { checkPermission, visibleVhosts } from './auth';
import { optStr, optTable, readJsonObject } from './body';
import { amqpOp, objectNotFound } from './errors';
import { exchangeName } from './exchange-name';
import { tableToJson, type Json } from './field-json';
import { created, json, noContent } from './http';
import { listing } from './paging';
import type { Route, RouteContext } from './route';

export interface BindingDto {
  [key: string]: unknown;
  source: string;
  vhost: string;
  destination: string;
  destination_type: 'queue' | 'exchange';
  routing_key: string;
  arguments: { [key: string]: Json };
  properties_key: string;
}

export const BINDING_ORDER = ['vhost', 'source', 'destination', 'destination_type', 'routing_key', 'properties_key'];

/** mochiweb's quote_plus: bytes other than alphanumerics and `.-~_` as %XX, space as `+`. */
export function quotePlus(s: string): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const ch = String.fromCharCode(byte);
    if (/[A-Za-z0-9.\-~_]/.test(ch)) out += ch;
    else if (byte === 0x20) out += '+';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
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

function dto(vhost: string, source: string, destination: Destination, routingKey: string, args: FieldTable): BindingDto {
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

export const bindingDto = (b: Binding): BindingDto => dto(b.source.vhost, b.source.name, b.destination, b.routingKey, b.arguments);

/** Every binding of the vhost, the default exchange's implicit one per queue included. */
export function bindingsOf(vh: VirtualHost): BindingDto[] {
  const out: BindingDto[] = [];
  for (const q of vh.queues.values()) out.push(dto(vh.name, '', q, q.name, {}));
  for (const e of vh.exchanges.values()) for (const b of e.bindings.values()) out.push(bindingDto(b));
  return out;
}

/** Bindings that lead to a queue, its default binding first. */
export function queueBindings(vh: VirtualHost, q: Queue): BindingDto[] {
  return [dto(vh.name, '', q, q.name, {}), ...[...q.incoming].map(bindingDto)];
}

type Kind = 'q' | 'e';

interface Ends {
  source: Exchange;
  destination: Destination;
}

/** Source and destination from the URL; 404 (with RabbitMQ's reason) when either is missing. */
function ends(c: RouteContext, kind: Kind): Ends {
  const vh = c.vhost;
  return amqpOp(() => {
    const source = vh.getExchange(exchangeName(c.params.source));
    const destination = kind === 'q' ? vh.getQueue(c.params.dest) : vh.getExchange(c.params.dest);
    return { source, destination };
  });
}

function between(c: RouteContext, kind: Kind): BindingDto[] {
  const { source, destination } = ends(c, kind);
  const all = destination.kind === 'queue' ? queueBindings(c.vhost, destination) : [...destination.incoming].map(bindingDto);
  return all.filter((b) => b.source === source.name && b.destination_type === destination.kind);
}

function checkBindPermissions(c: RouteContext, { source, destination }: Ends): void {
  const core = c.broker.core;
  checkPermission(core, c.user, c.vhost.name, 'write', destination.name);
  checkPermission(core, c.user, c.vhost.name, 'read', source.name);
}

function routesFor(kind: Kind): Route[] {
  const base = `/api/bindings/:vhost/e/:source/${kind}/:dest`;
  const find = (c: RouteContext) => {
    const b = between(c, kind).find((x) => x.properties_key === c.params.props);
    if (b === undefined) throw objectNotFound();
    return b;
  };
  return [
    { method: 'GET', path: base, handle: (c) => json(listing(between(c, kind), c.query, BINDING_ORDER)) },
    {
      method: 'POST',
      path: base,
      handle: (c) => {
        const body = readJsonObject(c.req.body);
        const routingKey = optStr(body, 'routing_key', '');
        const args = optTable(body, 'arguments');
        const e = ends(c, kind);
        checkBindPermissions(c, e);
        amqpOp(() => c.vhost.bind(e.source, e.destination, routingKey, args));
        return created({ location: `${quotePlus(e.destination.name)}/${quotePlus(propertiesKey(routingKey, args))}` });
      },
    },
    { method: 'GET', path: `${base}/:props`, handle: (c) => json(find(c)) },
    {
      method: 'DELETE',
      path: `${base}/:props`,
      handle: (c) => {
        const b = find(c);
        const e = ends(c, kind);
        checkBindPermissions(c, e);
        const binding = [...e.destination.incoming].find((x) => x.source === e.source && bindingDto(x).properties_key === b.properties_key);
        // the default exchange's implicit bindings have no Binding object; unbinding them is refused by the core
        amqpOp(() => c.vhost.unbind(e.source, e.destination, b.routing_key, binding?.arguments ?? {}));
        return noContent();
      },
    },
  ];
}

export const bindingRoutes: Route[] = [
  {
    method: 'GET',
    path: '/api/bindings',
    handle: (c) => json(listing(visibleVhosts(c.broker.core, c.user).flatMap(bindingsOf), c.query, BINDING_ORDER)),
  },
  { method: 'GET', path: '/api/bindings/:vhost', handle: (c) => json(listing(bindingsOf(c.vhost), c.query, BINDING_ORDER)) },
  ...routesFor('q'),
  ...routesFor('e'),
];



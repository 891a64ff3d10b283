import type { FieldTable } from './field-values';
import type { Exchange } from './exchange';
import type { Queue } from './queue';

export type Destination = Queue | Exchange;

export class Binding {
  readonly source: Exchange;
  readonly destination: Destination;
  readonly routingKey: string;
  readonly arguments: FieldTable;
  /** Identity within the source: RabbitMQ treats the same key with other arguments as another binding. */
  readonly key: string;
  /** Messages routed through this binding: the console's per-edge rate. */
  routed = 0;

  constructor(source: Exchange, destination: Destination, routingKey: string, args: FieldTable) {
    this.source = source;
    this.destination = destination;
    this.routingKey = routingKey;
    this.arguments = args;
    this.key = bindingKey(destination, routingKey, args);
  }
}

export function bindingKey(destination: Destination, routingKey: string, args: FieldTable): string {
  const kind = destination.kind === 'queue' ? 'q' : 'e';
  return `${kind}\u0000${destination.name}\u0000${routingKey}\u0000${stableStringify(args)}`;
}

/** JSON with sorted keys, so argument tables compare by content. Buffers and bigints included. */
export function stableStringify(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'bigint') return `${value}n`;
  if (Buffer.isBuffer(value)) return `b64:${value.toString('base64')}`;
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    return `{${Object.keys(obj).sort().map((k) => `${JSON.stringify(k)}:${stableStringify(obj[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

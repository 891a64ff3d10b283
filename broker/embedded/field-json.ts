// AMQP field tables (arguments, headers, client properties) to JSON and back, as the management
// API shows and takes them.
import { Decimal, emptyTable, type FieldTable, type FieldValue } from '../core/field-values';
import { BrokerError } from '../api/errors';
import { isJsonObject } from '../api/json-fields';

const badRequest = BrokerError.badRequest;

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** A field value as JSON: int64 as a number, timestamps as seconds, byte arrays as text. */
export function fieldToJson(v: FieldValue): Json {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (v instanceof Date) return Math.floor(v.getTime() / 1000);
  if (v instanceof Decimal) return v.digits / 10 ** v.places;
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('utf8');
  if (Array.isArray(v)) return v.map(fieldToJson);
  return tableToJson(v);
}

/** Keys sorted, as RabbitMQ writes tables (it sorts arguments on declare and encodes maps in key order). */
export function tableToJson(t: FieldTable): { [key: string]: Json } {
  // no prototype, so that `__proto__` is shown as the key it is
  const out = Object.create(null) as { [key: string]: Json };
  for (const k of Object.keys(t).sort()) out[k] = fieldToJson(t[k]);
  return out;
}

/** JSON to a field value: integers stay integers (int32 or int64 on the wire), others are doubles. */
export function jsonToField(v: unknown, depth = 0): FieldValue {
  if (depth > 32) throw badRequest('arguments nest too deeply');
  if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (Array.isArray(v)) return v.map((x) => jsonToField(x, depth + 1));
  if (isJsonObject(v)) return jsonToTable(v, depth + 1);
  throw badRequest(['not_a_field_value', String(v)]);
}

export function jsonToTable(v: Record<string, unknown>, depth = 0): FieldTable {
  // no prototype: `__proto__`, `constructor` are keys like any other, never a hidden argument
  const out = emptyTable();
  for (const k of Object.keys(v)) out[k] = jsonToField(v[k], depth);
  return out;
}

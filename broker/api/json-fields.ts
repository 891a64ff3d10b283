// JSON objects read field by field — request bodies, definitions files — with RabbitMQ's reasons
// for what is wrong (`["not_boolean","yes"]`, `[{key_missing,routing_key}]`) as bad_request
// BrokerErrors. Shared by the broker (definitions import) and the web side (request bodies).
import type { JsonTable } from './broker-api';
import { BrokerError } from './errors';

export type JsonObject = Record<string, unknown>;

const badRequest = BrokerError.badRequest;
/** `[{key_missing,routing_key}]`, RabbitMQ's words for a required field that is absent. */
export const keyMissing = (key: string): BrokerError => badRequest(`[{key_missing,${key}}]`);

export function isJsonObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * All of `keys` must be there; otherwise one 400 naming every missing key, in `keys`' order, as
 * Erlang's ~p prints the list: on one line when it fits in 78 columns, else one key a line.
 */
export function requireKeys(o: JsonObject, keys: readonly string[]): void {
  const missing = keys.filter((k) => o[k] === undefined).map((k) => `{key_missing,${k}}`);
  if (missing.length === 0) return;
  const flat = `[${missing.join(',')}]`;
  throw badRequest(flat.length <= 78 ? flat : `[${missing.join(',\n ')}]`);
}

export function required(o: JsonObject, key: string): unknown {
  const v = o[key];
  if (v === undefined) throw keyMissing(key);
  return v;
}

/** true/false, or their strings as RabbitMQ's forms send them. */
export function toBool(v: unknown): boolean {
  if (v === true || v === 'true') return true;
  if (v === false || v === 'false') return false;
  throw badRequest(['not_boolean', v]);
}

export function optBool(o: JsonObject, key: string, dflt: boolean): boolean {
  const v = o[key];
  return v === undefined ? dflt : toBool(v);
}

/** Strings, with numbers and booleans taken as their text (RabbitMQ accepts `"routing_key": 5`). */
export function toStr(v: unknown, key: string): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw badRequest(['not_string', key]);
}

export function optStr(o: JsonObject, key: string, dflt: string): string {
  const v = o[key];
  return v === undefined ? dflt : toStr(v, key);
}

export function reqStr(o: JsonObject, key: string): string {
  return toStr(required(o, key), key);
}

/** An integer; `reason` names RabbitMQ's complaint (`not_integer` with the value, or `not_int` with the key). */
export function toInt(v: unknown, bad: () => unknown): number {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return Number(v);
  throw bad();
}

/** An `arguments`-like member: absent is `{}`, anything but an object is refused. */
export function optTable(o: JsonObject, key: string): JsonTable {
  const v = o[key];
  if (v === undefined || v === null || v === '') return {};
  if (!isJsonObject(v)) throw badRequest(['not_a_table', key]);
  return v as JsonTable;
}

/** Tags as RabbitMQ takes them: `"a,b"` or `["a","b"]`; blanks dropped. */
export function toTags(v: unknown): string[] {
  const parts = typeof v === 'string' ? v.split(',') : Array.isArray(v) ? v : undefined;
  if (parts === undefined || !parts.every((t): t is string => typeof t === 'string')) throw badRequest(['invalid_tags', v]);
  return parts.map((t) => t.trim()).filter((t) => t !== '');
}

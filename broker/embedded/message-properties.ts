// Basic message properties as the management API writes them (snake_case JSON, as in
// `POST .../get`) and reads them (`POST .../publish`).
import type { BasicProperties } from '../core/properties';
import { BrokerError } from '../api/errors';

const badRequest = BrokerError.badRequest;
import { isUtf8 } from 'node:buffer';
import { isJsonObject } from '../api/json-fields';
import { jsonToTable, tableToJson, type Json } from './field-json';

export type { Json };

/**
 * A body as the management API shows it: at most `max` bytes of it, as text when `auto` and the
 * bytes are UTF-8, else base64.
 */
export function payloadOf(full: Buffer, max: number | undefined, auto: boolean): { payload: string; encoding: 'string' | 'base64' } {
  const body = max !== undefined && max >= 0 && full.length > max ? full.subarray(0, max) : full;
  return auto && isUtf8(body) ? { payload: body.toString('utf8'), encoding: 'string' } : { payload: body.toString('base64'), encoding: 'base64' };
}

type StringProp = 'contentType' | 'contentEncoding' | 'correlationId' | 'replyTo' | 'expiration' | 'messageId' | 'type' | 'userId' | 'appId' | 'clusterId';
type IntProp = 'deliveryMode' | 'priority' | 'timestamp';

/** JSON name → property, in the spec's order. */
const FIELDS: [string, StringProp | IntProp | 'headers'][] = [
  ['content_type', 'contentType'],
  ['content_encoding', 'contentEncoding'],
  ['headers', 'headers'],
  ['delivery_mode', 'deliveryMode'],
  ['priority', 'priority'],
  ['correlation_id', 'correlationId'],
  ['reply_to', 'replyTo'],
  ['expiration', 'expiration'],
  ['message_id', 'messageId'],
  ['timestamp', 'timestamp'],
  ['type', 'type'],
  ['user_id', 'userId'],
  ['app_id', 'appId'],
  ['cluster_id', 'clusterId'],
];

const INT_LIMITS: Record<'priority' | 'timestamp', number> = { priority: 255, timestamp: Number.MAX_SAFE_INTEGER };

export function propertiesToJson(p: BasicProperties): { [key: string]: Json } {
  const out: { [key: string]: Json } = {};
  for (const [jsonName, prop] of FIELDS) {
    const v = p[prop];
    if (v === undefined) continue;
    out[jsonName] = prop === 'headers' ? tableToJson(v as NonNullable<BasicProperties['headers']>) : (v as string | number);
  }
  return out;
}

/**
 * Unknown keys are ignored, as RabbitMQ does; wrong types (null and numeric strings included) are
 * 400s with its reasons.
 */
export function jsonToProperties(o: Record<string, unknown>): BasicProperties {
  const p: BasicProperties = {};
  for (const [jsonName, prop] of FIELDS) {
    const v = o[jsonName];
    if (v === undefined) continue;
    if (prop === 'headers') {
      // RabbitMQ reads a list as a proplist of pairs it does not find, leaving no headers
      if (Array.isArray(v)) p.headers = {};
      else if (!isJsonObject(v)) throw badRequest(['not_table', jsonName]);
      else p.headers = jsonToTable(v);
    } else if (prop === 'deliveryMode' || prop === 'priority' || prop === 'timestamp') {
      if (typeof v !== 'number' || !Number.isInteger(v)) throw badRequest(['not_int', jsonName]);
      // any delivery mode but 1 and 2 is the publisher's 406 (publish.ts), whatever its size
      if (prop !== 'deliveryMode' && (v < 0 || v > INT_LIMITS[prop])) throw badRequest(['out_of_range', jsonName]);
      p[prop] = v;
    } else {
      if (typeof v !== 'string') throw badRequest(['not_string', jsonName]);
      if (Buffer.byteLength(v) > 255) throw badRequest(['too_long', jsonName]);
      p[prop] = v;
    }
  }
  return p;
}

// Basic message properties as the management API writes them (snake_case JSON, as in
// `POST .../get`) and reads them (`POST .../publish`).
import type { BasicProperties } from '../../broker/amqp/generated/protocol';
import { toInt } from './body';
import { badRequest } from './errors';
import { isJsonObject, jsonToTable, tableToJson, type Json } from './field-json';

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

const INT_LIMITS: Record<IntProp, number> = { deliveryMode: 255, priority: 255, timestamp: Number.MAX_SAFE_INTEGER };

export function propertiesToJson(p: BasicProperties): { [key: string]: Json } {
  const out: { [key: string]: Json } = {};
  for (const [jsonName, prop] of FIELDS) {
    const v = p[prop];
    if (v === undefined) continue;
    out[jsonName] = prop === 'headers' ? tableToJson(v as NonNullable<BasicProperties['headers']>) : (v as string | number);
  }
  return out;
}

/** Unknown keys are ignored, as RabbitMQ does; wrong types are 400s with its reasons. */
export function jsonToProperties(o: Record<string, unknown>): BasicProperties {
  const p: BasicProperties = {};
  for (const [jsonName, prop] of FIELDS) {
    const v = o[jsonName];
    if (v === undefined || v === null) continue;
    if (prop === 'headers') {
      if (!isJsonObject(v)) throw badRequest(['not_table', jsonName]);
      p.headers = jsonToTable(v);
    } else if (prop === 'deliveryMode' || prop === 'priority' || prop === 'timestamp') {
      const n = toInt(v, () => badRequest(['not_int', jsonName]));
      if (n < 0 || n > INT_LIMITS[prop]) throw badRequest(['out_of_range', jsonName]);
      p[prop] = n;
    } else {
      if (typeof v !== 'string') throw badRequest(['not_string', jsonName]);
      if (Buffer.byteLength(v) > 255) throw badRequest(['too_long', jsonName]);
      p[prop] = v;
    }
  }
  return p;
}

// Request bodies: the body as a JSON object, then read field by field with the shared readers
// (broker/api/json-fields.ts), whose bad_request errors carry RabbitMQ's reasons.
import { isJsonObject, type JsonObject } from '../../broker/index';
import { badRequest } from './errors';

export { isJsonObject, optBool, optStr, optTable, reqStr, required, requireKeys, toBool, toInt, toStr, toTags, type JsonObject } from '../../broker/index';

/** The body as a JSON object; an empty body is `{}`. `reason` is what RabbitMQ says for bad JSON. */
export function readJsonObject(body: Buffer | string | undefined, reason = 'not_json'): JsonObject {
  const raw = body === undefined ? '' : typeof body === 'string' ? body : body.toString('utf8');
  if (raw.trim() === '') return {};
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    throw badRequest(reason);
  }
  if (!isJsonObject(v)) throw badRequest(reason);
  return v;
}

/** The default exchange is `""` in listings and `amq.default` in URLs. */
export function exchangeName(urlName: string): string {
  return urlName === 'amq.default' ? '' : urlName;
}

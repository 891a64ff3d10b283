// Reads one browser message (a JSON text frame) into a ClientMessage, or says what is wrong with it.
// Nothing from the browser is trusted: every field is checked for type and range here, so the hub
// and the consumers work with well-formed values only.
import type { ClientMessage } from './protocol';

export const DEFAULT_FLOW_BUDGET = 50;
export const MAX_FLOW_BUDGET = 200;
/** Largest prefetch a browser consumer may ask for (AMQP's is a short). */
export const MAX_PREFETCH = 65535;

export type Parsed = { ok: true; message: ClientMessage } | { ok: false; reason: string; id?: string };

type Obj = Record<string, unknown>;

const bad = (reason: string, id?: string): Parsed => (id === undefined ? { ok: false, reason } : { ok: false, reason, id });
const ok = (message: ClientMessage): Parsed => ({ ok: true, message });

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const isStr = (v: unknown): v is string => typeof v === 'string';
const isTag = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const optBool = (v: unknown): v is boolean | undefined => v === undefined || typeof v === 'boolean';

export function parseClientMessage(text: string): Parsed {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return bad('not JSON');
  }
  if (!isObj(v)) return bad('not a JSON object');
  const id = isStr(v.id) ? v.id : undefined;
  switch (v.type) {
    case 'auth':
      if (!isStr(v.username) || !isStr(v.password)) return bad('auth needs username and password strings');
      return ok({ type: 'auth', username: v.username, password: v.password });
    case 'vhost':
      if (!isStr(v.vhost)) return bad('vhost needs a vhost string');
      return ok({ type: 'vhost', vhost: v.vhost });
    case 'flow':
      if (typeof v.budget !== 'number' || !Number.isFinite(v.budget) || v.budget < 0) return bad('flow needs a budget >= 0');
      return ok({ type: 'flow', budget: Math.min(MAX_FLOW_BUDGET, Math.floor(v.budget)) });
    case 'firehose':
      if (typeof v.on !== 'boolean') return bad('firehose needs on (a boolean)');
      return ok({ type: 'firehose', on: v.on });
    case 'consume': {
      if (id === undefined || id === '') return bad('consume needs an id');
      if (!isStr(v.queue)) return bad('consume needs a queue name', id);
      if (v.ack !== 'manual' && v.ack !== 'auto') return bad("ack must be 'manual' or 'auto'", id);
      const prefetch = v.prefetch;
      if (typeof prefetch !== 'number' || !Number.isInteger(prefetch) || prefetch < 0 || prefetch > MAX_PREFETCH) {
        return bad(`prefetch must be an integer from 0 to ${MAX_PREFETCH}`, id);
      }
      return ok({ type: 'consume', id, queue: v.queue, prefetch, ack: v.ack });
    }
    case 'ack':
      if (id === undefined) return bad('ack needs an id');
      if (!isTag(v.deliveryTag) || !optBool(v.multiple)) return bad('ack needs a deliveryTag (and multiple may be a boolean)', id);
      return ok({ type: 'ack', id, deliveryTag: v.deliveryTag, multiple: v.multiple === true });
    case 'nack':
      if (id === undefined) return bad('nack needs an id');
      if (!isTag(v.deliveryTag) || !optBool(v.multiple) || typeof v.requeue !== 'boolean') {
        return bad('nack needs a deliveryTag and requeue (and multiple may be a boolean)', id);
      }
      return ok({ type: 'nack', id, deliveryTag: v.deliveryTag, multiple: v.multiple === true, requeue: v.requeue });
    case 'reject':
      if (id === undefined) return bad('reject needs an id');
      if (!isTag(v.deliveryTag) || typeof v.requeue !== 'boolean') return bad('reject needs a deliveryTag and requeue', id);
      return ok({ type: 'reject', id, deliveryTag: v.deliveryTag, requeue: v.requeue });
    case 'cancel':
      if (id === undefined) return bad('cancel needs an id');
      return ok({ type: 'cancel', id });
    case 'follow':
      if (isStr(v.exchange) && v.flowId === undefined) return ok({ type: 'follow', exchange: v.exchange });
      if (typeof v.flowId === 'number' && Number.isSafeInteger(v.flowId) && v.flowId > 0 && v.exchange === undefined) return ok({ type: 'follow', flowId: v.flowId });
      return bad('follow needs an exchange name or a flowId (a positive integer)');
    default:
      return bad(`unknown message type ${JSON.stringify(v.type)}`);
  }
}

// Masking: every message a broker API hands out (browse, filter matches, "load all", get,
// browser-consumer deliveries — and so the export, built on browse; a remote RabbitMQ's get and
// consumers too) passes through here on its way out, so no path shows what the rules hide. Only what is shown changes: the message in the
// queue, what AMQP consumers receive and what a filter evaluates stay the original.
//
// Header values whose name is listed become "***" (any AMQP type); in a body that is whole JSON,
// the values at the listed paths become "***" (the JSON is then written compactly); in a body that
// is UTF-8 text, every match of a body pattern becomes "***". Binary bodies are left as they are.
// Each pattern may spend MASK_STEPS_PER_CHAR steps per character of the body shown: a body where
// it runs out is masked from there to its end, so a costly pattern hides more, never less.
// A truncated JSON body cannot be parsed, so JSON paths do not reach into it (body patterns do).
import type { MaskRules, JsonPathStep } from '../core/mask-rules';
import type { BrowsedMessage, Delivery, GotMessage, Row } from './broker-api';

export const MASK = '***';
/** Steps each body pattern may take per character shown (a plain pattern takes a few). */
export const MASK_STEPS_PER_CHAR = 64;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** The headers with listed names masked; the same object when none is. */
function maskHeaders(rules: MaskRules, properties: Row): Row {
  const headers = properties.headers;
  if (rules.headers.size === 0 || typeof headers !== 'object' || headers === null || Array.isArray(headers)) return properties;
  let out: Record<string, unknown> | undefined;
  for (const name of Object.keys(headers)) {
    if (!rules.headers.has(name.toLowerCase())) continue;
    out ??= { ...(headers as Record<string, unknown>) };
    out[name] = MASK;
  }
  return out === undefined ? properties : { ...properties, headers: out };
}

/** Masks the values at `steps` under `node` in place; whether any was. */
function maskPath(node: Json, steps: readonly JsonPathStep[], at: number): boolean {
  if (at === steps.length || typeof node !== 'object' || node === null) return false;
  const step = steps[at];
  const last = at === steps.length - 1;
  const visit = (container: Record<string, Json> | Json[], key: string | number): boolean => {
    const child = (container as Record<string, Json>)[key as string];
    if (child === undefined) return false;
    if (last) {
      (container as Record<string, Json>)[key as string] = MASK;
      return true;
    }
    return maskPath(child, steps, at + 1);
  };
  if ('any' in step) {
    let hit = false;
    if (Array.isArray(node)) for (let i = 0; i < node.length; i++) hit = visit(node, i) || hit;
    else for (const k of Object.keys(node)) hit = visit(node, k) || hit;
    return hit;
  }
  if ('index' in step) return Array.isArray(node) && step.index < node.length && visit(node, step.index);
  return !Array.isArray(node) && Object.prototype.hasOwnProperty.call(node, step.name) && visit(node, step.name);
}

/** `text` with every match of `pattern` masked; past the budget, the rest masked too. */
function maskMatches(pattern: MaskRules["bodyPatterns"][number], text: string): string {
  const budget = { steps: MASK_STEPS_PER_CHAR * (text.length + 1) };
  let out = '';
  let done = 0;
  let from = 0;
  while (from <= text.length) {
    const m = pattern.find(text, from, budget);
    if (m === undefined) break;
    if (m === 'budget') return `${out}${text.slice(done, from)}${MASK}`;
    const [s, e] = m;
    if (e === s) {
      // an empty match hides nothing; go on from the next character
      from = s + 1;
      continue;
    }
    out += text.slice(done, s) + MASK;
    done = from = e;
  }
  return out + text.slice(done);
}

/**
 * The body as shown (`truncated`: cut short of the whole), masked; undefined when nothing changed.
 * A cut may split a character at the end: those bytes stay as they are.
 */
export function maskBody(rules: MaskRules, body: Buffer, truncated: boolean): Buffer | undefined {
  if (body.length === 0 || (rules.jsonPaths.length === 0 && rules.bodyPatterns.length === 0)) return undefined;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body, { stream: truncated });
  } catch {
    return undefined;
  }
  const tail = body.subarray(Buffer.byteLength(text));
  let changed = false;
  if (rules.jsonPaths.length > 0 && !truncated && /^\s*[{[]/.test(text)) {
    let doc: Json | undefined;
    try {
      doc = JSON.parse(text) as Json;
    } catch {
      doc = undefined;
    }
    if (doc !== undefined) {
      let hit = false;
      for (const path of rules.jsonPaths) hit = maskPath(doc, path, 0) || hit;
      if (hit) {
        text = JSON.stringify(doc);
        changed = true;
      }
    }
  }
  for (const pattern of rules.bodyPatterns) {
    const next = maskMatches(pattern, text);
    if (next !== text) {
      text = next;
      changed = true;
    }
  }
  return changed ? Buffer.concat([Buffer.from(text, 'utf8'), tail]) : undefined;
}

/** A browsed message (browse, filter match, load all; so export) as the rules let it be shown. */
export function maskBrowsed(rules: MaskRules | undefined, m: BrowsedMessage): BrowsedMessage {
  if (rules === undefined) return m;
  const properties = maskHeaders(rules, m.properties);
  const body = maskBody(rules, Buffer.from(m.payload, 'base64'), m.truncated);
  if (properties === m.properties && body === undefined) return m;
  const out: BrowsedMessage = { ...m, properties, masked: true };
  if (body !== undefined) out.payload = body.toString('base64');
  // the AMQP encoding would carry the original header values
  if (properties !== m.properties) delete out.properties_raw;
  return out;
}

function maskPayload(rules: MaskRules, payload: string, encoding: 'string' | 'base64', truncated: boolean): string | undefined {
  const body = maskBody(rules, Buffer.from(payload, encoding === 'string' ? 'utf8' : 'base64'), truncated);
  if (body === undefined) return undefined;
  return encoding === 'string' ? body.toString('utf8') : body.toString('base64');
}

/** A message taken by get, masked. */
export function maskGot(rules: MaskRules | undefined, m: GotMessage): GotMessage {
  if (rules === undefined) return m;
  const props = Array.isArray(m.properties) ? undefined : (m.properties as Row);
  const properties = props === undefined ? undefined : maskHeaders(rules, props);
  const truncated = Buffer.byteLength(m.payload, m.payload_encoding === 'string' ? 'utf8' : 'base64') < m.payload_bytes;
  const payload = maskPayload(rules, m.payload, m.payload_encoding, truncated);
  if (properties === props && payload === undefined) return m;
  return { ...m, properties: properties ?? m.properties, payload: payload ?? m.payload, masked: true };
}

/** A delivery to a browser consumer, masked. */
export function maskDelivery(rules: MaskRules | undefined, d: Delivery): Delivery {
  if (rules === undefined) return d;
  const properties = maskHeaders(rules, d.properties);
  const truncated = Buffer.byteLength(d.payload, d.payloadEncoding === 'string' ? 'utf8' : 'base64') < d.payloadBytes;
  const payload = maskPayload(rules, d.payload, d.payloadEncoding, truncated);
  if (properties === d.properties && payload === undefined) return d;
  return { ...d, properties, payload: payload ?? d.payload, masked: true };
}

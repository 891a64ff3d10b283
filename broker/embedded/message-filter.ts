// Filter expressions over messages, in CEL (Common Expression Language: no loops, no side effects,
// no access to anything but the variables given) through @marcbachmann/cel-js. An expression is
// parsed and type-checked once, then run against each message's variables:
//   routing_key  string     exchange  string     redelivered  bool     size  int (body bytes)
//   properties   map        (content_type, delivery_mode, message_id, ... as the management API names them)
//   headers      map        (the headers table; integers are CEL ints)
//   body         string     (the body as UTF-8 text, its first 64 KiB; '' when not UTF-8)
//   json         dyn        (the body parsed as JSON when it is JSON of at most 64 KiB, else null)
// e.g. `routing_key.startsWith("order.") && headers.attempt > 2 && json.customer.tier == "gold"`.
// CEL's own `matches()` runs JavaScript's backtracking RegExp, which one pattern can keep busy for
// minutes: it is refused, and `text.regex(pattern)` runs the pattern on Warren's bounded engine
// (broker/core/regex-engine.ts) instead.
// Structure is bounded at parse time (length, AST nodes, depth, literal sizes); a message's body is
// read (from disk when paged out) only when the expression names `body` or `json`.
import { isUtf8 } from 'node:buffer';
import { Environment } from '@marcbachmann/cel-js';
import { LinearRegex } from '../core/regex-engine';
import { propertiesToJson } from './message-properties';
import type { QueueEntry } from '../core/queue';
import { FILTER_MAX_EXPRESSION } from '../api/broker-api';
import { BrokerError } from '../api/errors';

const BODY_TEXT_MAX = 64 * 1024;

const ENV = new Environment({
  limits: { maxAstNodes: 400, maxDepth: 24, maxListElements: 100, maxMapEntries: 100, maxCallArguments: 8 },
})
  .registerVariable('routing_key', 'string')
  .registerVariable('exchange', 'string')
  .registerVariable('redelivered', 'bool')
  .registerVariable('size', 'int')
  .registerVariable('properties', 'map')
  .registerVariable('headers', 'map')
  .registerVariable('body', 'string')
  .registerVariable('json', 'dyn')
  .registerFunction('string.regex(string): bool', (text: string, pattern: string) => regexFor(pattern).test(text));

/** Compiled patterns of the filters running now: one filter runs the same few patterns on every message. */
const PATTERNS = new Map<string, LinearRegex>();

function regexFor(pattern: string): LinearRegex {
  let re = PATTERNS.get(pattern);
  if (re === undefined) {
    if (PATTERNS.size >= 64) PATTERNS.clear();
    re = new LinearRegex(pattern);
    PATTERNS.set(pattern, re);
  }
  return re;
}

/** The expression with its string literals blanked out, to look for names in it. */
const withoutStrings = (e: string): string => e.replace(/"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'/g, '""');

/** What a message offers the expression; body and json are asked for only when used. */
export interface FilterSubject {
  routingKey: string;
  exchange: string;
  redelivered: boolean;
  size: number;
  properties: Record<string, unknown>;
  headers: Record<string, unknown>;
  body(): Buffer;
}

/** What a filter sees of a queued message (the body read only if the expression asks for it). */
export function subjectOf(entry: QueueEntry): FilterSubject {
  const msg = entry.msg;
  const properties = propertiesToJson(msg.properties);
  return {
    routingKey: msg.routingKey,
    exchange: msg.exchange,
    redelivered: entry.redelivered,
    size: msg.bodySize,
    properties,
    headers: (properties.headers ?? {}) as Record<string, unknown>,
    body: () => msg.body,
  };
}

export interface CompiledFilter {
  /** true when the message matches; throws when the expression cannot be evaluated on it */
  test(m: FilterSubject): boolean;
}

interface CelErrorLike {
  summary?: string;
  range?: { start: number; end: number };
  message: string;
}

/** A bad expression as a 400 that says what and where (0-based character position). */
function refusal(err: unknown): BrokerError {
  const e = err as CelErrorLike;
  const what = e.summary ?? firstLine(e.message);
  const at = e.range !== undefined ? ` at position ${e.range.start}` : '';
  return new BrokerError('bad_request', `filter expression: ${what}${at}`);
}

const firstLine = (s: string): string => s.split('\n')[0] ?? s;

export function compileFilter(expression: string): CompiledFilter {
  if (expression.trim() === '') throw new BrokerError('bad_request', 'filter expression: empty');
  if (expression.length > FILTER_MAX_EXPRESSION) throw new BrokerError('bad_request', `filter expression: longer than ${FILTER_MAX_EXPRESSION} characters`);
  const unbounded = /\bmatches\s*\(/.exec(withoutStrings(expression));
  if (unbounded !== null) {
    throw new BrokerError('bad_request', 'filter expression: matches() is not available, its regular expressions have no time bound; use text.regex(pattern)');
  }
  let run: (ctx: Record<string, unknown>) => unknown;
  try {
    const checked = ENV.check(expression);
    if (!checked.valid) throw checked.error;
    run = ENV.parse(expression) as unknown as (ctx: Record<string, unknown>) => unknown;
  } catch (err) {
    throw refusal(err);
  }
  const wantsBody = /\bbody\b/.test(expression);
  const wantsJson = /\bjson\b/.test(expression);
  return {
    test(m) {
      let text = '';
      let json: unknown = null;
      if (wantsBody || wantsJson) {
        const raw = m.body();
        const head = raw.length > BODY_TEXT_MAX ? raw.subarray(0, BODY_TEXT_MAX) : raw;
        text = isUtf8(head) ? head.toString('utf8') : '';
        if (wantsJson && raw.length <= BODY_TEXT_MAX && text !== '') json = parseJson(text);
      }
      const out = run({
        routing_key: m.routingKey,
        exchange: m.exchange,
        redelivered: m.redelivered,
        size: BigInt(m.size),
        properties: celValue(m.properties, 0),
        headers: celValue(m.headers, 0),
        body: text,
        json,
      });
      if (typeof out !== 'boolean') throw new Error(`the expression gave ${typeof out === 'bigint' ? 'an int' : typeof out}, not a bool`);
      return out;
    },
  };
}

function parseJson(text: string): unknown {
  const t = text.trimStart();
  if (!(t.startsWith('{') || t.startsWith('['))) return null;
  try {
    return celValue(JSON.parse(t), 0);
  } catch {
    return null;
  }
}

/** JSON-ish values as CEL sees them: whole numbers are ints (BigInt), objects maps, depth bounded. */
function celValue(v: unknown, depth: number): unknown {
  if (typeof v === 'number') return Number.isSafeInteger(v) ? BigInt(v) : v;
  if (v === null || typeof v !== 'object') return v;
  if (depth > 32) return null;
  if (Array.isArray(v)) return v.map((x) => celValue(x, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = celValue(x, depth + 1);
  return out;
}

import type { Destinations } from './destinations';
import { valueText, type FieldTable } from './field-values';
import type { Binding } from './binding';
import { stableStringify } from './binding';
import { Exchange } from './exchange';
import type { Message } from './message';
import { rabbitType } from './queue-arguments';

export type MatchMode = 'all' | 'any' | 'all-with-x' | 'any-with-x';

/** What a headers binding's arguments ask of a message: shared by routing and its explanation (route-explain.ts). */
export interface HeaderRule {
  mode: MatchMode;
  /** [header name, expected value as a comparable string, or undefined for "present with any value"] */
  pairs: [string, string | undefined][];
  /** arguments that take no part (`x-` ones unless the mode is `*-with-x`) */
  ignored: string[];
}

interface Rule extends HeaderRule {
  binding: Binding;
}

/**
 * Routes on message headers against binding arguments, as RabbitMQ does: `x-match` is `all`
 * (default) or `any`; arguments starting `x-` take no part unless the mode is `all-with-x` or
 * `any-with-x`; a void argument matches a header of that name with any value.
 */
export class HeadersExchange extends Exchange {
  readonly type = 'headers' as const;
  private readonly rules: Rule[] = [];

  route(msg: Message, out: Destinations): number {
    if (this.rules.length === 0) return 0;
    const headers = msg.properties.headers;
    let n = 0;
    for (const rule of this.rules) {
      if (!matches(rule, headers)) continue;
      rule.binding.routed++;
      out.add(rule.binding.destination);
      n++;
    }
    return n;
  }

  protected indexAdd(b: Binding): void {
    this.rules.push(compileRule(b));
  }

  protected indexRemove(b: Binding): void {
    const i = this.rules.findIndex((r) => r.binding === b);
    if (i >= 0) this.rules.splice(i, 1);
  }
}

export function isValidMatchMode(v: unknown): boolean {
  return v === undefined || v === 'all' || v === 'any' || v === 'all-with-x' || v === 'any-with-x';
}

/** RabbitMQ's 406 text for an x-match it does not know; the value appears as Erlang's ~p prints it. */
export function invalidMatchModeText(args: FieldTable): string {
  const v = args['x-match'];
  if (typeof v === 'string') {
    const quoted = v === '' ? '' : `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
    return `Invalid x-match field value <<${quoted}>>; expected all, any, all-with-x, or any-with-x`;
  }
  return `Invalid x-match field type ${rabbitType(args, 'x-match') ?? 'void'} (value ${valueText(v)}); expected longstr`;
}

function compileRule(binding: Binding): Rule {
  return { binding, ...headerRule(binding.arguments) };
}

/** A binding's arguments as the rule routing applies; tables from the wire or from JSON alike. */
export function headerRule(args: Readonly<Record<string, unknown>>): HeaderRule {
  const mode = (typeof args['x-match'] === 'string' ? args['x-match'] : 'all') as MatchMode;
  const withX = mode === 'all-with-x' || mode === 'any-with-x';
  const pairs: [string, string | undefined][] = [];
  const ignored: string[] = [];
  for (const k of Object.keys(args)) {
    if (k === 'x-match') continue;
    if (!withX && k.startsWith('x-')) {
      ignored.push(k);
      continue;
    }
    const v = args[k];
    pairs.push([k, v === null || v === undefined ? undefined : stableStringify(v)]);
  }
  return { mode, pairs, ignored };
}

export function isAllMode(mode: MatchMode): boolean {
  return mode === 'all' || mode === 'all-with-x';
}

/** One argument of a rule against the message's headers: present, and equal unless void. */
export function headerPairMatches(headers: Readonly<Record<string, unknown>> | undefined, name: string, expected: string | undefined): boolean {
  if (headers === undefined || !Object.prototype.hasOwnProperty.call(headers, name)) return false;
  return expected === undefined || stableStringify(headers[name]) === expected;
}

function matches(rule: Rule, headers: FieldTable | undefined): boolean {
  const all = isAllMode(rule.mode);
  if (rule.pairs.length === 0) return all;
  for (const [k, expected] of rule.pairs) {
    const ok = headerPairMatches(headers, k, expected);
    if (all && !ok) return false;
    if (!all && ok) return true;
  }
  return all;
}

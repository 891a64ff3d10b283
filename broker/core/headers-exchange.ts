import { valueText, type FieldTable } from './field-values';
import type { Binding, Destination } from './binding';
import { stableStringify } from './binding';
import { Exchange } from './exchange';
import type { Message } from './message';
import { rabbitType } from './queue-arguments';

type MatchMode = 'all' | 'any' | 'all-with-x' | 'any-with-x';

interface Rule {
  binding: Binding;
  mode: MatchMode;
  /** [header name, expected value as a comparable string, or undefined for "present with any value"] */
  pairs: [string, string | undefined][];
}

/**
 * Routes on message headers against binding arguments, as RabbitMQ does: `x-match` is `all`
 * (default) or `any`; arguments starting `x-` take no part unless the mode is `all-with-x` or
 * `any-with-x`; a void argument matches a header of that name with any value.
 */
export class HeadersExchange extends Exchange {
  readonly type = 'headers' as const;
  private readonly rules: Rule[] = [];

  route(msg: Message, out: Set<Destination>): void {
    if (this.rules.length === 0) return;
    const headers = msg.properties.headers;
    for (const rule of this.rules) {
      if (!matches(rule, headers)) continue;
      rule.binding.routed++;
      out.add(rule.binding.destination);
    }
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
  const args = binding.arguments;
  const mode = (typeof args['x-match'] === 'string' ? args['x-match'] : 'all') as MatchMode;
  const withX = mode === 'all-with-x' || mode === 'any-with-x';
  const pairs: [string, string | undefined][] = [];
  for (const k of Object.keys(args)) {
    if (k === 'x-match' || (!withX && k.startsWith('x-'))) continue;
    const v = args[k];
    pairs.push([k, v === null || v === undefined ? undefined : stableStringify(v)]);
  }
  return { binding, mode, pairs };
}

function matches(rule: Rule, headers: FieldTable | undefined): boolean {
  const all = rule.mode === 'all' || rule.mode === 'all-with-x';
  if (rule.pairs.length === 0) return all;
  for (const [k, expected] of rule.pairs) {
    const present = headers !== undefined && Object.prototype.hasOwnProperty.call(headers, k);
    const ok = present && (expected === undefined || stableStringify(headers[k]) === expected);
    if (all && !ok) return false;
    if (!all && ok) return true;
  }
  return all;
}

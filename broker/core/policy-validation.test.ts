// Every expected text here is what RabbitMQ 3.10.8 answered (PUT /api/policies, before its HTML
// escaping) for the same input.
import { describe, expect, it } from 'vitest';
import { erlFloat, fromJson, pretty } from './erl-pretty';
import { compilePattern } from './pcre';
import { parsePolicy, PolicyError, type PolicyInput } from './policy-validation';

function refusal(input: PolicyInput): string {
  try {
    parsePolicy('v', 'p', input);
  } catch (err) {
    if (err instanceof PolicyError) return err.message;
    throw err;
  }
  throw new Error('accepted');
}

/** The whole reason for one problem. */
const failed = (line: string) => `Validation failed\n\n${line}\n`;

describe('parsePolicy', () => {
  it('takes a valid policy, with RabbitMQ’s defaults and its definition keys sorted', () => {
    const p = parsePolicy('v', 'p', { pattern: '^a', definition: { 'message-ttl': 5, 'max-length': 1 } });
    expect([p.applyTo, p.priority, Object.keys(p.definition)]).toEqual(['all', 0, ['max-length', 'message-ttl']]);
    expect(parsePolicy('v', 'p', { pattern: 'a', definition: { 'max-length': 1 }, priority: 1.5, applyTo: 'queues' }).priority).toBe(1.5);
    expect(parsePolicy('v', 'p', { pattern: 'a', definition: { 'dead-letter-routing-key': 'k', 'max-length': 1e20 } })).toBeDefined();
  });

  const cases: [string, PolicyInput, string][] = [
    ['a bad regex', { pattern: '(', definition: { 'max-length': 5 } }, 'pattern should be regular expression but is invalid: {"missing )",1}'],
    ['an unknown apply-to', { pattern: 'a', definition: { 'max-length': 5 }, applyTo: 'foo' }, "apply-to 'foo' unrecognised; should be 'queues', 'exchanges' or 'all'"],
    ['a null apply-to', { pattern: 'a', definition: { 'max-length': 5 }, applyTo: null }, "apply-to 'null' unrecognised; should be 'queues', 'exchanges' or 'all'"],
    ['an unknown key', { pattern: 'a', definition: { 'max-lengthx': 5 } }, '[{<<"max-lengthx">>,5}] are not recognised policy settings'],
    ['unknown keys, sorted', { pattern: 'a', definition: { foo: 1, bar: 2 } }, '[{<<"bar">>,2},{<<"foo">>,1}] are not recognised policy settings'],
    ['max-priority (no policy key)', { pattern: 'a', definition: { 'max-priority': 5 } }, '[{<<"max-priority">>,5}] are not recognised policy settings'],
    ['single-active-consumer (no policy key)', { pattern: 'a', definition: { 'single-active-consumer': true } }, '[{<<"single-active-consumer">>,true}] are not recognised policy settings'],
    ['a string max-length', { pattern: 'a', definition: { 'max-length': '5' } }, '<<"5">> is not a valid maximum length'],
    ['a negative max-length', { pattern: 'a', definition: { 'max-length': -1 } }, '-1 is not a valid maximum length'],
    ['the first bad key in key order', { pattern: 'a', definition: { 'message-ttl': -1, 'max-length': -2 } }, '-2 is not a valid maximum length'],
    ['a float TTL', { pattern: 'a', definition: { 'message-ttl': 1.5 } }, '1.5 is not a valid message TTL'],
    ['expires 0', { pattern: 'a', definition: { expires: 0 } }, '0 is not a valid queue expiry'],
    ['a bad overflow', { pattern: 'a', definition: { overflow: 'x' } }, '<<"x">> is not a valid overflow value'],
    ['a bad queue-mode', { pattern: 'a', definition: { 'queue-mode': 'x' } }, '<<"x">> is not a valid queue-mode value'],
    ['a numeric DLX', { pattern: 'a', definition: { 'dead-letter-exchange': 5 } }, '5 is not a valid dead letter exchange name'],
    ['a boolean AE', { pattern: 'a', definition: { 'alternate-exchange': true } }, 'true is not a valid alternate exchange name'],
    ['a negative delivery limit', { pattern: 'a', definition: { 'delivery-limit': -1 } }, '-1 is not a valid delivery limit'],
    ['queue-version 3', { pattern: 'a', definition: { 'queue-version': 3 } }, '3 is not a valid queue-version value'],
    ['a bad max-age', { pattern: 'a', definition: { 'max-age': '0D' } }, '<<"0D">> is not a valid max age'],
    ['a unicode TTL', { pattern: 'a', definition: { 'message-ttl': 'ümlaut' } }, '<<"ümlaut">> is not a valid message TTL'],
    ['a known bad key before unknown ones', { pattern: 'a', definition: { foo: 1, 'max-length': 'x' } }, '<<"x">> is not a valid maximum length'],
    ['a bad ha-mode', { pattern: 'a', definition: { 'ha-mode': 'bogus' } }, '<<"bogus">> is not a valid ha-mode value'],
    ['ha-params without ha-mode', { pattern: 'a', definition: { 'ha-params': 2 } }, 'ha-mode must be specified to specify ha-params, ha-sync-mode or ha-promote-on-shutdown'],
    ['exactly with a string', { pattern: 'a', definition: { 'ha-mode': 'exactly', 'ha-params': 'x' } }, 'ha-mode="exactly" takes an integer, <<"x">> given'],
    ['exactly with nothing', { pattern: 'a', definition: { 'ha-mode': 'exactly' } }, 'ha-mode="exactly" takes an integer, none given'],
    ['all with params', { pattern: 'a', definition: { 'ha-mode': 'all', 'ha-params': 1 } }, 'ha-mode="all" does not take parameters'],
    ['nodes, empty', { pattern: 'a', definition: { 'ha-mode': 'nodes', 'ha-params': [] } }, 'ha-mode="nodes" list must be non-empty'],
    ['nodes, not strings', { pattern: 'a', definition: { 'ha-mode': 'nodes', 'ha-params': [1, 'a'] } }, 'ha-mode="nodes" takes a list of strings, [1] was not a string'],
    ['a bad ha-sync-mode', { pattern: 'a', definition: { 'ha-mode': 'all', 'ha-sync-mode': 'x', 'ha-promote-on-shutdown': 'y' } }, 'ha-sync-mode must be "manual" or "automatic", got <<"x">>'],
    ['ha-sync-batch-size 0', { pattern: 'a', definition: { 'ha-mode': 'all', 'ha-sync-batch-size': 0 } }, 'ha-sync-batch-size takes an integer greater than 0, 0 given'],
    ['rabbit_policies before ha-*', { pattern: 'a', definition: { 'ha-mode': 'x', 'max-length': 'y' } }, '<<"y">> is not a valid maximum length'],
    ['queue-master-locator first', { pattern: 'a', definition: { 'queue-master-locator': 'x', 'max-length': 'y' } }, '<<"x">> invalid queue-master-locator value'],
    ['an empty definition', { pattern: 'a', definition: {} }, 'no policy provided'],
    ['a numeric pattern', { pattern: 5, definition: { 'max-length': 1 } }, 'pattern should be a binary but was 5'],
    ['a string priority', { pattern: 'a', definition: { 'max-length': 1 }, priority: '5' }, 'priority should be a number, actually was <<"5">>'],
    ['a null priority', { pattern: 'a', definition: { 'max-length': 1 }, priority: null }, 'priority should be a number, actually was null'],
    ['a missing pattern (import)', { pattern: undefined, definition: { 'max-length': 1 } }, 'pattern should be a binary but was undefined'],
    ['a missing definition (import)', { pattern: 'x', definition: undefined }, 'parse error while reading policy definition: undefined. Validator: policy_validator.'],
  ];
  for (const [what, input, line] of cases) it(`refuses ${what}`, () => expect(refusal(input)).toBe(failed(line)));

  it('lists every problem: definition, apply-to, pattern, priority', () => {
    expect(refusal({ pattern: '(', definition: { foo: 1 }, applyTo: 'x', priority: 'y' })).toBe(
      'Validation failed\n\n[{<<"foo">>,1}] are not recognised policy settings\n' +
        "apply-to 'x' unrecognised; should be 'queues', 'exchanges' or 'all'\n" +
        'pattern should be regular expression but is invalid: {"missing )",1}\n' +
        'priority should be a number, actually was <<"y">>\n',
    );
  });

  it('accepts every key RabbitMQ 3.10 knows, ha-* and locators included', () => {
    const definition = {
      'alternate-exchange': 'ae', 'dead-letter-exchange': 'd', 'dead-letter-routing-key': 'k', 'dead-letter-strategy': 'at-least-once',
      'message-ttl': 0, expires: 1, 'max-length': 0, 'max-length-bytes': 0, 'max-in-memory-length': 0, 'max-in-memory-bytes': 0,
      'queue-mode': 'lazy', 'queue-version': 2, overflow: 'reject-publish-dlx', 'delivery-limit': 0, 'max-age': '10m',
      'stream-max-segment-size-bytes': 3_000_000_000, 'queue-leader-locator': 'balanced', 'initial-cluster-size': 3,
      'queue-master-locator': 'min-masters', 'ha-mode': 'nodes', 'ha-params': ['rabbit@a'], 'ha-sync-mode': 'automatic',
      'ha-sync-batch-size': 10, 'ha-promote-on-shutdown': 'always', 'ha-promote-on-failure': 'when-synced',
    };
    expect(Object.keys(parsePolicy('v', 'p', { pattern: '.', definition }).definition)).toHaveLength(Object.keys(definition).length);
  });
});

describe('Erlang ~p', () => {
  it('prints JSON as RabbitMQ decodes it', () => {
    expect(pretty(fromJson({ b: 1, a: null }))).toBe('#{<<"a">> => null,<<"b">> => 1}');
    expect(pretty(fromJson([104, 105]))).toBe('"hi"');
    expect(pretty(fromJson('€'))).toBe('<<226,130,172>>');
    expect(pretty(fromJson('a\tb'))).toBe('<<"a\\tb">>');
    expect(pretty(fromJson(['x', null, []]))).toBe('[<<"x">>,null,[]]');
    expect([1.5, 0.1, 3e10, 1e21, 123.456, 1.5e-7, 1e-5, 100.5].map(erlFloat)).toEqual(['1.5', '0.1', '3.0e10', '1.0e21', '123.456', '1.5e-7', '1.0e-5', '100.5']);
  });

  it('breaks what does not fit in 80 columns where io_lib_pretty does', () => {
    const settings = (n: number) => ({ list: [{ tuple: [{ bin: 'a' }, { bin: 'x'.repeat(n) }] }, { tuple: [{ bin: 'b' }, { int: 1n }] }] });
    expect(pretty(settings(61) as never)).toBe(`[{<<"a">>,<<"${'x'.repeat(61)}">>},\n {<<"b">>,1}]`);
    expect(pretty(settings(62) as never)).toBe(`[{<<"a">>,\n  <<"${'x'.repeat(62)}">>},\n {<<"b">>,1}]`);
    expect(pretty(fromJson(Array.from({ length: 40 }, (_, i) => i + 1)))).toBe(
      `[${Array.from({ length: 28 }, (_, i) => i + 1).join(',')},\n ${Array.from({ length: 12 }, (_, i) => i + 29).join(',')}]`,
    );
    expect(pretty(fromJson({ aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa: 1, bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb: [1, 2, 3] }))).toBe(
      '#{<<"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">> => 1,\n  <<"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb">> => [1,2,3]}',
    );
  });
});

describe('compilePattern', () => {
  // PCRE's message and offset, from Erlang's re:compile/1 on the same pattern
  const errors: [string, string, number][] = [
    ['(', 'missing )', 1], ['a(b', 'missing )', 3], ['((a)', 'missing )', 4], [')', 'unmatched parentheses', 0], ['ab)', 'unmatched parentheses', 2],
    ['[', 'missing terminating ] for character class', 1], ['a[b', 'missing terminating ] for character class', 3],
    ['[]', 'missing terminating ] for character class', 2], ['*', 'nothing to repeat', 0], ['a**', 'nothing to repeat', 2],
    ['+a', 'nothing to repeat', 0], ['?', 'nothing to repeat', 0], ['a{2,1}', 'numbers out of order in {} quantifier', 5],
    ['\\', '\\ at end of pattern', 1], ['ab\\', '\\ at end of pattern', 3], ['[z-a]', 'range out of order in character class', 3],
    ['x{1}{2}', 'nothing to repeat', 6], ['(?', 'unrecognized character after (? or (?-', 2], ['\\c', '\\c at end of pattern', 2],
    ['a|*', 'nothing to repeat', 2], ['(*)', 'nothing to repeat', 1], ['^*', 'nothing to repeat', 1], ['$*', 'nothing to repeat', 1],
    ['\\b*', 'nothing to repeat', 2], ['\\1', 'reference to non-existent subpattern', 2], ['(a)\\2', 'reference to non-existent subpattern', 5],
  ];
  for (const [pattern, message, offset] of errors) {
    it(`refuses ${JSON.stringify(pattern)} as PCRE does`, () => expect(compilePattern(pattern)).toEqual({ ok: false, message, offset }));
  }

  it('runs what PCRE takes, PCRE spellings included', () => {
    const matches = (pattern: string, name: string) => {
      const r = compilePattern(pattern);
      if (!r.ok) throw new Error(r.message);
      return r.regex.test(name);
    };
    expect(matches('^amq\\.', 'amq.gen-1')).toBe(true);
    expect(matches('^amq\\.', 'xamq.gen')).toBe(false);
    expect(matches('', 'anything')).toBe(true);
    expect(matches('(?P<n>a)(?P=n)', 'aa')).toBe(true);
    expect(matches('\\Aab\\z', 'ab')).toBe(true);
    expect(matches('\\Aab\\z', 'abc')).toBe(false);
    expect(matches('(?i)^LOGS$', 'logs')).toBe(true);
    expect(matches('^[[:digit:]]+$', '123')).toBe(true);
    expect(matches('\\Qa.b\\E', 'a.b')).toBe(true);
    expect(matches('\\Qa.b\\E', 'axb')).toBe(false);
    expect(matches('a{', 'a{')).toBe(true);
    expect(matches('^(?:a|b)+$', 'abab')).toBe(true);
    expect(matches('^a++$', 'aaa')).toBe(true);
  });
});

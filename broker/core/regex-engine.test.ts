import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePattern } from './pcre';
import { LinearRegex } from './regex-engine';

const timed = <T>(f: () => T): [T, number] => {
  const t0 = performance.now();
  const r = f();
  return [r, performance.now() - t0];
};

// Random patterns of the subset pcre.ts hands on (no back-references: JavaScript and PCRE disagree
// on a group that has not matched), small enough that JavaScript's own RegExp answers quickly.
const atom: fc.Arbitrary<string> = fc.constantFrom('a', 'b', '.', '-', '\\.', '[ab]', '[^a]', '[a-c]', '\\w', '\\W', '\\d', 'A', '\\b', '\\B', '^', '$');
const pattern: fc.Arbitrary<string> = fc.letrec<{ re: string }>((tie) => ({
  re: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    atom,
    fc.tuple(tie('re'), tie('re')).map(([x, y]) => x + y),
    fc.tuple(tie('re'), tie('re')).map(([x, y]) => `(?:${x}|${y})`),
    fc.tuple(tie('re'), fc.constantFrom('*', '+', '?', '{2}', '{1,3}', '{0,}', '*?')).map(([x, q]) => `(?:${x})${q}`),
    tie('re').map((x) => `(${x})`),
    tie('re').map((x) => `(?=${x})`),
    tie('re').map((x) => `(?!${x})`),
    tie('re').map((x) => `(?<=${x})`),
    tie('re').map((x) => `(?<!${x})`),
  ),
})).re;
const text = fc.stringMatching(/^[abAc.\-1 ]{0,12}$/);

describe('LinearRegex', () => {
  it('answers as JavaScript does on the subset', () => {
    fc.assert(
      fc.property(pattern, fc.constantFrom('', 'i', 'm', 's'), fc.array(text, { minLength: 1, maxLength: 5 }), (src, flags, texts) => {
        const ours = new LinearRegex(src, flags);
        const js = new RegExp(src, flags);
        for (const t of texts) expect(ours.test(t), `${src} /${flags} on ${JSON.stringify(t)}`).toBe(js.test(t));
      }),
      { numRuns: 1500 },
    );
  });

  it('reads escapes, classes and quantifiers as JavaScript does', () => {
    const cases: [string, string, string][] = [
      ['^\\x41\\u0042\\t$', '', 'AB\t'], ['[\\d-z]', '', '-'], ['[\\b]', '', '\b'], ['a{,2}', '', 'a{,2}'], ['\\cA', '', '\u0001'],
      ['\\c1', '', '\\c1'], ['[^]', '', 'x'], ['[]', '', 'x'], ['\\0', '', '\0'], ['\\101', '', 'A'], ['a{2,}$', '', 'aaa'],
      ['(?<n>a)\\k<n>', '', 'aa'], ['(a)\\1', 'i', 'aA'], ['^[a-z]+$', 'i', 'ABC'], ['^\\W+$', 'i', 'ſK'], ['\\k', '', 'k'], ['a.b', 's', 'a\nb'],
      ['^b', 'm', 'a\nb'], ['a$', 'm', 'a\nb'], ['(a|)*x', '', 'aax'], ['(?:a*)*b', '', 'aab'], ['\\8', '', '8'],
    ];
    for (const [src, flags, t] of cases) {
      const js = new RegExp(src, flags);
      expect(new LinearRegex(src, flags).test(t), `${src} on ${JSON.stringify(t)}`).toBe(js.test(t));
      expect(new LinearRegex(src, flags).test(`${t}#`), `${src} on ${JSON.stringify(t)}#`).toBe(js.test(`${t}#`));
    }
  });

  it('takes linear time on patterns that make a backtracker explode', () => {
    const long = `${'a'.repeat(1000)}!`;
    for (const src of ['(a+)+$', '^(a|a)*$', '(a|aa)+b', '(.*a){20}$', '^(\\w+\\s?)*$', '(?=(a+)+$)', '(?<=(a+)+b)', '(?:a*)*b', '^(a+)+(?!a)b']) {
      const [r, ms] = timed(() => new LinearRegex(src).test(long));
      expect(r, src).toBe(false);
      expect(ms, src).toBeLessThan(1000);
    }
  });

  it('remembers lookarounds across positions: linear when they match at every one', () => {
    const long = `${'a'.repeat(1000)}!`;
    for (const [src, expected] of [['^(?:(?=.*!)a)*!$', true], ['(?<=^a.*)b', false], ['^(?:(?<=^a*)a)*!$', true], ['(?=.*b)', false]] as const) {
      const [r, ms] = timed(() => new LinearRegex(src).test(long));
      expect(r, src).toBe(expected);
      expect(ms, src).toBeLessThan(1000);
    }
  });

  it('runs back-references under a step budget: past it, no match, as re past its match limit', () => {
    expect(new LinearRegex('^(a+)\\1$').test('aaaa')).toBe(true);
    expect(new LinearRegex('^(a+)\\1$').test('aaa')).toBe(false);
    // PCRE: a group that did not take part matches nothing
    expect(new LinearRegex('(x)?\\1a').test('a')).toBe(false);
    const [r, ms] = timed(() => new LinearRegex('^((a+)+)\\1b').test(`${'a'.repeat(40)}c`));
    expect(r).toBe(false);
    expect(ms).toBeLessThan(2000);
  });

  it('stops a huge pattern on a long text at the step budget: no match, in milliseconds', () => {
    const r = compilePattern('(?:.?){1200}(?:.?){1200}x');
    if (!r.ok) throw new Error(r.message);
    const [hit, ms] = timed(() => r.regex.test('y'.repeat(300)));
    expect(hit).toBe(false);
    expect(ms).toBeLessThan(1000);
    expect(r.regex.test('yx')).toBe(true);
  });

  it('refuses a pattern too large to run, as PCRE does', () => {
    // each answer and offset as RabbitMQ 3.10.8 gave it for a policy pattern
    expect(compilePattern('(?:(?:a{1000}){1000}){1000}')).toEqual({ ok: false, message: 'regular expression is too large', offset: 27 });
    expect(compilePattern('(?:(?:a{100}){100}){100}')).toEqual({ ok: false, message: 'regular expression is too large', offset: 24 });
    expect(compilePattern('a{70000}')).toEqual({ ok: false, message: 'number too big in {} quantifier', offset: 7 });
    expect(compilePattern('a{1,70000}')).toEqual({ ok: false, message: 'number too big in {} quantifier', offset: 9 });
    expect(compilePattern('a{65535}').ok).toBe(true);
    // the largest counts RabbitMQ takes, and one more
    for (const [pattern, largest] of [['(?:ab){N}', 6552], ['(?:[ab]c){N}', 1598], ['(?:a|b){N}', 5040], ['(a){N}', 6552], ['(?:a+){N}', 8191], ['(?:a){N,}', 8191], ['(?:ab){1,N}', 3855], ['(?:.c){N}', 7281]] as const) {
      expect(compilePattern(pattern.replace('N', String(largest))).ok, `${pattern} at ${largest}`).toBe(true);
      expect(compilePattern(pattern.replace('N', String(largest + 1))), `${pattern} at ${largest + 1}`).toMatchObject({ ok: false, message: 'regular expression is too large' });
    }
    // RabbitMQ 3.10: 70,000 letters are too large, at offset 70000; refused before any work
    const [r, ms] = timed(() => !compilePattern('a'.repeat(70_000)).ok);
    expect(r).toBe(true);
    expect(compilePattern('a'.repeat(70_000))).toEqual({ ok: false, message: 'regular expression is too large', offset: 70_000 });
    expect(ms).toBeLessThan(50);
    // 250 nested groups are fine
    expect(compilePattern(`${'('.repeat(250)}a${')'.repeat(250)}`).ok).toBe(true);
  });

  it('takes large counted repeats as PCRE does and runs them only as far as the name can hold', () => {
    const [r, ms] = timed(() => compilePattern('(?:a{1000}){1000}'));
    expect(r.ok).toBe(true);
    expect(ms).toBeLessThan(200);
    if (!r.ok) return;
    expect(r.regex.test('a'.repeat(255))).toBe(false);
    // a body that can match nothing still needs no more turns than the name has characters
    const nullable = compilePattern('^(?:a?){5000}b$');
    expect(nullable.ok && nullable.regex.test('aab')).toBe(true);
    expect(nullable.ok && nullable.regex.test(`${'a'.repeat(250)}b`)).toBe(true);
    expect(nullable.ok && nullable.regex.test('aac')).toBe(false);
    // at most, at least and exactly: as JavaScript, on names and on longer texts
    for (const src of ['^(?:ab){100,}$', '^(?:ab){0,300}$', '^(?:ab){127}$', '^(?:ab){128}$', '(?:a|bc){9,20}x']) {
      const ours = compilePattern(src);
      if (!ours.ok) throw new Error(`${src}: ${ours.message}`);
      for (const n of [0, 1, 99, 100, 126, 127, 128, 200, 300, 301]) {
        for (const t of [`${'ab'.repeat(n)}`, `${'abc'.repeat(Math.min(n, 120))}x`, `${'ab'.repeat(n)}a`]) {
          expect(ours.regex.test(t), `${src} on ${t.length} characters`).toBe(new RegExp(src).test(t));
        }
      }
    }
  });

  it('is caseless on request (listing filters)', () => {
    const r = compilePattern('^Orders\\.', { caseless: true });
    expect(r.ok && r.regex.test('ORDERS.eu')).toBe(true);
    expect(r.ok && r.regex.test('xorders.eu')).toBe(false);
  });
});

/** Leftmost, then longest, by brute force: JavaScript asked whether a match spans exactly [s, e). */
function referenceFind(src: string, t: string, from: number): [number, number] | undefined {
  for (let s = from; s <= t.length; s++) {
    for (let e = t.length; e >= s; e--) {
      const re = new RegExp(`(?:${src})(?<=^[\\s\\S]{${e}})`, 'y');
      re.lastIndex = s;
      if (re.test(t)) return [s, e];
    }
  }
  return undefined;
}

describe('LinearRegex.find', () => {
  it('finds the leftmost match, and of those the longest', () => {
    const budget = () => ({ steps: 1_000_000 });
    expect(new LinearRegex('a|ab|abc').find('xxabcd', 0, budget())).toEqual([2, 5]);
    expect(new LinearRegex('\\d{4}-\\d{4}').find('card 1234-5678 and 8765-4321', 0, budget())).toEqual([5, 14]);
    expect(new LinearRegex('\\d{4}-\\d{4}').find('card 1234-5678 and 8765-4321', 14, budget())).toEqual([19, 28]);
    expect(new LinearRegex('b*').find('abb', 0, budget())).toEqual([0, 0]);
    expect(new LinearRegex('^a').find('aa', 1, budget())).toBeUndefined();
    // only starts before `until` are tried, and a match found may run past it
    expect(new LinearRegex('\\d{4}-\\d{4}').find('card 1234-5678', 0, budget(), 5)).toBeUndefined();
    expect(new LinearRegex('\\d{4}-\\d{4}').find('card 1234-5678', 0, budget(), 6)).toEqual([5, 14]);
    expect(new LinearRegex('z').find('aaa', 0, budget())).toBeUndefined();
  });

  it('agrees with a brute-force leftmost-longest search on random patterns', () => {
    fc.assert(
      fc.property(pattern, text, fc.nat(12), (src, t, from) => {
        const start = Math.min(from, t.length);
        expect(new LinearRegex(src).find(t, start, { steps: 10_000_000 }), `${src} on ${JSON.stringify(t)} from ${start}`).toEqual(referenceFind(src, t, start));
      }),
      { numRuns: 400 },
    );
  });

  it('spends the budget it is given and says when it ran out', () => {
    const body = `${'a'.repeat(20_000)}b`;
    const budget = { steps: 50_000 };
    expect(new LinearRegex('(a|aa)*c').find(body, 0, budget)).toBe('budget');
    expect(budget.steps).toBe(0);
    // a whole exploration per start stays linear in the text: each (instruction, position) once
    const big = { steps: 1_000_000 };
    expect(new LinearRegex('a*b').find(body, 0, big)).toEqual([0, 20_001]);
    expect(1_000_000 - big.steps).toBeLessThan(20 * 20_002);
  });
});

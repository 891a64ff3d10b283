import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TopicTrie } from './topic-trie';

// Reference semantics: a pattern matches when its words can be aligned with the key's words, `*`
// taking exactly one word and `#` zero or more. Written as plain recursion, independent of the trie.
function refMatch(pattern: string[], key: string[]): boolean {
  if (pattern.length === 0) return key.length === 0;
  const [p, ...rest] = pattern;
  if (p === '#') {
    for (let i = 0; i <= key.length; i++) if (refMatch(rest, key.slice(i))) return true;
    return false;
  }
  if (key.length === 0) return false;
  return (p === '*' || p === key[0]) && refMatch(rest, key.slice(1));
}

describe('TopicTrie', () => {
  it('matches the tutorial patterns', () => {
    const t = new TopicTrie<string>();
    t.add('*.orange.*', 'Q1');
    t.add('*.*.rabbit', 'Q2');
    t.add('lazy.#', 'Q2');
    const m = (k: string) => [...t.match(k)].sort();
    expect(m('quick.orange.rabbit')).toEqual(['Q1', 'Q2']);
    expect(m('lazy.orange.elephant')).toEqual(['Q1', 'Q2']);
    expect(m('quick.orange.fox')).toEqual(['Q1']);
    expect(m('lazy.brown.fox')).toEqual(['Q2']);
    expect(m('lazy.pink.rabbit')).toEqual(['Q2']);
    expect(m('quick.brown.fox')).toEqual([]);
    expect(m('orange')).toEqual([]);
    expect(m('quick.orange.male.rabbit')).toEqual([]);
    expect(m('lazy.orange.male.rabbit')).toEqual(['Q2']);
    expect(m('lazy')).toEqual(['Q2']);
  });

  it('handles # at any position, empty words and removal', () => {
    const t = new TopicTrie<string>();
    t.add('#', 'all');
    t.add('a.#.b', 'ab');
    t.add('', 'empty');
    expect([...t.match('')].sort()).toEqual(['all', 'empty']);
    expect([...t.match('a.b')].sort()).toEqual(['ab', 'all']);
    expect([...t.match('a.x.y.b')].sort()).toEqual(['ab', 'all']);
    t.remove('#', 'all');
    expect([...t.match('a.b')]).toEqual(['ab']);
    t.remove('a.#.b', 'ab');
    expect([...t.match('a.b')]).toEqual([]);
  });

  it('counts duplicate bindings of one target', () => {
    const t = new TopicTrie<string>();
    t.add('a.*', 'q');
    t.add('a.*', 'q');
    t.remove('a.*', 'q');
    expect([...t.match('a.b')]).toEqual(['q']);
    t.remove('a.*', 'q');
    expect([...t.match('a.b')]).toEqual([]);
  });

  for (const cacheLimit of [0, 4096]) {
    it(`agrees with the reference matcher (cache ${cacheLimit ? 'on' : 'off'})`, () => {
      const word = fc.constantFrom('a', 'b', 'c', '');
      const patWord = fc.constantFrom('a', 'b', '*', '#', '');
      fc.assert(
        fc.property(
          fc.array(fc.array(patWord, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 6 }),
          fc.array(fc.array(word, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 6 }),
          (patterns, keys) => {
            const t = new TopicTrie<number>(cacheLimit);
            patterns.forEach((p, i) => t.add(p.join('.'), i));
            // RabbitMQ: "" has no words at all, so [''] joins to a zero-word key or pattern
            const split = (s: string) => (s === '' ? [] : s.split('.'));
            for (const k of keys) {
              const key = k.join('.');
              const expected = patterns.flatMap((p, i) => (refMatch(split(p.join('.')), split(key)) ? [i] : []));
              expect([...t.match(key)].sort((x, y) => x - y)).toEqual(expected);
            }
          },
        ),
        { numRuns: 300 },
      );
    });
  }

  // The same semantics as a table over (pattern words used, key words used): linear in both, so it
  // can check patterns full of `#` against long keys, where refMatch would take forever.
  function tableMatch(pattern: string[], key: string[]): boolean {
    // row[j]: the pattern from p on matches key[j..]; the empty pattern matches only the empty rest
    let row = Array.from({ length: key.length + 1 }, (_, j) => j === key.length);
    for (let p = pattern.length - 1; p >= 0; p--) {
      const next = new Array<boolean>(key.length + 1).fill(false);
      for (let j = key.length; j >= 0; j--) {
        if (pattern[p] === '#') next[j] = row[j] || (j < key.length && next[j + 1]);
        else next[j] = j < key.length && (pattern[p] === '*' || pattern[p] === key[j]) && row[j + 1];
      }
      row = next;
    }
    return row[0];
  }

  it('agrees with the table on runs of # and long keys, cache on and off', () => {
    const split = (s: string) => (s === '' ? [] : s.split('.'));
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.constantFrom('a', 'z', '*', '#', '#', '#'), { minLength: 1, maxLength: 14 }), { minLength: 1, maxLength: 6 }),
        fc.array(fc.array(fc.constantFrom('a', 'z', 'b'), { minLength: 1, maxLength: 40 }), { minLength: 1, maxLength: 4 }),
        fc.constantFrom(0, 4096),
        (patterns, keys, cacheLimit) => {
          const t = new TopicTrie<number>(cacheLimit);
          patterns.forEach((p, i) => t.add(p.join('.'), i));
          for (const k of keys) {
            const key = k.join('.');
            const expected = patterns.flatMap((p, i) => (tableMatch(split(p.join('.')), split(key)) ? [i] : []));
            expect([...t.match(key)].sort((x, y) => x - y)).toEqual(expected);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('takes time linear in key and patterns, whatever the runs of #', () => {
    const t = new TopicTrie<string>(0);
    t.add('#.#.#.#.#.#.#.#.#.#.z', 'ten');
    t.add('#.#.#.#.#.#.#.#.a.#', 'eight');
    t.add(Array(60).fill('#').join('.'), 'all');
    t.add(['#', '*'].flatMap((w) => Array(20).fill(w)).join('.') + '.z', 'stars');
    const key = Array(127).fill('y').join('.');
    const t0 = performance.now();
    expect([...t.match(key)].sort()).toEqual(['all']);
    expect([...t.match(`${key}.z`)].sort()).toEqual(['all', 'stars', 'ten']);
    expect([...t.match(`a.${key}`)].sort()).toEqual(['all', 'eight']);
    expect(performance.now() - t0).toBeLessThan(500);
  });
});

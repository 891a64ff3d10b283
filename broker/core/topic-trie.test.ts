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
});

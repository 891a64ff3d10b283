import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NameIndex } from './name-index';

/** A value that knows its name, as a queue does. */
const named = (name: string, n = 0) => ({ name, n });

/** A name where a frame would hold it: after some other octets, with more after it. */
function inFrame(name: string): [Buffer, number, number] {
  const octets = Buffer.from(name);
  return [Buffer.concat([Buffer.from([0, 60, 0, 40, 0, 0]), octets, Buffer.from([1, 2, 3])]), 6, octets.length];
}

// short, long, multi-byte and near-duplicate names
const name = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.nat(400).map((i) => `q.${i}`),
  fc.nat(50).map((i) => `${'x'.repeat(57)}${i}`),
  fc.string({ minLength: 60, maxLength: 120 }).filter((s) => Buffer.byteLength(s) <= 255),
  fc.string({ maxLength: 20, unit: 'grapheme' }),
);
const op = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), name, value: fc.nat() }),
  fc.record({ kind: fc.constant('delete' as const), name }),
);

/** What the index holds: names of up to 255 octets, all ASCII (others are found by the caller's Map). */
const indexable = (n: string) => n.length <= 255 && /^[\x00-\x7f]*$/.test(n);

describe('NameIndex', () => {
  it('finds from octets in a frame what a Map finds by the name, under random sets and deletes', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 600 }), fc.array(name, { maxLength: 40 }), (ops, probes) => {
        const index = new NameIndex<ReturnType<typeof named>>();
        const truth = new Map<string, ReturnType<typeof named>>();
        for (const o of ops) {
          if (o.kind === 'set') {
            const v = named(o.name, o.value);
            index.set(v);
            truth.set(o.name, v);
          } else {
            index.delete(o.name);
            truth.delete(o.name);
          }
        }
        expect(index.size).toBe([...truth.keys()].filter(indexable).length);
        for (const n of [...truth.keys(), ...probes]) expect(index.find(...inFrame(n)), n).toBe(indexable(n) ? truth.get(n) : undefined);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps every name through growth and after most are deleted again', () => {
    const index = new NameIndex<ReturnType<typeof named>>();
    const values = Array.from({ length: 20_000 }, (_, i) => named(`bench.spread.${i}`));
    for (const v of values) index.set(v);
    for (const v of values) expect(index.find(...inFrame(v.name))).toBe(v);
    for (const v of values.slice(0, 19_990)) index.delete(v.name);
    expect(index.size).toBe(10);
    for (const v of values.slice(0, 19_990)) expect(index.find(...inFrame(v.name))).toBeUndefined();
    for (const v of values.slice(19_990)) expect(index.find(...inFrame(v.name))).toBe(v);
  });

  it('replaces the value of a name set again', () => {
    const index = new NameIndex<ReturnType<typeof named>>();
    const [a, b] = [named('q', 1), named('q', 2)];
    index.set(a);
    index.set(b);
    expect(index.size).toBe(1);
    expect(index.find(...inFrame('q'))).toBe(b);
  });

  it('does not index a name longer than a short string, nor one beyond ASCII (its Map finds those)', () => {
    const index = new NameIndex<ReturnType<typeof named>>();
    for (const n of ['n'.repeat(256), 'q\ud800', 'café', '队列']) index.set(named(n));
    expect(index.size).toBe(0);
    for (const n of ['n'.repeat(256), 'q\ufffd', 'café', '队列']) expect(index.find(...inFrame(n))).toBeUndefined();
  });
});

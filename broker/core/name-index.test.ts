import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NameIndex } from './name-index';

/** A name where a frame would hold it: after some other octets, with more after it. */
function inFrame(name: string): [Buffer, number, number] {
  const octets = Buffer.from(name);
  return [Buffer.concat([Buffer.from([0, 60, 0, 40, 0, 0]), octets, Buffer.from([1, 2, 3])]), 6, octets.length];
}

// short, long (beyond the 58 inline octets), multi-byte and near-duplicate names
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

describe('NameIndex', () => {
  it('finds from octets in a frame what a Map finds by the name, under random sets and deletes', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 600 }), fc.array(name, { maxLength: 40 }), (ops, probes) => {
        const index = new NameIndex<number>();
        const truth = new Map<string, number>();
        for (const o of ops) {
          if (o.kind === 'set') {
            index.set(o.name, o.value);
            truth.set(o.name, o.value);
          } else {
            index.delete(o.name);
            truth.delete(o.name);
          }
        }
        expect(index.size).toBe(truth.size);
        for (const n of [...truth.keys(), ...probes]) expect(index.find(...inFrame(n)), n).toBe(truth.get(n));
      }),
      { numRuns: 300 },
    );
  });

  it('keeps every name through growth and after most are deleted again', () => {
    const index = new NameIndex<string>();
    const names = Array.from({ length: 20_000 }, (_, i) => `bench.spread.${i}`);
    for (const n of names) index.set(n, n);
    for (const n of names) expect(index.find(...inFrame(n))).toBe(n);
    for (const n of names.slice(0, 19_990)) index.delete(n);
    expect(index.size).toBe(10);
    for (const n of names.slice(0, 19_990)) expect(index.find(...inFrame(n))).toBeUndefined();
    for (const n of names.slice(19_990)) expect(index.find(...inFrame(n))).toBe(n);
  });

  it('does not index a name longer than a short string, nor one with a lone surrogate (its octets would be U+FFFD\'s)', () => {
    const index = new NameIndex<number>();
    const long = 'n'.repeat(256);
    index.set(long, 1);
    index.set('q\ud800', 2);
    expect(index.size).toBe(0);
    expect(index.find(...inFrame(long))).toBeUndefined();
    expect(index.find(...inFrame('q\ufffd'))).toBeUndefined();
  });
});

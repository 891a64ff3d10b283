import { describe, expect, it } from 'vitest';
import { applyChanges, identityOf } from './live-cache';

describe('applyChanges', () => {
  const q = (name: string, ready = 0) => ({ name, messages_ready: ready });
  it('adds, replaces, updates and removes by identity', () => {
    const list = [q('a'), q('b')];
    const out = applyChanges(list, 'queue', [
      { op: 'add', kind: 'queue', item: q('c') },
      { op: 'add', kind: 'queue', item: q('a', 5) },
      { op: 'update', kind: 'queue', item: { name: 'b', consumers: 2 } },
      { op: 'remove', kind: 'queue', item: { name: 'c' } },
      { op: 'remove', kind: 'exchange', item: { name: 'a' } },
    ]);
    expect(out).toEqual([q('a', 5), { name: 'b', messages_ready: 0, consumers: 2 }]);
    expect(list).toEqual([q('a'), q('b')]);
  });
  it('removes, re-adds and updates in order within one batch, in linear time', () => {
    const list = [q('a'), q('b'), q('c')];
    const out = applyChanges(list, 'queue', [
      { op: 'remove', kind: 'queue', item: { name: 'a' } },
      { op: 'remove', kind: 'queue', item: { name: 'b' } },
      { op: 'add', kind: 'queue', item: q('a', 1) },
      { op: 'update', kind: 'queue', item: { name: 'c', messages_ready: 3 } },
      { op: 'remove', kind: 'queue', item: { name: 'missing' } },
    ]);
    expect(out).toEqual([q('c', 3), q('a', 1)]);
    const big = Array.from({ length: 20_000 }, (_, i) => q(`q${i}`));
    const t0 = performance.now();
    const left = applyChanges(
      big,
      'queue',
      big.map((x) => ({ op: 'remove' as const, kind: 'queue' as const, item: x })),
    );
    expect(left).toEqual([]);
    expect(performance.now() - t0).toBeLessThan(1000);
  });
  it('returns the same list when no change is of its kind', () => {
    const list = [q('a')];
    expect(applyChanges(list, 'queue', [{ op: 'add', kind: 'exchange', item: { name: 'x' } }])).toBe(list);
  });
  it('names bindings by their ends and properties key', () => {
    const b = { source: 'x', destination_type: 'queue', destination: 'q', properties_key: 'k', routing_key: 'k' };
    expect(identityOf('binding', b)).toBe(identityOf('binding', { ...b, arguments: {} }));
    expect(identityOf('binding', b)).not.toBe(identityOf('binding', { ...b, destination: 'r' }));
  });
});

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

import { describe, expect, it } from 'vitest';
import { UnackedWindow } from './unacked-window';

/** A small deterministic generator, so a failure replays. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 0x100000000;
  };
}

describe('UnackedWindow', () => {
  it('gives back what was added, by tag and in tag order', () => {
    const w = new UnackedWindow<string>();
    for (let t = 1; t <= 100; t++) w.add(t, `d${t}`);
    expect(w.size).toBe(100);
    expect(w.get(37)).toBe('d37');
    expect(w.has(101)).toBe(false);
    expect(w.delete(37)).toBe('d37');
    expect(w.delete(37)).toBeUndefined();
    expect(w.has(37)).toBe(false);
    expect([...w].map(([t]) => t)).toEqual([...Array(100).keys()].map((i) => i + 1).filter((t) => t !== 37));
    expect(w.oldestTag()).toBe(1);
    expect(w.shift()).toBe('d1');
    expect(w.oldestTag()).toBe(2);
    w.clear();
    expect(w.size).toBe(0);
    expect(w.oldestTag()).toBe(Infinity);
    expect(w.shift()).toBeUndefined();
  });

  it('refuses a tag that is not newer than every tag added', () => {
    const w = new UnackedWindow<number>();
    w.add(5, 5);
    expect(() => w.add(5, 5)).toThrow(RangeError);
    expect(() => w.add(3, 3)).toThrow(RangeError);
    w.delete(5);
    expect(() => w.add(4, 4)).toThrow(RangeError);
    w.add(9, 9);
    expect([...w.values()]).toEqual([9]);
  });

  it('agrees with a Map under random adds, skipped tags, single and multiple settles', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const rnd = random(seed);
      const w = new UnackedWindow<number>();
      const m = new Map<number, number>();
      let next = 1;
      for (let step = 0; step < 5_000; step++) {
        const r = rnd();
        if (r < 0.5) {
          next += rnd() < 0.1 ? 1 + Math.floor(rnd() * 50) : 0; // tags used by no-ack deliveries
          w.add(next, next * 10);
          m.set(next, next * 10);
          next++;
        } else if (r < 0.75 && m.size > 0) {
          // a single settle of a random held tag, or of one that is not held
          const keys = [...m.keys()];
          const t = rnd() < 0.9 ? keys[Math.floor(rnd() * keys.length)] : next + 3;
          expect(w.delete(t)).toBe(m.get(t));
          m.delete(t);
        } else if (r < 0.95) {
          // multiple up to a bound
          const last = next - 1 - Math.floor(rnd() * 30);
          while (w.oldestTag() <= last) {
            const t = w.oldestTag();
            expect(w.shift()).toBe(m.get(t));
            m.delete(t);
          }
          for (const t of m.keys()) expect(t).toBeGreaterThan(last);
        } else {
          for (const t of [next - 1, next - 7, next + 1, 0]) expect(w.get(t)).toBe(m.get(t));
        }
        expect(w.size).toBe(m.size);
      }
      expect([...w]).toEqual([...m]);
    }
  });

  it('stays small when one delivery is held while a million after it are settled', () => {
    const w = new UnackedWindow<number>();
    w.add(1, 1);
    for (let t = 2; t <= 1_000_000; t++) {
      w.add(t, t);
      if (t % 100 === 0) for (let s = t - 99; s <= t; s++) if (s > 1) w.delete(s);
    }
    expect(w.size).toBe(1);
    expect(w.capacity).toBeLessThanOrEqual(1024);
    expect(w.get(1)).toBe(1);
    expect(w.oldestTag()).toBe(1);
    expect(w.delete(1)).toBe(1);
    expect(w.size).toBe(0);
  });

  it('stays small when tags jump far ahead', () => {
    const w = new UnackedWindow<number>();
    w.add(1, 1);
    w.add(2 ** 40, 2);
    w.add(2 ** 52, 3);
    expect(w.capacity).toBe(16);
    expect([...w]).toEqual([[1, 1], [2 ** 40, 2], [2 ** 52, 3]]);
  });
});

// A Fifo past its ring (more than a block of items) behaves as a plain array used as a queue:
// push, shift, peek, at, iteration and removeWhere, through the ring's hand-over to the blocks
// behind it and back.
import { describe, expect, it } from 'vitest';
import { Fifo } from './fifo';

describe('Fifo beyond one block', () => {
  it('matches an array under random pushes, shifts, lookups and removals', () => {
    let seed = 11;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const f = new Fifo<number>();
    const model: number[] = [];
    let next = 0;
    for (let step = 0; step < 60; step++) {
      // bursts long enough to go past several blocks, then drains deep enough to empty them
      const pushes = Math.floor(rnd() * 3000);
      for (let i = 0; i < pushes; i++) {
        f.push(next);
        model.push(next++);
      }
      const shifts = Math.floor(rnd() * 3000);
      for (let i = 0; i < shifts; i++) expect(f.shift()).toBe(model.shift());
      expect(f.length).toBe(model.length);
      expect(f.peek()).toBe(model[0]);
      for (let k = 0; k < 20; k++) {
        const i = Math.floor(rnd() * (model.length + 2)) - 1;
        expect(f.at(i)).toBe(model[i]);
      }
      if (step % 7 === 3) {
        const within = Math.floor(rnd() * (model.length + 10));
        const seen: number[] = [];
        const removed = f.removeWhere((x) => (seen.push(x), x % 3 === 0), within);
        const kept = model.filter((x, i) => i >= within || x % 3 !== 0);
        expect(removed).toBe(model.length - kept.length);
        // each of the first `within` items is looked at once, in order
        expect(seen).toEqual(model.slice(0, within));
        model.splice(0, model.length, ...kept);
      }
      expect([...f]).toEqual(model);
    }
    while (model.length > 0) expect(f.shift()).toBe(model.shift());
    expect(f.shift()).toBeUndefined();
    expect(f.length).toBe(0);
  });
});

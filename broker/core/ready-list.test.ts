// Taking chosen entries out of a ready list (a move's sources) keeps everything else in order, in
// FIFO and priority lists, with requeued entries in front and a ring buffer that has wrapped.
import { describe, expect, it } from 'vitest';
import { Fifo } from './fifo';
import { FifoReadyList, PriorityReadyList, type ReadyList } from './ready-list';
import type { QueueEntry } from './queue';

const entry = (seq: number, priority = 0) => ({ seq, priority }) as unknown as QueueEntry;
const seqs = (l: ReadyList) => [...l].map((e) => e.seq);

describe('Fifo.removeWhere', () => {
  it('matches a plain filter for random removals, wrapped or not', () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    for (let round = 0; round < 200; round++) {
      const f = new Fifo<number>(4);
      const model: number[] = [];
      const n = Math.floor(rnd() * 60);
      for (let i = 0; i < n; i++) {
        f.push(i);
        model.push(i);
        if (rnd() < 0.3 && model.length > 0) expect(f.shift()).toBe(model.shift());
      }
      const drop = new Set(model.filter(() => rnd() < 0.3));
      const within = Math.floor(rnd() * (model.length + 3));
      const removed = f.removeWhere((x) => drop.has(x), within);
      const expected = model.filter((x, i) => i >= within || !drop.has(x));
      expect([...f]).toEqual(expected);
      expect(removed).toBe(model.length - expected.length);
      expect(f.length).toBe(expected.length);
      f.push(1000);
      expect([...f].at(-1)).toBe(1000);
    }
  });
});

describe('ReadyList.remove', () => {
  it('takes chosen entries from the requeued front and the FIFO, within the stretch given', () => {
    const l = new FifoReadyList();
    const all = [...Array(10).keys()].map((i) => entry(i));
    for (const e of all) l.push(e);
    const a = l.shift() as QueueEntry;
    const b = l.shift() as QueueEntry;
    l.requeue(b);
    l.requeue(a);
    const taken = l.remove(new Set([all[1], all[4], all[9]]), 8);
    expect(taken.map((e) => e.seq).sort()).toEqual([1, 4]);
    expect(seqs(l)).toEqual([0, 2, 3, 5, 6, 7, 8, 9]);
    expect(l.length).toBe(8);
  });

  it('counts what a priority list gave up', () => {
    const l = new PriorityReadyList(2);
    const es = [entry(0, 0), entry(1, 2), entry(2, 1), entry(3, 2)];
    for (const e of es) l.push(e);
    expect(seqs(l)).toEqual([1, 3, 2, 0]);
    expect(l.remove(new Set([es[3], es[0]]), 4)).toHaveLength(2);
    expect(seqs(l)).toEqual([1, 2]);
    expect(l.length).toBe(2);
    expect(l.at(1)?.seq).toBe(2);
  });
});

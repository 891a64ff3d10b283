import { describe, expect, it } from 'vitest';
import type { XY } from './layout';
import { placeNew } from './place';
import { NODE_SIZE } from './types';

const overlaps = (a: XY, as: { width: number; height: number }, b: XY, bs: { width: number; height: number }) =>
  a.x < b.x + bs.width && a.x + as.width > b.x && a.y < b.y + bs.height && a.y + as.height > b.y;

describe('placeNew', () => {
  it('keeps known positions and puts a new queue right of its exchange', () => {
    const known = new Map<string, XY>([
      ['e|orders', { x: 0, y: 0 }],
      ['q|a', { x: 400, y: 0 }],
    ]);
    const nodes = [
      { id: 'e|orders', type: 'exchange' },
      { id: 'q|a', type: 'queue' },
      { id: 'q|b', type: 'queue' },
    ];
    const edges = [
      { source: 'e|orders', target: 'q|a' },
      { source: 'e|orders', target: 'q|b' },
    ];
    const { added, loose } = placeNew(nodes, edges, known);
    expect([...added.keys()]).toEqual(['q|b']);
    expect(loose.size).toBe(0);
    const p = added.get('q|b')!;
    expect(p.x).toBeGreaterThan(NODE_SIZE.exchange.width);
    expect(p.x).toBeLessThan(700);
    expect(Math.abs(p.y)).toBeLessThan(300);
    expect(overlaps(p, NODE_SIZE.queue, known.get('q|a')!, NODE_SIZE.queue)).toBe(false);
  });

  it('puts a producer left of its exchange and a consumer right of its queue', () => {
    const known = new Map<string, XY>([
      ['e|x', { x: 500, y: 100 }],
      ['q|q', { x: 900, y: 100 }],
    ]);
    const nodes = [
      { id: 'e|x', type: 'exchange' },
      { id: 'q|q', type: 'queue' },
      { id: 'p|1', type: 'producer' },
      { id: 'c|1', type: 'consumer' },
    ];
    const edges = [
      { source: 'p|1', target: 'e|x' },
      { source: 'e|x', target: 'q|q' },
      { source: 'q|q', target: 'c|1' },
    ];
    const { added } = placeNew(nodes, edges, known);
    expect(added.get('p|1')!.x).toBeLessThan(500);
    expect(added.get('c|1')!.x).toBeGreaterThan(900 + NODE_SIZE.queue.width);
  });

  it('puts a producer that feeds a queue directly and an exchange left of the exchange, not in the exchanges\' column', () => {
    // the default exchange hidden: the producer's line goes straight to the queue, one column right of the exchanges
    const known = new Map<string, XY>([
      ['e|logs', { x: 0, y: 0 }],
      ['q|bound', { x: 400, y: 0 }],
      ['q|tasks', { x: 400, y: 150 }],
      ['c|worker', { x: 800, y: 150 }],
    ]);
    const nodes = [
      { id: 'e|logs', type: 'exchange' },
      { id: 'q|bound', type: 'queue' },
      { id: 'q|tasks', type: 'queue' },
      { id: 'c|worker', type: 'consumer' },
      { id: 'p|1', type: 'producer' },
    ];
    const edges = [
      { source: 'e|logs', target: 'q|bound' },
      { source: 'q|tasks', target: 'c|worker' },
      { source: 'p|1', target: 'q|tasks' },
      { source: 'p|1', target: 'e|logs' },
    ];
    const p = placeNew(nodes, edges, known).added.get('p|1')!;
    expect(p.x + NODE_SIZE.producer.width).toBeLessThanOrEqual(0);
  });

  it('places a burst of 500 queues without overlaps, quickly', () => {
    const known = new Map<string, XY>();
    const nodes: { id: string; type: string }[] = [];
    const edges: { source: string; target: string }[] = [];
    for (let e = 0; e < 10; e++) {
      known.set(`e|x${e}`, { x: 0, y: e * 90 });
      nodes.push({ id: `e|x${e}`, type: 'exchange' });
    }
    for (let i = 0; i < 500; i++) {
      nodes.push({ id: `q|q${i}`, type: 'queue' });
      edges.push({ source: `e|x${i % 10}`, target: `q|q${i}` }, { source: `e|x${(i + 1) % 10}`, target: `q|q${i}` });
    }
    const t0 = performance.now();
    const { added } = placeNew(nodes, edges, known);
    const ms = performance.now() - t0;
    expect(added.size).toBe(500);
    expect(ms).toBeLessThan(1000);
    const placed = [...added.values()].sort((a, b) => a.x - b.x || a.y - b.y);
    for (let i = 0; i < placed.length; i++) {
      for (let j = i + 1; j < placed.length && placed[j].x < placed[i].x + NODE_SIZE.queue.width; j++) {
        expect(overlaps(placed[i], NODE_SIZE.queue, placed[j], NODE_SIZE.queue)).toBe(false);
      }
    }
  });

  it('puts nodes with no placed neighbour below what is there, and says so', () => {
    const known = new Map<string, XY>([['e|x', { x: 0, y: 0 }]]);
    const nodes = [
      { id: 'e|x', type: 'exchange' },
      { id: 'q|alone', type: 'queue' },
    ];
    const { added, loose } = placeNew(nodes, [], known);
    expect(loose.has('q|alone')).toBe(true);
    expect(added.get('q|alone')!.y).toBeGreaterThan(NODE_SIZE.exchange.height);
  });
});

import { describe, expect, it } from 'vitest';
import type { BindingDto, Topology } from '../types';
import { AGGREGATE_OVER, buildAggregated, shouldAggregate } from './aggregate';
import { layoutGraph } from './layout';

const x = (name: string) => ({ name, vhost: 'v', type: 'topic', durable: true, auto_delete: false, internal: false, arguments: {} });
const name = (i: number) => `q${String(i).padStart(5, '0')}`;
const bind = (source: string, q: string, key: string): BindingDto => ({ source, vhost: 'v', destination: q, destination_type: 'queue', routing_key: key, arguments: {}, properties_key: key });

/** 10,000 queues: i % 4 === 0 from a and b, i % 4 === 1 from a (twice), others unbound; a → b exchange binding */
function big(n = 10_000): Topology {
  const queues = Array.from({ length: n }, (_, i) => ({ name: name(i), vhost: 'v', durable: false, auto_delete: false, exclusive: false, consumers: 0, arguments: {} }));
  const bindings: BindingDto[] = [];
  for (let i = 0; i < n; i++) {
    bindings.push(bind('', name(i), name(i)));
    if (i % 4 === 0) bindings.push(bind('a', name(i), 'k'), bind('b', name(i), 'k'));
    if (i % 4 === 1) bindings.push(bind('a', name(i), 'k1'), bind('a', name(i), 'k2'));
  }
  bindings.push({ source: 'a', vhost: 'v', destination: 'b', destination_type: 'exchange', routing_key: 'fwd', arguments: {}, properties_key: 'fwd' });
  return { vhost: 'v', exchanges: [x(''), x('amq.topic'), x('a'), x('b')], queues, bindings, consumers: [] };
}

describe('grouped drawing of big vhosts', () => {
  it('groups only above the limit, counting the queues a filter leaves', () => {
    expect(shouldAggregate(big(AGGREGATE_OVER), '')).toBe(false);
    expect(shouldAggregate(big(), '')).toBe(true);
    // q0001x: ten queues, drawn one by one
    expect(shouldAggregate(big(), 'q0001')).toBe(false);
    expect(shouldAggregate(big(), 'q0')).toBe(true);
  });

  it('draws one node per set of source exchanges, with the bindings each line stands for', () => {
    const g = buildAggregated(big(), { showBuiltins: false, filter: '' });
    const groups = g.nodes.filter((n) => n.type === 'queues');
    const sizes = Object.fromEntries(groups.map((n) => [n.type === 'queues' ? n.data.sources.join('+') || '-' : '', n.type === 'queues' ? n.data.members.length : 0]));
    expect(sizes).toEqual({ 'a+b': 2500, a: 2500, '-': 5000 });
    expect(g.nodes.filter((n) => n.type === 'exchange').map((n) => n.id).sort()).toEqual(['e|a', 'e|b']);
    const labels = Object.fromEntries(g.edges.map((e) => [e.id.split('|').slice(0, 2).join('|') + (e.target.startsWith('g|') ? `>${e.target.slice(2)}` : `>${e.target}`), e.data?.label]));
    expect(labels).toMatchObject({ 'gb|a>a\u0000b': '2,500 bindings', 'gb|b>a\u0000b': '2,500 bindings', 'gb|a>a': '5,000 bindings' });
    // the exchange-to-exchange binding stays a line of its own
    expect(g.edges.some((e) => e.source === 'e|a' && e.target === 'e|b')).toBe(true);
  });

  it('groups only the queues a filter leaves, and every group gets a place in the layout', () => {
    const g = buildAggregated(big(), { showBuiltins: false, filter: 'q09' });
    const members = g.nodes.flatMap((n) => (n.type === 'queues' ? n.data.members : []));
    expect(members).toHaveLength(1000);
    expect(members.every((m) => m.startsWith('q09'))).toBe(true);
    const t0 = performance.now();
    const all = buildAggregated(big(), { showBuiltins: true, filter: '' });
    const positions = layoutGraph(all.nodes as never, all.edges);
    expect(positions.size).toBe(all.nodes.length);
    // a figure, not a timing assertion: the machine may be loaded
    console.log(`10,000 queues grouped and laid out in ${Math.round(performance.now() - t0)} ms`);
  });
});

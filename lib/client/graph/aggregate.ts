// A vhost with thousands of queues drawn so that it opens at once and stays usable: its exchanges
// as usual, and its queues in groups, one node per set of exchanges they are bound from, with one
// line per exchange and group carrying how many bindings it stands for. Typing a filter that leaves
// few enough queues draws those queue by queue again (buildGraph). Laying out and rendering ten
// thousand queue nodes and twenty thousand edges takes a browser tens of seconds; a few dozen
// groups take milliseconds.
import type { Topology } from '../types';
import { exchangeNode, isBuiltInExchange, type BuildOptions, type BuiltGraph, type NodeSpec } from './build';
import { exchangeId, queueGroupId, type GraphEdge, type QueueGroupNode } from './types';

/** More queues than this (after the filter) are drawn in groups. */
export const AGGREGATE_OVER = 1000;
/** More groups than this: queues are grouped by their first source exchange only. */
const MAX_GROUPS = 120;

export function queuesShown(t: Topology, filter: string): number {
  if (filter === '') return t.queues.length;
  const f = filter.toLowerCase();
  let n = 0;
  for (const q of t.queues) if (q.name.toLowerCase().includes(f)) n++;
  return n;
}

export function shouldAggregate(t: Topology, filter: string): boolean {
  return t.queues.length > AGGREGATE_OVER && queuesShown(t, filter) > AGGREGATE_OVER;
}

export function buildAggregated(t: Topology, opts: BuildOptions): BuiltGraph {
  const f = opts.filter.toLowerCase();
  const shown = new Set<string>();
  for (const q of t.queues) if (f === '' || q.name.toLowerCase().includes(f)) shown.add(q.name);
  // each queue's source exchanges, and how many bindings from each
  const sourcesOf = new Map<string, Map<string, number>>();
  for (const b of t.bindings) {
    if (b.source === '' || b.destination_type !== 'queue' || !shown.has(b.destination)) continue;
    let m = sourcesOf.get(b.destination);
    if (m === undefined) sourcesOf.set(b.destination, (m = new Map()));
    m.set(b.source, (m.get(b.source) ?? 0) + 1);
  }
  const group = (byFirst: boolean) => {
    const groups = new Map<string, { sources: string[]; members: string[]; bindings: Record<string, number> }>();
    for (const name of shown) {
      const m = sourcesOf.get(name);
      const all = m === undefined ? [] : [...m.keys()].sort();
      const sources = byFirst ? all.slice(0, 1) : all;
      const id = queueGroupId(sources);
      let g = groups.get(id);
      if (g === undefined) groups.set(id, (g = { sources, members: [], bindings: {} }));
      g.members.push(name);
      if (m !== undefined) for (const s of sources) g.bindings[s] = (g.bindings[s] ?? 0) + (m.get(s) ?? 0);
    }
    return groups;
  };
  let groups = group(false);
  if (groups.size > MAX_GROUPS) groups = group(true);

  const nodes: NodeSpec[] = [];
  const edges: GraphEdge[] = [];
  const exchanges = new Set<string>();
  for (const e of t.exchanges) {
    if (!opts.showBuiltins && isBuiltInExchange(e.name)) continue;
    exchanges.add(e.name);
    nodes.push(exchangeNode(e));
  }
  for (const [id, g] of groups) {
    g.members.sort();
    const node: NodeSpec<QueueGroupNode> = {
      id,
      type: 'queues',
      // nothing to inspect or bind as one: the filter draws its queues one by one
      selectable: false,
      connectable: false,
      ariaLabel: `${g.members.length} queues${g.sources.length === 0 ? ' with no bindings' : ` bound from ${g.sources.join(', ')}`}`,
      data: { sources: g.sources, members: g.members, bindings: g.bindings, dim: false },
    };
    nodes.push(node);
    for (const s of g.sources) {
      if (!exchanges.has(s)) continue;
      const n = g.bindings[s] ?? 0;
      edges.push({
        id: `gb|${s}|${id}`,
        type: 'link',
        source: exchangeId(s),
        target: id,
        sourceHandle: 'out',
        targetHandle: 'in',
        selectable: false,
        ariaLabel: `${n} bindings from exchange ${s} to ${g.members.length} queues`,
        data: { link: 'bindings', label: `${n.toLocaleString('en-US')} binding${n === 1 ? '' : 's'}`, dim: false },
      });
    }
  }
  // exchange-to-exchange bindings stay single lines
  for (const b of t.bindings) {
    if (b.destination_type !== 'exchange' || !exchanges.has(b.source) || !exchanges.has(b.destination)) continue;
    edges.push({
      id: `gx|${b.source}|${b.destination}|${b.properties_key}`,
      type: 'link',
      source: exchangeId(b.source),
      target: exchangeId(b.destination),
      sourceHandle: 'out',
      targetHandle: 'in',
      selectable: false,
      ariaLabel: `binding from exchange ${b.source} to exchange ${b.destination}`,
      data: { link: 'bindings', label: b.routing_key === '' ? 'binding' : b.routing_key, dim: false },
    });
  }
  const matches = f === '' ? nodes.map((n) => n.id) : nodes.filter((n) => n.type === 'queues' || (n.type === 'exchange' && n.data.name.toLowerCase().includes(f))).map((n) => n.id);
  return { nodes, edges, matches };
}

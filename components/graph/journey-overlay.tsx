'use client';
// A message's journey, pinned on the graph: the edges it took (its producer's line, the bindings to
// each queue it entered, the consumer that got it, the dead-letter link) drawn bold in the accent
// colour with its nodes ringed, and a dot that replays the trip along them — slowly in slow motion.
// Reads lib/client/journey-store.ts; the hops themselves are listed by journey-panel.tsx.
import { ViewportPortal } from '@xyflow/react';
import { useMemo } from 'react';
import type { FlowEventMessage } from '@/lib/live/protocol';
import { edgeGeometry } from '@/lib/client/graph/edge-geometry';
import { useGraph } from '@/lib/client/graph/store';
import { exchangeId, NODE_SIZE, producerId, queueId, type GraphEdge, type GraphNode } from '@/lib/client/graph/types';
import { useJourney } from '@/lib/client/journey-store';
import './route-journey.css';

const HOP_MS = { slow: 2200, normal: 700 };

/** Binding edges from an exchange to a queue, through exchange-to-exchange bindings (breadth first, bounded). */
function bindingPath(out: Map<string, GraphEdge[]>, from: string, to: string): GraphEdge[] {
  const seen = new Set([from]);
  let frontier: { node: string; path: GraphEdge[] }[] = [{ node: from, path: [] }];
  for (let depth = 0; depth < 8 && frontier.length > 0; depth++) {
    const next: typeof frontier = [];
    for (const f of frontier) {
      for (const e of out.get(f.node) ?? []) {
        if (e.target === to) return [...f.path, e];
        if (!seen.has(e.target) && e.target.startsWith('e|')) {
          seen.add(e.target);
          next.push({ node: e.target, path: [...f.path, e] });
        }
      }
    }
    frontier = next;
  }
  return [];
}

/** The graph's edges and nodes the hops went through, in the order they were taken. */
function pathOf(hops: readonly FlowEventMessage[], edges: readonly GraphEdge[]): { edges: GraphEdge[]; nodes: string[] } {
  const out = new Map<string, GraphEdge[]>();
  for (const e of edges) {
    if (e.type !== 'binding') continue;
    const list = out.get(e.source) ?? [];
    list.push(e);
    out.set(e.source, list);
  }
  const taken: GraphEdge[] = [];
  const nodes: string[] = [];
  const add = (e: GraphEdge | undefined) => {
    if (e !== undefined && !taken.includes(e)) taken.push(e);
  };
  for (const h of hops) {
    if (h.kind === 'published' && h.exchange !== undefined) {
      const into = h.exchange === '' ? null : exchangeId(h.exchange);
      if (into !== null) nodes.push(into);
      if (h.origin !== undefined) {
        const p = producerId(`${h.origin.connection} (${h.origin.channel})`);
        add(edges.find((e) => e.type === 'publish' && e.source === p && (into === null ? (h.queues ?? []).some((q) => e.target === queueId(q)) : e.target === into)));
      }
      for (const q of h.queues ?? []) {
        nodes.push(queueId(q));
        if (into !== null) for (const e of bindingPath(out, into, queueId(q))) add(e);
      }
    } else if (h.kind === 'delivered' && h.queue !== undefined && h.consumerTag) {
      const c = edges.find((e) => e.type === 'consume' && e.data?.queue === h.queue && e.target.endsWith(`|${h.consumerTag}`));
      add(c);
      if (c) nodes.push(c.target);
    } else if (h.kind === 'dead-lettered' && h.queue !== undefined) {
      add(edges.find((e) => e.id === `d|${h.queue}`));
    }
  }
  return { edges: taken, nodes: [...new Set(nodes)] };
}

export function JourneyOverlay() {
  const hops = useJourney((s) => s.hops);
  const slow = useJourney((s) => s.slow);
  const edges = useGraph((s) => s.edges);
  const nodes = useGraph((s) => s.nodes);
  const drawn = useMemo(() => {
    if (hops.length === 0) return null;
    const nodeById = new Map<string, GraphNode>(nodes.map((n) => [n.id, n]));
    const path = pathOf(hops, edges);
    const lines = path.edges.flatMap((e) => {
      const g = edgeGeometry(e, nodeById.get(e.source), nodeById.get(e.target));
      return g === null ? [] : [{ id: e.id, d: g.d }];
    });
    const rings = path.nodes.flatMap((id) => {
      const n = nodeById.get(id);
      if (n === undefined) return [];
      const size = NODE_SIZE[(n.type as keyof typeof NODE_SIZE) ?? 'queue'];
      return [{ id, x: n.position.x, y: n.position.y, w: n.measured?.width ?? size.width, h: n.measured?.height ?? size.height }];
    });
    return { lines, rings };
  }, [hops, edges, nodes]);
  if (drawn === null) return null;
  const hop = slow ? HOP_MS.slow : HOP_MS.normal;
  // one dot replays the whole trip: the edges' paths one after another (jumping between them)
  const trip = drawn.lines.map((l) => l.d).join(' ');
  return (
    <ViewportPortal>
      <svg className="journey-overlay" data-testid="journey-overlay" aria-label="The followed message's path">
        {drawn.rings.map((r) => (
          <rect key={r.id} className="journey-node" x={r.x - 5} y={r.y - 5} width={r.w + 10} height={r.h + 10} rx={13} data-testid="journey-node" data-node={r.id} />
        ))}
        {drawn.lines.map((l) => (
          <g key={l.id} data-testid="journey-edge" data-edge={l.id}>
            <path d={l.d} className="journey-halo" />
            <path d={l.d} className="journey-line" />
          </g>
        ))}
        {trip !== '' && (
          <circle r={7} className="journey-dot" data-testid="journey-dot">
            <animateMotion dur={`${(hop * drawn.lines.length) / 1000}s`} repeatCount="indefinite" path={trip} />
          </circle>
        )}
      </svg>
    </ViewportPortal>
  );
}

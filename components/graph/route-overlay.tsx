'use client';
// Routing explained, on the graph: while the Publish panel explains a route, the bindings it
// considered are drawn over their edges — matched ones bold in green with the reason as a label,
// the others dashed in red with the reason on hover — and the queues the message would reach are
// ringed. Reads lib/client/route-explain-store.ts; draws nothing when there is no explanation.
import { useReactFlow, ViewportPortal } from '@xyflow/react';
import { useMemo } from 'react';
import type { BindingVerdict } from '@/lib/client/api';
import { edgeGeometry } from '@/lib/client/graph/edge-geometry';
import { useGraph } from '@/lib/client/graph/store';
import { NODE_SIZE, queueId, type GraphEdge, type GraphNode } from '@/lib/client/graph/types';
import { useRouteExplain } from '@/lib/client/route-explain-store';
import './route-journey.css';

const edgeIdOf = (v: BindingVerdict) => `b|${v.source}|${v.destinationType}|${v.destination}|${v.propertiesKey}`;

/** A short label for a matched binding: the words each pattern word took, or the reason. */
function shortReason(v: BindingVerdict): string {
  if (v.topic && v.matched && v.topic.length > 0) return v.topic.map((w) => `${w.pattern}=${w.words.length === 0 ? '∅' : w.words.join('.')}`).join(' ');
  if (v.headers) return `${v.headers.checks.filter((c) => c.ok).length}/${v.headers.checks.length} ${v.headers.mode}`;
  return v.matched ? '✓' : '✗';
}

export function RouteOverlay() {
  const explanation = useRouteExplain((s) => s.explanation);
  const edges = useGraph((s) => s.edges);
  const nodes = useGraph((s) => s.nodes);
  const rf = useReactFlow<GraphNode, GraphEdge>();
  const drawn = useMemo(() => {
    if (explanation === null) return null;
    const byId = new Map(edges.map((e) => [e.id, e]));
    const nodeById = new Map(nodes.map((n) => [n.id, n]));
    const seen = new Set<string>();
    const paths: { id: string; d: string; matched: boolean; title: string; label: string; x: number; y: number }[] = [];
    for (const visit of explanation.visits) {
      for (const v of visit.bindings) {
        const id = edgeIdOf(v);
        const edge = byId.get(id);
        if (edge === undefined) continue;
        // a binding judged again (another key, CC): a match wins over a miss
        if (seen.has(id) && !v.matched) continue;
        seen.add(id);
        const g = edgeGeometry(edge, nodeById.get(edge.source), nodeById.get(edge.target));
        if (g === null) continue;
        paths.push({ id, d: g.d, matched: v.matched, title: v.reason, label: shortReason(v), x: (g.sx + g.tx) / 2, y: (g.sy + g.ty) / 2 });
      }
    }
    const rings = explanation.queues.flatMap((q) => {
      const n = nodeById.get(queueId(q));
      if (n === undefined) return [];
      const w = n.measured?.width ?? NODE_SIZE.queue.width;
      const h = n.measured?.height ?? NODE_SIZE.queue.height;
      return [{ id: n.id, x: n.position.x, y: n.position.y, w, h }];
    });
    return { paths: paths.sort((a, b) => Number(a.matched) - Number(b.matched)), rings };
  }, [explanation, edges, nodes]);
  void rf;
  if (drawn === null) return null;
  return (
    <ViewportPortal>
      <svg className="route-overlay" data-testid="route-overlay" aria-label="Route the message would take">
        {drawn.rings.map((r) => (
          <rect key={r.id} className="route-ring" x={r.x - 6} y={r.y - 6} width={r.w + 12} height={r.h + 12} rx={14} data-testid="route-ring" data-queue={r.id.slice(2)} />
        ))}
        {drawn.paths.map((p) => (
          <g key={p.id} className={p.matched ? 'route-edge route-yes' : 'route-edge route-no'} data-testid="route-edge" data-matched={p.matched} data-edge={p.id}>
            <path d={p.d} className="route-halo" />
            <path d={p.d} className="route-line">
              <title>{p.title}</title>
            </path>
            {p.matched && (
              <foreignObject x={p.x - 90} y={p.y + 8} width={180} height={26} className="route-chip-box">
                <div className="route-chip" title={p.title}>
                  ✓ {p.label}
                </div>
              </foreignObject>
            )}
          </g>
        ))}
      </svg>
    </ViewportPortal>
  );
}

// Where an edge runs, from its two nodes' positions and the handles every node type has: the same
// anchors React Flow takes (getHandlePosition on NODE_HANDLES) and the same bezier the edge
// components draw, so a big graph's edges drawn on one canvas lie exactly where the components
// would have put them, and flow dots can follow them without an SVG path in the DOM.
import { getBezierPath, Position } from '@xyflow/react';
import { NODE_HANDLES, type GraphEdge, type GraphNode } from './types';

export interface EdgeGeometry {
  /** the SVG path, as getBezierPath gives it */
  d: string;
  sx: number;
  sy: number;
  tx: number;
  ty: number;
  sp: Position;
  tp: Position;
  curvature: number;
  /** the box around the curve (its control points included), in flow coordinates */
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

type Handle = (typeof NODE_HANDLES)[keyof typeof NODE_HANDLES][number];

function handleOf(node: GraphNode, kind: 'source' | 'target'): Handle | undefined {
  const handles = NODE_HANDLES[(node.type as keyof typeof NODE_HANDLES) ?? 'queue'] as readonly Handle[];
  return handles.find((h) => h.type === kind);
}

/** React Flow's getHandlePosition for a left or right handle. */
function anchor(node: GraphNode, h: Handle): [number, number] {
  const x = node.position.x + h.x + (h.position === Position.Right ? (h.width ?? 0) : 0);
  return [x, node.position.y + h.y + (h.height ?? 0) / 2];
}

/** Each edge component's curvature: bindings bend a little more, a link pointing back a lot. */
export function curvatureOf(edge: GraphEdge, sx: number, tx: number): number {
  if (edge.type === 'binding') return 0.35;
  if (edge.type === 'link') return tx < sx ? 0.9 : 0.3;
  return 0.25;
}

export function edgeGeometry(edge: GraphEdge, source: GraphNode | undefined, target: GraphNode | undefined): EdgeGeometry | null {
  if (source === undefined || target === undefined) return null;
  const out = handleOf(source, 'source');
  const into = handleOf(target, 'target');
  if (out === undefined || into === undefined) return null;
  const [sx, sy] = anchor(source, out);
  const [tx, ty] = anchor(target, into);
  const sp = out.position;
  const tp = into.position;
  const curvature = curvatureOf(edge, sx, tx);
  const [d] = getBezierPath({ sourceX: sx, sourceY: sy, targetX: tx, targetY: ty, sourcePosition: sp, targetPosition: tp, curvature });
  // the curve stays inside the hull of its ends and control points; those lie on the anchors' rows
  const c1 = sx + (tx >= sx ? 0.5 * (tx - sx) : curvature * 25 * Math.sqrt(sx - tx));
  const c2 = tx - (tx >= sx ? 0.5 * (tx - sx) : curvature * 25 * Math.sqrt(sx - tx));
  return {
    d,
    sx,
    sy,
    tx,
    ty,
    sp,
    tp,
    curvature,
    x1: Math.min(sx, tx, c1, c2),
    y1: Math.min(sy, ty),
    x2: Math.max(sx, tx, c1, c2),
    y2: Math.max(sy, ty),
  };
}

/** Distance from (px, py) to the curve, in flow units: the curve as 24 straight pieces. */
export function distanceToEdge(g: EdgeGeometry, px: number, py: number): number {
  const off = (d: number) => (d >= 0 ? 0.5 * d : g.curvature * 25 * Math.sqrt(-d));
  const c1x = g.sx + off(g.tx - g.sx);
  const c2x = g.tx - off(g.tx - g.sx);
  let best = Infinity;
  let ax = g.sx;
  let ay = g.sy;
  const STEPS = 24;
  for (let i = 1; i <= STEPS; i++) {
    const t = i / STEPS;
    const u = 1 - t;
    const bx = u * u * u * g.sx + 3 * u * u * t * c1x + 3 * u * t * t * c2x + t * t * t * g.tx;
    const by = u * u * u * g.sy + 3 * u * u * t * g.sy + 3 * u * t * t * g.ty + t * t * t * g.ty;
    const dx = bx - ax;
    const dy = by - ay;
    const len2 = dx * dx + dy * dy;
    const k = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / len2));
    const ex = ax + k * dx - px;
    const ey = ay + k * dy - py;
    best = Math.min(best, ex * ex + ey * ey);
    ax = bx;
    ay = by;
  }
  return Math.sqrt(best);
}

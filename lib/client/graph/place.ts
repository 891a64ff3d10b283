// Incremental placement: nodes that already have a position keep it; a new node goes near a
// neighbour that has one (right of what points at it, left of what it points at), in the first
// free spot found; a node with no placed neighbour goes below everything. No dagre pass: a burst
// of hundreds of new nodes costs a grid lookup per candidate spot, not a layout of the graph.
import type { XY } from './layout';
import { NODE_SIZE } from './types';

type Kind = keyof typeof NODE_SIZE;
type PlaceNode = { id: string; type?: string };
type PlaceEdge = { source: string; target: string };

/** horizontal room between a node and the next column (binding labels sit there) */
const COLUMN_GAP = 150;
const ROW_GAP = 26;
const MARGIN = 12;
const CELL = 80;
/** rows tried above and below the wanted spot before moving one column further out */
const ROWS_EACH_SIDE = 10;
const MAX_COLUMNS = 80;

const sizeOf = (n: PlaceNode) => NODE_SIZE[(n.type as Kind | undefined) ?? 'queue'] ?? NODE_SIZE.queue;
const KIND_ORDER: Record<string, number> = { exchange: 0, queue: 1, queues: 1, consumer: 2, producer: 3 };

/** Rectangles by grid cell: "is this spot free?" looks at a few cells, not every node. */
class Occupancy {
  private readonly cells = new Map<number, { x: number; y: number; w: number; h: number }[]>();

  add(x: number, y: number, w: number, h: number): void {
    const r = { x, y, w, h };
    for (let cx = Math.floor(x / CELL); cx <= Math.floor((x + w) / CELL); cx++) {
      for (let cy = Math.floor(y / CELL); cy <= Math.floor((y + h) / CELL); cy++) {
        const key = cx * 1_000_003 + cy;
        const list = this.cells.get(key);
        if (list) list.push(r);
        else this.cells.set(key, [r]);
      }
    }
  }

  free(x: number, y: number, w: number, h: number): boolean {
    const x1 = x - MARGIN;
    const y1 = y - MARGIN;
    const x2 = x + w + MARGIN;
    const y2 = y + h + MARGIN;
    for (let cx = Math.floor(x1 / CELL); cx <= Math.floor(x2 / CELL); cx++) {
      for (let cy = Math.floor(y1 / CELL); cy <= Math.floor(y2 / CELL); cy++) {
        const list = this.cells.get(cx * 1_000_003 + cy);
        if (!list) continue;
        for (const r of list) if (r.x < x2 && r.x + r.w > x1 && r.y < y2 && r.y + r.h > y1) return false;
      }
    }
    return true;
  }
}

/**
 * Positions for the nodes of `nodes` that `known` has none for; `known` is not changed. The
 * result holds only the new positions.
 */
export function placeNew(
  nodes: readonly PlaceNode[],
  edges: readonly PlaceEdge[],
  known: ReadonlyMap<string, XY>,
): { added: Map<string, XY>; loose: Set<string> } {
  const added = new Map<string, XY>();
  const loose = new Set<string>();
  const pending = nodes.filter((n) => !known.has(n.id));
  if (pending.length === 0) return { added, loose };
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const at = (id: string): XY | undefined => added.get(id) ?? known.get(id);

  const occ = new Occupancy();
  let minX = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const n of nodes) {
    const p = known.get(n.id);
    if (!p) continue;
    const s = sizeOf(n);
    occ.add(p.x, p.y, s.width, s.height);
    minX = Math.min(minX, p.x);
    maxX = Math.max(maxX, p.x + s.width);
    maxY = Math.max(maxY, p.y + s.height);
  }
  if (minX === Infinity) {
    minX = 0;
    maxX = 0;
    maxY = -90;
  }
  const rowWidth = Math.max(1600, maxX - minX);

  const into = new Map<string, string[]>();
  const outOf = new Map<string, string[]>();
  for (const e of edges) {
    if (e.source === e.target || !byId.has(e.source) || !byId.has(e.target)) continue;
    (into.get(e.target) ?? into.set(e.target, []).get(e.target)!).push(e.source);
    (outOf.get(e.source) ?? outOf.set(e.source, []).get(e.source)!).push(e.target);
  }

  // Spots around a wanted one, in order: the spot, then alternately below and above it, then the
  // same one column further out. Siblings (same anchor) go on from where the last one went, so a
  // burst of 500 queues on one exchange does not test the same taken spots 500 times.
  const perColumn = 2 * ROWS_EACH_SIDE + 1;
  const cursor = new Map<string, number>();
  const put = (n: PlaceNode, want: XY, direction: 1 | -1, anchor: string): void => {
    const s = sizeOf(n);
    const stepY = s.height + ROW_GAP;
    const stepX = (s.width + COLUMN_GAP) * direction;
    const key = `${anchor}\u0000${direction}\u0000${n.type ?? ''}`;
    for (let i = cursor.get(key) ?? 0; i < MAX_COLUMNS * perColumn; i++) {
      const r = i % perColumn;
      const k = Math.ceil(r / 2);
      const x = want.x + Math.floor(i / perColumn) * stepX;
      const y = want.y + (r % 2 === 1 ? k : -k) * stepY;
      if (occ.free(x, y, s.width, s.height)) {
        occ.add(x, y, s.width, s.height);
        added.set(n.id, { x: Math.round(x), y: Math.round(y) });
        cursor.set(key, i + 1);
        return;
      }
    }
    added.set(n.id, { x: Math.round(want.x), y: Math.round(want.y) });
    occ.add(want.x, want.y, s.width, s.height);
  };

  /**
   * Right of a placed source, else left of the leftmost placed target (a producer that feeds a
   * queue directly and an exchange goes left of the exchange, not into the exchanges' column);
   * false when neither is placed yet.
   */
  const nearNeighbour = (n: PlaceNode): boolean => {
    const s = sizeOf(n);
    for (const src of into.get(n.id) ?? []) {
      const p = at(src);
      const sn = byId.get(src);
      if (p && sn) {
        const ss = sizeOf(sn);
        put(n, { x: p.x + ss.width + COLUMN_GAP, y: p.y + (ss.height - s.height) / 2 }, 1, src);
        return true;
      }
    }
    let leftmost: { id: string; p: XY; node: PlaceNode } | undefined;
    for (const dst of outOf.get(n.id) ?? []) {
      const p = at(dst);
      const dn = byId.get(dst);
      if (p && dn && (leftmost === undefined || p.x < leftmost.p.x)) leftmost = { id: dst, p, node: dn };
    }
    if (leftmost === undefined) return false;
    const { id, p, node } = leftmost;
    put(n, { x: p.x - s.width - COLUMN_GAP, y: p.y + (sizeOf(node).height - s.height) / 2 }, -1, id);
    return true;
  };

  let left = [...pending].sort((a, b) => (KIND_ORDER[a.type ?? 'queue'] ?? 9) - (KIND_ORDER[b.type ?? 'queue'] ?? 9) || a.id.localeCompare(b.id));
  let looseX = minX;
  let looseY = maxY + 90;
  while (left.length > 0) {
    const rest = left.filter((n) => !nearNeighbour(n));
    if (rest.length === left.length) {
      // nothing placed this round: the first (an exchange, if any) goes below everything, in rows
      const n = rest.shift()!;
      if (looseX - minX > rowWidth) {
        looseX = minX;
        looseY += NODE_SIZE.queue.height + ROW_GAP;
      }
      put(n, { x: looseX, y: looseY }, 1, '');
      loose.add(n.id);
      looseX = added.get(n.id)!.x + sizeOf(n).width + 40;
    }
    left = rest;
  }
  return { added, loose };
}

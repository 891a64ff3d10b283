// Left-to-right layout with dagre: exchanges, then queues, then consumers. Each connected part of
// the topology is laid out on its own (faster, and unrelated flows do not interleave), then the
// parts are packed in rows, biggest first. A queue nothing is bound to gets a phantom source so it
// still sits right of the exchanges; nodes with no lines at all go in a grid after the parts.
import { graphlib, layout } from '@dagrejs/dagre';
import { NODE_SIZE, type GraphEdge, type GraphNode } from './types';

export interface XY {
  x: number;
  y: number;
}

type LayoutNode = Pick<GraphNode, 'id' | 'type'>;
type LayoutEdge = Pick<GraphEdge, 'source' | 'target' | 'type'> & { data?: Record<string, unknown> };

interface Block {
  /** positions relative to the block's top-left corner */
  positions: Map<string, XY>;
  width: number;
  height: number;
  size: number;
}

const PHANTOM = '\u0000phantom:';
/** space between packed parts */
const GAP_X = 140;
const GAP_Y = 90;
/** space between ranks; more where binding labels are long (header arguments), so a label sits on
 * its line between the two nodes instead of over them */
const RANKSEP = 150;
const RANKSEP_MAX = 300;

/** About how wide a binding's label is drawn: the key in 11px monospace (cut at 150px), padding
 * and the rate beside it. */
function labelWidth(e: LayoutEdge): number {
  const label = e.type === 'binding' && typeof e.data?.label === 'string' ? e.data.label : '';
  return label === '' ? 0 : Math.min(150, label.length * 6.7) + 56;
}

const sizeOf = (n: LayoutNode) => NODE_SIZE[n.type ?? 'queue'];

/** Connected parts of the graph (edges taken both ways), largest first. */
function components(nodes: readonly LayoutNode[], edges: readonly LayoutEdge[]): LayoutNode[][] {
  const parent = new Map<string, string>(nodes.map((n) => [n.id, n.id]));
  const find = (x: string): string => {
    let r = x;
    while (parent.get(r) !== r) r = parent.get(r) ?? r;
    let c = x;
    while (c !== r) {
      const next = parent.get(c) ?? r;
      parent.set(c, r);
      c = next;
    }
    return r;
  };
  for (const e of edges) {
    if (!parent.has(e.source) || !parent.has(e.target)) continue;
    const a = find(e.source);
    const b = find(e.target);
    if (a !== b) parent.set(a, b);
  }
  const groups = new Map<string, LayoutNode[]>();
  for (const n of nodes) {
    const root = find(n.id);
    const g = groups.get(root);
    if (g) g.push(n);
    else groups.set(root, [n]);
  }
  return [...groups.values()].sort((a, b) => b.length - a.length || a[0].id.localeCompare(b[0].id));
}

function layoutComponent(nodes: readonly LayoutNode[], edges: readonly LayoutEdge[]): Block {
  const g = new graphlib.Graph({ multigraph: false });
  // network-simplex gives the tidiest ranks but grows quickly; big parts use the faster tight-tree
  const ranker = nodes.length > 150 ? 'tight-tree' : 'network-simplex';
  const widest = edges.reduce((w, e) => Math.max(w, labelWidth(e)), 0);
  const ranksep = Math.min(RANKSEP_MAX, Math.max(RANKSEP, widest + 48));
  g.setGraph({ rankdir: 'LR', nodesep: 26, ranksep, edgesep: 14, marginx: 0, marginy: 0, ranker });
  g.setDefaultEdgeLabel(() => ({}));
  const hasInbound = new Set<string>();
  for (const e of edges) if (e.type === 'binding') hasInbound.add(e.target);
  for (const n of nodes) {
    const size = sizeOf(n);
    g.setNode(n.id, { width: size.width, height: size.height });
    // a queue nothing is bound to still belongs right of the exchanges
    if (n.type === 'queue' && !hasInbound.has(n.id)) {
      const phantom = `${PHANTOM}${n.id}`;
      g.setNode(phantom, { width: 1, height: 1 });
      g.setEdge(phantom, n.id, { minlen: 1, weight: 1 });
    }
  }
  for (const e of edges) {
    if (e.source === e.target) continue;
    // dead-letter and alternate links are drawn but shape the layout less than bindings
    const weight = e.type === 'link' ? 0.5 : e.type === 'consume' ? 3 : 1;
    g.setEdge(e.source, e.target, { minlen: 1, weight });
  }
  layout(g);
  const positions = new Map<string, XY>();
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const n of nodes) {
    const p = g.node(n.id);
    const size = sizeOf(n);
    // dagre gives centres; React Flow wants top-left corners
    const x = (p.x ?? 0) - size.width / 2;
    const y = (p.y ?? 0) - size.height / 2;
    minX = Math.min(minX, x);
    minY = Math.min(minY, y);
    maxX = Math.max(maxX, x + size.width);
    maxY = Math.max(maxY, y + size.height);
    positions.set(n.id, { x, y });
  }
  for (const [id, p] of positions) positions.set(id, { x: Math.round(p.x - minX), y: Math.round(p.y - minY) });
  return { positions, width: maxX - minX, height: maxY - minY, size: nodes.length };
}

/** Nodes without lines, in a grid: exchanges first, then queues, each kind starting a new row. */
function looseGrid(nodes: readonly LayoutNode[]): Block | null {
  if (nodes.length === 0) return null;
  const cols = Math.max(1, Math.min(8, Math.ceil(Math.sqrt(nodes.length / 2))));
  const cellW = Math.max(NODE_SIZE.exchange.width, NODE_SIZE.queue.width, NODE_SIZE.queues.width) + 24;
  const positions = new Map<string, XY>();
  let y = 0;
  let width = 0;
  for (const kind of ['exchange', 'queue', 'queues'] as const) {
    const list = nodes.filter((n) => (n.type ?? 'queue') === kind).sort((a, b) => a.id.localeCompare(b.id));
    if (list.length === 0) continue;
    const h = NODE_SIZE[kind].height + 22;
    list.forEach((n, i) => positions.set(n.id, { x: (i % cols) * cellW, y: y + Math.floor(i / cols) * h }));
    y += Math.ceil(list.length / cols) * h + 30;
    width = Math.max(width, Math.min(cols, list.length) * cellW - 24);
  }
  return { positions, width, height: y - 30 - 22, size: nodes.length };
}

/** Rows of blocks, left to right, wrapping at a width that keeps the whole roughly 16:10. */
function pack(blocks: Block[]): Map<string, XY> {
  const out = new Map<string, XY>();
  if (blocks.length === 0) return out;
  const area = blocks.reduce((a, b) => a + (b.width + GAP_X) * (b.height + GAP_Y), 0);
  const rowWidth = Math.max(Math.max(...blocks.map((b) => b.width)), Math.sqrt(area * 1.6));
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  for (const b of blocks) {
    if (x > 0 && x + b.width > rowWidth) {
      x = 0;
      y += rowHeight + GAP_Y;
      rowHeight = 0;
    }
    for (const [id, p] of b.positions) out.set(id, { x: p.x + x, y: p.y + y });
    x += b.width + GAP_X;
    rowHeight = Math.max(rowHeight, b.height);
  }
  return out;
}

export function layoutGraph(nodes: readonly LayoutNode[], edges: readonly LayoutEdge[]): Map<string, XY> {
  const known = new Set(nodes.map((n) => n.id));
  const usable = edges.filter((e) => e.source !== e.target && known.has(e.source) && known.has(e.target));
  const linked = new Set<string>();
  for (const e of usable) {
    linked.add(e.source);
    linked.add(e.target);
  }
  const parts = components(
    nodes.filter((n) => linked.has(n.id)),
    usable,
  );
  const edgesOf = new Map<string, LayoutEdge[]>();
  const partOf = new Map<string, number>();
  parts.forEach((p, i) => p.forEach((n) => partOf.set(n.id, i)));
  for (const e of usable) {
    const key = String(partOf.get(e.source));
    const list = edgesOf.get(key);
    if (list) list.push(e);
    else edgesOf.set(key, [e]);
  }
  const blocks = parts.map((p, i) => layoutComponent(p, edgesOf.get(String(i)) ?? []));
  const loose = looseGrid(nodes.filter((n) => !linked.has(n.id)));
  if (loose) blocks.push(loose);
  return pack(blocks);
}

/** A key that changes when the graph's shape (not its data) changes: only then is it laid out again. */
export function structureKey(nodes: readonly { id: string }[], edges: readonly { source: string; target: string }[]): string {
  const ids = nodes.map((n) => n.id).sort();
  const links = edges.map((e) => `${e.source}>${e.target}`).sort();
  return `${ids.join('\n')}\n--\n${links.join('\n')}`;
}

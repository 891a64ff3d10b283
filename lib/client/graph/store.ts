// The one owner of the graph: nodes and edges for React Flow, derived from the vhost's topology,
// laid out by dagre, with the positions the user dragged kept per vhost. React Flow's changes
// (drag, select, measure) come back through onNodesChange / onEdgesChange.
import { applyEdgeChanges, applyNodeChanges, type EdgeChange, type NodeChange } from '@xyflow/react';
import { create } from 'zustand';
import type { Topology } from '../types';
import { buildGraph } from './build';
import { layoutGraph, structureKey, type XY } from './layout';
import { hashKey, loadLayout, loadPinned, saveLayout, savePinned } from './positions';
import { NODE_HANDLES, NODE_SIZE, type GraphEdge, type GraphNode } from './types';

interface GraphState {
  vhost: string | null;
  topology: Topology | null;
  /** a topology that arrived while paused */
  pending: Topology | null;
  showBuiltins: boolean;
  filter: string;
  paused: boolean;
  nodes: GraphNode[];
  edges: GraphEdge[];
  /** ids matching the filter */
  matches: string[];
  structure: string;
  layout: Map<string, XY>;
  pinned: Record<string, XY>;
  selectedNodeId: string | null;
  selectedEdgeId: string | null;
  /** bumped to ask the canvas to fit everything into view */
  fitToken: number;
  /** 'initial': a first look, which may show the top-left corner readably rather than all of a huge graph */
  fitMode: 'all' | 'initial';
  /** until the user pans or zooms, the view follows the graph as it grows or shrinks */
  autoFit: boolean;
  /** a node to centre on (from a table row link or a search) */
  focus: { id: string; token: number } | null;
  /** last layout time in ms, for the scale budget */
  layoutMs: number;

  setVhost(vhost: string): void;
  /** forget everything (logout) */
  reset(): void;
  setTopology(t: Topology): void;
  setShowBuiltins(show: boolean): void;
  setFilter(filter: string): void;
  setPaused(paused: boolean): void;
  onNodesChange(changes: NodeChange<GraphNode>[]): void;
  onEdgesChange(changes: EdgeChange<GraphEdge>[]): void;
  pin(id: string, position: XY): void;
  resetLayout(): void;
  requestFit(): void;
  /** the user panned or zoomed: stop following the graph */
  userMoved(): void;
  focusNode(id: string): void;
  select(nodeId: string | null, edgeId?: string | null): void;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

function sameData(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if (!sameValue(a[k], b[k])) return false;
  return true;
}

function derive(s: GraphState, topology: Topology, forceLayout = false): Partial<GraphState> {
  const t0 = performance.now();
  const built = buildGraph(topology, { showBuiltins: s.showBuiltins, filter: s.filter });
  const structure = structureKey(built.nodes, built.edges);
  let layout = s.layout;
  if (forceLayout || structure !== s.structure) {
    const hash = hashKey(structure);
    const cached = forceLayout || s.vhost === null ? null : loadLayout(s.vhost, hash);
    if (cached !== null) layout = cached;
    else {
      layout = layoutGraph(built.nodes, built.edges);
      // worth keeping only when laying out took a while
      if (s.vhost !== null && built.nodes.length > 60) saveLayout(s.vhost, hash, layout);
    }
  }

  const prevNodes = new Map(s.nodes.map((n) => [n.id, n]));
  const nodes = built.nodes.map((n): GraphNode => {
    const position = s.pinned[n.id] ?? layout.get(n.id) ?? { x: 0, y: 0 };
    const prev = prevNodes.get(n.id);
    if (prev && prev.type === n.type && prev.position.x === position.x && prev.position.y === position.y && sameData(prev.data, n.data)) {
      return prev;
    }
    // known sizes let React Flow cull off-screen nodes before it has measured any
    const size = NODE_SIZE[n.type];
    return {
      ...n,
      position,
      width: size.width,
      height: size.height,
      handles: NODE_HANDLES[n.type],
      selected: prev?.selected ?? n.id === s.selectedNodeId,
      measured: prev?.measured,
    } as GraphNode;
  });
  const prevEdges = new Map(s.edges.map((e) => [e.id, e]));
  const edges = built.edges.map((e): GraphEdge => {
    const prev = prevEdges.get(e.id);
    if (prev && prev.source === e.source && prev.target === e.target && sameData(prev.data ?? {}, e.data ?? {})) return prev;
    return { ...e, selected: prev?.selected ?? e.id === s.selectedEdgeId } as GraphEdge;
  });
  const ids = new Set(nodes.map((n) => n.id));
  const edgeIds = new Set(edges.map((e) => e.id));
  return {
    topology,
    nodes,
    edges,
    matches: built.matches,
    structure,
    layout,
    selectedNodeId: s.selectedNodeId !== null && ids.has(s.selectedNodeId) ? s.selectedNodeId : null,
    selectedEdgeId: s.selectedEdgeId !== null && edgeIds.has(s.selectedEdgeId) ? s.selectedEdgeId : null,
    layoutMs: performance.now() - t0,
  };
}

const SHOW_BUILTINS_KEY = 'warren.graph.showBuiltins';
/** Past this, following every change would mean constant zooming: the view stays put. */
const AUTO_FIT_MAX_NODES = 60;

export const useGraph = create<GraphState>()((set, get) => ({
  vhost: null,
  topology: null,
  pending: null,
  showBuiltins: false,
  filter: '',
  paused: false,
  nodes: [],
  edges: [],
  matches: [],
  structure: '',
  layout: new Map(),
  pinned: {},
  selectedNodeId: null,
  selectedEdgeId: null,
  fitToken: 0,
  fitMode: 'all',
  autoFit: true,
  focus: null,
  layoutMs: 0,

  setVhost(vhost) {
    if (get().vhost === vhost) return;
    let showBuiltins = false;
    try {
      showBuiltins = localStorage.getItem(SHOW_BUILTINS_KEY) === 'true';
    } catch {
      /* default */
    }
    set({
      vhost,
      topology: null,
      pending: null,
      nodes: [],
      edges: [],
      matches: [],
      structure: '',
      layout: new Map(),
      pinned: loadPinned(vhost),
      selectedNodeId: null,
      selectedEdgeId: null,
      showBuiltins,
      autoFit: true,
    });
  },
  reset() {
    set({ vhost: null, topology: null, pending: null, nodes: [], edges: [], matches: [], structure: '', layout: new Map(), pinned: {}, selectedNodeId: null, selectedEdgeId: null, filter: '', paused: false });
  },
  setTopology(t) {
    const s = get();
    if (s.vhost !== t.vhost) return;
    if (s.paused && s.topology !== null) {
      set({ pending: t });
      return;
    }
    const first = s.topology === null;
    const next = derive(s, t);
    set(next);
    if (first) set((x) => ({ fitToken: x.fitToken + 1, fitMode: 'initial' }));
    else if (s.autoFit && next.structure !== s.structure && (next.nodes?.length ?? 0) <= AUTO_FIT_MAX_NODES) {
      set((x) => ({ fitToken: x.fitToken + 1, fitMode: 'all' }));
    }
  },
  setShowBuiltins(showBuiltins) {
    try {
      localStorage.setItem(SHOW_BUILTINS_KEY, String(showBuiltins));
    } catch {
      /* not kept */
    }
    set({ showBuiltins });
    const s = get();
    const t = s.pending ?? s.topology;
    if (t) set(derive(get(), t));
  },
  setFilter(filter) {
    set({ filter });
    const s = get();
    const t = s.pending ?? s.topology;
    if (t) set(derive(get(), t));
  },
  setPaused(paused) {
    set({ paused });
    const s = get();
    if (!paused && s.pending) {
      const t = s.pending;
      set({ pending: null });
      set(derive(get(), t));
    }
  },
  onNodesChange(changes) {
    const s = get();
    let selectedNodeId = s.selectedNodeId;
    for (const c of changes) {
      if (c.type === 'select') {
        if (c.selected) selectedNodeId = c.id;
        else if (selectedNodeId === c.id) selectedNodeId = null;
      } else if (c.type === 'remove' && selectedNodeId === c.id) selectedNodeId = null;
    }
    set({ nodes: applyNodeChanges(changes, s.nodes), selectedNodeId });
  },
  onEdgesChange(changes) {
    const s = get();
    let selectedEdgeId = s.selectedEdgeId;
    for (const c of changes) {
      if (c.type === 'select') {
        if (c.selected) selectedEdgeId = c.id;
        else if (selectedEdgeId === c.id) selectedEdgeId = null;
      }
    }
    // removal goes through the API (with a confirmation), never straight from React Flow
    set({ edges: applyEdgeChanges(changes.filter((c) => c.type !== 'remove'), s.edges), selectedEdgeId });
  },
  pin(id, position) {
    const s = get();
    if (s.vhost === null) return;
    const pinned = { ...s.pinned, [id]: { x: Math.round(position.x), y: Math.round(position.y) } };
    savePinned(s.vhost, pinned);
    set({ pinned });
  },
  resetLayout() {
    const s = get();
    if (s.vhost !== null) savePinned(s.vhost, {});
    set({ pinned: {} });
    const t = get().topology;
    if (t) set(derive(get(), t, true));
    set((x) => ({ fitToken: x.fitToken + 1, fitMode: 'all' }));
  },
  requestFit() {
    set((s) => ({ fitToken: s.fitToken + 1, fitMode: 'all', autoFit: true }));
  },
  userMoved() {
    if (get().autoFit) set({ autoFit: false });
  },
  focusNode(id) {
    set((s) => ({
      autoFit: false,
      focus: { id, token: (s.focus?.token ?? 0) + 1 },
      selectedNodeId: id,
      selectedEdgeId: null,
      nodes: s.nodes.map((n) => (n.selected === (n.id === id) ? n : { ...n, selected: n.id === id })),
      edges: s.edges.map((e) => (e.selected ? { ...e, selected: false } : e)),
    }));
  },
  select(nodeId, edgeId = null) {
    set((s) => ({
      selectedNodeId: nodeId,
      selectedEdgeId: edgeId,
      nodes: s.nodes.map((n) => (!!n.selected === (n.id === nodeId) ? n : { ...n, selected: n.id === nodeId })),
      edges: s.edges.map((e) => (!!e.selected === (e.id === edgeId) ? e : { ...e, selected: e.id === edgeId })),
    }));
  },
}));

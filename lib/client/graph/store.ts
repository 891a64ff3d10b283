// The one owner of the graph: nodes and edges for React Flow, derived from the vhost's topology,
// with the positions the user dragged kept per vhost. dagre lays out the first picture and runs
// again only when the user presses Layout; later a new node is placed near its neighbours and
// every other node stays where it is. The viewport moves only when the user asks (Fit, a focus)
// or on the first look at a vhost. React Flow's changes (drag, select, measure) come back through
// onNodesChange / onEdgesChange.
import { applyEdgeChanges, applyNodeChanges, type EdgeChange, type NodeChange } from '@xyflow/react';
import { create } from 'zustand';
import type { Topology } from '../types';
import { buildAggregated, shouldAggregate } from './aggregate';
import { buildGraph } from './build';
import { layoutGraph, structureKey, type XY } from './layout';
import { placeNew } from './place';
import { INITIAL_RENDER_MODE, nextRenderMode, settlesIn, type RenderMode } from './render-mode';
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
  /** every node's automatic position, shown or filtered out */
  layout: Map<string, XY>;
  /** nodes placed lately with no neighbour to go by, and when: moved next to one once they get it */
  loose: Map<string, number>;
  /** when the first look at this vhost's graph was framed (0: not yet) */
  framedAt: number;
  /** the user panned, zoomed, selected or asked for a fit: the first look no longer follows declarations */
  lookEnded: boolean;
  pinned: Record<string, XY>;
  selectedNodeId: string | null;
  selectedEdgeId: string | null;
  /** bumped to ask the canvas to fit everything into view */
  fitToken: number;
  /** 'initial': a first look, which may show the top-left corner readably rather than all of a huge graph */
  fitMode: 'all' | 'initial';
  /** a node to centre on (from a table row link or a search) */
  focus: { id: string; token: number } | null;
  /** last layout time in ms, for the scale budget */
  layoutMs: number;
  /** big: only nodes in view are components and edges are drawn on one canvas (render-mode.ts) */
  renderMode: RenderMode;
  /** the queues are drawn in groups (too many to draw one by one): how many there are */
  aggregated: { queues: number } | null;

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
  /** Frames the graph again as a first look does, while the user has not taken the view in hand. */
  refitFirstLook(): void;
  /** The user took the view in hand: from now on it moves only when they ask. */
  endFirstLook(): void;
  /** Still in the first look: declarations coming in are framed as they arrive. */
  inFirstLook(): boolean;
  focusNode(id: string): void;
  select(nodeId: string | null, edgeId?: string | null): void;
  /** A burst may have ended with no update since: the render mode looks again. */
  settleRenderMode(): void;
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

/** A topology declared right after the page opened (a script run as the page loads) arrives in
 * diffs over a few seconds: the first look is framed again as they come, for this long or until the
 * user pans, zooms or selects; after that the view moves only when the user asks. */
export const FIRST_LOOK_MS = 5000;
const SETTLE_MAX_NODES = 150;

/** How long a node placed with no neighbour may still move next to its first one. */
const LOOSE_MS = 3000;

/** Positions for what is shown: the old ones kept, new nodes placed near their neighbours. */
function positionsFor(s: GraphState, nodes: readonly GraphNode[], edges: readonly GraphEdge[], full: boolean): Pick<GraphState, 'layout' | 'loose'> {
  if (nodes.length === 0) return { layout: s.layout, loose: s.loose };
  if (full) {
    const hash = hashKey(structureKey(nodes, edges));
    const cached = s.vhost === null ? null : loadLayout(s.vhost, hash);
    let fresh = cached;
    if (fresh === null) {
      fresh = layoutGraph(nodes, edges);
      // worth keeping only when laying out took a while
      if (s.vhost !== null && nodes.length > 60) saveLayout(s.vhost, hash, fresh);
    }
    const layout = new Map(s.layout);
    for (const [id, p] of fresh) layout.set(id, p);
    return { layout, loose: new Map() };
  }
  const now = Date.now();
  // a node that came alone a moment ago goes next to the neighbour it has now
  let replace: Set<string> | null = null;
  if (s.loose.size > 0) {
    for (const e of edges) {
      for (const [a, b] of [
        [e.source, e.target],
        [e.target, e.source],
      ]) {
        const t = s.loose.get(a);
        if (t !== undefined && now - t < LOOSE_MS && s.pinned[a] === undefined && s.layout.has(b) && !s.loose.has(b)) (replace ??= new Set()).add(a);
      }
    }
  }
  let known: Map<string, XY> = s.layout;
  if (replace !== null || Object.keys(s.pinned).length > 0) {
    known = new Map(s.layout);
    if (replace !== null) for (const id of replace) known.delete(id);
    for (const [id, p] of Object.entries(s.pinned)) known.set(id, p);
  }
  const { added, loose: alone } = placeNew(nodes, edges, known);
  if (added.size === 0 && replace === null) return { layout: s.layout, loose: s.loose };
  const layout = new Map(s.layout);
  for (const [id, p] of added) layout.set(id, p);
  const loose = new Map<string, number>();
  for (const [id, t] of s.loose) if (now - t < LOOSE_MS && !replace?.has(id)) loose.set(id, t);
  for (const id of alone) loose.set(id, now);
  return { layout, loose };
}

function derive(s: GraphState, topology: Topology, forceLayout = false): Partial<GraphState> {
  const t0 = performance.now();
  const opts = { showBuiltins: s.showBuiltins, filter: s.filter };
  const aggregate = shouldAggregate(topology, s.filter);
  const built = aggregate ? buildAggregated(topology, opts) : buildGraph(topology, opts);
  // while the first look settles, the whole picture is laid out again: nobody has looked at it yet
  // (small graphs only, and only when the shape changed)
  const settling =
    s.framedAt !== 0 &&
    !s.lookEnded &&
    Date.now() - s.framedAt < FIRST_LOOK_MS &&
    built.nodes.length <= SETTLE_MAX_NODES &&
    Object.keys(s.pinned).length === 0 &&
    built.nodes.some((n) => !s.layout.has(n.id));
  const { layout, loose } = positionsFor(s, built.nodes as GraphNode[], built.edges, forceLayout || settling || s.layout.size === 0);

  const prevNodes = new Map(s.nodes.map((n) => [n.id, n]));
  const nodes = built.nodes.map((n): GraphNode => {
    const position = s.pinned[n.id] ?? layout.get(n.id) ?? { x: 0, y: 0 };
    const prev = prevNodes.get(n.id);
    if (prev && prev.type === n.type && prev.position.x === position.x && prev.position.y === position.y && (prev.data === n.data || sameData(prev.data, n.data))) {
      return prev;
    }
    // known sizes let React Flow cull off-screen nodes before it has measured any; given as
    // measured too (the components are drawn at exactly these sizes), a node mounting in view
    // needs no measuring round (React Flow's internals updated, then every node again through
    // onNodesChange) — one such round per apply of a burst
    const size = NODE_SIZE[n.type];
    return {
      ...n,
      position,
      width: size.width,
      height: size.height,
      handles: NODE_HANDLES[n.type],
      selected: prev?.selected ?? n.id === s.selectedNodeId,
      measured: prev?.measured ?? { width: size.width, height: size.height },
    } as GraphNode;
  });
  const prevEdges = new Map(s.edges.map((e) => [e.id, e]));
  const edges = built.edges.map((e): GraphEdge => {
    const prev = prevEdges.get(e.id);
    if (prev && prev.source === e.source && prev.target === e.target && (prev.data === e.data || sameData(prev.data ?? {}, e.data ?? {}))) return prev;
    return { ...e, selected: prev?.selected ?? e.id === s.selectedEdgeId } as GraphEdge;
  });
  const ids = new Set(nodes.map((n) => n.id));
  const edgeIds = new Set(edges.map((e) => e.id));
  return {
    topology,
    nodes,
    edges,
    matches: built.matches,
    layout,
    loose,
    selectedNodeId: s.selectedNodeId !== null && ids.has(s.selectedNodeId) ? s.selectedNodeId : null,
    selectedEdgeId: s.selectedEdgeId !== null && edgeIds.has(s.selectedEdgeId) ? s.selectedEdgeId : null,
    layoutMs: performance.now() - t0,
    aggregated: aggregate ? { queues: topology.queues.length } : null,
  };
}

const SHOW_BUILTINS_KEY = 'warren.graph.showBuiltins';

/** Nodes in `next` that `prev` lacked plus nodes of `prev` that `next` lacks. */
function nodesChanged(prev: readonly GraphNode[], next: readonly GraphNode[]): number {
  const before = new Set<string>();
  for (const n of prev) before.add(n.id);
  let kept = 0;
  for (const n of next) if (before.has(n.id)) kept++;
  return next.length - kept + (prev.length - kept);
}

/** wakes the store when a burst may be over with no update to say so */
let settleTimer: ReturnType<typeof setTimeout> | null = null;

/** The render mode once `next` is applied; `counted`: a change of the broker's topology (a filter
 * or the built-ins toggled is the user's, and no burst). */
function modeAfter(s: GraphState, next: Partial<GraphState>, counted: boolean): RenderMode {
  const nodes = next.nodes ?? s.nodes;
  const changed = counted && nodes !== s.nodes ? nodesChanged(s.nodes, nodes) : 0;
  const now = Date.now();
  const mode = nextRenderMode(s.renderMode, nodes.length, changed, now, s.topology === null, s.nodes.length);
  if (mode !== s.renderMode) {
    if (settleTimer !== null) clearTimeout(settleTimer);
    const wait = settlesIn(mode, now);
    settleTimer = wait === null ? null : setTimeout(() => useGraph.getState().settleRenderMode(), wait + 50);
  }
  return mode;
}

/** derive() and the render mode that goes with it, for an update that is not the broker's. */
function rederive(s: GraphState, t: Topology, forceLayout = false): Partial<GraphState> {
  const next = derive(s, t, forceLayout);
  return { ...next, renderMode: modeAfter(s, next, false) };
}

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
  layout: new Map(),
  loose: new Map(),
  framedAt: 0,
  lookEnded: false,
  pinned: {},
  selectedNodeId: null,
  selectedEdgeId: null,
  fitToken: 0,
  fitMode: 'all',
  focus: null,
  layoutMs: 0,
  renderMode: INITIAL_RENDER_MODE,
  aggregated: null,

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
      layout: new Map(),
      loose: new Map(),
      framedAt: 0,
      lookEnded: false,
      pinned: loadPinned(vhost),
      selectedNodeId: null,
      selectedEdgeId: null,
      showBuiltins,
      renderMode: INITIAL_RENDER_MODE,
    });
  },
  reset() {
    set({ vhost: null, topology: null, pending: null, nodes: [], edges: [], matches: [], layout: new Map(), loose: new Map(), framedAt: 0, lookEnded: false, pinned: {}, selectedNodeId: null, selectedEdgeId: null, filter: '', paused: false, renderMode: INITIAL_RENDER_MODE, aggregated: null });
  },
  setTopology(t) {
    const s = get();
    if (s.vhost !== t.vhost) return;
    if (s.paused && s.topology !== null) {
      set({ pending: t });
      return;
    }
    const next = derive(s, t);
    // the first look frames the graph; after that the view stays where the user put it
    const now = Date.now();
    const count = next.nodes?.length ?? 0;
    const renderMode = modeAfter(s, next, true);
    if (s.framedAt === 0 && count > 0) set({ ...next, renderMode, framedAt: now, fitToken: s.fitToken + 1, fitMode: 'initial' });
    else if (s.inFirstLook() && count !== s.nodes.length) set({ ...next, renderMode, fitToken: s.fitToken + 1, fitMode: 'initial' });
    else set({ ...next, renderMode });
  },
  settleRenderMode() {
    const s = get();
    const renderMode = modeAfter(s, {}, false);
    if (renderMode !== s.renderMode) set({ renderMode });
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
    if (t) set(rederive(get(), t));
  },
  setFilter(filter) {
    set({ filter });
    const s = get();
    const t = s.pending ?? s.topology;
    if (t) set(rederive(get(), t));
  },
  setPaused(paused) {
    set({ paused });
    const s = get();
    if (!paused && s.pending) {
      const t = s.pending;
      set({ pending: null });
      // what came in meanwhile arrives at once: a burst like any other
      const next = derive(get(), t);
      set({ ...next, renderMode: modeAfter(get(), next, true) });
    }
  },
  onNodesChange(changes) {
    const s = get();
    let selectedNodeId = s.selectedNodeId;
    let picked = false;
    for (const c of changes) {
      if (c.type === 'select') {
        picked ||= c.selected;
        if (c.selected) selectedNodeId = c.id;
        else if (selectedNodeId === c.id) selectedNodeId = null;
      } else if (c.type === 'remove' && selectedNodeId === c.id) selectedNodeId = null;
    }
    set({ nodes: applyNodeChanges(changes, s.nodes), selectedNodeId, ...(picked ? { lookEnded: true } : {}) });
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
    set({ pinned: {}, layout: new Map(), loose: new Map() });
    const t = get().topology;
    if (t) set(rederive(get(), t, true));
    set((x) => ({ fitToken: x.fitToken + 1, fitMode: 'all' }));
  },
  requestFit() {
    set((s) => ({ fitToken: s.fitToken + 1, fitMode: 'all', lookEnded: true }));
  },
  refitFirstLook() {
    if (!get().lookEnded) set((s) => ({ fitToken: s.fitToken + 1, fitMode: 'initial' }));
  },
  endFirstLook() {
    if (!get().lookEnded) set({ lookEnded: true });
  },
  inFirstLook() {
    const s = get();
    return s.framedAt !== 0 && !s.lookEnded && Date.now() - s.framedAt < FIRST_LOOK_MS;
  },
  focusNode(id) {
    set((s) => ({
      lookEnded: true,
      focus: { id, token: (s.focus?.token ?? 0) + 1 },
      selectedNodeId: id,
      selectedEdgeId: null,
      nodes: s.nodes.map((n) => (n.selected === (n.id === id) ? n : { ...n, selected: n.id === id })),
      edges: s.edges.map((e) => (e.selected ? { ...e, selected: false } : e)),
    }));
  },
  select(nodeId, edgeId = null) {
    set((s) => ({
      lookEnded: true,
      selectedNodeId: nodeId,
      selectedEdgeId: edgeId,
      nodes: s.nodes.map((n) => (!!n.selected === (n.id === nodeId) ? n : { ...n, selected: n.id === nodeId })),
      edges: s.edges.map((e) => (!!e.selected === (e.id === edgeId) ? e : { ...e, selected: e.id === edgeId })),
    }));
  },
}));

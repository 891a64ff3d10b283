'use client';
// The React Flow canvas. Nodes and edges come from the graph store and go back to it; the canvas
// adds what is about viewing: fit, focus, minimap, controls, drag-to-bind and the Delete key.
import '@xyflow/react/dist/base.css';
import {
  Background,
  BackgroundVariant,
  Controls,
  MiniMap,
  ReactFlow,
  useReactFlow,
  getViewportForBounds,
  useStore,
  useStoreApi,
  type Connection,
  type IsValidConnection,
  type Node,
  type OnNodeDrag,
  type ReactFlowState,
} from '@xyflow/react';
import { useCallback, useEffect, useMemo } from 'react';
import { useGraph } from '@/lib/client/graph/store';
import { useStats } from '@/lib/client/stats-store';
import { NODE_SIZE, parseNodeId, type GraphEdge, type GraphNode } from '@/lib/client/graph/types';
import { useBindDialog } from './bind-dialog';
import { EdgeLayer, shownAsComponent, useEdgeHover } from './edge-layer';
import { EstimatedFlow } from './estimated-flow';
import { FlowOverlay } from './flow-overlay';
import { JourneyOverlay } from './journey-overlay';
import { RouteOverlay } from './route-overlay';
import { LabelLayerProvider } from './label-layer';
import { edgeTypes, nodeTypes } from './types';
import { useEntityActions } from './use-entity-actions';
import { FAR_ZOOM, useIsFar } from './use-zoom-level';

/** Below this (labels and details drop out) a fitted graph is unreadable; a first look then starts
 * at START_ZOOM, at the graph's top-left corner. */
const MIN_READABLE_ZOOM = FAR_ZOOM;
const START_ZOOM = 0.7;
/** Fit may zoom out this far (a huge graph is then a field of dots, but all of it), and no further
 * in than FIT_MAX_ZOOM, so one node alone is large but not gigantic. */
const MIN_ZOOM = 0.01;
const FIT_MAX_ZOOM = 1.5;
const FIT_PADDING = 0.08;
/** Fit leaves this band at the top free for what is drawn over the graph (node chips, the flow legend). */
const FIT_TOP_BAND = 40;
/** a filtered Fit frames the matches alone when their neighbours would make them smaller than this */
const FILTER_READABLE_ZOOM = 0.6;

/** The box around the given nodes from their positions and known sizes: off-screen nodes are never
 * measured (only visible ones are rendered), so React Flow's own fitView would leave them out. */
function boundsOf(nodes: readonly GraphNode[]): { x: number; y: number; width: number; height: number } | null {
  if (nodes.length === 0) return null;
  let x1 = Infinity;
  let y1 = Infinity;
  let x2 = -Infinity;
  let y2 = -Infinity;
  for (const n of nodes) {
    const size = NODE_SIZE[(n.type as keyof typeof NODE_SIZE) ?? 'queue'];
    const w = n.measured?.width ?? size.width;
    const h = n.measured?.height ?? size.height;
    x1 = Math.min(x1, n.position.x);
    y1 = Math.min(y1, n.position.y);
    x2 = Math.max(x2, n.position.x + w);
    y2 = Math.max(y2, n.position.y + h);
  }
  return { x: x1, y: y1, width: x2 - x1, height: y2 - y1 };
}

// module-level: a new object each render would have React Flow take them in again
const DEFAULT_EDGE_OPTIONS = { interactionWidth: 16 };
const PRO_OPTIONS = { hideAttribution: false };

const isValidConnection: IsValidConnection = (c) => {
  const source = parseNodeId(c.source);
  const target = parseNodeId(c.target);
  if (source.kind !== 'exchange' || source.name === '') return false;
  if (target.kind === 'queue') return true;
  return target.kind === 'exchange' && target.name !== '' && target.name !== source.name;
};

function minimapColor(n: Node): string {
  if (n.type === 'exchange') return 'var(--mm-exchange)';
  if (n.type === 'consumer') return 'var(--mm-consumer)';
  if (n.type === 'producer') return 'var(--mm-producer)';
  return 'var(--mm-queue)';
}

function ViewportRequests() {
  const rf = useReactFlow();
  const store = useStoreApi();
  const fitToken = useGraph((s) => s.fitToken);
  const focus = useGraph((s) => s.focus);
  useEffect(() => {
    if (fitToken === 0) return;
    // after the nodes of this render are in React Flow's store
    const id = requestAnimationFrame(() => {
      const { nodes, fitMode, filter, matches } = useGraph.getState();
      // the pane's size from React Flow's store: reading the DOM here would force a layout
      const { width: w, height: paneHeight } = store.getState();
      if (w === 0 || paneHeight <= FIT_TOP_BAND) return;
      const h = paneHeight - FIT_TOP_BAND;
      const zoomFor = (x: { width: number; height: number }) =>
        Math.min(w / (x.width * (1 + 2 * FIT_PADDING)), h / (x.height * (1 + 2 * FIT_PADDING)));
      let b = boundsOf(nodes);
      if (b === null) return;
      // with a filter: everything shown (matches and their neighbours) when that stays readable,
      // else just what matched
      const matched = new Set(matches);
      if (filter.trim() !== '' && matched.size > 0 && zoomFor(b) < FILTER_READABLE_ZOOM) {
        b = boundsOf(nodes.filter((n) => matched.has(n.id))) ?? b;
      }
      const zoom = zoomFor(b);
      if (fitMode === 'initial' && zoom < MIN_READABLE_ZOOM) {
        // Too wide only with the margins (five columns on a laptop beside the inspector): framed
        // whole without them at the smallest readable zoom, rather than cut at START_ZOOM.
        if (Math.min(w / b.width, h / b.height) >= MIN_READABLE_ZOOM) {
          const tight = getViewportForBounds(b, w, h, MIN_READABLE_ZOOM, MIN_READABLE_ZOOM, 0);
          void rf.setViewport({ ...tight, y: tight.y + FIT_TOP_BAND }, { duration: 0 });
          return;
        }
        // a huge vhost fitted whole is a field of dots: start readable at its top-left corner instead
        void rf.setViewport({ x: 32 - b.x * START_ZOOM, y: 32 - b.y * START_ZOOM, zoom: START_ZOOM }, { duration: 0 });
        return;
      }
      const v = getViewportForBounds(b, w, h, MIN_ZOOM, FIT_MAX_ZOOM, FIT_PADDING);
      void rf.setViewport({ ...v, y: v.y + FIT_TOP_BAND }, { duration: fitMode === 'initial' ? 0 : 250 });
    });
    return () => cancelAnimationFrame(id);
  }, [fitToken, rf, store]);
  useEffect(() => {
    if (!focus) return;
    const node = rf.getNode(focus.id);
    if (!node) return;
    const size = NODE_SIZE[(node.type as keyof typeof NODE_SIZE) ?? 'queue'];
    void rf.setCenter(node.position.x + size.width / 2, node.position.y + size.height / 2, { zoom: Math.max(rf.getZoom(), 1), duration: 400 });
  }, [focus, rf]);
  return null;
}

/** The graph's extent in flow coordinates. */
function useGraphBounds(): { x1: number; y1: number; x2: number; y2: number } | null {
  const nodes = useGraph((s) => s.nodes);
  return useMemo(() => {
    const b = boundsOf(nodes);
    return b === null ? null : { x1: b.x, y1: b.y, x2: b.x + b.width, y2: b.y + b.height };
  }, [nodes]);
}

/** The minimap helps only when part of the graph is out of view; with all of it on screen it would
 * just cover the bottom-right nodes. A boolean selector: re-renders only when that changes. */
function OverviewMap() {
  const bounds = useGraphBounds();
  // during a burst it would redraw every node on each apply: it holds off until the burst is over
  const bursting = useGraph((s) => s.renderMode.bursting);
  const selector = useCallback(
    (s: ReactFlowState) => {
      if (bounds === null) return false;
      const [tx, ty, zoom] = s.transform;
      const slack = 2;
      return (
        bounds.x1 * zoom + tx < -slack || bounds.y1 * zoom + ty < -slack || bounds.x2 * zoom + tx > s.width + slack || bounds.y2 * zoom + ty > s.height + slack
      );
    },
    [bounds],
  );
  const outOfView = useStore(selector);
  if (!outOfView || bursting) return null;
  return (
    <MiniMap<GraphNode>
      pannable
      zoomable
      nodeColor={minimapColor}
      nodeStrokeWidth={0}
      nodeBorderRadius={4}
      ariaLabel="Minimap"
      className="minimap"
      style={{ width: 168, height: 112 }}
    />
  );
}

export function GraphCanvas() {
  const nodes = useGraph((s) => s.nodes);
  const edges = useGraph((s) => s.edges);
  const onNodesChange = useGraph((s) => s.onNodesChange);
  const onEdgesChange = useGraph((s) => s.onEdgesChange);
  const pin = useGraph((s) => s.pin);
  const openBind = useBindDialog((s) => s.open);
  const actions = useEntityActions();

  const onConnect = useCallback(
    (c: Connection) => {
      const { topology } = useGraph.getState();
      const source = parseNodeId(c.source);
      const target = parseNodeId(c.target);
      const sourceType = topology?.exchanges.find((e) => e.name === source.name)?.type ?? 'direct';
      openBind({ source: source.name, sourceType, destinationKind: target.kind === 'queue' ? 'queue' : 'exchange', destination: target.name });
    },
    [openBind],
  );

  const onNodeDragStop: OnNodeDrag<GraphNode> = useCallback(
    (_e, _node, dragged) => {
      for (const n of dragged) pin(n.id, n.position);
    },
    [pin],
  );

  // Delete / Backspace on a selected binding unbinds it, on a selected queue or exchange deletes
  // it — always after a confirmation. Anywhere on the page but in a field or a dialog.
  useEffect(() => {
    const onKeyDown = (e: globalThis.KeyboardEvent) => {
      if (e.key !== 'Delete' && e.key !== 'Backspace') return;
      const t = e.target as HTMLElement | null;
      if (t?.closest('input, textarea, select, [contenteditable="true"], dialog')) return;
      if (document.querySelector('dialog[open]')) return;
      const s = useGraph.getState();
      if (s.selectedEdgeId) {
        const edge = s.edges.find((x) => x.id === s.selectedEdgeId);
        if (edge?.type === 'binding' && edge.data && edge.data.binding.source !== '') {
          e.preventDefault();
          actions.unbind(edge.data.binding);
        }
        return;
      }
      if (s.selectedNodeId) {
        const { kind, name } = parseNodeId(s.selectedNodeId);
        if (kind === 'queue') {
          e.preventDefault();
          const q = useStats.getState().queues[name];
          actions.deleteQueue(name, q ? q.messages_ready + q.messages_unacknowledged : 0);
        } else if (kind === 'exchange' && name !== '' && !name.startsWith('amq.')) {
          e.preventDefault();
          actions.deleteExchange(name);
        }
      }
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [actions]);

  const far = useIsFar();
  // over BIG_GRAPH nodes, or while a burst of declares or deletes is under way (render-mode.ts)
  const big = useGraph((s) => s.renderMode.big);
  // a big graph's edges are drawn by EdgeLayer; React Flow renders only the selected and hovered ones
  const hovered = useEdgeHover((s) => s.id);
  const shownEdges = useMemo(() => (big ? edges.filter((e) => shownAsComponent(e, hovered)) : edges), [big, edges, hovered]);
  const endFirstLook = useGraph((s) => s.endFirstLook);
  // a move with an event is the user's (a fit or focus has none)
  const onMoveStart = useCallback((e: MouseEvent | TouchEvent | null) => (e ? endFirstLook() : undefined), [endFirstLook]);
  return (
    <div className={far ? 'canvas far' : 'canvas'}>
      <LabelLayerProvider cull={big}>
        <ReactFlow<GraphNode, GraphEdge>
          nodes={nodes}
          edges={shownEdges}
          nodeTypes={nodeTypes}
          edgeTypes={edgeTypes}
          onNodesChange={onNodesChange}
          onEdgesChange={onEdgesChange}
          onConnect={onConnect}
          isValidConnection={isValidConnection}
          onNodeDragStop={onNodeDragStop}
          onNodeDragStart={endFirstLook}
          onMoveStart={onMoveStart}
          onPaneClick={endFirstLook}
          deleteKeyCode={null}
          minZoom={MIN_ZOOM}
          maxZoom={2.5}
          onlyRenderVisibleElements={big}
          connectionRadius={28}
          nodesFocusable
          edgesFocusable
          aria-label="Topology graph"
          defaultEdgeOptions={DEFAULT_EDGE_OPTIONS}
          proOptions={PRO_OPTIONS}
        >
          <Background variant={BackgroundVariant.Dots} gap={22} size={1.2} className="canvas-bg" />
          {big && <EdgeLayer />}
          <OverviewMap />
          <Controls showInteractive={false} position="bottom-left" className="zoom-controls" aria-label="Zoom controls" />
          <FlowOverlay />
          <RouteOverlay />
          <JourneyOverlay />
          <EstimatedFlow />
          <ViewportRequests />
        </ReactFlow>
      </LabelLayerProvider>
    </div>
  );
}


'use client';
// The React Flow canvas. Nodes and edges come from the graph store and go back to it; the canvas
// adds what is about viewing: fit, focus, minimap, controls, drag-to-bind and the Delete key.
import '@xyflow/react/dist/base.css';
import {
  Background,
  BackgroundVariant,
  Controls,
  getNodesBounds,
  MiniMap,
  ReactFlow,
  useReactFlow,
  useStoreApi,
  type Connection,
  type IsValidConnection,
  type Node,
  type OnNodeDrag,
} from '@xyflow/react';
import { useCallback, useEffect } from 'react';
import { useGraph } from '@/lib/client/graph/store';
import { useStats } from '@/lib/client/stats-store';
import { NODE_SIZE, parseNodeId, type GraphEdge, type GraphNode } from '@/lib/client/graph/types';
import { useBindDialog } from './bind-dialog';
import { FlowOverlay } from './flow-overlay';
import { edgeTypes, nodeTypes } from './types';
import { useEntityActions } from './use-entity-actions';
import { useIsFar } from './use-zoom-level';

/** Below this a fitted graph is unreadable; a first look then starts at START_ZOOM. */
const MIN_READABLE_ZOOM = 0.3;
const START_ZOOM = 0.7;

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
  return 'var(--mm-queue)';
}

function ViewportRequests() {
  const rf = useReactFlow();
  const store = useStoreApi();
  const fitToken = useGraph((s) => s.fitToken);
  const focus = useGraph((s) => s.focus);
  useEffect(() => {
    if (fitToken === 0) return;
    // after the nodes of this render have been measured
    const id = requestAnimationFrame(() => {
      const { nodes, fitMode } = useGraph.getState();
      if (fitMode === 'initial' && nodes.length > 0) {
        // a huge vhost fitted whole is a field of dots: start readable at its top-left corner instead
        const b = getNodesBounds(nodes);
        // the pane's size from React Flow's store: reading the DOM here would force a layout
        const { width: w, height: h } = store.getState();
        const zoom = Math.min(w / (b.width * 1.12), h / (b.height * 1.12));
        if (zoom < MIN_READABLE_ZOOM) {
          void rf.setViewport({ x: 32 - b.x * START_ZOOM, y: 32 - b.y * START_ZOOM, zoom: START_ZOOM }, { duration: 0 });
          return;
        }
      }
      void rf.fitView({ padding: 0.12, duration: fitMode === 'initial' ? 0 : 250, maxZoom: 1.1 });
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

  // only a person's pan or zoom has an event; fitting and centring do not
  const onMoveStart = useCallback((event: MouseEvent | TouchEvent | null) => {
    if (event) useGraph.getState().userMoved();
  }, []);

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
  return (
    <div className={far ? 'canvas far' : 'canvas'}>
      <ReactFlow<GraphNode, GraphEdge>
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        edgeTypes={edgeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        isValidConnection={isValidConnection}
        onNodeDragStop={onNodeDragStop}
        onMoveStart={onMoveStart}
        deleteKeyCode={null}
        minZoom={0.05}
        maxZoom={2.5}
        onlyRenderVisibleElements={nodes.length > 150}
        connectionRadius={28}
        nodesFocusable
        edgesFocusable
        aria-label="Topology graph"
        defaultEdgeOptions={{ interactionWidth: 16 }}
        proOptions={{ hideAttribution: false }}
      >
        <Background variant={BackgroundVariant.Dots} gap={22} size={1.2} className="canvas-bg" />
        <MiniMap<GraphNode> pannable zoomable nodeColor={minimapColor} nodeStrokeWidth={0} nodeBorderRadius={4} ariaLabel="Minimap" className="minimap" />
        <Controls showInteractive={false} position="bottom-left" className="zoom-controls" aria-label="Zoom controls" />
        <FlowOverlay />
        <ViewportRequests />
      </ReactFlow>
    </div>
  );
}


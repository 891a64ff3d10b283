'use client';
// A big graph's edges (lib/client/graph/render-mode.ts), drawn on one canvas under the nodes instead of as a
// thousand React Flow edge components: during a burst of declares each apply re-rendered every one
// of them, tasks of up to a second. The canvas is redrawn on the next animation frame after the
// nodes, the edges, the rates or the viewport change; the geometry is the edge components' own
// (lib/client/graph/edge-geometry.ts) and the colours are read from the same CSS classes.
// The edge under the pointer and the selected one are handed back to React Flow as components
// (canvas.tsx): they get their label, their rate and the Unbind button, and a click selects them.
import { useStoreApi } from '@xyflow/react';
import { useEffect, useRef } from 'react';
import { create } from 'zustand';
import { distanceToEdge, edgeGeometry, type EdgeGeometry } from '@/lib/client/graph/edge-geometry';
import { createEdgePainter, type PaintMessage, type Stroke } from '@/lib/client/graph/edge-paint';
import { useGraph } from '@/lib/client/graph/store';
import { parseNodeId, type GraphEdge, type GraphNode } from '@/lib/client/graph/types';
import { bindingStatsKey } from '@/lib/live/protocol';
import { useStats } from '@/lib/client/stats-store';

/** How near the pointer must come to an edge, in screen pixels, to pick it. */
const PICK_PX = 8;

interface HoverState {
  id: string | null;
  set(id: string | null): void;
}

/** The edge under the pointer on a big graph. */
export const useEdgeHover = create<HoverState>()((set) => ({ id: null, set: (id) => set({ id }) }));

/** On a big graph, the edges React Flow renders as components: the selected one and the hovered one. */
export const shownAsComponent = (e: GraphEdge, hovered: string | null): boolean => e.selected === true || e.id === hovered;

/** The class list the edge's component gives its path (selected ones are never drawn here). */
function classOf(e: GraphEdge, s: StatsState): string {
  const dim = e.data?.dim ? ' dim' : '';
  switch (e.type) {
    case 'binding': {
      const b = e.data?.binding;
      const own = b === undefined ? undefined : s.bindings[bindingStatsKey(b)];
      const { kind, name } = parseNodeId(e.target);
      const inbound = own !== undefined ? own.publish_rate : kind === 'queue' ? (s.queues[name]?.publish_rate ?? 0) : (s.exchanges[name]?.publish_in_rate ?? 0);
      return `gedge gedge-binding${inbound > 0 ? ' active' : ''}${b?.destination_type === 'exchange' ? ' e2e' : ''}${dim}`;
    }
    case 'consume':
      return `gedge gedge-consume${(s.consumers[e.data?.statsKey ?? '']?.deliver_rate ?? 0) > 0 ? ' active' : ''}${dim}`;
    case 'publish': {
      const p = s.producers[e.data?.statsKey ?? ''];
      return `gedge gedge-publish${(p?.publish_rate ?? 0) > 0 ? ' active' : ''}${p?.gone ? ' gone' : ''}${e.data?.viaDefault ? ' via-default' : ''}${dim}`;
    }
    case 'link':
      return `gedge gedge-link link-${e.data?.link ?? 'alternate'}${dim}`;
    default:
      return 'gedge';
  }
}

/** Every class list classOf gives, in its order: their strokes are read once, up front. Read in the
 * middle of a burst instead, each new one forced a style recalculation of the freshly mounted nodes. */
function everyEdgeClass(): string[] {
  const combos = (base: string, flags: string[]): string[] =>
    flags.reduce<string[]>((acc, f) => acc.flatMap((c) => [c, `${c} ${f}`]), [base]);
  return [
    'gedge',
    ...combos('gedge gedge-binding', ['active', 'e2e', 'dim']),
    ...combos('gedge gedge-consume', ['active', 'dim']),
    ...combos('gedge gedge-publish', ['active', 'gone', 'via-default', 'dim']),
    ...combos('gedge gedge-link link-alternate', ['dim']),
    ...combos('gedge gedge-link link-dead-letter', ['dim']),
  ];
}


interface Drawn {
  edge: GraphEdge;
  g: EdgeGeometry;
  /** the ends it was computed from: unchanged ends, unchanged geometry */
  from: string;
  /** its class list when the groups were last made (null: not in them) */
  cls: string | null;
}

/** Where an edge's two nodes are, as one string: its geometry depends on nothing else. */
const endsOf = (s: GraphNode, t: GraphNode): string => `${s.type} ${s.position.x} ${s.position.y} ${t.type} ${t.position.x} ${t.position.y}`;

/** Groups are built for the view and this much around it (a share of its size on each side), so
 * a short pan redraws without rebuilding them. */
const GROUP_MARGIN = 0.5;

type StatsState = ReturnType<typeof useStats.getState>;

// inline, so the layer needs nothing from the stylesheet: under React Flow's renderer (z-index 4),
// over its background, never taking the pointer from the pane
const HOST_STYLE = { position: 'absolute', inset: 0, pointerEvents: 'none', zIndex: 0 } as const;

/** Where the canvas is painted: in a worker on an OffscreenCanvas when the browser can, so the
 * main thread never rasterises the lines; else on the page. The canvas is made here, once per
 * painter (control of a canvas can be handed to a worker only once). */
function startPainter(host: HTMLElement): { paint(m: PaintMessage): void; stop(): void } {
  const canvas = document.createElement('canvas');
  canvas.className = 'edge-canvas';
  canvas.setAttribute('aria-hidden', 'true');
  Object.assign(canvas.style, { position: 'absolute', inset: '0', width: '100%', height: '100%' });
  host.appendChild(canvas);
  if (typeof Worker !== 'undefined' && typeof canvas.transferControlToOffscreen === 'function') {
    try {
      const worker = new Worker(new URL('./edge-paint.worker.ts', import.meta.url), { type: 'module' });
      const offscreen = canvas.transferControlToOffscreen();
      worker.postMessage({ canvas: offscreen }, [offscreen]);
      return {
        paint: (m) => worker.postMessage(m),
        stop: () => {
          worker.terminate();
          canvas.remove();
        },
      };
    } catch {
      /* painted on the page below */
    }
  }
  const ctx = canvas.getContext('2d');
  const paint = ctx === null ? () => {} : createEdgePainter(canvas, ctx);
  return { paint, stop: () => canvas.remove() };
}
const PROBE_STYLE = { position: 'absolute', width: 0, height: 0, overflow: 'hidden', pointerEvents: 'none' } as const;
// .gedge transitions its stroke: read right after a class change, the probe would give the old one
const PROBE_PATH_STYLE = { transition: 'none' } as const;

export function EdgeLayer() {
  const hostRef = useRef<HTMLDivElement>(null);
  const probeRef = useRef<SVGPathElement>(null);
  const store = useStoreApi();

  useEffect(() => {
    const probe = probeRef.current;
    if (!hostRef.current || !probe) return;
    const painter = startPainter(hostRef.current);

    let drawn: Drawn[] = [];
    /** by edge id, from the last rebuild: an edge whose nodes did not move keeps its geometry */
    let byEdge = new Map<string, Drawn>();
    let geometryDirty = true;
    /** the canvas's paths, one per class list: a few strokes per frame, not one per edge; only the
     * edges that cross `groupsFor` (flow coordinates) are in them */
    let groups: Map<string, string[]> | null = null;
    let groupsFor = { x1: 0, y1: 0, x2: 0, y2: 0 };
    /** Edges that came since the canvas was last drawn, when nothing else changed: they are
     * stroked over what is there. Redrawing all of a big graph's lines per apply of a burst cost
     * the compositor 10-20 ms a frame (software canvas), growing with every edge. */
    let added: Drawn[] = [];
    /** the view changed: draw all again (from the groups while they cover the view) */
    let full = true;
    /** classes changed, or an edge went or moved: the groups are made again and all drawn */
    let regroup = true;
    /** what the canvas was last drawn for */
    let drawnFor = '';
    const styles = new Map<string, Stroke>();
    let frame = 0;

    const styleOf = (cls: string): Stroke => {
      let s = styles.get(cls);
      if (s === undefined) {
        probe.setAttribute('class', cls);
        const cs = getComputedStyle(probe);
        const dash = cs.strokeDasharray === 'none' ? [] : cs.strokeDasharray.split(/[ ,]+/).map(parseFloat).filter((n) => n > 0);
        s = { color: cs.stroke, width: parseFloat(cs.strokeWidth) || 1.5, dash, alpha: parseFloat(cs.opacity) || 1 };
        styles.set(cls, s);
      }
      return s;
    };

    const warmStyles = () => {
      for (const cls of everyEdgeClass()) styleOf(cls);
    };
    warmStyles();

    const rebuildGeometry = () => {
      const { nodes, edges } = useGraph.getState();
      const byId = new Map<string, GraphNode>();
      for (const n of nodes) byId.set(n.id, n);
      const next: Drawn[] = [];
      const nextByEdge = new Map<string, Drawn>();
      const fresh: Drawn[] = [];
      let kept = 0;
      for (const edge of edges) {
        const source = byId.get(edge.source);
        const target = byId.get(edge.target);
        if (source === undefined || target === undefined) continue;
        const from = endsOf(source, target);
        const old = byEdge.get(edge.id);
        let d: Drawn;
        if (old !== undefined && old.from === from && old.edge === edge) {
          d = old;
          kept++;
        } else {
          if (old !== undefined) regroup = true;
          const g = old !== undefined && old.from === from ? old.g : edgeGeometry(edge, source, target);
          if (g === null) continue;
          d = { edge, g, from, cls: null };
          if (old === undefined) fresh.push(d);
        }
        next.push(d);
        nextByEdge.set(edge.id, d);
      }
      // an edge gone (or one that was not drawn now is): everything is drawn again
      if (kept + (next.length - kept - fresh.length) !== drawn.length) regroup = true;
      if (regroup) added = [];
      else for (const d of fresh) added.push(d);
      drawn = next;
      byEdge = nextByEdge;
      geometryDirty = false;
    };

    /** The visible part of the flow, in flow coordinates. */
    const viewRect = () => {
      const { transform, width, height } = store.getState();
      const [tx, ty, zoom] = transform;
      return { x1: -tx / zoom, y1: -ty / zoom, x2: (width - tx) / zoom, y2: (height - ty) / zoom };
    };

    const buildGroups = (): Map<string, string[]> => {
      const stats = useStats.getState();
      const hovered = useEdgeHover.getState().id;
      const out = new Map<string, string[]>();
      const v = viewRect();
      const mx = (v.x2 - v.x1) * GROUP_MARGIN;
      const my = (v.y2 - v.y1) * GROUP_MARGIN;
      const r = (groupsFor = { x1: v.x1 - mx, y1: v.y1 - my, x2: v.x2 + mx, y2: v.y2 + my });
      for (const d of drawn) {
        d.cls = null;
        const g = d.g;
        if (g.x2 < r.x1 || g.x1 > r.x2 || g.y2 < r.y1 || g.y1 > r.y2) continue;
        if (shownAsComponent(d.edge, hovered)) continue;
        const cls = (d.cls = classOf(d.edge, stats));
        const list = out.get(cls);
        if (list === undefined) out.set(cls, [d.g.d]);
        else list.push(d.g.d);
      }
      return out;
    };

    const strokesOf = (byClass: Map<string, string[]>): PaintMessage['strokes'] =>
      [...byClass].map(([cls, paths]) => ({ style: styleOf(cls), paths }));

    /** Strokes the edges that came since the last draw over the canvas as it is, and keeps them
     * in the groups for the next full draw. */
    const addedStrokes = (): Map<string, string[]> => {
      const stats = useStats.getState();
      const hovered = useEdgeHover.getState().id;
      const r = groupsFor;
      const strokes = new Map<string, string[]>();
      for (const d of added) {
        const g = d.g;
        if (g.x2 < r.x1 || g.x1 > r.x2 || g.y2 < r.y1 || g.y1 > r.y2) continue;
        if (shownAsComponent(d.edge, hovered)) continue;
        const cls = (d.cls = classOf(d.edge, stats));
        for (const target of [strokes, groups]) {
          if (target === null) continue;
          const list = target.get(cls);
          if (list === undefined) target.set(cls, [d.g.d]);
          else list.push(d.g.d);
        }
      }
      return strokes;
    };

    const draw = () => {
      frame = 0;
      const { transform, width, height } = store.getState();
      const [tx, ty, zoom] = transform;
      const dpr = window.devicePixelRatio || 1;
      const w = Math.round(width * dpr);
      const h = Math.round(height * dpr);
      const toDevice: PaintMessage['transform'] = [zoom * dpr, tx * dpr, ty * dpr];
      if (geometryDirty) rebuildGeometry();
      if (regroup) {
        regroup = false;
        groups = null;
      }
      const view = `${tx} ${ty} ${zoom} ${w} ${h}`;
      if (view !== drawnFor) full = true;
      const v = viewRect();
      if (groups !== null && (v.x1 < groupsFor.x1 || v.y1 < groupsFor.y1 || v.x2 > groupsFor.x2 || v.y2 > groupsFor.y2)) groups = null;
      if (groups === null) full = true;
      if (!full) {
        const strokes = addedStrokes();
        added = [];
        if (strokes.size > 0) painter.paint({ full: false, width: w, height: h, transform: toDevice, strokes: strokesOf(strokes) });
        return;
      }
      full = false;
      added = [];
      drawnFor = view;
      const all = (groups ??= buildGroups());
      painter.paint({ full: true, width: w, height: h, transform: toDevice, strokes: strokesOf(all) });
    };
    /** Classes or strokes changed: every edge is drawn again. */
    const redrawAll = () => {
      regroup = true;
      schedule();
    };
    const schedule = () => {
      if (frame === 0) frame = requestAnimationFrame(draw);
    };

    const unsubscribeGraph = useGraph.subscribe((s, prev) => {
      if (s.nodes !== prev.nodes || s.edges !== prev.edges) {
        geometryDirty = true;
        schedule();
      }
    });
    // rates colour the lines: only a change of the per-entity maps matters (a tick that moved
    // nothing keeps them, see stats-store.ts), not the history every tick extends
    // and only when some line's class changes: during a burst every tick brings new queues, and
    // redrawing a thousand lines for them cost a frame 20 ms
    const unsubscribeStats = useStats.subscribe((s, prev) => {
      if (s.queues === prev.queues && s.exchanges === prev.exchanges && s.bindings === prev.bindings && s.consumers === prev.consumers && s.producers === prev.producers) return;
      if (groups === null || geometryDirty) return redrawAll();
      for (const d of drawn) {
        if (d.cls !== null && classOf(d.edge, s) !== d.cls) return redrawAll();
      }
    });
    const unsubscribeHover = useEdgeHover.subscribe(redrawAll);
    const unsubscribeView = store.subscribe((s, prev) => {
      if (s.transform !== prev.transform || s.width !== prev.width || s.height !== prev.height) schedule();
    });
    // another theme: the CSS variables behind the colours changed
    const themeWatch = new MutationObserver(() => {
      styles.clear();
      warmStyles();
      redrawAll();
    });
    themeWatch.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme', 'class'] });

    /** The edge within PICK_PX of a point on screen, nearest first. */
    const edgeAt = (clientX: number, clientY: number): GraphEdge | null => {
      const { transform, domNode } = store.getState();
      if (!domNode) return null;
      if (geometryDirty) rebuildGeometry();
      const rect = domNode.getBoundingClientRect();
      const [tx, ty, zoom] = transform;
      const x = (clientX - rect.left - tx) / zoom;
      const y = (clientY - rect.top - ty) / zoom;
      const reach = PICK_PX / zoom;
      let best: GraphEdge | null = null;
      let bestDistance = reach;
      for (const d of drawn) {
        const g = d.g;
        if (x < g.x1 - reach || x > g.x2 + reach || y < g.y1 - reach || y > g.y2 + reach) continue;
        const distance = distanceToEdge(g, x, y);
        if (distance <= bestDistance) {
          best = d.edge;
          bestDistance = distance;
        }
      }
      return best;
    };

    // hover: at most one hit test per frame, whatever the pointer's event rate
    let pointer: { x: number; y: number; over: Element | null } | null = null;
    let hoverFrame = 0;
    const hover = () => {
      hoverFrame = 0;
      if (pointer === null) return;
      const { over } = pointer;
      const set = useEdgeHover.getState().set;
      // over a node nothing is picked; over the hovered edge's own component it stays
      if (over?.closest('.react-flow__node, .react-flow__panel, .react-flow__minimap')) return set(null);
      if (over?.closest('.react-flow__edge, .edge-label')) return;
      set(edgeAt(pointer.x, pointer.y)?.id ?? null);
    };
    const onPointerMove = (e: PointerEvent) => {
      if (e.buttons !== 0) return;
      pointer = { x: e.clientX, y: e.clientY, over: e.target as Element | null };
      if (hoverFrame === 0) hoverFrame = requestAnimationFrame(hover);
    };
    const onPointerLeave = () => {
      pointer = null;
      useEdgeHover.getState().set(null);
    };
    // click on the pane over an edge selects it (a press that became a pan does not)
    let down: { x: number; y: number } | null = null;
    const onPointerDown = (e: PointerEvent) => {
      down = { x: e.clientX, y: e.clientY };
    };
    const onClick = (e: MouseEvent) => {
      const moved = down === null || Math.hypot(e.clientX - down.x, e.clientY - down.y) > 4;
      down = null;
      if (moved || !(e.target as Element | null)?.closest('.react-flow__pane')) return;
      const edge = edgeAt(e.clientX, e.clientY);
      if (edge !== null && edge.selectable !== false) useGraph.getState().select(null, edge.id);
    };
    const host = store.getState().domNode;
    host?.addEventListener('pointermove', onPointerMove);
    host?.addEventListener('pointerleave', onPointerLeave);
    host?.addEventListener('pointerdown', onPointerDown, true);
    host?.addEventListener('click', onClick, true);

    schedule();
    return () => {
      cancelAnimationFrame(frame);
      cancelAnimationFrame(hoverFrame);
      unsubscribeGraph();
      unsubscribeStats();
      unsubscribeHover();
      unsubscribeView();
      themeWatch.disconnect();
      host?.removeEventListener('pointermove', onPointerMove);
      host?.removeEventListener('pointerleave', onPointerLeave);
      host?.removeEventListener('pointerdown', onPointerDown, true);
      host?.removeEventListener('click', onClick, true);
      useEdgeHover.getState().set(null);
      painter.stop();
    };
  }, [store]);

  return (
    <>
      <div ref={hostRef} className="edge-canvas-host" style={HOST_STYLE} />
      {/* reads the colours, widths and dashes the edge classes resolve to in the current theme */}
      <svg style={PROBE_STYLE} aria-hidden="true" width="0" height="0">
        <path ref={probeRef} style={PROBE_PATH_STYLE} />
      </svg>
    </>
  );
}

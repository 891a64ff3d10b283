'use client';
// Sampled messages as dots travelling the graph: exchange → queue along the binding, queue →
// consumer on delivery. Unroutable, returned, rejected, expired and dead-lettered messages look
// different. Drawn imperatively (Web Animations along the edges' own SVG paths) inside the
// viewport, so no React render happens per message. Paused, it drops new events and freezes, and a
// frozen dot can be clicked to follow its message from there on (its journey).
import { useReactFlow, ViewportPortal } from '@xyflow/react';
import { useEffect, useRef } from 'react';
import type { FlowEventMessage } from '@/lib/live/protocol';
import { subscribeFlow } from '@/lib/client/flow-bus';
import { followMessage } from '@/lib/client/follow';
import { useGraph } from '@/lib/client/graph/store';
import { edgeGeometry } from '@/lib/client/graph/edge-geometry';
import { exchangeId, queueId, type GraphEdge, type GraphNode } from '@/lib/client/graph/types';

const MAX_DOTS = 150;
const HOP_MS = 650;

interface Index {
  edges: readonly GraphEdge[];
  /** binding edges by source node id */
  out: Map<string, GraphEdge[]>;
  /** consume edge by queue + consumer tag */
  consume: Map<string, GraphEdge>;
  /** producers' edges by the node they publish into */
  publishInto: Map<string, GraphEdge[]>;
  byId: Map<string, GraphEdge>;
}

function buildIndex(edges: readonly GraphEdge[]): Index {
  const out = new Map<string, GraphEdge[]>();
  const consume = new Map<string, GraphEdge>();
  const publishInto = new Map<string, GraphEdge[]>();
  const byId = new Map<string, GraphEdge>();
  for (const e of edges) {
    byId.set(e.id, e);
    if (e.type === 'publish') {
      const list = publishInto.get(e.target) ?? [];
      list.push(e);
      publishInto.set(e.target, list);
    } else if (e.type === 'binding') {
      const list = out.get(e.source) ?? [];
      list.push(e);
      out.set(e.source, list);
    } else if (e.type === 'consume') {
      // target id is c|queue|channel|tag
      const tag = e.target.slice(e.target.lastIndexOf('|') + 1);
      consume.set(`${e.data?.queue ?? ''}\u0000${tag}`, e);
    }
  }
  return { edges, out, consume, publishInto, byId };
}

/** Binding edges from an exchange to a queue, through exchange-to-exchange bindings if needed. */
function route(index: Index, from: string, to: string): GraphEdge[] | null {
  const seen = new Set([from]);
  let frontier: { node: string; path: GraphEdge[] }[] = [{ node: from, path: [] }];
  for (let depth = 0; depth < 5 && frontier.length > 0; depth++) {
    const next: typeof frontier = [];
    for (const f of frontier) {
      for (const e of index.out.get(f.node) ?? []) {
        if (e.target === to) return [...f.path, e];
        if (!seen.has(e.target) && e.target.startsWith('e|')) {
          seen.add(e.target);
          next.push({ node: e.target, path: [...f.path, e] });
        }
      }
    }
    frontier = next;
  }
  return null;
}

export function FlowOverlay() {
  const layer = useRef<HTMLDivElement>(null);
  const rf = useReactFlow<GraphNode, GraphEdge>();
  const paused = useGraph((s) => s.paused);

  useEffect(() => {
    const el = layer.current;
    if (!el) return;
    for (const a of el.getAnimations({ subtree: true })) {
      if (paused) a.pause();
      else a.play();
    }
  }, [paused]);

  useEffect(() => {
    let index: Index = buildIndex(useGraph.getState().edges);
    const unsubscribeGraph = useGraph.subscribe((s, prev) => {
      if (s.edges !== prev.edges) {
        index = buildIndex(s.edges);
        dropOrphans(s.edges, s.nodes);
      }
      // another vhost: the dots still in flight belong to a picture that is gone
      if (s.vhost !== prev.vhost) for (const a of layer.current?.getAnimations({ subtree: true }) ?? []) a.cancel();
    });
    /** when each sampled message reaches its queue(s), so a delivery starts after the arrival */
    const arrivals = new Map<number, number>();
    let live = 0;
    const reduced = window.matchMedia('(prefers-reduced-motion: reduce)').matches;

    const pathOf = (edgeId: string): string | null => {
      const root = layer.current?.closest('.react-flow');
      const p = root?.querySelector<SVGPathElement>(`.react-flow__edge[data-id="${CSS.escape(edgeId)}"] path.react-flow__edge-path`);
      if (p) return p.getAttribute('d');
      // a big graph draws its edges on a canvas (edge-layer.tsx): the same path, from the nodes
      const edge = index.byId.get(edgeId);
      return edge ? (edgeGeometry(edge, rf.getNode(edge.source), rf.getNode(edge.target))?.d ?? null) : null;
    };

    /** Dots on an edge or at a node that went away (a queue deleted) stop at once. */
    const dropOrphans = (edges: readonly GraphEdge[], nodes: readonly GraphNode[]) => {
      const host = layer.current;
      if (!host) return;
      let edgeIds: Set<string> | null = null;
      let nodeIds: Set<string> | null = null;
      for (const dot of Array.from(host.children) as HTMLElement[]) {
        const { edge, node } = dot.dataset;
        if (edge !== undefined) edgeIds ??= new Set(edges.map((e) => e.id));
        if (node !== undefined) nodeIds ??= new Set(nodes.map((n) => n.id));
        if ((edge !== undefined && !edgeIds!.has(edge)) || (node !== undefined && !nodeIds!.has(node))) {
          for (const a of dot.getAnimations()) a.cancel();
        }
      }
    };

    const spawn = (cls: string): HTMLDivElement | null => {
      const host = layer.current;
      if (!host || live >= MAX_DOTS) return null;
      const dot = document.createElement('div');
      dot.className = `flow-dot ${cls}`;
      host.appendChild(dot);
      live++;
      return dot;
    };
    const finish = (dot: HTMLElement, anim: Animation) => {
      const done = () => {
        dot.remove();
        live--;
      };
      anim.finished.then(done, done);
    };

    /** along edges one after another; resolves to the time it arrives */
    const travel = (edges: GraphEdge[], cls: string, delay: number, reverse = false, flow?: number): number => {
      let t = delay;
      for (const e of edges) {
        const d = pathOf(e.id);
        if (d === null) continue;
        const dot = reduced ? null : spawn(cls);
        if (dot) {
          dot.dataset.edge = e.id;
          if (flow !== undefined) dot.dataset.flow = String(flow);
          dot.style.offsetPath = `path('${d}')`;
          const from = reverse ? '100%' : '0%';
          const to = reverse ? '0%' : '100%';
          const anim = dot.animate(
            [
              { offsetDistance: from, opacity: 0, transform: 'scale(0.6)' },
              { opacity: 1, transform: 'scale(1)', offset: 0.12 },
              { opacity: 1, transform: 'scale(1)', offset: 0.88 },
              { offsetDistance: to, opacity: 0, transform: 'scale(0.8)' },
            ],
            { duration: HOP_MS, delay: t, easing: 'cubic-bezier(.45,.05,.4,1)', fill: 'both' },
          );
          finish(dot, anim);
        }
        t += HOP_MS;
      }
      return t;
    };

    /** a burst at a node's side: unroutable, returned, acked, rejected, expired */
    const burst = (nodeId: string, cls: string, side: 'left' | 'right' | 'center', delay: number, label?: string) => {
      const node = rf.getInternalNode(nodeId);
      if (!node) return;
      const w = node.measured.width ?? 0;
      const h = node.measured.height ?? 0;
      const x = node.internals.positionAbsolute.x + (side === 'left' ? 0 : side === 'right' ? w : w / 2);
      const y = node.internals.positionAbsolute.y + (side === 'center' ? 0 : h / 2);
      const dot = spawn(`burst at-${side} ${cls}`);
      if (!dot) return;
      dot.dataset.node = nodeId;
      dot.style.transform = `translate(${x}px, ${y}px)`;
      if (label) {
        const tag = document.createElement('span');
        tag.textContent = label;
        dot.appendChild(tag);
      }
      const drift = cls === 'returned' ? -46 : 0;
      const anim = dot.animate(
        [
          { transform: `translate(${x}px, ${y}px) scale(0.4)`, opacity: 0 },
          { transform: `translate(${x + drift * 0.3}px, ${y}px) scale(1.15)`, opacity: 1, offset: 0.2 },
          // held a while at full strength, so a label can be read before it fades
          { transform: `translate(${x + drift * 0.7}px, ${y}px) scale(1)`, opacity: 1, offset: 0.7 },
          { transform: `translate(${x + drift}px, ${y}px) scale(1)`, opacity: 0 },
        ],
        { duration: 1100, delay, easing: 'ease-out', fill: 'both' },
      );
      finish(dot, anim);
    };

    const onEvents = (events: FlowEventMessage[]) => {
      if (useGraph.getState().paused || document.visibilityState !== 'visible') return;
      const now = performance.now();
      for (const ev of events) {
        switch (ev.kind) {
          case 'published': {
            if (ev.exchange === undefined) break;
            const from = exchangeId(ev.exchange);
            const queues = ev.queues ?? [];
            if (queues.length === 0) {
              burst(from, 'unroutable', 'right', 0, 'unroutable');
              break;
            }
            // from its producer when only one publishes there (flow events do not name the channel)
            const only = (target: string) => {
              const list = index.publishInto.get(target);
              return list !== undefined && list.length === 1 ? list[0] : undefined;
            };
            let arrive = 0;
            const producer = only(from);
            const start = producer ? travel([producer], 'published', 0, false, ev.id) : 0;
            for (const q of queues) {
              const edges = route(index, from, queueId(q));
              if (edges) arrive = Math.max(arrive, travel(edges, 'published', start, false, ev.id));
              else {
                // through the hidden default exchange: the producer's line goes straight to the queue
                const direct = ev.exchange === '' ? only(queueId(q)) : undefined;
                if (direct) arrive = Math.max(arrive, travel([direct], 'published', 0, false, ev.id));
              }
            }
            arrivals.set(ev.id, now + arrive);
            break;
          }
          case 'returned':
            if (ev.exchange !== undefined) burst(exchangeId(ev.exchange), 'returned', 'left', 0, 'returned');
            break;
          case 'delivered':
          case 'requeued': {
            if (ev.queue === undefined) break;
            const delay = Math.max(0, (arrivals.get(ev.id) ?? 0) - now);
            const edge = ev.consumerTag !== undefined ? index.consume.get(`${ev.queue}\u0000${ev.consumerTag}`) : undefined;
            if (edge) {
              const end = travel([edge], ev.kind === 'requeued' ? 'requeued' : ev.redelivered ? 'redelivered' : 'delivered', delay, ev.kind === 'requeued', ev.id);
              arrivals.set(ev.id, now + end);
            } else if (ev.kind === 'delivered') {
              burst(queueId(ev.queue), 'delivered', 'right', delay);
            } else {
              burst(queueId(ev.queue), 'requeued', 'right', delay, 'requeued');
            }
            break;
          }
          case 'acked':
          case 'rejected': {
            if (ev.queue === undefined) break;
            const delay = Math.max(0, (arrivals.get(ev.id) ?? 0) - now);
            const edge = ev.consumerTag !== undefined ? index.consume.get(`${ev.queue}\u0000${ev.consumerTag}`) : undefined;
            burst(edge ? edge.target : queueId(ev.queue), ev.kind, edge ? 'right' : 'right', delay, ev.kind === 'rejected' ? 'rejected' : undefined);
            if (ev.kind === 'acked') arrivals.delete(ev.id);
            break;
          }
          case 'expired':
          case 'dropped':
            if (ev.queue !== undefined) burst(queueId(ev.queue), ev.kind, 'center', 0, ev.kind);
            break;
          case 'dead-lettered': {
            if (ev.queue === undefined) break;
            const link = index.edges.find((e) => e.id === `d|${ev.queue}`);
            const delay = Math.max(0, (arrivals.get(ev.id) ?? 0) - now);
            if (link) travel([link], 'dead-lettered', delay, false, ev.id);
            else burst(queueId(ev.queue), 'dead-lettered', 'right', delay, 'dead-lettered');
            break;
          }
        }
      }
      if (arrivals.size > 2000) {
        const cutoff = now - 10_000;
        for (const [id, t] of arrivals) if (t < cutoff) arrivals.delete(id);
      }
    };

    const unsubscribeFlow = subscribeFlow(onEvents);
    return () => {
      unsubscribeFlow();
      unsubscribeGraph();
    };
  }, [rf]);

  return (
    <ViewportPortal>
      {/* the Consume list and "Trace next message" offer the same to keyboards and screen readers */}
      <div
        ref={layer}
        className="flow-layer"
        aria-hidden="true"
        data-paused={paused ? '' : undefined}
        onClick={(e) => {
          const flow = (e.target as HTMLElement).closest<HTMLElement>('[data-flow]')?.dataset.flow;
          if (paused && flow !== undefined) followMessage({ kind: 'message', flowId: Number(flow), label: `Message #${flow}, clicked on the graph` });
        }}
      />
    </ViewportPortal>
  );
}

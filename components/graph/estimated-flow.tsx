'use client';
// Message flow on a remote RabbitMQ, estimated: the cluster counts messages per queue (published
// in, delivered out) in 5 s samples but samples no single message, so no measured dot exists. From
// each queue's sampled rates this draws hollow dots along the bindings into it and the lines to its
// consumers, about as many per second as the rate (a few at most per line), labelled as estimates
// in the legend and the dots' own layer. Which binding a message came through is not known: a
// queue's dots are shared out over its incoming bindings in turn.
import { useQuery } from '@tanstack/react-query';
import { useReactFlow, ViewportPortal } from '@xyflow/react';
import { useEffect, useRef } from 'react';
import { chosenBroker, fetchBrokers } from '@/lib/client/broker-choice';
import { edgeGeometry } from '@/lib/client/graph/edge-geometry';
import { useGraph } from '@/lib/client/graph/store';
import type { GraphEdge, GraphNode } from '@/lib/client/graph/types';
import { useFirehose } from '@/lib/client/firehose-store';
import { useStats } from '@/lib/client/stats-store';

/** Dots per second on one line at most, however high the rate: the dots show where, not how many. */
const MAX_PER_LINE = 3;
const MAX_DOTS = 80;
const HOP_MS = 900;
const STEP_MS = 1000;

/** The chosen broker is a RabbitMQ cluster (the only kind whose flow is estimated). */
export function useRemoteBroker(): boolean {
  const { data } = useQuery({ queryKey: ['warren', 'brokers'], queryFn: ({ signal }) => fetchBrokers(signal), staleTime: 10_000 });
  if (!data) return false;
  const chosen = chosenBroker();
  const current = data.find((b) => b.name === chosen) ?? data.find((b) => b.default) ?? data[0];
  return current?.kind === 'rabbitmq';
}

export function EstimatedFlow() {
  // measured dots from the firehose replace the estimates
  const measured = useFirehose((s) => s.on);
  const remote = useRemoteBroker() && !measured;
  const layer = useRef<HTMLDivElement>(null);
  const rf = useReactFlow<GraphNode, GraphEdge>();

  useEffect(() => {
    if (!remote) return;
    const reduced = window.matchMedia('(prefers-reduced-motion: reduce)').matches;
    // fractional dots carried to the next step, per line
    const owed = new Map<string, number>();
    const turn = new Map<string, number>();
    let live = 0;

    const pathOf = (edge: GraphEdge): string | null => {
      const root = layer.current?.closest('.react-flow');
      const p = root?.querySelector<SVGPathElement>(`.react-flow__edge[data-id="${CSS.escape(edge.id)}"] path.react-flow__edge-path`);
      if (p) return p.getAttribute('d');
      return edgeGeometry(edge, rf.getNode(edge.source), rf.getNode(edge.target))?.d ?? null;
    };

    const dot = (edge: GraphEdge, delay: number) => {
      const host = layer.current;
      const d = pathOf(edge);
      if (!host || d === null || live >= MAX_DOTS) return;
      const el = document.createElement('div');
      el.className = 'flow-dot estimated';
      el.style.offsetPath = `path('${d}')`;
      host.appendChild(el);
      live++;
      const anim = el.animate(
        [
          { offsetDistance: '0%', opacity: 0 },
          { opacity: 0.9, offset: 0.15 },
          { opacity: 0.9, offset: 0.85 },
          { offsetDistance: '100%', opacity: 0 },
        ],
        { duration: HOP_MS, delay, easing: 'linear', fill: 'both' },
      );
      const done = () => {
        el.remove();
        live--;
      };
      anim.finished.then(done, done);
    };

    /** Spreads `rate` dots per second over `lines` for the next step. */
    const emit = (key: string, lines: GraphEdge[], rate: number) => {
      if (lines.length === 0 || rate <= 0) return;
      const wanted = Math.min(rate, MAX_PER_LINE * lines.length) * (STEP_MS / 1000) + (owed.get(key) ?? 0);
      const n = Math.floor(wanted);
      owed.set(key, wanted - n);
      let k = turn.get(key) ?? 0;
      for (let i = 0; i < n; i++) dot(lines[k++ % lines.length], (i * STEP_MS) / Math.max(1, n));
      turn.set(key, k);
    };

    const step = () => {
      const g = useGraph.getState();
      if (g.paused || document.visibilityState !== 'visible' || reduced) return;
      const stats = useStats.getState();
      const into = new Map<string, GraphEdge[]>();
      const outOf = new Map<string, GraphEdge[]>();
      for (const e of g.edges) {
        if (e.type === 'binding' && e.target.startsWith('q|')) (into.get(e.target) ?? into.set(e.target, []).get(e.target)!).push(e);
        else if (e.type === 'consume') (outOf.get(e.source) ?? outOf.set(e.source, []).get(e.source)!).push(e);
      }
      for (const [id, lines] of into) emit(`in ${id}`, lines, stats.queues[id.slice(2)]?.publish_rate ?? 0);
      for (const [id, lines] of outOf) emit(`out ${id}`, lines, stats.queues[id.slice(2)]?.deliver_rate ?? 0);
    };
    const timer = setInterval(step, STEP_MS);
    return () => {
      clearInterval(timer);
      for (const a of layer.current?.getAnimations({ subtree: true }) ?? []) a.cancel();
    };
  }, [remote, rf]);

  if (!remote) return null;
  return (
    <ViewportPortal>
      <div ref={layer} className="flow-layer estimated" aria-hidden="true" />
    </ViewportPortal>
  );
}

/** The legend's line for estimated dots, shown on a remote broker. */
export function EstimatedFlowLegend() {
  const remote = useRemoteBroker();
  const measured = useFirehose((s) => s.on);
  if (!remote) return null;
  if (measured) {
    return (
      <div className="flow-legend" role="note" title="Each dot is a message the cluster's firehose reported (publish and deliver), sampled within the console's flow budget.">
        <span className="flow-dot-key measured" aria-hidden="true" /> Dots measured (firehose)
      </div>
    );
  }
  return (
    <div className="flow-legend" role="note" title="RabbitMQ samples message rates every 5 s per queue; it samples no single message. These dots are drawn from those rates, shared out over a queue's bindings: where messages go, not each message.">
      <span className="flow-dot-key estimated" aria-hidden="true" /> Dots estimated from 5 s samples
    </div>
  );
}

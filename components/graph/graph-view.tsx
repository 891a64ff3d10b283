'use client';
// The graph page: toolbar, canvas and side panel. Feeds the vhost's topology (query cache, kept
// fresh by the live stream or by polling) into the graph store, and polls channels for the
// consumers' unacknowledged counts.
import { ReactFlowProvider } from '@xyflow/react';
import { useSearchParams } from 'next/navigation';
import { Suspense, useEffect, useMemo, useRef } from 'react';
import { useGraph } from '@/lib/client/graph/store';
import { useChannels, useTopology } from '@/lib/client/queries';
import { connectJourney } from '@/lib/client/journey-store';
import { trackRecentKeys } from '@/lib/client/recent-keys';
import { useSession } from '@/lib/client/session';
import { useStats } from '@/lib/client/stats-store';
import type { ProducerDto } from '@/lib/client/types';
import { usePanel } from '@/lib/client/panel-store';
import { CreateDialogs } from '../forms/create-dialogs';
import { SidePanel } from '../panels/side-panel';
import { ConnectUrl, EmptyState } from '../ui/empty-state';
import { PlusIcon } from '../ui/icons';
import { BindDialog } from './bind-dialog';
import { ClusterStrip } from './cluster-strip';
import { EstimatedFlowLegend } from './estimated-flow';
import { GraphCanvas } from './canvas';
import { GraphToolbar } from './toolbar';

/** Producers that show up this soon after the page first showed the vhost are framed in, unless
 * the user has panned, zoomed or selected meanwhile. */
const FIRST_LOOK_MS = 8_000;

/** Who published lately, as one string that changes only when a producer comes, goes or its
 * channel closes (then it is drawn as gone). */
const producerSet = (s: ReturnType<typeof useStats.getState>): string =>
  Object.entries(s.producers)
    .map(([k, p]) => (p.gone ? `${k}\u0001` : k))
    .sort()
    .join('\n');

function TopologyFeed() {
  const vhost = useSession((s) => s.vhost);
  const t = useTopology(vhost);
  const hasConsumers = (t.consumers?.length ?? 0) > 0;
  useChannels(vhost, hasConsumers);
  // producers come from stats ticks (channels that published in the last seconds)
  const producerKeys = useStats(producerSet);
  const producers = useMemo<ProducerDto[]>(() => {
    const all = useStats.getState().producers;
    return producerKeys === '' ? [] : producerKeys.split('\n').flatMap((k) => all[k.replace('\u0001', '')] ?? []);
  }, [producerKeys]);
  // producers arrive with the first stats ticks, after the first look was framed: on a fresh
  // look, frame again once, so the first tutorial's producer is not left off-screen
  const firstLook = useRef<{ vhost: string; at: number; producers: boolean } | null>(null);
  useEffect(() => {
    useGraph.getState().setVhost(vhost);
  }, [vhost]);
  useEffect(() => {
    if (!t.ready || !t.exchanges || !t.queues || !t.bindings || !t.consumers) return;
    useGraph.getState().setTopology({ vhost, exchanges: t.exchanges, queues: t.queues, bindings: t.bindings, consumers: t.consumers, producers });
    const look = firstLook.current;
    if (look === null || look.vhost !== vhost) firstLook.current = { vhost, at: Date.now(), producers: producers.length > 0 };
    else if (!look.producers && producers.length > 0) {
      look.producers = true;
      if (Date.now() - look.at < FIRST_LOOK_MS) useGraph.getState().refitFirstLook();
    }
  }, [vhost, t.ready, t.exchanges, t.queues, t.bindings, t.consumers, producers]);
  return null;
}

function FocusFromUrl() {
  const params = useSearchParams();
  const focus = params.get('focus');
  const ready = useGraph((s) => s.topology !== null);
  useEffect(() => {
    if (!ready || focus === null) return;
    const s = useGraph.getState();
    if (!s.nodes.some((n) => n.id === focus) && focus.startsWith('e|') && !s.showBuiltins) s.setShowBuiltins(true);
    // after the first fit
    const id = setTimeout(() => useGraph.getState().focusNode(focus), 350);
    return () => clearTimeout(id);
  }, [ready, focus]);
  return null;
}

function GraphStatus() {
  const vhost = useSession((s) => s.vhost);
  const t = useTopology(vhost);
  const empty = useGraph((s) => s.topology !== null && s.nodes.length === 0 && s.filter === '');
  const filtered = useGraph((s) => s.topology !== null && s.nodes.length === 0 && s.filter !== '');
  if (t.error) {
    return (
      <div className="canvas-note error" role="alert">
        Could not load the topology: {t.error.message}
      </div>
    );
  }
  if (!t.ready) return <div className="canvas-note">Loading topology…</div>;
  if (filtered) return <div className="canvas-note">Nothing matches the filter.</div>;
  if (empty) {
    return (
      <EmptyState
        className="canvas-note empty"
        title="This vhost is empty"
        actions={
          <>
            <button type="button" className="btn btn-sm btn-primary" onClick={() => usePanel.getState().create('queue')}>
              <PlusIcon size={14} /> New queue
            </button>
            <button type="button" className="btn btn-sm" onClick={() => usePanel.getState().create('exchange')}>
              <PlusIcon size={14} /> New exchange
            </button>
          </>
        }
      >
        <p>
          Start with a queue: publish to it through the default exchange, then add an exchange and bind them. Or connect a client — the RabbitMQ tutorials work
          as they are — to
        </p>
        <ConnectUrl />
      </EmptyState>
    );
  }
  return null;
}

export function GraphView() {
  useEffect(() => trackRecentKeys(), []);
  useEffect(() => connectJourney(), []);
  return (
    <ReactFlowProvider>
      <TopologyFeed />
      <Suspense fallback={null}>
        <FocusFromUrl />
      </Suspense>
      <div className="graph-page">
        <GraphToolbar />
        <div className="graph-body">
          <div className="graph-stage">
            <GraphCanvas />
            <GraphStatus />
            <ClusterStrip />
            <EstimatedFlowLegend />
          </div>
          <SidePanel />
        </div>
      </div>
      <BindDialog />
      <CreateDialogs />
    </ReactFlowProvider>
  );
}

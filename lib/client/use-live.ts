'use client';
// One live connection per tab, opened while someone is logged in. It keeps the query cache's
// topology lists fresh (snapshot, diffs), and feeds the stats store, the flow bus and the browser
// consumers. Each kind of data goes to exactly one place.
import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { impliedDefaultBinding, type Item, type ServerMessage } from '../live/protocol';
import { useConsume } from './consume-store';
import { emitFlow } from './flow-bus';
import { useFirehose } from './firehose-store';
import { LiveClient } from './live-client';
import { applyChanges, removedNames, type Change } from './live-cache';
import { useLiveStatus } from './live-status';
import { warrenKeys } from './query-keys';
import { useSession } from './session';
import { useStats } from './stats-store';
import type { BindingDto, ConsumerDto } from './types';

let client: LiveClient | null = null;
let queryClient: QueryClient | null = null;
/** the vhost the client asked for last; a snapshot for another one is stale */
let wantedVhost = '/';

// Diffs are applied in an animation frame, all that came meanwhile as one update of each list, and
// at most every MIN_APPLY_MS: a burst of hundreds of declares re-renders a big graph a few times a
// second (each render walks every node and edge), not per diff.
const MIN_APPLY_MS = 100;
/** Each apply re-renders the whole graph, so a big vhost's applies are spaced further apart (in
 * proportion to its size, up to MAX_APPLY_GAP_MS): the share of the main thread a burst takes stays
 * bounded and the graph still trails the broker by well under a second. */
const APPLY_MS_PER_ITEM = 0.2;
const MAX_APPLY_GAP_MS = 400;
/** exchanges, queues, bindings and consumers in the lists at the last apply */
let listSize = 0;
/** A bigger batch is applied over several frames, in order, so no one frame builds or tears down
 * hundreds of nodes and their lines at once. */
const MAX_CHANGES_PER_APPLY = 1000;
let pendingChanges: Change[] = [];
let frame: { cancel(): void } | null = null;
let lastApply = 0;

function scheduleDiffs(): void {
  if (frame !== null) return;
  let raf = 0;
  const timers: ReturnType<typeof setTimeout>[] = [];
  const cancel = () => {
    if (raf !== 0) cancelAnimationFrame(raf);
    for (const t of timers) clearTimeout(t);
  };
  const run = () => {
    cancel();
    frame = null;
    lastApply = performance.now();
    let changes = pendingChanges;
    if (changes.length > MAX_CHANGES_PER_APPLY) {
      pendingChanges = changes.slice(MAX_CHANGES_PER_APPLY);
      changes = changes.slice(0, MAX_CHANGES_PER_APPLY);
    } else pendingChanges = [];
    if (queryClient !== null) applyDiff(queryClient, changes);
    if (pendingChanges.length > 0) scheduleDiffs();
  };
  frame = { cancel };
  const gap = Math.min(MAX_APPLY_GAP_MS, MIN_APPLY_MS + listSize * APPLY_MS_PER_ITEM);
  const wait = Math.max(0, lastApply + gap - performance.now());
  if (typeof requestAnimationFrame !== 'function' || document.visibilityState !== 'visible') {
    // a hidden tab gets no animation frames: a timer keeps its lists current all the same
    timers.push(setTimeout(run, Math.max(16, wait)));
    return;
  }
  // the first frame after the wait, and a timer in case frames stop (the tab was hidden meanwhile)
  const later = () => {
    raf = requestAnimationFrame(run);
  };
  if (wait < 8) later();
  else timers.push(setTimeout(later, wait));
  timers.push(setTimeout(run, wait + 250));
}

/** Diffs not applied yet belong to what was before a snapshot or a vhost switch: drop them. */
function dropPendingDiffs(): void {
  frame?.cancel();
  frame = null;
  pendingChanges = [];
}

function handle(msg: ServerMessage): void {
  const qc = queryClient;
  if (qc === null) return;
  switch (msg.type) {
    case 'hello':
      useLiveStatus.getState().set({ server: { product: msg.product, version: msg.version } });
      return;
    case 'error':
      useLiveStatus.getState().set({ reason: msg.reason || msg.error });
      return;
    case 'snapshot': {
      if (msg.vhost !== wantedVhost) return;
      dropPendingDiffs();
      const vh = msg.vhost;
      qc.setQueryData(warrenKeys.exchanges(vh), msg.exchanges);
      qc.setQueryData(warrenKeys.queues(vh), msg.queues);
      qc.setQueryData(warrenKeys.bindings(vh), msg.defaultBindings === 'implied' ? withDefaultBindings(vh, msg.bindings, msg.queues) : msg.bindings);
      qc.setQueryData(warrenKeys.consumers(vh), msg.consumers);
      qc.setQueryData(warrenKeys.connections(vh), msg.connections);
      useLiveStatus.getState().set({ syncedVhost: vh });
      // a server from before the history existed sends none
      useStats.getState().seedHistory(vh, msg.history ?? []);
      return;
    }
    case 'diff':
      for (const c of msg.changes) pendingChanges.push(c);
      scheduleDiffs();
      return;
    case 'stats': {
      const vh = useLiveStatus.getState().syncedVhost;
      if (vh !== null) useStats.getState().applyTick(vh, msg);
      return;
    }
    case 'flow':
      emitFlow(msg.events, msg.dropped);
      return;
    case 'firehose':
      useFirehose.getState().confirmed(msg.on, msg.reason);
      return;
    case 'consume-ok':
      useConsume.getState().onConsumeOk(msg.id, msg.consumerTag);
      return;
    case 'delivery':
      useConsume.getState().onDelivery(msg.id, msg.message);
      return;
    case 'cancelled':
      useConsume.getState().onCancelled(msg.id, msg.reason);
      return;
  }
}

/** The lists as the REST API gives them: the default exchange's binding of each queue, then the others. */
function withDefaultBindings(vhost: string, explicit: Item[], queues: Item[]): Item[] {
  const out: Item[] = [];
  for (const q of queues) out.push(impliedDefaultBinding(vhost, String(q.name)));
  for (const b of explicit) out.push(b);
  return out;
}

function applyDiff(qc: QueryClient, changes: Change[]): void {
  const vh = useLiveStatus.getState().syncedVhost;
  if (vh === null || changes.length === 0) return;
  const lists = [
    ['exchange', warrenKeys.exchanges(vh)],
    ['queue', warrenKeys.queues(vh)],
    ['binding', warrenKeys.bindings(vh)],
    ['consumer', warrenKeys.consumers(vh)],
    ['connection', warrenKeys.connections(vh)],
  ] as const;
  for (const [kind, key] of lists) {
    if (!changes.some((c) => c.kind === kind)) continue;
    qc.setQueryData<Item[]>(key, (old) => (old === undefined ? old : applyChanges(old, kind, changes)));
  }
  // what hangs on a removed queue or exchange goes with it, whether or not the hub says so
  const goneQueues = removedNames(changes, 'queue');
  const goneExchanges = removedNames(changes, 'exchange');
  if (goneQueues.size > 0 || goneExchanges.size > 0) {
    qc.setQueryData<BindingDto[]>(warrenKeys.bindings(vh), (old) =>
      old?.filter(
        (b) =>
          !goneExchanges.has(b.source) &&
          !(b.destination_type === 'queue' ? goneQueues.has(b.destination) : goneExchanges.has(b.destination)),
      ),
    );
  }
  if (goneQueues.size > 0) {
    qc.setQueryData<ConsumerDto[]>(warrenKeys.consumers(vh), (old) => old?.filter((c) => !goneQueues.has(c.queue.name)));
  }
  listSize = 0;
  for (const [kind, key] of lists) if (kind !== 'connection') listSize += qc.getQueryData<Item[]>(key)?.length ?? 0;
}

function getClient(): LiveClient {
  client ??= new LiveClient({
    message: handle,
    status(status, reason) {
      const patch: Parameters<ReturnType<typeof useLiveStatus.getState>['set']>[0] = { status, reason };
      if (status !== 'open') patch.syncedVhost = null;
      useLiveStatus.getState().set(patch);
      // the server ended the login (logout in another tab, expiry): this tab is logged out too
      if (status === 'refused' && /login session ended/i.test(reason)) useSession.getState().expire();
    },
    disconnected() {
      useLiveStatus.getState().set({ syncedVhost: null });
      // counts from ticks would go stale; the listings (polled meanwhile) take over
      useStats.getState().reset(wantedVhost);
      useConsume.getState().onDisconnected();
      useFirehose.getState().reset();
    },
  });
  return client;
}

/** The connection, for components that send (browser consumers, flow budget). */
export const liveClient = (): LiveClient => getClient();

/** Mount once, inside the QueryClientProvider. */
export function useLiveConnection(): void {
  const qc = useQueryClient();
  const session = useSession((s) => s.session);
  const vhost = useSession((s) => s.vhost);

  useEffect(() => {
    queryClient = qc;
    useConsume.getState().setSend((m) => getClient().send(m));
  }, [qc]);

  useEffect(() => {
    if (session === null) return;
    const c = getClient();
    wantedVhost = useSession.getState().vhost;
    useStats.getState().reset(wantedVhost);
    c.start(wantedVhost);
    return () => c.stop();
  }, [session]);

  useEffect(() => {
    if (wantedVhost === vhost) return;
    wantedVhost = vhost;
    useConsume.getState().endAll('the console switched to another vhost');
    useStats.getState().reset(vhost);
    dropPendingDiffs();
    useLiveStatus.getState().set({ syncedVhost: null });
    useFirehose.getState().reset();
    getClient().setVhost(vhost);
  }, [vhost]);
}

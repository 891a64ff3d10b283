// The live connection's state, for the header badge and for the queries that poll only while the
// stream is down.
import { useEffect, useState } from 'react';
import { create } from 'zustand';

export type LiveStatus = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'refused';

interface LiveStatusState {
  status: LiveStatus;
  /** the vhost whose snapshot arrived on the current connection, or null */
  syncedVhost: string | null;
  reason: string;
  server: { product: string; version: string } | null;
  set(patch: Partial<Omit<LiveStatusState, 'set'>>): void;
}

export const useLiveStatus = create<LiveStatusState>()((set) => ({
  status: 'idle',
  syncedVhost: null,
  reason: '',
  server: null,
  set: (patch) => set(patch),
}));

/** True while the WebSocket keeps `vhost`'s topology fresh (queries then need not poll). */
export const useIsLive = (vhost: string): boolean =>
  useLiveStatus((s) => s.status === 'open' && s.syncedVhost === vhost);

/**
 * The stream is connected or connecting and has not yet sent `vhost`'s snapshot. Listings then wait
 * for it rather than asking the REST API the same: on a remote cluster a vhost's listing is RabbitMQ's
 * costliest request (tens of seconds for 10,000 queues), and the snapshot brings it anyway.
 * Up to STREAM_WAIT_MS: a stream that never sends one (refused, stuck) leaves the page to the listings.
 */
export const STREAM_WAIT_MS = 30_000;

export function useAwaitingSnapshot(vhost: string): boolean {
  const waiting = useLiveStatus((s) => (s.status === 'connecting' || s.status === 'open') && s.syncedVhost !== vhost);
  const [expired, setExpired] = useState(false);
  useEffect(() => {
    setExpired(false);
    if (!waiting) return;
    const id = setTimeout(() => setExpired(true), STREAM_WAIT_MS);
    return () => clearTimeout(id);
  }, [waiting, vhost]);
  return waiting && !expired;
}

// The live connection's state, for the header badge and for the queries that poll only while the
// stream is down.
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

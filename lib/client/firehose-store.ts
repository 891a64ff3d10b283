// Whether this browser's message flow comes from a remote cluster's firehose: as the server last
// confirmed it, plus the request in flight. Off again whenever the socket or the vhost changes
// (the server's watch, and its firehose, went with them).
import { create } from 'zustand';

interface FirehoseState {
  /** the server confirmed measured flow */
  on: boolean;
  /** asked, not answered yet */
  pending: boolean;
  /** why it stopped or could not start, shown beside the toggle */
  reason: string;
  requested(): void;
  confirmed(on: boolean, reason?: string): void;
  reset(): void;
}

export const useFirehose = create<FirehoseState>()((set) => ({
  on: false,
  pending: false,
  reason: '',
  requested: () => set({ pending: true, reason: '' }),
  confirmed: (on, reason) => set({ on, pending: false, reason: reason ?? '' }),
  reset: () => set({ on: false, pending: false }),
}));

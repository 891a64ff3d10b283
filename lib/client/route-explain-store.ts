// The Publish panel's routing explanation, shared with the graph: the panel asks the broker (a dry
// run, debounced as the key and headers are typed) and the graph's route overlay highlights the
// bindings it names. Cleared when the panel closes.
import { create } from 'zustand';
import type { RouteExplanation } from './api';

interface RouteExplainState {
  explanation: RouteExplanation | null;
  set(explanation: RouteExplanation | null): void;
}

export const useRouteExplain = create<RouteExplainState>()((set) => ({
  explanation: null,
  set(explanation) {
    set({ explanation });
  },
}));

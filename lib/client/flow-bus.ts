// Sampled message-flow events are transient: they animate and are gone. They never enter React
// state; the canvas overlay subscribes here and draws them imperatively.
import type { FlowEventMessage } from '../live/protocol';

type Listener = (events: FlowEventMessage[], dropped: number) => void;

const listeners = new Set<Listener>();

export function subscribeFlow(listener: Listener): () => void {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

export function emitFlow(events: FlowEventMessage[], dropped: number): void {
  for (const l of listeners) l(events, dropped);
}

export const hasFlowListeners = (): boolean => listeners.size > 0;

// A message's journey: the message the user chose to follow (the next one published to an
// exchange, or one by its flow id from the Consume list or a flow dot) and its hops as the broker
// reports them — every event of a followed message comes, never sampled (lib/live protocol
// 'follow'). The journey panel lists the hops, the graph's journey overlay pins the path.
import { create } from 'zustand';
import type { FlowEventMessage } from '../live/protocol';
import { subscribeFlow } from './flow-bus';

export type JourneyTarget = { kind: 'next'; exchange: string } | { kind: 'message'; flowId: number; label: string };

/** One step of the journey; `ts` is the broker's time of it. */
export type JourneyHop = FlowEventMessage;

/** A journey keeps this many hops at most (a message requeued forever would grow it without end). */
const MAX_HOPS = 200;

interface JourneyState {
  target: JourneyTarget | null;
  /** the followed message's flow id, once known (for 'next': from its first event) */
  flowId: number | null;
  hops: JourneyHop[];
  /** when following started (browser clock), for "waiting since" */
  since: number;
  /** slow motion on the graph */
  slow: boolean;
  start(target: JourneyTarget): void;
  clear(): void;
  setSlow(slow: boolean): void;
  add(events: FlowEventMessage[]): void;
}

export const useJourney = create<JourneyState>()((set, get) => ({
  target: null,
  flowId: null,
  hops: [],
  since: 0,
  slow: true,
  start(target) {
    set({ target, flowId: target.kind === 'message' ? target.flowId : null, hops: [], since: Date.now() });
  },
  clear() {
    set({ target: null, flowId: null, hops: [] });
  },
  setSlow(slow) {
    set({ slow });
  },
  add(events) {
    const { target, flowId, hops } = get();
    if (target === null) return;
    let id = flowId;
    const mine: FlowEventMessage[] = [];
    for (const e of events) {
      if (e.followed !== true) continue;
      // the next message to the exchange: the first followed 'published' there is it
      if (id === null && target.kind === 'next' && e.kind === 'published' && e.exchange === target.exchange) id = e.id;
      if (e.id === id) mine.push(e);
    }
    if (mine.length === 0 && id === flowId) return;
    set({ flowId: id, hops: [...hops, ...mine].slice(-MAX_HOPS) });
  },
}));

/** Followed events from the live feed into the journey; started once by the graph view. */
export function connectJourney(): () => void {
  return subscribeFlow((events) => {
    if (useJourney.getState().target !== null) useJourney.getState().add(events);
  });
}

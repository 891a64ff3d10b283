// Browser consumers: the console consumes from a queue over the live WebSocket, lists what
// arrives and settles it (ack, nack, reject, with or without requeue), one message or all.
import { create } from 'zustand';
import type { ClientMessage, DeliveredMessage } from '../live/protocol';

export type Settlement = 'acked' | 'requeued' | 'nacked' | 'rejected' | 'rejected-requeued' | 'auto';

export interface DeliveryEntry {
  /** unique in the store: consumer id + delivery tag */
  key: string;
  message: DeliveredMessage;
  receivedAt: number;
  settled: Settlement | null;
}

export interface BrowserConsumer {
  id: string;
  vhost: string;
  queue: string;
  prefetch: number;
  ack: 'manual' | 'auto';
  tag: string | null;
  state: 'starting' | 'active' | 'ended';
  reason: string;
  deliveries: DeliveryEntry[];
}

const MAX_KEPT = 500;

type Send = (msg: ClientMessage) => boolean;

interface ConsumeState {
  consumers: Record<string, BrowserConsumer>;
  /** wired by the live connection; false when the socket is down */
  send: Send;
  setSend(send: Send): void;
  start(vhost: string, queue: string, prefetch: number, ack: 'manual' | 'auto'): string | null;
  cancel(id: string): void;
  remove(id: string): void;
  clearSettled(id: string): void;
  ack(id: string, deliveryTag: number): void;
  nack(id: string, deliveryTag: number, requeue: boolean): void;
  reject(id: string, deliveryTag: number, requeue: boolean): void;
  ackAll(id: string): void;
  nackAll(id: string, requeue: boolean): void;
  onConsumeOk(id: string, tag: string): void;
  onDelivery(id: string, message: DeliveredMessage): void;
  onCancelled(id: string, reason: string): void;
  /** the socket dropped: the broker requeued whatever was unacknowledged */
  onDisconnected(): void;
  /** the vhost changed: consumers of the old one end */
  endAll(reason: string): void;
}

let counter = 0;
const newId = () => `c${Date.now().toString(36)}${(counter++).toString(36)}`;

function update(state: ConsumeState, id: string, patch: (c: BrowserConsumer) => Partial<BrowserConsumer>): Partial<ConsumeState> {
  const c = state.consumers[id];
  if (c === undefined) return {};
  return { consumers: { ...state.consumers, [id]: { ...c, ...patch(c) } } };
}

function settle(c: BrowserConsumer, upTo: number, multiple: boolean, how: Settlement): Partial<BrowserConsumer> {
  return {
    deliveries: c.deliveries.map((d) =>
      d.settled === null && (d.message.deliveryTag === upTo || (multiple && d.message.deliveryTag <= upTo)) ? { ...d, settled: how } : d,
    ),
  };
}

const highestPending = (c: BrowserConsumer): number | undefined => {
  let max: number | undefined;
  for (const d of c.deliveries) if (d.settled === null && (max === undefined || d.message.deliveryTag > max)) max = d.message.deliveryTag;
  return max;
};

export const useConsume = create<ConsumeState>()((set, get) => ({
  consumers: {},
  send: () => false,
  setSend: (send) => set({ send }),
  start(vhost, queue, prefetch, ack) {
    const id = newId();
    if (!get().send({ type: 'consume', id, queue, prefetch, ack })) return null;
    const consumer: BrowserConsumer = { id, vhost, queue, prefetch, ack, tag: null, state: 'starting', reason: '', deliveries: [] };
    set((s) => ({ consumers: { ...s.consumers, [id]: consumer } }));
    return id;
  },
  cancel(id) {
    get().send({ type: 'cancel', id });
    set((s) => update(s, id, () => ({ state: 'ended', reason: 'cancelled' })));
  },
  remove(id) {
    const c = get().consumers[id];
    if (c && c.state !== 'ended') get().send({ type: 'cancel', id });
    set((s) => {
      const rest = { ...s.consumers };
      delete rest[id];
      return { consumers: rest };
    });
  },
  clearSettled(id) {
    set((s) => update(s, id, (c) => ({ deliveries: c.deliveries.filter((d) => d.settled === null) })));
  },
  ack(id, deliveryTag) {
    if (get().send({ type: 'ack', id, deliveryTag })) set((s) => update(s, id, (c) => settle(c, deliveryTag, false, 'acked')));
  },
  nack(id, deliveryTag, requeue) {
    if (get().send({ type: 'nack', id, deliveryTag, requeue }))
      set((s) => update(s, id, (c) => settle(c, deliveryTag, false, requeue ? 'requeued' : 'nacked')));
  },
  reject(id, deliveryTag, requeue) {
    if (get().send({ type: 'reject', id, deliveryTag, requeue }))
      set((s) => update(s, id, (c) => settle(c, deliveryTag, false, requeue ? 'rejected-requeued' : 'rejected')));
  },
  ackAll(id) {
    const c = get().consumers[id];
    const tag = c && highestPending(c);
    if (tag === undefined) return;
    if (get().send({ type: 'ack', id, deliveryTag: tag, multiple: true })) set((s) => update(s, id, (x) => settle(x, tag, true, 'acked')));
  },
  nackAll(id, requeue) {
    const c = get().consumers[id];
    const tag = c && highestPending(c);
    if (tag === undefined) return;
    if (get().send({ type: 'nack', id, deliveryTag: tag, multiple: true, requeue }))
      set((s) => update(s, id, (x) => settle(x, tag, true, requeue ? 'requeued' : 'nacked')));
  },
  onConsumeOk(id, tag) {
    set((s) => update(s, id, () => ({ tag, state: 'active' })));
  },
  onDelivery(id, message) {
    set((s) =>
      update(s, id, (c) => {
        const entry: DeliveryEntry = {
          key: `${id}:${message.deliveryTag}`,
          message,
          receivedAt: Date.now(),
          settled: c.ack === 'auto' ? 'auto' : null,
        };
        // in arrival order, the newest last: a list that grows at the bottom never moves the
        // message under the pointer, so a second click cannot ack a different message
        const deliveries = [...c.deliveries, entry];
        if (deliveries.length > MAX_KEPT) {
          // drop the oldest settled ones first; pending ones stay (they hold prefetch credit)
          const pending = deliveries.filter((d) => d.settled === null);
          const settledAll = deliveries.filter((d) => d.settled !== null);
          const settled = settledAll.slice(Math.max(0, settledAll.length - Math.max(0, MAX_KEPT - pending.length)));
          const keep = new Set([...pending, ...settled]);
          return { deliveries: deliveries.filter((d) => keep.has(d)) };
        }
        return { deliveries };
      }),
    );
  },
  onCancelled(id, reason) {
    set((s) => update(s, id, () => ({ state: 'ended', reason })));
  },
  onDisconnected() {
    const s = get();
    const consumers: Record<string, BrowserConsumer> = {};
    let changed = false;
    for (const [id, c] of Object.entries(s.consumers)) {
      if (c.state === 'ended') consumers[id] = c;
      else {
        changed = true;
        consumers[id] = { ...c, state: 'ended', reason: 'live connection lost: unacknowledged messages went back to the queue' };
      }
    }
    if (changed) set({ consumers });
  },
  endAll(reason) {
    const s = get();
    for (const c of Object.values(s.consumers)) if (c.state !== 'ended') s.send({ type: 'cancel', id: c.id });
    const consumers: Record<string, BrowserConsumer> = {};
    for (const [id, c] of Object.entries(s.consumers)) consumers[id] = c.state === 'ended' ? c : { ...c, state: 'ended', reason };
    set({ consumers });
  },
}));

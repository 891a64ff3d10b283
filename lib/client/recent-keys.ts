// Routing keys seen recently in the sampled message flow, per exchange: the topic preview in the
// bind dialog tests a pattern against them.
import { subscribeFlow } from './flow-bus';

const MAX_PER_EXCHANGE = 20;
const seen = new Map<string, string[]>();
let subscribed = false;

function ensureSubscribed(): void {
  if (subscribed || typeof window === 'undefined') return;
  subscribed = true;
  subscribeFlow((events) => {
    for (const e of events) {
      if (e.kind !== 'published' || e.exchange === undefined || e.routingKey === undefined) continue;
      const list = seen.get(e.exchange) ?? [];
      if (list.includes(e.routingKey)) continue;
      list.unshift(e.routingKey);
      if (list.length > MAX_PER_EXCHANGE) list.pop();
      seen.set(e.exchange, list);
    }
  });
}

/** Call early (the graph view does) so keys are collected before the dialog opens. */
export function trackRecentKeys(): void {
  ensureSubscribed();
}

export function recentKeys(exchange: string): string[] {
  ensureSubscribed();
  return seen.get(exchange) ?? [];
}

/** Remember a key published from the console itself. */
export function noteKey(exchange: string, key: string): void {
  const list = seen.get(exchange) ?? [];
  if (!list.includes(key)) {
    list.unshift(key);
    if (list.length > MAX_PER_EXCHANGE) list.pop();
    seen.set(exchange, list);
  }
}

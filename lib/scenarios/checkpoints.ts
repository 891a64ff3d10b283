// Checkpoints read back from the broker through the broker API: queue rows, bindings, the
// per-consumer counters of the vhost's stats ticks, and messages peeked for their x-death. What an
// actor's client saw decides only what the broker does not count per client: what it received
// per routing key, basic.returns, RPC replies matched, and the reply code it was refused with.
// Counters are counted from the start of the checkpoint's step (the player subtracts a snapshot).
import type { Bounds, CheckpointSpec } from './scenario-format';

export interface BrokerView {
  queues: Map<string, Record<string, unknown>>;
  /** bindings to queues, counted per source exchange */
  bindingsFrom: Map<string, number>;
  /** messages the broker delivered to each actor's consumers */
  delivered: (actor: string) => number;
  redelivered: (actor: string) => number;
  /** what the actor's client received (with that routing key) */
  received: (actor: string, routingKey?: string) => number;
  returned: (actor: string) => number;
  refused: (actor: string) => number | undefined;
  /** messages in the queue whose first x-death has the reason; undefined: not read */
  deadLettered: (queue: string, reason: string) => number | undefined;
}

export interface CheckpointResult {
  passed: boolean;
  /** the value measured, shown beside the label */
  actual: number | undefined;
}

function within(v: number, b: Bounds): boolean {
  return (b.atLeast === undefined || v >= b.atLeast) && (b.atMost === undefined || v <= b.atMost) && (b.equals === undefined || v === b.equals);
}

export function evaluate(cp: CheckpointSpec, view: BrokerView): CheckpointResult {
  switch (cp.type) {
    case 'queue': {
      const v = view.queues.get(cp.queue)?.[cp.field];
      if (typeof v !== 'number') return { passed: false, actual: undefined };
      return { passed: within(v, cp), actual: v };
    }
    case 'bindings': {
      const v = view.bindingsFrom.get(cp.exchange) ?? 0;
      return { passed: within(v, cp), actual: v };
    }
    case 'delivered': {
      const v = view.delivered(cp.actor);
      return { passed: within(v, cp), actual: v };
    }
    case 'redelivered': {
      const v = view.redelivered(cp.actor);
      return { passed: within(v, cp), actual: v };
    }
    case 'ratio': {
      const over = view.delivered(cp.over);
      if (over < cp.minOver) return { passed: false, actual: undefined };
      const v = Math.round((view.delivered(cp.actor) / over) * 100) / 100;
      return { passed: within(v, cp), actual: v };
    }
    case 'queue-exists': {
      const v = view.queues.has(cp.queue) ? 1 : 0;
      return { passed: within(v, cp), actual: v };
    }
    case 'received': {
      const v = view.received(cp.actor, cp.routingKey);
      return { passed: within(v, cp), actual: v };
    }
    case 'returned': {
      const v = view.returned(cp.actor);
      return { passed: within(v, cp), actual: v };
    }
    case 'refused': {
      const v = view.refused(cp.actor);
      return v === undefined ? { passed: false, actual: undefined } : { passed: within(v, cp), actual: v };
    }
    case 'dead-lettered': {
      const v = view.deadLettered(cp.queue, cp.reason);
      return v === undefined ? { passed: false, actual: undefined } : { passed: within(v, cp), actual: v };
    }
  }
}

/** The reason of a message's first x-death entry, as RabbitMQ writes the header. */
export function deathReason(headers: unknown): string | undefined {
  const deaths = (headers as { 'x-death'?: unknown } | undefined)?.['x-death'];
  if (!Array.isArray(deaths) || deaths.length === 0) return undefined;
  const reason = (deaths[0] as { reason?: unknown }).reason;
  return typeof reason === 'string' ? reason : undefined;
}

/** Which broker reads the checkpoints need, so an evaluation asks only for those. */
export function needs(cps: readonly CheckpointSpec[]): { queues: boolean; bindings: boolean; peek: string[] } {
  return {
    queues: cps.some((c) => c.type === 'queue' || c.type === 'queue-exists'),
    bindings: cps.some((c) => c.type === 'bindings'),
    peek: [...new Set(cps.flatMap((c) => (c.type === 'dead-lettered' ? [c.queue] : [])))],
  };
}

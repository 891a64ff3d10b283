// Checkpoints read back from the broker through the broker API: queue rows, bindings, and the
// per-consumer counters of the vhost's stats ticks. What the actors count themselves is shown
// beside them but never decides a checkpoint.
import type { Bounds, CheckpointSpec } from './scenario-format';

export interface BrokerView {
  queues: Map<string, Record<string, unknown>>;
  /** bindings to queues, counted per source exchange */
  bindingsFrom: Map<string, number>;
  /** messages the broker delivered to each actor's consumers */
  delivered: (actor: string) => number;
  redelivered: (actor: string) => number;
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
  }
}

/** Which broker reads the checkpoints need, so an evaluation asks only for those. */
export function needs(cps: readonly CheckpointSpec[]): { queues: boolean; bindings: boolean } {
  return { queues: cps.some((c) => c.type === 'queue'), bindings: cps.some((c) => c.type === 'bindings') };
}

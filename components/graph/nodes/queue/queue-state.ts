// A queue's colour says its state: messages waiting with nobody consuming is a warning; no
// consumers and nothing waiting is quiet; consumers attached is healthy.
export type QueueState = 'warning' | 'idle' | 'healthy';

export function queueState(ready: number, unacked: number, consumers: number): QueueState {
  if (consumers === 0) return ready + unacked > 0 ? 'warning' : 'idle';
  return 'healthy';
}

export const QUEUE_STATE_LABEL: Record<QueueState, string> = {
  warning: 'messages waiting, no consumers',
  idle: 'no consumers',
  healthy: 'consumed',
};

/** Fill of the depth bar, 0..1: against max-length when set, else on a log scale up to 100k. */
export function depthFraction(messages: number, maxLength: number | null): number {
  if (messages <= 0) return 0;
  if (maxLength !== null && maxLength > 0) return Math.min(1, messages / maxLength);
  return Math.min(1, Math.log10(1 + messages) / 5);
}

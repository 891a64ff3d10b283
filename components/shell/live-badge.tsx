'use client';
import { useLiveStatus } from '@/lib/client/live-status';

const LABEL = {
  idle: 'Offline',
  connecting: 'Connecting',
  open: 'Live',
  reconnecting: 'Reconnecting',
  refused: 'Live refused',
} as const;

/** Whether the picture is live (WebSocket) or polled (REST every few seconds). */
export function LiveBadge() {
  const status = useLiveStatus((s) => s.status);
  const reason = useLiveStatus((s) => s.reason);
  const title =
    status === 'open'
      ? 'Live updates over WebSocket'
      : `${reason || 'The live connection is not open'} — the console polls the REST API meanwhile`;
  return (
    <span className={`live-badge live-${status}`} title={title} role="status" aria-label={`${LABEL[status]}${status === 'open' ? '' : ': polling'}`}>
      <span className="live-dot" aria-hidden="true" />
      {LABEL[status]}
    </span>
  );
}

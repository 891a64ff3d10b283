'use client';
// Cells shared by the tables: a name that links to the graph, counts, tags.
import Link from 'next/link';
import { exchangeLabel } from '@/lib/client/graph/build';
import { exchangeId, queueId } from '@/lib/client/graph/types';
import { onlineCount, shortNode, type QueuePlacement } from '@/lib/client/queue-placement';
import { int, rate } from '../graph/format';

export function GraphLink({ kind, name }: { kind: 'exchange' | 'queue'; name: string }) {
  const id = kind === 'queue' ? queueId(name) : exchangeId(name);
  const label = kind === 'exchange' ? exchangeLabel(name) : name;
  return (
    <Link href={`/?focus=${encodeURIComponent(id)}`} title={`${label} — show on the graph`} className={kind === 'exchange' && name === '' ? 'default' : undefined}>
      {label}
    </Link>
  );
}

export function Count({ value }: { value: number }) {
  return <span className={value === 0 ? 'zero' : undefined}>{int(value)}</span>;
}

export function Rate({ value }: { value: number }) {
  return <span className={value === 0 ? 'zero' : undefined}>{rate(value)}</span>;
}

export function Tags({ items, durable }: { items: string[]; durable?: boolean }) {
  if (items.length === 0 && !durable) return null;
  return (
    <span className="tags">
      {durable && (
        <span className="tag tag-d" title="durable">
          D
        </span>
      )}
      {items.map((t) => (
        <span key={t} className="tag">
          {t}
        </span>
      ))}
    </span>
  );
}

/** A connection's or channel's state, with a dot: running green, flow control amber, the rest grey. */
export function RunState({ state }: { state: string | undefined }) {
  if (!state) return null;
  const tone = state === 'running' ? 'ok' : state === 'blocked' || state === 'blocking' || state === 'flow' ? 'warn' : 'idle';
  return (
    <span className={`state-chip run-${tone}`}>
      <span className="state-dot" aria-hidden="true" />
      {state}
    </span>
  );
}

/** A queue's node (its leader, for a replicated queue) and members online out of all, as on the graph's badge. */
export function Placement({ placement, full = false }: { placement: QueuePlacement | null; full?: boolean }) {
  if (placement === null) return <span className="zero">—</span>;
  const count = onlineCount(placement);
  const tone = placement.unreachable ? 'down' : placement.down.length > 0 ? 'warn' : 'ok';
  const leader = placement.leader === null ? 'no leader' : full ? placement.leader : shortNode(placement.leader);
  return (
    <span className="placement-cell" data-testid="queue-placement-cell">
      <span title={placement.leader ?? undefined}>
        {leader}
        {placement.unreachable && ' (down)'}
      </span>
      {count !== null && (
        <span className={`placement-badge placement-${tone}`} title={placement.down.length > 0 ? `down: ${placement.down.join(', ')}` : 'every member online'}>
          <span className="placement-count">{count}</span>
        </span>
      )}
    </span>
  );
}

'use client';
// Where a queue lives, on its graph node: the leading node and, for a replicated queue, its members
// online out of all ("3/3"), in the warning colour while one is down. A classic queue shows its node
// only when that node is down: on a single broker every queue has the same one and it says nothing.
import { onlineCount, shortNode, type QueuePlacement } from '@/lib/client/queue-placement';

export function PlacementBadge({ placement }: { placement: QueuePlacement | null }) {
  if (placement === null || (placement.members === null && !placement.unreachable)) return null;
  const count = onlineCount(placement);
  const leader = placement.leader === null ? null : shortNode(placement.leader);
  const tone = placement.unreachable ? 'down' : placement.down.length > 0 ? 'warn' : 'ok';
  const title = [
    placement.leader === null ? 'no leader reported' : `${placement.members === null ? 'on node' : 'leader'} ${placement.leader}${placement.unreachable ? ' (down)' : ''}`,
    placement.members !== null && `members online ${count}: ${placement.members.map((m) => (placement.down.includes(m) ? `${m} (down)` : m)).join(', ')}`,
  ]
    .filter(Boolean)
    .join(' · ');
  return (
    <span className={`placement-badge placement-${tone}`} title={title} data-testid="queue-placement" aria-label={title}>
      {leader !== null && <span className="placement-leader">{leader}</span>}
      {count !== null && <span className="placement-count">{count}</span>}
    </span>
  );
}

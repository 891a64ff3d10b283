// Where a queue lives, read from its record: the node that leads it (a classic queue's node, a
// quorum queue's or stream's leader) and, for a replicated queue, its members and which of them the
// cluster reaches now. Only what the broker reported: nothing is assumed of a field it left out.
import type { QueueDto } from './types';

export interface QueuePlacement {
  /** the node leading the queue, when the broker named one */
  leader: string | null;
  /** replicated queues: every member, and those not online (in the order the broker lists them) */
  members: string[] | null;
  down: string[];
  /** the queue's own state is 'down': its node (a classic queue's only one) cannot be reached */
  unreachable: boolean;
}

export function queuePlacement(q: Pick<QueueDto, 'node' | 'leader' | 'members' | 'online' | 'state'>): QueuePlacement | null {
  const leader = typeof q.leader === 'string' ? q.leader : typeof q.node === 'string' ? q.node : null;
  const members = Array.isArray(q.members) ? q.members : null;
  if (leader === null && members === null) return null;
  const online = new Set(Array.isArray(q.online) ? q.online : []);
  return {
    leader,
    members,
    down: members === null || !Array.isArray(q.online) ? [] : members.filter((m) => !online.has(m)),
    unreachable: q.state === 'down',
  };
}

/**
 * The part of a node's name that tells it from the others: 'warren-c1@localhost' → 'warren-c1' (nodes
 * of one machine), 'rabbit@host-1.example' → 'host-1' (the usual cluster, every node 'rabbit@').
 */
export function shortNode(name: string): string {
  const at = name.indexOf('@');
  if (at <= 0) return name;
  const local = name.slice(0, at);
  return local === 'rabbit' ? name.slice(at + 1).split('.')[0] || name : local;
}

/** "3/3" members online, or null for a queue with no replicas. */
export function onlineCount(p: QueuePlacement): string | null {
  return p.members === null ? null : `${p.members.length - p.down.length}/${p.members.length}`;
}

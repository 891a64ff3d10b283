// Rows from a remote cluster in the shape the console relies on. RabbitMQ leaves a queue's
// `consumers` (and its message counts) out until its stats are first collected, up to 5 s after the
// declare; the embedded broker always has them. A queue that no stats have reached yet has no
// consumer the cluster knows of, so 0 is what it counted; the message counts stay absent (unknown).
import type { QueuePlacement, Row } from '../../broker/index';

/** A queue's placement fields, and its state ('down' when its node is), as a row carries them. */
export const PLACEMENT_COLUMNS = ['node', 'leader', 'members', 'online', 'state'] as const satisfies readonly (keyof QueuePlacement | 'state')[];

export function queueRow(row: Row): Row {
  if (typeof row.consumers !== 'number') row.consumers = 0;
  // RabbitMQ names a quorum queue's leader but not always its `node` (not without stats, not in
  // `columns`); where it gives both they are the same node
  if (typeof row.leader === 'string') row.node = row.leader;
  return row;
}

export function queueRows(rows: Row[]): Row[] {
  for (const r of rows) queueRow(r);
  return rows;
}

function samePlacement(a: Row, b: Row): boolean {
  return PLACEMENT_COLUMNS.every((k) => JSON.stringify(a[k] ?? null) === JSON.stringify(b[k] ?? null));
}

/**
 * The known queues whose placement moved in `fresh` (rows of PLACEMENT_COLUMNS from a stats read),
 * merged into the known rows. No event tells of a node going down or a new leader, so the stats
 * read that comes every 5 s is where such a change is seen.
 */
export function movedQueues(known: (name: string) => Row | undefined, fresh: readonly Row[]): Row[] {
  const moved: Row[] = [];
  for (const f of fresh) {
    const was = known(String(f.name));
    if (was === undefined) continue;
    const now = queueRow({ ...was, ...Object.fromEntries(PLACEMENT_COLUMNS.filter((k) => f[k] !== undefined).map((k) => [k, f[k]])) });
    if (!samePlacement(was, now)) moved.push(now);
  }
  return moved;
}

// Rows from a remote cluster in the shape the console relies on. RabbitMQ leaves a queue's
// `consumers` (and its message counts) out until its stats are first collected, up to 5 s after the
// declare; the embedded broker always has them. A queue that no stats have reached yet has no
// consumer the cluster knows of, so 0 is what it counted; the message counts stay absent (unknown).
import type { Row } from '../../broker/index';

export function queueRow(row: Row): Row {
  if (typeof row.consumers !== 'number') row.consumers = 0;
  // RabbitMQ names a quorum queue's leader but not always its `node` (not without stats); where it
  // gives both they are the same node (QueuePlacement in the broker API)
  if (typeof row.leader === 'string') row.node = row.leader;
  return row;
}

export function queueRows(rows: Row[]): Row[] {
  for (const r of rows) queueRow(r);
  return rows;
}

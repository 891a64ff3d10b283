'use client';
// The broker's nodes: the embedded broker's one, or every node of a RabbitMQ cluster, running or
// down, with memory and disk alarms, partitions and the RabbitMQ version each runs. Asked every
// 5 s, so a node going down shows within that (RabbitMQ itself notices a lost peer at once). Only
// monitoring users and administrators may see nodes; for others the table is left out.
import { ApiError } from '@/lib/client/api';
import { nodeVersion as version, useNodes, type NodeDto } from '@/lib/client/use-nodes';
import { bytes } from '../graph/format';
import { RunState, Tags } from './cells';
import { DataTable, type Column } from './data-table';

function uptime(ms: number | undefined): string {
  if (ms === undefined) return '';
  const s = Math.floor(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86400)}d ${Math.floor((s % 86400) / 3600)}h`;
}

const COLUMNS: Column<NodeDto>[] = [
  { key: 'name', header: 'Node', render: (n) => <span className="mono">{n.name}</span>, sort: (n) => n.name },
  { key: 'state', header: 'State', render: (n) => <RunState state={n.running ? 'running' : 'down'} />, sort: (n) => (n.running ? 1 : 0) },
  {
    key: 'alarms',
    header: 'Alarms',
    render: (n) => <Tags items={[...(n.mem_alarm ? ['memory alarm'] : []), ...(n.disk_free_alarm ? ['disk alarm'] : [])]} />,
  },
  { key: 'memory', header: 'Memory', numeric: true, render: (n) => (n.mem_used === undefined ? '' : `${bytes(n.mem_used)} of ${bytes(n.mem_limit ?? 0)}`), sort: (n) => n.mem_used ?? 0 },
  { key: 'disk', header: 'Disk free', numeric: true, render: (n) => (n.disk_free === undefined ? '' : bytes(n.disk_free)), sort: (n) => n.disk_free ?? 0 },
  { key: 'partitions', header: 'Partitions', render: (n) => (n.partitions?.length ? n.partitions.join(', ') : 'none') },
  { key: 'version', header: 'Version', render: version, sort: version },
  { key: 'uptime', header: 'Uptime', numeric: true, render: (n) => uptime(n.uptime), sort: (n) => n.uptime ?? 0 },
];

export function NodesTable() {
  const { data, error } = useNodes();
  if (error instanceof ApiError && error.status === 401) return null;
  return (
    <DataTable
      label="Nodes"
      rows={data}
      columns={COLUMNS}
      rowKey={(n) => n.name}
      filterText={(n) => n.name}
      empty="No nodes reported"
      loading={data === undefined && error === null}
      error={error}
    />
  );
}

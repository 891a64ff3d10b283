'use client';
// The cluster's nodes over the graph: one chip each, green while running, amber with an alarm or a
// partition, red when down, what is wrong said in words and the rest in the tooltip. Drawn for a
// cluster (more than one node), and for a lone node only when something is wrong with it.
import { nodeTroubles, nodeVersion, useNodes, type NodeDto } from '@/lib/client/use-nodes';
import { bytes } from './format';

/** The part of the node names that tells them apart: `rabbit@host1` → host1, `warren-c1@localhost` → warren-c1. */
function shortNames(nodes: NodeDto[]): Map<string, string> {
  const before = (n: string) => (n.includes('@') ? n.slice(0, n.indexOf('@')) : n);
  const after = (n: string) => (n.includes('@') ? n.slice(n.indexOf('@') + 1) : n);
  const sameBefore = new Set(nodes.map((n) => before(n.name))).size === 1 && nodes.length > 1;
  return new Map(nodes.map((n) => [n.name, sameBefore ? after(n.name) : before(n.name)]));
}

function describe(n: NodeDto): string {
  const parts = [n.name, n.running ? 'running' : 'down'];
  const version = nodeVersion(n);
  if (version !== '') parts.push(version.startsWith('Warren') ? version : `RabbitMQ ${version}`);
  if (n.mem_used !== undefined) parts.push(`memory ${bytes(n.mem_used)} of ${bytes(n.mem_limit ?? 0)}${n.mem_alarm === true ? ' (alarm)' : ''}`);
  if (n.disk_free !== undefined) parts.push(`disk free ${bytes(n.disk_free)}${n.disk_free_alarm === true ? ' (alarm)' : ''}`);
  if (n.running) parts.push(n.partitions !== undefined && n.partitions.length > 0 ? `partitioned from ${n.partitions.join(', ')}` : 'no partitions');
  return parts.join(' · ');
}

export function ClusterStrip() {
  const { data } = useNodes();
  if (data === undefined || data.length === 0) return null;
  if (data.length === 1 && nodeTroubles(data[0]).length === 0) return null;
  const names = shortNames(data);
  return (
    <div className="cluster-strip" role="group" aria-label="Cluster nodes">
      {data.map((n) => {
        const troubles = nodeTroubles(n);
        const tone = !n.running ? 'down' : troubles.length > 0 ? 'warn' : 'ok';
        return (
          <span key={n.name} className={`cluster-node node-${tone}`} data-testid={`cluster-node-${n.name}`} title={describe(n)}>
            <span className="state-dot" aria-hidden="true" />
            <span className="cluster-node-name">{names.get(n.name)}</span>
            {troubles.length > 0 && <span className="cluster-node-trouble">{troubles.join(' · ')}</span>}
          </span>
        );
      })}
    </div>
  );
}

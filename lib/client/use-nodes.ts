'use client';
// The broker's nodes as /api/nodes reports them, asked every 5 s by whoever shows them (the nodes
// table, the graph's cluster strip): one query, shared. Only monitoring users and administrators may
// see nodes; for others the answer is 401 and nothing is shown.
import { useQuery } from '@tanstack/react-query';
import { ApiError, request } from './api';

export interface NodeDto {
  name: string;
  running: boolean;
  type?: string;
  mem_used?: number;
  mem_limit?: number;
  mem_alarm?: boolean;
  disk_free?: number;
  disk_free_alarm?: boolean;
  partitions?: string[];
  uptime?: number;
  applications?: { name: string; version: string }[];
}

const REFRESH_MS = 5_000;

export function useNodes() {
  return useQuery({
    queryKey: ['warren', 'nodes'],
    queryFn: ({ signal }) => request<NodeDto[]>('/api/nodes', { signal }),
    refetchInterval: REFRESH_MS,
    retry: (count, err) => !(err instanceof ApiError && err.status === 401) && count < 2,
  });
}

/** RabbitMQ's version on a cluster's node; Warren's own on Warren's (which answers as a RabbitMQ too). */
export function nodeVersion(n: NodeDto): string {
  const warren = n.applications?.find((a) => a.name === 'warren')?.version;
  if (warren !== undefined) return `Warren ${warren}`;
  return n.applications?.find((a) => a.name === 'rabbit')?.version ?? '';
}

/** What is wrong with a node, worst first; empty when it runs without alarms or partitions. */
export function nodeTroubles(n: NodeDto): string[] {
  if (!n.running) return ['down'];
  const out: string[] = [];
  if (n.partitions !== undefined && n.partitions.length > 0) out.push(`partitioned from ${n.partitions.join(', ')}`);
  if (n.mem_alarm === true) out.push('memory alarm');
  if (n.disk_free_alarm === true) out.push('disk alarm');
  return out;
}

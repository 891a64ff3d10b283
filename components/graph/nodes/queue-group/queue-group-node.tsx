'use client';
// Queues drawn as one node because the vhost has too many to draw one by one (see
// lib/client/graph/aggregate.ts): how many, which exchanges bind them, their names' range, and the
// sums of what the broker counted for them (ready, unacknowledged, consumers, rates). Typing in the
// filter draws a few of them one by one.
import { Handle, Position, type NodeProps } from '@xyflow/react';
import { memo } from 'react';
import type { QueueGroupNode } from '@/lib/client/graph/types';
import { useStats } from '@/lib/client/stats-store';
import { QueueIcon } from '../../../ui/icons';
import { compact, int, rate } from '../../format';

/** The members' counters summed, as one string so the node re-renders only when a sum changes. */
function useGroupSums(members: readonly string[]): { ready: number; unacked: number; consumers: number; inRate: number; outRate: number; measured: number } {
  const key = useStats((s) => {
    let ready = 0;
    let unacked = 0;
    let consumers = 0;
    let inRate = 0;
    let outRate = 0;
    let measured = 0;
    for (const m of members) {
      const q = s.queues[m];
      if (q === undefined) continue;
      measured++;
      ready += q.messages_ready;
      unacked += q.messages_unacknowledged;
      consumers += q.consumers;
      inRate += q.publish_rate;
      outRate += q.deliver_rate;
    }
    return [ready, unacked, consumers, Math.round(inRate * 10) / 10, Math.round(outRate * 10) / 10, measured].join(' ');
  });
  const [ready, unacked, consumers, inRate, outRate, measured] = key.split(' ').map(Number);
  return { ready, unacked, consumers, inRate, outRate, measured };
}

function QueueGroupNodeView({ data, selected }: NodeProps<QueueGroupNode>) {
  const n = data.members.length;
  const sums = useGroupSums(data.members);
  const from = data.sources.length === 0 ? 'no bindings but the default exchange' : `bound from ${data.sources.join(', ')}`;
  const range = n === 1 ? data.members[0] : `${data.members[0]} … ${data.members[n - 1]}`;
  const traffic = sums.inRate + sums.outRate > 0;
  return (
    <div
      className={`gnode gnode-queues${data.dim ? ' dim' : ''}${selected ? ' selected' : ''}`}
      aria-label={`${int(n)} queues ${data.sources.length === 0 ? 'with no bindings but the default exchange' : from}: ${int(sums.ready)} ready, ${int(sums.unacked)} unacknowledged, ${sums.consumers} consumers`}
      title={`${int(n)} queues, ${from}. Too many to draw one by one: type in the filter to draw up to 1,000 of them.`}
    >
      <Handle type="target" position={Position.Left} id="in" className="handle handle-in" isConnectable={false} />
      <div className="gnode-head">
        <span className="gnode-icon" aria-hidden="true">
          <QueueIcon />
        </span>
        <span className="gnode-name">
          <strong>{int(n)}</strong> queue{n === 1 ? '' : 's'}
        </span>
      </div>
      <div className="qg-from" title={from}>
        {from}
      </div>
      <div className="qg-range" title={range}>
        {range}
      </div>
      <div className="q-foot">
        <span className="q-features">
          {sums.measured === 0 ? 'no stats yet' : `${compact(sums.ready)} ready · ${compact(sums.unacked)} unacked · ${compact(sums.consumers)} consumers`}
        </span>
        <span className={traffic ? 'q-rates active' : 'q-rates'} title="messages in / delivered per second, summed">
          {traffic ? `${rate(sums.inRate)} in · ${rate(sums.outRate)} out` : 'no traffic'}
        </span>
      </div>
      <Handle type="source" position={Position.Right} id="out" className="handle handle-out handle-quiet" isConnectable={false} />
    </div>
  );
}

export const QueueGroupNodeComponent = memo(QueueGroupNodeView);

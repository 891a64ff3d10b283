'use client';
// A consumer on its queue: the client's connection name (or the tag when it gave none), its
// prefetch window — unacked deliveries it holds out of its prefetch, as the broker counted them.
import { Handle, Position, type NodeProps } from '@xyflow/react';
import { memo } from 'react';
import type { ConsumerNode } from '@/lib/client/graph/types';
import { useConsumerStats } from '@/lib/client/stats-store';
import { ConsumerIcon } from '../../../ui/icons';
import { int } from '../../format';
import { useConsumerUnacked } from './use-consumer-unacked';

function ConsumerNodeView({ data, selected }: NodeProps<ConsumerNode>) {
  const stats = useConsumerStats(data.statsKey);
  const polled = useConsumerUnacked(data.channel, data.tag);
  const unacked = stats?.unacked ?? polled;
  const browser = data.connection.startsWith('websocket ');
  const title = data.name ?? data.tag;
  const full = data.ackRequired && data.prefetch > 0 && unacked !== null && unacked >= data.prefetch;
  return (
    <div
      className={`gnode gnode-consumer${browser ? ' browser' : ''}${data.dim ? ' dim' : ''}${selected ? ' selected' : ''}`}
      aria-label={`Consumer ${title} on ${data.queue}`}
      data-consumer-tag={data.tag}
      data-consumer-name={data.name ?? undefined}
    >
      <Handle type="target" position={Position.Left} id="in" className="handle handle-in handle-quiet" isConnectable={false} />
      <div className="gnode-head">
        <span className="gnode-icon" aria-hidden="true">
          <ConsumerIcon />
        </span>
        <span className={`gnode-name${data.name !== null ? ' named' : ''}`} title={`${data.name !== null ? `${data.name}\n` : ''}${data.tag}\n${data.channel}`}>
          {title}
        </span>
        {/* beside the name, which gives way (ellipsis) so the badge always shows */}
        {browser && <span className="flag flag-browser">browser</span>}
      </div>
      <div className="gnode-meta">
        {!data.ackRequired ? (
          <span className="flag">auto-ack</span>
        ) : unacked !== null ? (
          // one chip either way, so the delivered count beside it fits the card
          <span
            className={full || (data.prefetch === 0 && unacked > 0) ? 'flag flag-strong' : 'flag'}
            title={data.prefetch > 0 ? 'unacknowledged deliveries it holds / its prefetch' : 'unacknowledged deliveries it holds; no prefetch limit (basic.qos 0)'}
          >
            {unacked}/{data.prefetch > 0 ? data.prefetch : '∞'} prefetch
          </span>
        ) : (
          <span className="flag">prefetch {data.prefetch === 0 ? '∞' : data.prefetch}</span>
        )}
        {stats !== undefined && <span className="flag">{int(stats.delivered)} delivered</span>}
      </div>
      {data.publishes && <Handle type="source" position={Position.Right} id="out" className="handle handle-out handle-quiet" isConnectable={false} />}
    </div>
  );
}

export const ConsumerNodeComponent = memo(ConsumerNodeView);

'use client';
// A consumer on its queue: tag, prefetch and how many messages it holds unacknowledged.
import { Handle, Position, type NodeProps } from '@xyflow/react';
import { memo } from 'react';
import type { ConsumerNode } from '@/lib/client/graph/types';
import { ConsumerIcon } from '../../../ui/icons';
import { useConsumerUnacked } from './use-consumer-unacked';

function ConsumerNodeView({ data, selected }: NodeProps<ConsumerNode>) {
  const unacked = useConsumerUnacked(data.channel, data.tag);
  const browser = data.connection.startsWith('websocket ');
  return (
    <div
      className={`gnode gnode-consumer${browser ? ' browser' : ''}${data.dim ? ' dim' : ''}${selected ? ' selected' : ''}`}
      aria-label={`Consumer ${data.tag} on ${data.queue}`}
      data-consumer-tag={data.tag}
    >
      <Handle type="target" position={Position.Left} id="in" className="handle handle-in handle-quiet" isConnectable={false} />
      <div className="gnode-head">
        <span className="gnode-icon" aria-hidden="true">
          <ConsumerIcon />
        </span>
        <span className="gnode-name" title={`${data.tag}\n${data.channel}`}>
          {data.tag}
        </span>
        {/* beside the tag, which gives way (ellipsis) so the badge always shows */}
        {browser && <span className="flag flag-browser">browser</span>}
      </div>
      <div className="gnode-meta">
        <span className="flag">{data.ackRequired ? `prefetch ${data.prefetch === 0 ? '∞' : data.prefetch}` : 'auto-ack'}</span>
        {unacked !== null && <span className={unacked > 0 ? 'flag flag-strong' : 'flag'}>{unacked} unacked</span>}
      </div>
    </div>
  );
}

export const ConsumerNodeComponent = memo(ConsumerNodeView);

'use client';
// A channel that published in the last few seconds: named by its client's connection_name, or by
// its address and channel number when the client gave none.
import { Handle, Position, type NodeProps } from '@xyflow/react';
import { memo } from 'react';
import type { ProducerNode } from '@/lib/client/graph/types';
import { SendIcon } from '../../../ui/icons';

function ProducerNodeView({ data, selected }: NodeProps<ProducerNode>) {
  const number = /\((\d+)\)$/.exec(data.channel)?.[1];
  return (
    <div className={`gnode gnode-producer${data.dim ? ' dim' : ''}${selected ? ' selected' : ''}`} aria-label={`Producer ${data.label}`} data-producer={data.label}>
      <div className="gnode-head">
        <span className="gnode-icon" aria-hidden="true">
          <SendIcon />
        </span>
        <span className="gnode-name" title={`${data.name !== null ? `${data.name}\n` : ''}${data.channel}\nuser ${data.user}`}>
          {data.label}
        </span>
      </div>
      <div className="gnode-sub">{data.name !== null ? `producer · channel ${number ?? '?'}` : 'producer'}</div>
      <Handle type="source" position={Position.Right} id="out" className="handle handle-out handle-quiet" isConnectable={false} />
    </div>
  );
}

export const ProducerNodeComponent = memo(ProducerNodeView);

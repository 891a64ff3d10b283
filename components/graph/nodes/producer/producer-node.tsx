'use client';
// A channel that published in the last few seconds: named by its client's connection_name, or by
// its address and channel number when the client gave none; the HTTP API's publishes are one per
// user. A channel that closed since (a one-shot sender) stays a few seconds, greyed.
import { Handle, Position, type NodeProps } from '@xyflow/react';
import { memo } from 'react';
import type { ProducerNode } from '@/lib/client/graph/types';
import { SendIcon } from '../../../ui/icons';

function ProducerNodeView({ data, selected }: NodeProps<ProducerNode>) {
  const number = /\((\d+)\)$/.exec(data.channel)?.[1];
  return (
    <div
      className={`gnode gnode-producer${data.gone ? ' gone' : ''}${data.dim ? ' dim' : ''}${selected ? ' selected' : ''}`}
      aria-label={`Producer ${data.label}${data.gone ? ' (gone)' : ''}`}
      data-producer={data.label}
      data-gone={data.gone ? 'true' : undefined}
    >
      <div className="gnode-head">
        <span className="gnode-icon" aria-hidden="true">
          <SendIcon />
        </span>
        <span className="gnode-name" title={`${data.name !== null ? `${data.name}\n` : ''}${data.channel}\nuser ${data.user}`}>
          {data.label}
        </span>
      </div>
      <div className="gnode-sub">
        {data.gone ? 'producer · closed' : data.name !== null && number !== undefined ? `producer · channel ${number}` : 'producer'}
      </div>
      <Handle type="source" position={Position.Right} id="out" className="handle handle-out handle-quiet" isConnectable={false} />
    </div>
  );
}

export const ProducerNodeComponent = memo(ProducerNodeView);

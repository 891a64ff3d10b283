'use client';
// An exchange: its name, type and flags, its publish rate; a handle on the right to drag a
// binding from, one on the left for exchange-to-exchange bindings and alternate-exchange links.
import { Handle, Position, type NodeProps } from '@xyflow/react';
import { memo } from 'react';
import { exchangeLabel } from '@/lib/client/graph/build';
import type { ExchangeNode } from '@/lib/client/graph/types';
import { useExchangeStats } from '@/lib/client/stats-store';
import { ExchangeIcon, MoreIcon, SendIcon, TrashIcon } from '../../../ui/icons';
import { followMessage } from '@/lib/client/follow';
import { Menu } from '../../../ui/menu';
import { rate } from '../../format';
import { useEntityActions } from '../../use-entity-actions';

function ExchangeNodeView({ data, selected }: NodeProps<ExchangeNode>) {
  const stats = useExchangeStats(data.name);
  const actions = useEntityActions();
  const inRate = stats?.publish_in_rate ?? 0;
  const flags = [data.internal && 'internal', data.autoDelete && 'auto-delete'].filter(Boolean) as string[];
  return (
    <div
      className={`gnode gnode-exchange ex-${data.type}${data.dim ? ' dim' : ''}${selected ? ' selected' : ''}`}
      aria-label={`Exchange ${exchangeLabel(data.name)}, ${data.type}${data.durable ? ', durable' : ''}`}
    >
      <Handle type="target" position={Position.Left} id="in" className="handle handle-in" />
      <div className="gnode-head">
        <span className="gnode-icon" aria-hidden="true">
          <ExchangeIcon />
        </span>
        <span className={`gnode-name${data.name === '' ? ' default' : ''}`} title={exchangeLabel(data.name)}>
          {exchangeLabel(data.name)}
        </span>
        {data.durable && (
          <span className="badge-d" title="Durable: survives a broker restart">
            D
          </span>
        )}
        {!data.builtIn && (
          <Menu
            className="gnode-menu"
            label={`Actions for exchange ${exchangeLabel(data.name)}`}
            trigger={<MoreIcon />}
            items={[
              { label: 'Publish message…', icon: <SendIcon />, onSelect: () => actions.publishTo(data.name) },
              { label: 'Trace next message', icon: <SendIcon />, onSelect: () => followMessage({ kind: 'next', exchange: data.name }) },
              { label: 'Delete exchange…', icon: <TrashIcon />, danger: true, onSelect: () => actions.deleteExchange(data.name) },
            ]}
          />
        )}
      </div>
      <div className="gnode-meta">
        <span className={`type-pill type-${data.type}`}>{data.type}</span>
        {flags.map((f) => (
          <span key={f} className="flag">
            {f}
          </span>
        ))}
        {inRate > 0 && <span className="gnode-rate">{rate(inRate)}</span>}
      </div>
      <Handle type="source" position={Position.Right} id="out" className="handle handle-out" title="Drag to a queue or exchange to bind" />
    </div>
  );
}

export const ExchangeNodeComponent = memo(ExchangeNodeView);

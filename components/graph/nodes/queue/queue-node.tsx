'use client';
// A queue: ready and unacknowledged counts with a depth bar, consumers, the arguments that
// matter; its colour says whether anyone is consuming. Counts come from stats ticks (only this
// node re-renders when its own numbers change), from the listing until the first tick.
import { Handle, Position, type NodeProps } from '@xyflow/react';
import { memo } from 'react';
import type { QueueNode } from '@/lib/client/graph/types';
import { useQueueQuietSeconds, useQueueStats } from '@/lib/client/stats-store';
import { EraseIcon, InboxIcon, MoreIcon, QueueIcon, TrashIcon } from '../../../ui/icons';
import { Menu } from '../../../ui/menu';
import { compact, int, rate } from '../../format';
import { useEntityActions } from '../../use-entity-actions';
import { PlacementBadge } from './placement-badge';
import { depthFraction, QUEUE_STATE_LABEL, queueState } from './queue-state';

function QueueNodeView({ data, selected }: NodeProps<QueueNode>) {
  const stats = useQueueStats(data.name);
  const actions = useEntityActions();
  const ready = stats?.messages_ready ?? data.ready;
  const unacked = stats?.messages_unacknowledged ?? data.unacked;
  const consumers = stats?.consumers ?? data.consumers;
  const inRate = stats?.publish_rate ?? 0;
  const outRate = stats?.deliver_rate ?? 0;
  // a queue fed now and then is quiet between messages, not without traffic
  const quiet = useQueueQuietSeconds(data.name);
  const state = queueState(ready, unacked, consumers);
  const total = ready + unacked;
  const fill = depthFraction(total, data.maxLength);
  const readyShare = total === 0 ? 0 : (ready / total) * fill;
  const flags = [data.exclusive && 'exclusive', data.autoDelete && 'auto-delete'].filter(Boolean) as string[];
  const features = [...flags, ...data.features];
  return (
    <div
      className={`gnode gnode-queue q-${state}${data.dim ? ' dim' : ''}${selected ? ' selected' : ''}`}
      aria-label={`Queue ${data.name}: ${int(ready)} ready, ${int(unacked)} unacknowledged, ${consumers} consumers (${QUEUE_STATE_LABEL[state]})`}
    >
      <Handle type="target" position={Position.Left} id="in" className="handle handle-in" />
      <div className="gnode-head">
        <span className="gnode-icon" aria-hidden="true">
          <QueueIcon />
        </span>
        <span className="gnode-name" title={data.name}>
          {data.name}
        </span>
        {data.durable && (
          <span className="badge-d" title="Durable: survives a broker restart">
            D
          </span>
        )}
        <Menu
          className="gnode-menu"
          label={`Actions for queue ${data.name}`}
          trigger={<MoreIcon />}
          items={[
            { label: 'Consume…', icon: <InboxIcon />, onSelect: () => actions.consumeFrom(data.name) },
            { label: 'Purge…', icon: <EraseIcon />, onSelect: () => actions.purgeQueue(data.name, ready) },
            { label: 'Delete queue…', icon: <TrashIcon />, danger: true, onSelect: () => actions.deleteQueue(data.name, total) },
          ]}
        />
      </div>
      <div className="q-counts">
        <span className="q-count" title={`${int(ready)} ready`}>
          <strong data-testid="queue-ready">{compact(ready)}</strong> ready
        </span>
        <span className="q-count unacked" title={`${int(unacked)} unacknowledged`}>
          <strong data-testid="queue-unacked">{compact(unacked)}</strong> unacked
        </span>
        <span className="q-consumers" title={`${consumers} consumer${consumers === 1 ? '' : 's'}`}>
          {consumers} <span className="sr-only">consumers</span>
          <svg width="12" height="12" viewBox="0 0 16 16" aria-hidden="true">
            <circle cx="8" cy="5.5" r="2.8" fill="currentColor" />
            <path d="M2.5 14c.6-3 2.8-4.6 5.5-4.6s4.9 1.6 5.5 4.6z" fill="currentColor" />
          </svg>
        </span>
      </div>
      <div className="q-bar" aria-hidden="true">
        <span className="q-bar-ready" style={{ width: `${readyShare * 100}%` }} />
        <span className="q-bar-unacked" style={{ width: `${(fill - readyShare) * 100}%` }} />
      </div>
      <div className="q-foot">
        <PlacementBadge placement={data.placement} />
        <span className="q-features" title={features.join(' · ')}>
          {features.join(' · ')}
        </span>
        <span className={inRate + outRate > 0 ? 'q-rates active' : 'q-rates'} title="messages in / delivered per second" data-testid="queue-traffic">
          {inRate + outRate > 0 ? `${rate(inRate)} in · ${rate(outRate)} out` : quiet !== null ? `last message ${quiet} s ago` : 'no traffic'}
        </span>
      </div>
      <Handle type="source" position={Position.Right} id="out" className="handle handle-out handle-quiet" isConnectable={false} />
    </div>
  );
}

export const QueueNodeComponent = memo(QueueNodeView);

'use client';
// Producer → exchange (or → queue through the hidden default exchange), with the rate that
// producer published there, as the broker counted it on its channel.
import { BaseEdge, EdgeLabelRenderer, getBezierPath, type EdgeProps } from '@xyflow/react';
import { memo } from 'react';
import type { PublishEdge } from '@/lib/client/graph/types';
import { useProducerStats } from '@/lib/client/stats-store';
import { rate } from '../format';
import { useIsFar } from '../use-zoom-level';

function PublishEdgeView({ id, data, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition }: EdgeProps<PublishEdge>) {
  const [path, labelX, labelY] = getBezierPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition });
  const stats = useProducerStats(data?.statsKey ?? '');
  const far = useIsFar();
  const r = stats?.publish_rate ?? 0;
  return (
    <>
      <BaseEdge id={id} path={path} className={`gedge gedge-publish${r > 0 ? ' active' : ''}${data?.viaDefault ? ' via-default' : ''}${data?.dim ? ' dim' : ''}`} />
      {!far && (
        <EdgeLabelRenderer>
          <div
            className={`edge-label edge-label-quiet${data?.viaDefault ? ' edge-label-stack' : ''}`}
            data-publish-edge={data?.statsKey}
            data-publish-rate={r}
            title={stats ? `${stats.published.toLocaleString('en-US')} published on this channel` : undefined}
            style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)` }}
          >
            {data?.viaDefault && <span className="edge-via">via (AMQP default)</span>}
            <span className={r > 0 ? 'edge-rate' : 'edge-sub'}>{rate(r)}</span>
          </div>
        </EdgeLabelRenderer>
      )}
    </>
  );
}

export const PublishEdgeComponent = memo(PublishEdgeView);

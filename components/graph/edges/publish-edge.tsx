'use client';
// Producer → exchange (or → queue through the hidden default exchange, or → the requesting
// client's reply consumer for a direct reply-to reply), with the rate that producer published
// there, as the broker counted it on its channel. A producer whose channel closed shows how many
// it published instead.
import { BaseEdge, getBezierPath, type EdgeProps } from '@xyflow/react';
import { memo } from 'react';
import type { PublishEdge } from '@/lib/client/graph/types';
import { RATE_WINDOW_NOTE, useProducerStats } from '@/lib/client/stats-store';
import { count, int, rate } from '../format';
import { EdgeLabel, useLabelsFar } from '../label-layer';

function PublishEdgeView({ id, data, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition }: EdgeProps<PublishEdge>) {
  const [path, labelX, labelY] = getBezierPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition });
  const stats = useProducerStats(data?.statsKey ?? '');
  const far = useLabelsFar();
  const r = stats?.publish_rate ?? 0;
  const gone = stats?.gone === true;
  const published = stats ? `${int(stats.published)} published on this channel` : '';
  return (
    <>
      <BaseEdge
        id={id}
        path={path}
        className={`gedge gedge-publish${r > 0 ? ' active' : ''}${gone ? ' gone' : ''}${data?.viaDefault ? ' via-default' : ''}${data?.dim ? ' dim' : ''}`}
      />
      {!far && (
        <EdgeLabel x={labelX} y={labelY}>
          <div
            className={`edge-label edge-label-quiet${data?.viaDefault || data?.reply ? ' edge-label-stack' : ''}`}
            data-publish-edge={data?.statsKey}
            data-publish-rate={r}
            data-published={stats?.published}
            title={stats ? `${published}${gone ? ' (channel closed)' : ''}\n${rate(r)}: ${RATE_WINDOW_NOTE}` : undefined}
            style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)` }}
          >
            {data?.viaDefault && <span className="edge-via">via (AMQP default)</span>}
            {data?.reply && <span className="edge-via">direct reply-to</span>}
            {gone && stats ? (
              <span className="edge-sub">{count(stats.published, 'msg')}</span>
            ) : (
              <span className={r > 0 ? 'edge-rate' : 'edge-sub'}>{rate(r)}</span>
            )}
          </div>
        </EdgeLabel>
      )}
    </>
  );
}

export const PublishEdgeComponent = memo(PublishEdgeView);

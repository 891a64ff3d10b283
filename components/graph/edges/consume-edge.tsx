'use client';
// Queue → consumer, with that consumer's own delivery rate as the broker measured it (not the
// queue's rate shared out: a fast worker at prefetch 1 gets far more than a slow one).
import { BaseEdge, getBezierPath, type EdgeProps } from '@xyflow/react';
import { memo } from 'react';
import type { ConsumeEdge } from '@/lib/client/graph/types';
import { RATE_WINDOW_NOTE, useConsumerStats } from '@/lib/client/stats-store';
import { int, rate } from '../format';
import { EdgeLabel, useLabelsFar } from '../label-layer';

function ConsumeEdgeView({ id, data, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition }: EdgeProps<ConsumeEdge>) {
  const [path, labelX, labelY] = getBezierPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition });
  const stats = useConsumerStats(data?.statsKey ?? '');
  const far = useLabelsFar();
  const deliver = stats?.deliver_rate ?? 0;
  return (
    <>
      <BaseEdge id={id} path={path} className={`gedge gedge-consume${deliver > 0 ? ' active' : ''}${data?.dim ? ' dim' : ''}`} />
      {!far && stats !== undefined && stats.delivered > 0 && (
        <EdgeLabel x={labelX} y={labelY}>
          <div
            className="edge-label edge-label-quiet"
            data-consume-edge={data?.statsKey}
            data-deliver-rate={deliver}
            title={`${int(stats.delivered)} delivered, ${int(stats.acked)} acked, ${int(stats.rejected)} nacked or rejected, ${int(stats.redelivered)} redelivered\n${rate(deliver)}: ${RATE_WINDOW_NOTE}`}
            style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)` }}
          >
            <span className={deliver > 0 ? 'edge-rate' : 'edge-sub'}>{rate(deliver)}</span>
          </div>
        </EdgeLabel>
      )}
    </>
  );
}

export const ConsumeEdgeComponent = memo(ConsumeEdgeView);

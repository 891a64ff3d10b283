'use client';
// Queue → consumer, with the delivery rate shared among the queue's consumers.
import { BaseEdge, EdgeLabelRenderer, getBezierPath, type EdgeProps } from '@xyflow/react';
import { memo } from 'react';
import type { ConsumeEdge } from '@/lib/client/graph/types';
import { useStats } from '@/lib/client/stats-store';
import { rate } from '../format';
import { useIsFar } from '../use-zoom-level';

function ConsumeEdgeView({ id, data, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition }: EdgeProps<ConsumeEdge>) {
  const [path, labelX, labelY] = getBezierPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition });
  const deliver = useStats((s) => (data ? (s.queues[data.queue]?.deliver_rate ?? 0) : 0));
  const far = useIsFar();
  const share = data && data.consumers > 0 ? deliver / data.consumers : deliver;
  return (
    <>
      <BaseEdge id={id} path={path} className={`gedge gedge-consume${share > 0 ? ' active' : ''}${data?.dim ? ' dim' : ''}`} />
      {!far && share > 0 && (
        <EdgeLabelRenderer>
          <div className="edge-label edge-label-quiet" style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)` }}>
            <span className="edge-rate">{rate(share)}</span>
          </div>
        </EdgeLabelRenderer>
      )}
    </>
  );
}

export const ConsumeEdgeComponent = memo(ConsumeEdgeView);

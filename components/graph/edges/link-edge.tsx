'use client';
// Dashed links that are not bindings: an exchange's alternate exchange, a queue's dead-letter
// exchange.
import { BaseEdge, getBezierPath, type EdgeProps } from '@xyflow/react';
import { memo } from 'react';
import type { LinkEdge } from '@/lib/client/graph/types';
import { EdgeLabel, useLabelsFar } from '../label-layer';

function LinkEdgeView({ id, data, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition }: EdgeProps<LinkEdge>) {
  // a link may point back to the left (a queue dead-lettering into an exchange before it): bend more
  const backwards = targetX < sourceX;
  const [path, labelX, labelY] = getBezierPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, curvature: backwards ? 0.9 : 0.3 });
  const kind = data?.link ?? 'alternate';
  const far = useLabelsFar();
  return (
    <>
      <BaseEdge id={id} path={path} className={`gedge gedge-link link-${kind}${data?.dim ? ' dim' : ''}`} />
      {!far && (
      <EdgeLabel x={labelX} y={labelY}>
        <div className={`edge-label edge-label-link link-${kind}${data?.dim ? ' dim' : ''}`} style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)` }}>
          {data?.label}
        </div>
      </EdgeLabel>
      )}
    </>
  );
}

export const LinkEdgeComponent = memo(LinkEdgeView);

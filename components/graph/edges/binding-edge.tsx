'use client';
// A binding: exchange → queue or exchange → exchange, labelled with its routing key or header
// arguments and the rate through it. Selected, it offers Unbind (so does Delete).
import { BaseEdge, getBezierPath, type EdgeProps } from '@xyflow/react';
import { memo } from 'react';
import { bezierPoint } from '@/lib/client/graph/bezier';
import { parseNodeId, type BindingEdge } from '@/lib/client/graph/types';
import type { BindingDto } from '@/lib/client/types';
import { useGraph } from '@/lib/client/graph/store';
import { RATE_WINDOW_NOTE, useStats } from '@/lib/client/stats-store';
import { bindingStatsKey } from '@/lib/live/protocol';
import { XIcon } from '../../ui/icons';
import { rate } from '../format';
import { useEntityActions } from '../use-entity-actions';
import { EdgeLabel, useLabelsFar } from '../label-layer';

/** Messages per second through this binding; the default exchange's implicit bindings have no
 * counter of their own, so those show what enters the destination. */
function useBindingRate(target: string, binding: BindingDto | undefined): number {
  const key = binding === undefined ? '' : bindingStatsKey(binding);
  const { kind, name } = parseNodeId(target);
  return useStats((s) => {
    const own = s.bindings[key];
    if (own !== undefined) return own.publish_rate;
    return kind === 'queue' ? (s.queues[name]?.publish_rate ?? 0) : (s.exchanges[name]?.publish_in_rate ?? 0);
  });
}

/** Only a selected binding has it: the actions' hooks are not paid for by every edge. */
function UnbindButton({ binding }: { binding: BindingDto }) {
  const actions = useEntityActions();
  return (
    <button
      type="button"
      className="edge-unbind"
      aria-label="Remove binding"
      title="Remove binding (Delete)"
      onClick={(e) => {
        e.stopPropagation();
        actions.unbind(binding);
      }}
    >
      <XIcon size={12} />
    </button>
  );
}

/** a label's height and a little air: the step between stacked labels */
const LANE_HEIGHT = 23;

function BindingEdgeView({ id, data, selected, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, target, markerEnd }: EdgeProps<BindingEdge>) {
  const [path] = getBezierPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, curvature: 0.35 });
  // past the middle: labels of edges fanning out of one exchange stay apart
  const [labelX, lineY] = bezierPoint(sourceX, sourceY, sourcePosition, targetX, targetY, targetPosition, Math.abs(targetX - sourceX) < 260 ? 0.5 : 0.6, 0.35);
  // several bindings on one line: their labels stack around it instead of covering each other
  const labelY = lineY + (data?.lane ?? 0) * LANE_HEIGHT;
  const inbound = useBindingRate(target, data?.binding);
  const far = useLabelsFar();
  const label = data?.label ?? '';
  const active = inbound > 0;
  const toExchange = data?.binding.destination_type === 'exchange';
  return (
    <>
      <BaseEdge
        id={id}
        path={path}
        markerEnd={markerEnd}
        className={`gedge gedge-binding${active ? ' active' : ''}${toExchange ? ' e2e' : ''}${data?.dim ? ' dim' : ''}${selected ? ' selected' : ''}`}
        interactionWidth={16}
      />
      {!far && (label !== '' || active || selected) && (
        <EdgeLabel x={labelX} y={labelY}>
          <div
            className={`edge-label nodrag nopan${selected ? ' selected' : ''}${data?.dim ? ' dim' : ''}`}
            style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)` }}
            onClick={() => useGraph.getState().select(null, id)}
          >
            {label !== '' && (
              <span className="edge-key" title={label}>
                {label}
              </span>
            )}
            {active && (
              <span className="edge-rate" title={`${rate(inbound)}: messages per second, ${RATE_WINDOW_NOTE}`}>
                {rate(inbound)}
              </span>
            )}
            {selected && data && <UnbindButton binding={data.binding} />}
          </div>
        </EdgeLabel>
      )}
    </>
  );
}

export const BindingEdgeComponent = memo(BindingEdgeView);

// A point along React Flow's bezier edge (same control points as getBezierPath), so a label can
// sit past the middle: edges fanning out of one exchange then keep their labels apart.
import { Position } from '@xyflow/react';

function controlOffset(distance: number, curvature: number): number {
  return distance >= 0 ? 0.5 * distance : curvature * 25 * Math.sqrt(-distance);
}

function control(pos: Position, x1: number, y1: number, x2: number, y2: number, c: number): [number, number] {
  switch (pos) {
    case Position.Left:
      return [x1 - controlOffset(x1 - x2, c), y1];
    case Position.Right:
      return [x1 + controlOffset(x2 - x1, c), y1];
    case Position.Top:
      return [x1, y1 - controlOffset(y1 - y2, c)];
    case Position.Bottom:
      return [x1, y1 + controlOffset(y2 - y1, c)];
  }
}

export function bezierPoint(
  sx: number,
  sy: number,
  sp: Position,
  tx: number,
  ty: number,
  tp: Position,
  t: number,
  curvature = 0.25,
): [number, number] {
  const [c1x, c1y] = control(sp, sx, sy, tx, ty, curvature);
  const [c2x, c2y] = control(tp, tx, ty, sx, sy, curvature);
  const u = 1 - t;
  const x = u * u * u * sx + 3 * u * u * t * c1x + 3 * u * t * t * c2x + t * t * t * tx;
  const y = u * u * u * sy + 3 * u * u * t * c1y + 3 * u * t * t * c2y + t * t * t * ty;
  return [x, y];
}

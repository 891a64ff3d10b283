// The canvas's edges must lie where React Flow would draw the edge components: the anchors are
// checked against React Flow's own getEdgePosition, the picking distance against points on the curve.
import { ConnectionMode, getEdgePosition, type InternalNodeBase } from '@xyflow/system';
import { describe, expect, it } from 'vitest';
import { bezierPoint } from './bezier';
import { distanceToEdge, edgeGeometry } from './edge-geometry';
import { NODE_HANDLES, NODE_SIZE, type GraphEdge, type GraphNode } from './types';

function node(id: string, type: keyof typeof NODE_SIZE, x: number, y: number): GraphNode {
  return { id, type, position: { x, y }, width: NODE_SIZE[type].width, height: NODE_SIZE[type].height, handles: NODE_HANDLES[type], data: {} } as unknown as GraphNode;
}

/** the node as React Flow holds it once adopted, before any measuring */
const internal = (n: GraphNode): InternalNodeBase =>
  ({ ...n, measured: {}, internals: { positionAbsolute: n.position, z: 0, userNode: n, handleBounds: undefined } }) as unknown as InternalNodeBase;

const edge = (type: GraphEdge['type'], source: GraphNode, target: GraphNode): GraphEdge =>
  ({ id: `${source.id}>${target.id}`, type, source: source.id, target: target.id, sourceHandle: 'out', targetHandle: 'in', data: {} }) as unknown as GraphEdge;

const pairs: [GraphEdge['type'], GraphNode, GraphNode][] = [
  ['binding', node('e|x', 'exchange', 0, 0), node('q|a', 'queue', 400, 300)],
  ['binding', node('e|x', 'exchange', 0, 0), node('e|y', 'exchange', 380, -240)],
  ['consume', node('q|a', 'queue', 400, 300), node('c|a|ch|t', 'consumer', 800, 280)],
  ['publish', node('p|ch', 'producer', -400, 10), node('e|x', 'exchange', 0, 0)],
  // a dead-letter link pointing back to the left
  ['link', node('q|a', 'queue', 400, 300), node('e|x', 'exchange', 0, 0)],
];

describe('edgeGeometry', () => {
  it.each(pairs)('%s edge: the anchors React Flow computes for %o → %o', (type, s, t) => {
    const g = edgeGeometry(edge(type, s, t), s, t);
    const rf = getEdgePosition({ id: 'e', sourceNode: internal(s), targetNode: internal(t), sourceHandle: 'out', targetHandle: 'in', connectionMode: ConnectionMode.Strict });
    expect(g).not.toBeNull();
    expect(rf).not.toBeNull();
    expect([g!.sx, g!.sy, g!.tx, g!.ty, g!.sp, g!.tp]).toEqual([rf!.sourceX, rf!.sourceY, rf!.targetX, rf!.targetY, rf!.sourcePosition, rf!.targetPosition]);
  });

  it('has no geometry when a node is missing', () => {
    const s = node('e|x', 'exchange', 0, 0);
    expect(edgeGeometry(edge('binding', s, s), s, undefined)).toBeNull();
  });

  it.each(pairs)('%s edge: points on the curve are within 2 px (the error of 24 chords), and inside its box; 20 px off is not', (type, s, t) => {
    const g = edgeGeometry(edge(type, s, t), s, t)!;
    for (const at of [0.1, 0.3, 0.5, 0.7, 0.9]) {
      const [x, y] = bezierPoint(g.sx, g.sy, g.sp, g.tx, g.ty, g.tp, at, g.curvature);
      expect(distanceToEdge(g, x, y)).toBeLessThan(2);
      expect(x).toBeGreaterThanOrEqual(g.x1);
      expect(x).toBeLessThanOrEqual(g.x2);
      expect(y).toBeGreaterThanOrEqual(g.y1);
      expect(y).toBeLessThanOrEqual(g.y2);
    }
    // straight above the ends, 20 px clear of the curve
    expect(distanceToEdge(g, g.sx - 20, g.sy)).toBeGreaterThan(15);
  });
});

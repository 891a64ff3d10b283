'use client';
// Edge labels: HTML placed over the edges, in React Flow's label layer. What every label needs —
// that layer's element and whether the view is zoomed far out — is looked up once here and handed
// down by context. React Flow's own EdgeLabelRenderer runs a DOM query per label on every store
// update (each pan step, each node measured); with a thousand edges mounted during a burst of
// declares that alone made tasks of half a second. On a big graph a label also stays out of the
// DOM while its place is off screen: a line crossing the view from a far node keeps its label away.
import { useStore, type ReactFlowState } from '@xyflow/react';
import { createContext, useContext, useEffect, useMemo, useSyncExternalStore, type ReactNode } from 'react';
import { createPortal } from 'react-dom';
import { useIsFar } from './use-zoom-level';

interface LabelLayer {
  container: Element | null;
  far: boolean;
  /** labels off screen are not rendered */
  cull: boolean;
  rect: ViewRect | null;
}

const LabelLayerContext = createContext<LabelLayer>({ container: null, far: false, cull: false, rect: null });

/** Room around the screen where labels are kept, in pixels: a short pan shows them at once. */
const CULL_MARGIN = 160;

const domNodeSelector = (s: ReactFlowState) => s.domNode;
const viewSelector = (s: ReactFlowState) => `${s.transform[0]} ${s.transform[1]} ${s.transform[2]} ${s.width} ${s.height}`;

/**
 * The visible part of the flow, for culling: a store of its own that changes only when the view
 * pans, zooms or resizes. Labels subscribing to React Flow's store instead would each run on every
 * node measured and every nodes/edges update of a burst.
 */
class ViewRect {
  x1 = -Infinity;
  y1 = -Infinity;
  x2 = Infinity;
  y2 = Infinity;
  private readonly listeners = new Set<() => void>();

  set(tx: number, ty: number, zoom: number, width: number, height: number): void {
    this.x1 = (-CULL_MARGIN - tx) / zoom;
    this.y1 = (-CULL_MARGIN - ty) / zoom;
    this.x2 = (width + CULL_MARGIN - tx) / zoom;
    this.y2 = (height + CULL_MARGIN - ty) / zoom;
    for (const l of this.listeners) l();
  }

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  contains(x: number, y: number): boolean {
    return x >= this.x1 && x <= this.x2 && y >= this.y1 && y <= this.y2;
  }
}

const noSubscription = () => () => {};

/** Around the canvas, inside the ReactFlowProvider. */
export function LabelLayerProvider({ cull, children }: { cull: boolean; children: ReactNode }) {
  const domNode = useStore(domNodeSelector);
  const far = useIsFar();
  const view = useStore(viewSelector);
  const rect = useMemo(() => new ViewRect(), []);
  useEffect(() => {
    const [tx, ty, zoom, width, height] = view.split(' ').map(Number);
    // before the pane is measured nothing is culled
    if (width > 0 && height > 0 && zoom > 0) rect.set(tx, ty, zoom, width, height);
  }, [view, rect]);
  const container = useMemo(() => domNode?.querySelector('.react-flow__edgelabel-renderer') ?? null, [domNode]);
  const value = useMemo(() => ({ container, far, cull, rect }), [container, far, cull, rect]);
  return <LabelLayerContext.Provider value={value}>{children}</LabelLayerContext.Provider>;
}

/** Zoomed far out, labels are unreadable: edges leave them out. */
export const useLabelsFar = (): boolean => useContext(LabelLayerContext).far;

/** A label centred on (x, y) in flow coordinates; nothing while that point is far off screen. */
export function EdgeLabel({ x, y, children }: { x: number; y: number; children: ReactNode }) {
  const { container, cull, rect } = useContext(LabelLayerContext);
  const onScreen = useSyncExternalStore(
    cull && rect !== null ? rect.subscribe : noSubscription,
    () => !cull || rect === null || rect.contains(x, y),
    () => true,
  );
  if (container === null || !onScreen) return null;
  return createPortal(children, container);
}

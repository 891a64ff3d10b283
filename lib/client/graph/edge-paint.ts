// Painting a big graph's edges: strokes of SVG path strings, grouped by style, under a view
// transform. The same code paints in a worker on an OffscreenCanvas (the main thread then does no
// rasterising: a thousand lines cost a software canvas ~20 ms a frame) and, where a browser has no
// OffscreenCanvas, on the page's own canvas.

export interface Stroke {
  color: string;
  width: number;
  dash: number[];
  alpha: number;
}

export interface PaintMessage {
  /** clear and paint everything; otherwise these strokes go over what is there */
  full: boolean;
  /** the canvas's size in device pixels */
  width: number;
  height: number;
  /** flow → device pixels: [scale, translate x, translate y] */
  transform: [number, number, number];
  strokes: { style: Stroke; paths: string[] }[];
}

type Context2D = CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D;

/** A painter for one canvas: Path2D objects are kept per path string while a full paint uses them. */
export function createEdgePainter(canvas: { width: number; height: number }, ctx: Context2D): (m: PaintMessage) => void {
  let cache = new Map<string, Path2D>();
  return (m) => {
    if (canvas.width !== m.width || canvas.height !== m.height) {
      canvas.width = m.width;
      canvas.height = m.height;
    }
    const next = m.full ? new Map<string, Path2D>() : cache;
    if (m.full) {
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.clearRect(0, 0, m.width, m.height);
    }
    const [k, tx, ty] = m.transform;
    ctx.setTransform(k, 0, 0, k, tx, ty);
    for (const { style, paths } of m.strokes) {
      const group = new Path2D();
      for (const d of paths) {
        let p = cache.get(d);
        if (p === undefined) p = new Path2D(d);
        next.set(d, p);
        group.addPath(p);
      }
      ctx.strokeStyle = style.color;
      ctx.lineWidth = style.width;
      ctx.globalAlpha = style.alpha;
      ctx.setLineDash(style.dash);
      ctx.stroke(group);
    }
    cache = next;
  };
}

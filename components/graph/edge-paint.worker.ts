// The edge canvas's painter, off the main thread: it receives the OffscreenCanvas once, then paint
// messages (lib/client/graph/edge-paint.ts).
import { createEdgePainter, type PaintMessage } from '@/lib/client/graph/edge-paint';

let paint: ((m: PaintMessage) => void) | null = null;

self.onmessage = (e: MessageEvent<{ canvas: OffscreenCanvas } | PaintMessage>) => {
  const data = e.data;
  if ('canvas' in data) {
    const ctx = data.canvas.getContext('2d');
    if (ctx !== null) paint = createEdgePainter(data.canvas, ctx);
    return;
  }
  paint?.(data);
};

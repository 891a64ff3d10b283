// Where the user dragged nodes, per vhost, in localStorage. Only dragged nodes are kept; the
// rest follow the automatic layout.
import type { XY } from './layout';

const key = (vhost: string) => `warren.graph.positions.${vhost}`;

export function loadPinned(vhost: string): Record<string, XY> {
  try {
    const raw = localStorage.getItem(key(vhost));
    if (raw === null) return {};
    const v: unknown = JSON.parse(raw);
    if (typeof v !== 'object' || v === null) return {};
    const out: Record<string, XY> = {};
    for (const [id, p] of Object.entries(v as Record<string, unknown>)) {
      if (typeof p === 'object' && p !== null) {
        const { x, y } = p as Record<string, unknown>;
        if (typeof x === 'number' && typeof y === 'number') out[id] = { x, y };
      }
    }
    return out;
  } catch {
    return {};
  }
}

export function savePinned(vhost: string, pinned: Record<string, XY>): void {
  try {
    if (Object.keys(pinned).length === 0) localStorage.removeItem(key(vhost));
    else localStorage.setItem(key(vhost), JSON.stringify(pinned));
  } catch {
    /* storage full or unavailable: positions last for this page only */
  }
}

// The last automatic layout per vhost, keyed by a hash of the graph's shape: a reload of an
// unchanged vhost skips dagre (the costliest step for hundreds of nodes).
const layoutKey = (vhost: string) => `warren.graph.layout.${vhost}`;

/** FNV-1a, 32 bit, as hex: enough to tell one graph shape from another. */
export function hashKey(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16);
}

export function loadLayout(vhost: string, hash: string): Map<string, XY> | null {
  try {
    const raw = localStorage.getItem(layoutKey(vhost));
    if (raw === null) return null;
    const v = JSON.parse(raw) as { hash?: unknown; ids?: unknown; xy?: unknown };
    if (v.hash !== hash || !Array.isArray(v.ids) || !Array.isArray(v.xy) || v.xy.length !== v.ids.length * 2) return null;
    const out = new Map<string, XY>();
    v.ids.forEach((id, i) => {
      if (typeof id === 'string') out.set(id, { x: Number((v.xy as unknown[])[2 * i]), y: Number((v.xy as unknown[])[2 * i + 1]) });
    });
    return out;
  } catch {
    return null;
  }
}

export function saveLayout(vhost: string, hash: string, layout: Map<string, XY>): void {
  try {
    const ids: string[] = [];
    const xy: number[] = [];
    for (const [id, p] of layout) {
      ids.push(id);
      xy.push(p.x, p.y);
    }
    localStorage.setItem(layoutKey(vhost), JSON.stringify({ hash, ids, xy }));
  } catch {
    /* storage full: the next load lays out again */
  }
}

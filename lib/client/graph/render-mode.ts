// How the canvas draws the graph: every node and edge as a React component ("small"), or only
// the nodes in view as components with the edges on one canvas ("big"). A graph is big above
// BIG_GRAPH nodes — and as soon as a burst of declares or deletes is under way, whatever its size:
// crossing BIG_GRAPH mid-burst switched modes with hundreds of nodes and edges mounted, then
// unmounted again (tasks of half a second), and a delete burst crossing it downwards mounted every
// remaining node and edge at once. Back to small only once the graph is small and the burst is over.

/** Over this many nodes the graph is drawn big. */
export const BIG_GRAPH = 150;
/** Under this many nodes a big graph goes back to small (once no burst is under way). */
export const SMALL_GRAPH = 120;
/** Nodes added or removed within BURST_WINDOW_MS that make a burst: a burst's first update is
 * taken as one (each update drawn small mounts every node and line it brings). */
export const BURST_NODES = 20;
export const BURST_WINDOW_MS = 1500;
/** A graph this small before and after is never in a burst: a lesson's reset (its dozen queues
 * deleted and declared again) keeps its labelled lines. */
export const BURST_MIN_NODES = 30;
/** A burst is over when no update changed this many nodes for this long. */
export const BURST_QUIET_MS = 2000;

export interface RenderMode {
  big: boolean;
  /** a burst is under way: what is not essential (the minimap) holds still until it is over */
  bursting: boolean;
  /** recent node count changes: [time, nodes added or removed] */
  recent: readonly (readonly [number, number])[];
  /** when the last burst-sized change was seen (0: none) */
  burstAt: number;
}

export const INITIAL_RENDER_MODE: RenderMode = { big: false, bursting: false, recent: [], burstAt: 0 };

/**
 * The mode after an update that changed `changed` nodes (added plus removed) and left `count` of
 * `before`. `first` is the first picture of a vhost: a vhost that opens with many nodes is no burst.
 */
export function nextRenderMode(m: RenderMode, count: number, changed: number, now: number, first = false, before = count): RenderMode {
  const recent = m.recent.filter(([t]) => now - t < BURST_WINDOW_MS);
  if (changed > 0 && !first) recent.push([now, changed]);
  let inWindow = 0;
  for (const [, n] of recent) inWindow += n;
  const burstAt = changed > 0 && inWindow >= BURST_NODES && Math.max(count, before) >= BURST_MIN_NODES ? now : m.burstAt;
  const bursting = burstAt !== 0 && now - burstAt < BURST_QUIET_MS;
  const big = count > BIG_GRAPH || bursting || (m.big && count >= SMALL_GRAPH);
  if (big === m.big && bursting === m.bursting && burstAt === m.burstAt && recent.length === m.recent.length && recent.every((r, i) => r === m.recent[i])) return m;
  return { big, bursting, recent, burstAt };
}

/** How long until the mode may change with no further update (null: it will not on its own). */
export function settlesIn(m: RenderMode, now: number): number | null {
  if (!m.bursting) return null;
  return Math.max(0, m.burstAt + BURST_QUIET_MS - now);
}

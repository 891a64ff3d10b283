import { describe, expect, it } from 'vitest';
import { BIG_GRAPH, BURST_QUIET_MS, INITIAL_RENDER_MODE, SMALL_GRAPH, nextRenderMode, settlesIn, type RenderMode } from './render-mode';

/** Updates of `step` nodes each, `gap` ms apart, from `start` nodes to `end`; the mode after each. */
function run(m: RenderMode, start: number, end: number, step: number, t0: number, gap: number): { modes: RenderMode[]; t: number } {
  const modes: RenderMode[] = [];
  let count = start;
  let t = t0;
  while (count !== end) {
    const next = end > count ? Math.min(end, count + step) : Math.max(end, count - step);
    m = nextRenderMode(m, next, Math.abs(next - count), t, false, count);
    modes.push(m);
    count = next;
    t += gap;
  }
  return { modes, t };
}

describe('render mode', () => {
  it('a graph growing a node at a time switches to big only past BIG_GRAPH', () => {
    const { modes } = run(INITIAL_RENDER_MODE, 0, 200, 1, 1000, 500);
    expect(modes[BIG_GRAPH - 1].big).toBe(false);
    expect(modes[BIG_GRAPH].big).toBe(true);
  });

  it('a burst of declares is drawn big from its first update, long before BIG_GRAPH nodes', () => {
    const { modes } = run(INITIAL_RENDER_MODE, 11, 511, 25, 1000, 100);
    expect(modes.every((m) => m.big && m.bursting)).toBe(true);
    // in smaller steps, from the update that makes 20 within the window
    const slow = run(INITIAL_RENDER_MODE, 11, 511, 10, 1000, 100).modes;
    expect(slow[0].big).toBe(false);
    expect(slow[1].big).toBe(true);
  });

  it("a lesson's reset (a small graph deleted and declared again) is no burst", () => {
    let m = nextRenderMode(INITIAL_RENDER_MODE, 16, 16, 0, true);
    m = nextRenderMode(m, 0, 16, 100, false, 16);
    m = nextRenderMode(m, 16, 16, 300, false, 0);
    expect(m.big).toBe(false);
    expect(m.bursting).toBe(false);
  });

  it('a delete burst stays big all the way down, and the small graph left is small again once it is quiet', () => {
    let m = nextRenderMode(INITIAL_RENDER_MODE, 511, 511, 0, true);
    expect(m.big).toBe(true);
    const down = run(m, 511, 11, 40, 10_000, 100);
    // below BIG_GRAPH and SMALL_GRAPH mid-burst: still big, nothing is mounted all at once
    expect(down.modes.every((x) => x.big)).toBe(true);
    m = down.modes[down.modes.length - 1];
    const wait = settlesIn(m, down.t);
    expect(wait).not.toBeNull();
    expect(wait!).toBeLessThanOrEqual(BURST_QUIET_MS);
    m = nextRenderMode(m, 11, 0, down.t + wait! + 1);
    expect(m.big).toBe(false);
    expect(m.bursting).toBe(false);
    expect(settlesIn(m, down.t + wait! + 1)).toBeNull();
  });

  it('a big graph shrinking slowly goes small only under SMALL_GRAPH (no flapping at the threshold)', () => {
    let m = nextRenderMode(INITIAL_RENDER_MODE, BIG_GRAPH + 5, BIG_GRAPH + 5, 0, true);
    expect(m.big).toBe(true);
    let t = 0;
    for (let count = BIG_GRAPH + 4; count >= SMALL_GRAPH; count--) {
      t += 2000;
      m = nextRenderMode(m, count, 1, t);
      expect(m.big, `at ${count}`).toBe(true);
    }
    m = nextRenderMode(m, SMALL_GRAPH - 1, 1, t + 2000);
    expect(m.big).toBe(false);
  });

  it('the first picture of a vhost is no burst, however big', () => {
    const m = nextRenderMode(INITIAL_RENDER_MODE, 100, 100, 0, true);
    expect(m.big).toBe(false);
    expect(nextRenderMode(m, 101, 1, 50).big).toBe(false);
  });

  it('an update that changes nothing returns the same mode object', () => {
    const m = nextRenderMode(INITIAL_RENDER_MODE, 10, 0, 0);
    expect(nextRenderMode(m, 10, 0, 10)).toBe(m);
  });
});

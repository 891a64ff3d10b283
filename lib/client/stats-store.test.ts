import { describe, expect, it } from 'vitest';
import { useStats } from './stats-store';

const tick = (ready: number) => ({
  type: 'stats' as const,
  ts: Date.now(),
  queues: {
    a: { messages_ready: ready, messages_unacknowledged: 0, consumers: 0, publish_rate: 0, deliver_rate: 0, ack_rate: 0 },
    b: { messages_ready: 1, messages_unacknowledged: 0, consumers: 1, publish_rate: 0, deliver_rate: 0, ack_rate: 0 },
  },
  exchanges: {},
  bindings: { 'x|queue|a|k': { publish_rate: ready } },
  consumers: {},
  producers: {},
  totals: { publish_rate: 1, deliver_rate: 1, ack_rate: 1, messages: ready + 1 },
});

describe('stats ticks', () => {
  it('keep unchanged entries identical, so only changed nodes re-render', () => {
    useStats.getState().reset('/');
    useStats.getState().applyTick('/', tick(5));
    const first = useStats.getState().queues;
    useStats.getState().applyTick('/', tick(6));
    const second = useStats.getState().queues;
    expect(second.b).toBe(first.b);
    expect(second.a).not.toBe(first.a);
    expect(second.a.messages_ready).toBe(6);
    expect(useStats.getState().history).toHaveLength(2);
    // rates are the mean of the ticks so far (5/s, then 6/s)
    expect(useStats.getState().bindings['x|queue|a|k'].publish_rate).toBe(5.5);
  });
  it('average each rate over the last five ticks, from the measured rates only', () => {
    useStats.getState().reset('/');
    // a slow consumer: one message in every other second
    const seen: number[] = [];
    for (const r of [1, 0, 1, 0, 1, 0, 0, 0, 0, 0]) {
      useStats.getState().applyTick('/', { ...tick(1), bindings: { 'x|queue|a|k': { publish_rate: r } } });
      seen.push(useStats.getState().bindings['x|queue|a|k'].publish_rate);
    }
    expect(seen).toEqual([1, 0.5, 0.7, 0.5, 0.6, 0.4, 0.4, 0.2, 0.2, 0]);
    // counts are not averaged
    expect(useStats.getState().queues.a.messages_ready).toBe(1);
    // an entity that went and came back starts a window of its own
    useStats.getState().applyTick('/', { ...tick(1), bindings: {} });
    useStats.getState().applyTick('/', { ...tick(1), bindings: { 'x|queue|a|k': { publish_rate: 4 } } });
    expect(useStats.getState().bindings['x|queue|a|k'].publish_rate).toBe(4);
  });
  it('ignore ticks for another vhost and freeze the maps while frozen', () => {
    useStats.getState().reset('/');
    useStats.getState().applyTick('other', tick(5));
    expect(useStats.getState().history).toHaveLength(0);
    useStats.getState().applyTick('/', tick(5));
    useStats.getState().setFrozen(true);
    useStats.getState().applyTick('/', tick(9));
    expect(useStats.getState().queues.a.messages_ready).toBe(5);
    expect(useStats.getState().history).toHaveLength(2);
    useStats.getState().setFrozen(false);
  });
  it('put the server\'s history before the ticks seen here, and only for the vhost watched', () => {
    useStats.getState().reset('/');
    const now = Date.now();
    useStats.getState().applyTick('/', { ...tick(5), ts: now });
    const point = (ts: number, publish_rate: number) => ({ ts, publish_rate, deliver_rate: 0, ack_rate: 0, messages: 3 });
    useStats.getState().seedHistory('other', [point(now - 10_000, 9)]);
    expect(useStats.getState().history).toHaveLength(1);
    // the server's newest point overlaps the page's own ticks: only what is older is taken
    useStats.getState().seedHistory('/', [point(now - 10_000, 7), point(now - 5_000, 8), point(now, 99)]);
    expect(useStats.getState().history.map((p) => [p.ts, p.publish])).toEqual([
      [now - 10_000, 7],
      [now - 5_000, 8],
      [now, 1],
    ]);
  });
});

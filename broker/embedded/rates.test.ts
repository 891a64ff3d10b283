import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { internals } from './internals';
import { RateSampler, withDetails } from './rates';
import { eventually, obj, startApi, type Obj, type TestApi } from '../../lib/management/testing';

describe('RateSampler', () => {
  it('gives the change per second between samples, 0 before there are two', () => {
    const a = {};
    let n = 0;
    const s = new RateSampler((record) => record(a, { x: n }));
    s.sample(1000);
    expect(s.rate(a, 'x')).toBe(0);
    n = 50;
    s.sample(6000);
    expect(s.rate(a, 'x')).toBe(10);
    n = 40;
    s.sample(11000);
    expect(s.rate(a, 'x')).toBe(-2);
    expect(s.rate({}, 'x')).toBe(0);
    expect(withDetails({ x: 40 }, ['x', 'y'], s.rateOf(a))).toEqual({ x: 40, x_details: { rate: -2 }, y: 0, y_details: { rate: 0 } });
    expect(s.rateSum([a, a])('x')).toBe(-4);
  });

  it('samples while in use and stops after a quiet spell', async () => {
    let calls = 0;
    const s = new RateSampler(() => calls++, 10, 30);
    s.touch();
    expect([s.running, calls]).toEqual([true, 1]);
    await eventually(() => !s.running, 1000);
    expect(calls).toBeGreaterThan(1);
    s.stop();
  });
});

describe('rates in the API', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startApi();
  });
  afterAll(() => api.close());

  it('fills *_details.rate from samples of the counters', async () => {
    await api.put('/api/queues/%2F/rated', {});
    const mgmt = internals(api.broker).mgmt;
    mgmt.sampler.stop();
    const conn = await api.connect();
    const ch = await conn.createConfirmChannel();
    const t0 = Date.now();
    mgmt.sampler.sample(t0);
    for (let i = 0; i < 10; i++) ch.sendToQueue('rated', Buffer.from('x'));
    await ch.waitForConfirms();
    mgmt.sampler.sample(t0 + 5000);
    const q = obj(await api.get('/api/queues/%2F/rated'));
    expect((q.message_stats as Obj).publish_details).toEqual({ rate: 2 });
    expect(q.messages_details).toEqual({ rate: 2 });
    const vh = obj(await api.get('/api/vhosts/%2F'));
    expect(((vh.message_stats as Obj).publish_details as Obj).rate).toBe(2);
    expect((obj(await api.get('/api/overview')).queue_totals as Obj).messages_ready_details).toEqual({ rate: 2 });
    const chans = (await api.get('/api/channels')).body as Obj[];
    expect(((chans[0].message_stats as Obj).publish_details as Obj).rate).toBe(2);
    await conn.close();
  });
});

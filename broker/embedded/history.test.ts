import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { internals } from './internals';
import { CounterHistory, HISTORY_INCR_MS, clampRange } from './history';
import { MAX_WATCHED_QUEUES } from './management-context';
import { obj, startApi, type Obj, type TestApi } from '../../lib/management/testing';

describe('CounterHistory', () => {
  it('gives each step boundary the newest sample at or before it, newest first, summed over vhosts', () => {
    const h = new CounterHistory();
    h.record(new Map([['a', { n: 1 }], ['b', { n: 100 }]]), 10_003); // a late timer still files under 10 s
    h.record(new Map([['a', { n: 6 }], ['b', { n: 100 }]]), 15_000);
    h.record(new Map([['a', { n: 11 }], ['b', { n: 110 }]]), 24_998);
    const d = h.details(['a', 'b'], ['n'], { age: 20, incr: 5 }, 27_000).get('n')!;
    expect(d.samples).toEqual([
      { sample: 121, timestamp: 25_000 },
      { sample: 106, timestamp: 20_000 }, // no sample at 20 s: the one from 15 s stands
      { sample: 106, timestamp: 15_000 },
      { sample: 101, timestamp: 10_000 },
      { sample: 101, timestamp: 5_000 }, // before the history: its oldest sample, so no false jump
    ]);
    expect(d.avg_rate).toBe(1); // (121 - 101) / 20 s
    expect(d.avg).toBe(107);
    expect(h.details(['a'], ['n', 'missing'], { age: 5, incr: 5 }, 27_000).get('missing')!.samples).toEqual([
      { sample: 0, timestamp: 25_000 },
      { sample: 0, timestamp: 20_000 },
    ]);
    expect(h.oldest('a')).toBe(10_000);
  });

  it('keeps ten minutes, and forgets deleted vhosts', () => {
    const h = new CounterHistory();
    for (let i = 0; i < 200; i++) h.record(new Map([['a', { n: i }]]), i * HISTORY_INCR_MS);
    expect(h.oldest('a')).toBe((200 - 121) * HISTORY_INCR_MS);
    h.record(new Map(), 200 * HISTORY_INCR_MS);
    expect(h.oldest('a')).toBeUndefined();
  });

  it('answers the range asked within what is kept', () => {
    expect(clampRange({ age: 60, incr: 5 })).toEqual({ age: 60, incr: 5 });
    expect(clampRange({ age: 86400, incr: 1 })).toEqual({ age: 600, incr: 5 });
    expect(clampRange({ age: 60, incr: 12 })).toEqual({ age: 60, incr: 10 });
    expect(clampRange(undefined)).toBeUndefined();
    expect(clampRange({ age: NaN, incr: 5 })).toBeUndefined();
  });
});

describe('samples in the API', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startApi();
  });
  afterAll(() => api.close());

  it('answers ?msg_rates_age/&lengths_age on the overview and a vhost with samples, avg_rate and avg', async () => {
    await api.put('/api/queues/%2F/sampled', {});
    const mgmt = internals(api.broker).mgmt;
    const conn = await api.connect();
    const ch = await conn.createConfirmChannel();
    // stay clear of the next boundary, when the real timer records a sample of its own
    while (Date.now() % HISTORY_INCR_MS > 1500) await new Promise((r) => setTimeout(r, 100));
    const b = Math.floor(Date.now() / HISTORY_INCR_MS) * HISTORY_INCR_MS;
    mgmt.sampleHistory(b - 10_000);
    for (let i = 0; i < 10; i++) ch.sendToQueue('sampled', Buffer.from('x'));
    await ch.waitForConfirms();
    mgmt.sampleHistory(b - 5_000);
    for (let i = 0; i < 20; i++) ch.sendToQueue('sampled', Buffer.from('x'));
    await ch.waitForConfirms();
    mgmt.sampleHistory(b);

    const o = obj(await api.get('/api/overview?msg_rates_age=10&msg_rates_incr=5&lengths_age=10&lengths_incr=5'));
    const publish = (o.message_stats as Obj).publish_details as Obj;
    expect(publish.samples).toEqual([
      { sample: 30, timestamp: b },
      { sample: 10, timestamp: b - 5_000 },
      { sample: 0, timestamp: b - 10_000 },
    ]);
    expect(publish).toMatchObject({ avg_rate: 3, avg: 13.3 });
    expect(typeof publish.rate).toBe('number');
    const messages = (o.queue_totals as Obj).messages_details as Obj;
    expect((messages.samples as Obj[]).map((s) => s.sample)).toEqual([30, 10, 0]);

    const vh = obj(await api.get('/api/vhosts/%2F?msg_rates_age=5&msg_rates_incr=5&lengths_age=5&lengths_incr=5'));
    expect((((vh.message_stats as Obj).publish_details as Obj).samples as Obj[]).map((s) => s.sample)).toEqual([30, 10]);
    expect(((vh.messages_details as Obj).samples as Obj[]).map((s) => s.sample)).toEqual([30, 10]);

    // without the parameters, details carry the rate alone, as before
    const plain = obj(await api.get('/api/overview'));
    expect(Object.keys((plain.message_stats as Obj).publish_details as Obj)).toEqual(['rate']);
    await conn.close();
  });

  it('answers them on one queue from the first request on, never inventing the minutes before it', async () => {
    await api.put('/api/queues/%2F/watched', {});
    const mgmt = internals(api.broker).mgmt;
    const q = internals(api.broker).core.getVhost('/')!.queues.get('watched')!;
    // a queue nobody asked history for is not sampled
    const plain = obj(await api.get('/api/queues/%2F/watched'));
    expect(Object.keys(plain.messages_details as Obj)).toEqual(['rate']);
    expect(mgmt.queueHistory.oldest('/\u0000watched')).toBeUndefined();

    const conn = await api.connect();
    const ch = await conn.createConfirmChannel();
    while (Date.now() % HISTORY_INCR_MS > 1500) await new Promise((r) => setTimeout(r, 100));
    const b = Math.floor(Date.now() / HISTORY_INCR_MS) * HISTORY_INCR_MS;
    mgmt.queueHistoryFor(q, ['messages'], { age: 60, incr: 5 }, b - 10_000); // the page opened 10 s ago
    for (let i = 0; i < 10; i++) ch.sendToQueue('watched', Buffer.from('x'));
    await ch.waitForConfirms();
    mgmt.sampleHistory(b - 5_000);
    for (let i = 0; i < 20; i++) ch.sendToQueue('watched', Buffer.from('x'));
    await ch.waitForConfirms();
    mgmt.sampleHistory(b);

    const got = obj(await api.get('/api/queues/%2F/watched?lengths_age=60&lengths_incr=5&msg_rates_age=60&msg_rates_incr=5'));
    // three measured boundaries of the thirteen asked for
    expect((got.messages_ready_details as Obj).samples).toEqual([
      { sample: 30, timestamp: b },
      { sample: 10, timestamp: b - 5_000 },
      { sample: 0, timestamp: b - 10_000 },
    ]);
    expect(((got.message_stats as Obj).publish_details as Obj).samples).toEqual([
      { sample: 30, timestamp: b },
      { sample: 10, timestamp: b - 5_000 },
      { sample: 0, timestamp: b - 10_000 },
    ]);
    expect((got.messages_ready_details as Obj).avg_rate).toBe(3);
    await conn.close();
  });

  it('samples at most MAX_WATCHED_QUEUES queues, forgetting the one asked about longest ago', async () => {
    const mgmt = internals(api.broker).mgmt;
    for (let i = 0; i <= MAX_WATCHED_QUEUES; i++) {
      await api.put(`/api/queues/%2F/w${i}`, {});
      await api.get(`/api/queues/%2F/w${i}?lengths_age=60&lengths_incr=5`);
    }
    mgmt.sampleHistory();
    expect(mgmt.queueHistory.oldest('/\u0000w0')).toBeUndefined();
    expect(mgmt.queueHistory.oldest(`/\u0000w${MAX_WATCHED_QUEUES}`)).toBeDefined();
    // a deleted queue is forgotten at the next sample
    await api.del(`/api/queues/%2F/w${MAX_WATCHED_QUEUES}`);
    mgmt.sampleHistory();
    expect(mgmt.queueHistory.oldest(`/\u0000w${MAX_WATCHED_QUEUES}`)).toBeUndefined();
  });
});

// Priorities and single active consumer, as RabbitMQ 3.10 does them:
// - x-max-priority queues deliver higher-priority messages first, FIFO within a priority;
//   priorities above the maximum count as the maximum.
// - consumers with a higher x-priority get messages while they have credit; lower ones only when
//   every higher one is blocked (prefetch full).
// - x-single-active-consumer: only the oldest consumer gets messages; the next takes over on cancel.
import { describe, expect, test } from 'vitest';
import { consumeInto, drain, useAmqp } from './amqp-helpers';

describe('priorities', () => {
  const env = useAmqp();

  test('x-max-priority: higher priorities first, FIFO within one, capped at the maximum', async () => {
    const { ch, q } = await env.queueChannel({ durable: false, maxPriority: 5 });
    const sends: [string, number | undefined][] = [['low-a', 1], ['none', undefined], ['high-a', 5], ['capped', 9], ['low-b', 1], ['high-b', 5]];
    for (const [body, priority] of sends) ch.sendToQueue(q, Buffer.from(body), priority === undefined ? {} : { priority });
    await expect.poll(async () => (await ch.checkQueue(q)).messageCount).toBe(sends.length);
    expect(await drain(ch, q)).toEqual(['high-a', 'capped', 'high-b', 'low-a', 'low-b', 'none']);
  });

  test('a requeued message goes back to the front of its priority', async () => {
    const { ch, q } = await env.queueChannel({ durable: false, maxPriority: 2 });
    ch.sendToQueue(q, Buffer.from('p2'), { priority: 2 });
    ch.sendToQueue(q, Buffer.from('p1-a'), { priority: 1 });
    ch.sendToQueue(q, Buffer.from('p1-b'), { priority: 1 });
    await expect.poll(async () => (await ch.checkQueue(q)).messageCount).toBe(3);
    const first = await ch.get(q);
    const second = await ch.get(q);
    if (!first || !second) throw new Error('expected two messages');
    expect([first.content.toString(), second.content.toString()]).toEqual(['p2', 'p1-a']);
    ch.nack(second, false, true);
    ch.nack(first, false, true);
    await expect.poll(async () => (await ch.checkQueue(q)).messageCount).toBe(3);
    expect(await drain(ch, q)).toEqual(['p2', 'p1-a', 'p1-b']);
  });

  test('x-max-length drop-head on a priority queue: a message that would go first is the one dropped', async () => {
    const { ch, q } = await env.queueChannel({ durable: false, maxPriority: 5, arguments: { 'x-max-length': 3 } });
    const sends: [string, number][] = [['p0', 1], ['p1', 5], ['p2', 3], ['p3', 0], ['p4', 4]];
    for (const [body, priority] of sends) ch.sendToQueue(q, Buffer.from(body), { priority });
    // p3 pushes out the head p1; p4 would be the head, so it goes itself rather than p2
    await expect.poll(async () => (await ch.checkQueue(q)).messageCount).toBe(3);
    expect(await drain(ch, q)).toEqual(['p2', 'p0', 'p3']);
  });

  test('consumer x-priority: the high-priority consumer gets everything while it has credit', async () => {
    const conn = await env.connect();
    const setup = await env.channel(conn);
    const q = env.queueName();
    await setup.assertQueue(q, { durable: false });
    const lowCh = await env.channel(conn);
    const highCh = await env.channel(conn);
    await highCh.prefetch(2);
    const low = await consumeInto(lowCh, q, { noAck: false, arguments: { 'x-priority': 1 } });
    const high = await consumeInto(highCh, q, { noAck: false, arguments: { 'x-priority': 10 } });
    for (const b of ['1', '2', '3', '4']) setup.sendToQueue(q, Buffer.from(b));
    await high.inbox.waitFor(2);
    await low.inbox.waitFor(2);
    expect(high.inbox.bodies).toEqual(['1', '2']);
    expect(low.inbox.bodies).toEqual(['3', '4']);
  });
});

describe('single active consumer', () => {
  const env = useAmqp();

  test('only the first consumer receives; the next takes over when it cancels', async () => {
    const conn = await env.connect();
    const ch = await env.channel(conn);
    const q = env.queueName();
    await ch.assertQueue(q, { durable: false, arguments: { 'x-single-active-consumer': true } });
    const a = await consumeInto(ch, q, { noAck: true });
    const b = await consumeInto(ch, q, { noAck: true });
    for (const body of ['1', '2', '3']) ch.sendToQueue(q, Buffer.from(body));
    await a.inbox.waitFor(3);
    await b.inbox.expectCountStays(0);
    await ch.cancel(a.consumerTag);
    ch.sendToQueue(q, Buffer.from('4'));
    await b.inbox.waitFor(1);
    expect(b.inbox.bodies).toEqual(['4']);
  });
});

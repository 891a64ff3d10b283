// Quorum queues as RabbitMQ 3.10.8's rabbit_fifo runs them, where they differ from classic queues
// (found by the consumer differential test run with quorum queues, `differential-consume.ts`):
//   declare-ok's consumer count is rabbit_fifo's: consumers, but of a single active consumer's only
//     the active one; a cancelled consumer until its deliveries are settled; each unsettled basic.get.
//   basic.consume's exclusive flag is not looked at (it is only listed).
//   basic.get on a queue with x-single-active-consumer: 405 "RESOURCE_LOCKED - cannot obtain access
//     to locked queue '<q>' in vhost '/'. basic.get operations are not supported by quorum queues
//     with single active consumer" (a channel error).
//   queue.delete with if-unused or if-empty: 540 connection error "NOT_IMPLEMENTED - cannot delete
//     queue '<q>' in vhost '/'. queue.delete operations with if-unused flag set are not supported
//     by quorum queues" (if-unused named when both are set).
//   x-overflow reject-publish: the queue takes messages until it holds more than x-max-length, then
//     refuses them until it is back at 80 % of it.
//   Without x-delivery-limit a nack's, a reject's or a recover's messages go to the back; those of a
//     channel that closed go first, in the order they came back.
//   A consumer without a prefetch holds at most 2,000 deliveries unacked.
//   A consumer leaves the turns as soon as its credit runs out (a classic queue's only when it is
//     next offered a message), and comes back behind the others when credit returns; x-priority
//     counts as on a classic queue.
//   The single active consumer that takes over from one cancelled gets what waits at once (a
//     classic queue's waits for something else to make it deliver).
import { describe, expect, test } from 'vitest';
import type { ConfirmChannel, GetMessage } from 'amqplib';
import { WAIT_MS, consumeInto, drain, expectChannelError, expectConnectionError, sleep, useAmqp, waitUntil } from './amqp-helpers';

const env = useAmqp();

async function quorumQueue(ch: ConfirmChannel, args: Record<string, unknown> = {}): Promise<string> {
  const q = env.queueName('wt-qq');
  await ch.assertQueue(q, { durable: true, arguments: { 'x-queue-type': 'quorum', ...args } });
  return q;
}

async function publish(ch: ConfirmChannel, q: string, bodies: string[]): Promise<void> {
  for (const b of bodies) ch.sendToQueue(q, Buffer.from(b));
  await ch.waitForConfirms();
}

/** Whether the broker confirmed (true) or refused (false) one publish. */
function confirmed(ch: ConfirmChannel, q: string, body: string): Promise<boolean> {
  return new Promise((resolve) => ch.sendToQueue(q, Buffer.from(body), {}, (err) => resolve(err === null || err === undefined)));
}

const consumerCount = async (ch: ConfirmChannel, q: string): Promise<number> => (await ch.checkQueue(q)).consumerCount;

describe('quorum queues, as rabbit_fifo runs them', () => {
  test('the consumer count holds unsettled gets and cancelled consumers with deliveries, and only the active one of a single active consumer', async () => {
    const conn = await env.connect();
    const ch = await env.confirmChannel(conn);
    const q = await quorumQueue(ch);
    await publish(ch, q, ['m0', 'm1', 'm2', 'm3']);
    const c1 = await env.channel(conn);
    const g0 = await c1.get(q);
    const g1 = await c1.get(q);
    await c1.get(q, { noAck: true });
    expect(await consumerCount(ch, q)).toBe(2);
    c1.ack(g0 as GetMessage);
    await waitUntil(async () => (await consumerCount(ch, q)) === 1, WAIT_MS, 'one get settled');
    c1.nack(g1 as GetMessage, false, true);
    await waitUntil(async () => (await consumerCount(ch, q)) === 0, WAIT_MS, 'both gets settled');
    const c2 = await env.channel(conn);
    await c2.prefetch(1);
    const taker = await consumeInto(c2, q);
    await taker.inbox.waitFor(1);
    await c2.cancel(taker.consumerTag);
    expect(await consumerCount(ch, q)).toBe(1);
    c2.ack(taker.inbox.messages[0]);
    await waitUntil(async () => (await consumerCount(ch, q)) === 0, WAIT_MS, 'the cancelled consumer settled');

    const sac = await quorumQueue(ch, { 'x-single-active-consumer': true });
    await consumeInto(await env.channel(conn), sac);
    await consumeInto(await env.channel(conn), sac);
    expect(await consumerCount(ch, sac)).toBe(1);
  });

  test('an exclusive consumer keeps no one out, and is not kept out', async () => {
    const conn = await env.connect();
    const ch = await env.confirmChannel(conn);
    const q = await quorumQueue(ch);
    await consumeInto(await env.channel(conn), q);
    await consumeInto(await env.channel(conn), q, { exclusive: true });
    await consumeInto(await env.channel(conn), q);
    expect(await consumerCount(ch, q)).toBe(3);
  });

  test('basic.get on a single active consumer queue is 405, consumers or not', async () => {
    const ch = await env.confirmChannel();
    const q = await quorumQueue(ch, { 'x-single-active-consumer': true });
    await publish(ch, q, ['m0']);
    const c = await env.channel();
    await expectChannelError(
      c,
      c.get(q),
      405,
      `RESOURCE_LOCKED - cannot obtain access to locked queue '${q}' in vhost '/'. basic.get operations are not supported by quorum queues with single active consumer`,
    );
  });

  for (const [flags, named] of [[{ ifUnused: true }, 'if-unused'], [{ ifEmpty: true }, 'if-empty'], [{ ifUnused: true, ifEmpty: true }, 'if-unused']] as const) {
    test(`queue.delete with ${Object.keys(flags).join(' and ')} is 540`, async () => {
      const ch = await env.confirmChannel();
      const q = await quorumQueue(ch);
      const conn = await env.connect();
      const c = await env.channel(conn);
      await expectConnectionError(
        conn,
        c.deleteQueue(q, flags),
        540,
        `NOT_IMPLEMENTED - cannot delete queue '${q}' in vhost '/'. queue.delete operations with ${named} flag set are not supported by quorum queues`,
      );
      expect(await consumerCount(ch, q)).toBe(0);
    });
  }

  test('reject-publish takes messages until it is over x-max-length, and refuses them until back at 80 % of it', async () => {
    const ch = await env.confirmChannel();
    const q = await quorumQueue(ch, { 'x-max-length': 5, 'x-overflow': 'reject-publish' });
    const answers: boolean[] = [];
    for (const b of ['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6']) answers.push(await confirmed(ch, q, b));
    expect(answers).toEqual([true, true, true, true, true, true, false]);
    expect((await ch.checkQueue(q)).messageCount).toBe(6);
    // 5 left: more than 4 (80 % of 5)
    await ch.get(q, { noAck: true });
    expect(await confirmed(ch, q, 'n0')).toBe(false);
    await ch.get(q, { noAck: true });
    expect(await confirmed(ch, q, 'n1')).toBe(true);
    expect(await drain(ch, q)).toEqual(['m2', 'm3', 'm4', 'm5', 'n1']);
  });

  test('without a delivery limit a nack sends a message to the back, a closed channel puts its messages first', async () => {
    const conn = await env.connect();
    const ch = await env.confirmChannel(conn);
    const q = await quorumQueue(ch);
    await publish(ch, q, ['a', 'b', 'c', 'd']);
    const c1 = await env.channel(conn);
    const a = await c1.get(q);
    c1.nack(a as GetMessage, false, true);
    const c2 = await env.channel(conn);
    await c2.get(q);
    await c2.get(q);
    await c2.close();
    await sleep(50);
    const order: string[] = [];
    for (;;) {
      const m = await ch.get(q, { noAck: true });
      if (m === false) break;
      order.push(`${m.content.toString()}${m.fields.redelivered ? '*' : ''}`);
    }
    expect(order).toEqual(['b*', 'c*', 'd', 'a*']);
  });

  test('a consumer whose credit runs out leaves the turns at once, and comes back behind the others', async () => {
    const conn = await env.connect();
    const ch = await env.confirmChannel(conn);
    const q = await quorumQueue(ch);
    const c = await env.channel(conn);
    const a = await consumeInto(c, q, { consumerTag: 'a' });
    await c.prefetch(1);
    const b = await consumeInto(c, q, { consumerTag: 'b' });
    const total = () => a.inbox.messages.length + b.inbox.messages.length;
    const send = async (body: string, n: number) => {
      await publish(ch, q, [body]);
      await waitUntil(() => total() === n, WAIT_MS, `${body} delivered`);
    };
    await send('m0', 1);
    await send('m1', 2);
    await send('m2', 3);
    // b, out of credit since m1, left at once: a classic queue would have kept it in its place
    c.ack(b.inbox.messages[0]);
    await c.checkQueue(q);
    await send('m3', 4);
    expect([a.inbox.bodies, b.inbox.bodies]).toEqual([['m0', 'm2', 'm3'], ['m1']]);
  });

  test('the single active consumer that takes over gets what waits at once', async () => {
    const conn = await env.connect();
    const ch = await env.confirmChannel(conn);
    const q = await quorumQueue(ch, { 'x-single-active-consumer': true });
    const c1 = await env.channel(conn);
    await c1.prefetch(1);
    const first = await consumeInto(c1, q);
    const second = await consumeInto(await env.channel(conn), q);
    await publish(ch, q, ['m0', 'm1', 'm2']);
    await first.inbox.waitFor(1);
    await c1.cancel(first.consumerTag);
    await second.inbox.waitFor(2);
    expect(second.inbox.bodies).toEqual(['m1', 'm2']);
  });

  test('a consumer without a prefetch holds at most 2,000 deliveries', async () => {
    const ch = await env.confirmChannel();
    const q = await quorumQueue(ch);
    await publish(ch, q, Array.from({ length: 2100 }, (_, i) => `m${i}`));
    const c = await consumeInto(await env.channel(), q);
    await c.inbox.waitFor(2000);
    await c.inbox.expectCountStays(2000);
    expect((await ch.checkQueue(q)).messageCount).toBe(100);
  });
});

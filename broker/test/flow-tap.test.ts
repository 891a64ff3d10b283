// Warren only: the console's message-flow tap follows a sampled message through the broker.
import amqp from 'amqplib';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createBroker, type Broker } from '../index';
import { nextTraceId, type FlowEvent } from '../core/flow';
import { internals } from '../embedded/internals';

let broker: Broker;
beforeAll(async () => {
  broker = await createBroker({ port: 0, host: '127.0.0.1', logLevel: 'silent' });
});
afterAll(() => broker.close());

test('a sampled message is followed from exchange to queue, consumer, ack, requeue and dead-letter', async () => {
  const events: FlowEvent[] = [];
  internals(broker).core.setFlowTap({ sample: () => nextTraceId(), emit: (e) => events.push(e) });
  const conn = await amqp.connect(`amqp://guest:guest@127.0.0.1:${broker.port}`);
  try {
    const ch = await conn.createConfirmChannel();
    await ch.assertExchange('flow-dlx', 'fanout', { durable: false });
    await ch.assertQueue('flow-dead', { durable: false });
    await ch.bindQueue('flow-dead', 'flow-dlx', '');
    await ch.assertQueue('flow-q', { durable: false, deadLetterExchange: 'flow-dlx' });
    ch.publish('amq.direct', 'nowhere', Buffer.from('lost'), { mandatory: true });
    ch.sendToQueue('flow-q', Buffer.from('m'));
    await ch.waitForConfirms();
    const m = await ch.get('flow-q');
    if (!m) throw new Error('no message');
    ch.nack(m, false, true);
    const again = await ch.get('flow-q');
    if (!again) throw new Error('no message');
    ch.reject(again, false);
    await expect.poll(() => events.some((e) => e.kind === 'published' && e.exchange === 'flow-dlx')).toBe(true);
    const kinds = events.map((e) => e.kind);
    expect(kinds).toEqual(['published', 'returned', 'published', 'delivered', 'requeued', 'delivered', 'rejected', 'dead-lettered', 'published']);
    expect(events[0]).toMatchObject({ exchange: 'amq.direct', queues: [] });
    expect(events[2]).toMatchObject({ exchange: '', routingKey: 'flow-q', queues: ['flow-q'] });
    const id = events[2].id;
    expect(events.slice(2).every((e) => e.id === id)).toBe(true);
    expect(events[8]).toMatchObject({ exchange: 'flow-dlx', queues: ['flow-dead'] });
  } finally {
    internals(broker).core.setFlowTap(undefined);
    await conn.close();
  }
});

import { beforeEach, describe, expect, it } from 'vitest';
import type { ClientMessage, DeliveredMessage } from '../live/protocol';
import { useConsume } from './consume-store';

const message = (deliveryTag: number): DeliveredMessage => ({
  deliveryTag,
  redelivered: false,
  exchange: 'x',
  routingKey: 'k',
  properties: {},
  payload: 'hi',
  payloadEncoding: 'string',
  payloadBytes: 2,
});

describe('browser consumers', () => {
  let sent: ClientMessage[];
  beforeEach(() => {
    sent = [];
    useConsume.setState({ consumers: {} });
    useConsume.getState().setSend((m) => {
      sent.push(m);
      return true;
    });
  });

  it('starts, receives and settles one message or all', () => {
    const s = useConsume.getState();
    const id = s.start('/', 'work', 10, 'manual');
    expect(id).not.toBeNull();
    expect(sent[0]).toEqual({ type: 'consume', id, queue: 'work', prefetch: 10, ack: 'manual' });
    s.onConsumeOk(id!, 'amq.ctag-1');
    for (const tag of [1, 2, 3]) s.onDelivery(id!, message(tag));
    s.ack(id!, 1);
    s.nack(id!, 2, true);
    let c = useConsume.getState().consumers[id!];
    expect(c.deliveries.map((d) => [d.message.deliveryTag, d.settled])).toEqual([
      [1, 'acked'],
      [2, 'requeued'],
      [3, null],
    ]);
    s.onDelivery(id!, { ...message(4), redelivered: true });
    s.ackAll(id!);
    expect(sent.at(-1)).toEqual({ type: 'ack', id, deliveryTag: 4, multiple: true });
    c = useConsume.getState().consumers[id!];
    expect(c.deliveries.every((d) => d.settled !== null)).toBe(true);
  });

  it('adds new messages at the bottom, so the list does not move under the pointer', () => {
    const s = useConsume.getState();
    const id = s.start('/', 'work', 0, 'manual')!;
    s.onDelivery(id, message(1));
    s.onDelivery(id, message(2));
    // the first card stays first while more arrive
    expect(useConsume.getState().consumers[id].deliveries[0].message.deliveryTag).toBe(1);
    s.onDelivery(id, message(3));
    expect(useConsume.getState().consumers[id].deliveries.map((d) => d.message.deliveryTag)).toEqual([1, 2, 3]);
  });

  it('keeps the newest settled messages and every pending one past the limit', () => {
    const s = useConsume.getState();
    const id = s.start('/', 'work', 0, 'auto')!;
    for (let tag = 1; tag <= 502; tag++) s.onDelivery(id, message(tag));
    const tags = useConsume.getState().consumers[id].deliveries.map((d) => d.message.deliveryTag);
    expect(tags.length).toBe(500);
    expect(tags[0]).toBe(3);
    expect(tags.at(-1)).toBe(502);
  });

  it('ends consumers when the socket drops', () => {
    const s = useConsume.getState();
    const id = s.start('/', 'work', 1, 'auto')!;
    s.onDisconnected();
    expect(useConsume.getState().consumers[id].state).toBe('ended');
  });

  it('does not start without a connection', () => {
    useConsume.getState().setSend(() => false);
    expect(useConsume.getState().start('/', 'work', 1, 'manual')).toBeNull();
  });
});

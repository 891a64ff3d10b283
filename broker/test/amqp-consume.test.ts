// Consuming conformance: round robin, prefetch, acks, requeue order, cancel, get, recover.
//
// What RabbitMQ 3.10.8 does (exact texts):
//   server consumer tags: "amq.ctag-" + 22 url-safe base64 chars, e.g. amq.ctag-ccY9WCltnyFhMEECueloHg
//   a consumer tag reused on the same channel (same or other queue):
//     530 connection error "NOT_ALLOWED - attempt to reuse consumer tag 't1'"
//   exclusive consume with another consumer present, or any consume while an exclusive consumer holds
//   the queue (other channel or the same one):
//     403 "ACCESS_REFUSED - queue '<q>' in vhost '/' in exclusive use"
//   ack / nack / reject of an unknown tag, a second ack of the same tag, an ack of a no-ack get:
//     406 "PRECONDITION_FAILED - unknown delivery tag 99" (class 60, method 80 / 120 / 90)
//   basic.ack multiple=true with tag 0 and nothing outstanding: fine.
//   basic.cancel of an unknown consumer tag: cancel-ok echoing the tag.
//   basic.get on an empty queue: get-empty; get-ok message_count = messages left after this one.
//   basic.recover requeue=true: unacked messages are redelivered (redelivered=true, new delivery tags).
//   basic.qos prefetch_size=1000 (not reachable through amqplib's API; tested with the raw client):
//     540 connection error "NOT_IMPLEMENTED - prefetch_size!=0 (1000)" (class 60 method 10)
//   basic.recover requeue=false (not in amqplib's API, not tested; sent with amqplib's low-level rpc):
//     540 connection error "NOT_IMPLEMENTED - requeue=false"
//   Server-sent basic.cancel when the queue is deleted: amqplib calls the consume callback with null.
//   Requeued messages return to their original position (publish order), redelivered=true.
import { describe, expect, test } from 'vitest';
import type { ChannelModel, ConsumeMessage } from 'amqplib';
import {
  Inbox,
  QUIET_MS,
  WAIT_MS,
  consumeInto,
  drain,
  expectChannelError,
  expectConnectionError,
  fill,
  nextEvent,
  sleep,
  useAmqp,
  waitUntil,
  whenClosed,
} from './amqp-helpers';
import { Args, M, methodFrame, withClient } from './raw-client';

const env = useAmqp();

const range = (n: number, prefix = 'm'): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
/** a message-shaped value carrying just a delivery tag, for acking tags the server never sent */
const tagged = (deliveryTag: number): ConsumeMessage => ({ fields: { deliveryTag } }) as unknown as ConsumeMessage;

describe('delivery', () => {
  test('messages are spread round robin among the consumers of a queue', async () => {
    const { conn, ch, q } = await env.queueChannel();
    const inboxes: Inbox[] = [];
    for (let i = 0; i < 3; i++) {
      const c = await env.channel(conn);
      inboxes.push((await consumeInto(c, q, { noAck: true })).inbox);
    }
    const bodies = range(30);
    for (const b of bodies) ch.sendToQueue(q, Buffer.from(b));
    await waitUntil(() => inboxes.reduce((n, i) => n + i.messages.length, 0) === 30, WAIT_MS, 'all 30 messages');
    for (const inbox of inboxes) {
      expect(inbox.messages.length).toBe(10);
      // each consumer sees its share in publish order
      const idx = inbox.bodies.map((b) => Number(b.slice(1)));
      expect([...idx].sort((a, b) => a - b)).toEqual(idx);
    }
  });

  test('messages already in the queue are delivered to a new consumer, then new ones', async () => {
    const { ch, q } = await env.queueChannel();
    await fill(ch, q, ['old1', 'old2']);
    const { inbox, consumerTag } = await consumeInto(ch, q, { noAck: true });
    ch.sendToQueue(q, Buffer.from('new'));
    await inbox.waitFor(3);
    expect(inbox.bodies).toEqual(['old1', 'old2', 'new']);
    const m = inbox.messages[0];
    expect(m.fields).toMatchObject({ consumerTag, exchange: '', routingKey: q, redelivered: false, deliveryTag: 1 });
  });

  test('no-ack: delivered messages are gone from the queue at once', async () => {
    const { ch, q } = await env.queueChannel();
    await fill(ch, q, range(5));
    const { inbox } = await consumeInto(ch, q, { noAck: true });
    await inbox.waitFor(5);
    expect(await ch.checkQueue(q)).toMatchObject({ messageCount: 0 });
    await ch.close();
    const ch2 = await env.channel();
    expect(await ch2.checkQueue(q)).toMatchObject({ messageCount: 0 }); // nothing came back
  });

  test('delivery tags are per channel and count up from 1 across get and consume', async () => {
    const { conn, ch, q } = await env.queueChannel();
    await fill(ch, q, range(4));
    const other = await env.channel(conn);
    const g1 = await ch.get(q);
    const g2 = await other.get(q);
    expect(g1 && g1.fields.deliveryTag).toBe(1);
    expect(g2 && g2.fields.deliveryTag).toBe(1);
    const { inbox } = await consumeInto(ch, q);
    await inbox.waitFor(2);
    expect(inbox.messages.map((m) => m.fields.deliveryTag)).toEqual([2, 3]);
  });
});

describe('consumer tags and exclusivity', () => {
  test('the server makes amq.ctag- tags; a client tag is used as given', async () => {
    const { ch, q } = await env.queueChannel();
    const a = await ch.consume(q, () => undefined);
    const b = await ch.consume(q, () => undefined);
    expect(a.consumerTag).toMatch(/^amq\.ctag-[A-Za-z0-9_-]{10,}$/);
    expect(b.consumerTag).toMatch(/^amq\.ctag-/);
    expect(a.consumerTag).not.toBe(b.consumerTag);
    const { inbox, consumerTag } = await consumeInto(ch, q, { consumerTag: 'my-tag', noAck: true });
    expect(consumerTag).toBe('my-tag');
    await ch.cancel(a.consumerTag);
    await ch.cancel(b.consumerTag);
    ch.sendToQueue(q, Buffer.from('x'));
    const [m] = await inbox.waitFor(1);
    expect(m.fields.consumerTag).toBe('my-tag');
  });

  test('reusing a consumer tag on a channel is a 530 connection error', async () => {
    const conn = await env.connect();
    const ch = await env.channel(conn);
    const q1 = (await ch.assertQueue('', { exclusive: true })).queue;
    const q2 = (await ch.assertQueue('', { exclusive: true })).queue;
    await ch.consume(q1, () => undefined, { consumerTag: 't1' });
    await expectConnectionError(conn, ch.consume(q2, () => undefined, { consumerTag: 't1' }), 530, "NOT_ALLOWED - attempt to reuse consumer tag 't1'");
  });

  test('the same consumer tag on two channels is fine', async () => {
    const { conn, q } = await env.queueChannel();
    const a = await env.channel(conn);
    const b = await env.channel(conn);
    await a.consume(q, () => undefined, { consumerTag: 'shared' });
    await b.consume(q, () => undefined, { consumerTag: 'shared' });
    expect(await a.checkQueue(q)).toMatchObject({ consumerCount: 2 });
  });

  test('exclusive consume is 403 while another consumer exists', async () => {
    const { conn, ch, q } = await env.queueChannel();
    await ch.consume(q, () => undefined);
    const other = await env.channel(conn);
    await expectChannelError(other, other.consume(q, () => undefined, { exclusive: true }), 403, `ACCESS_REFUSED - queue '${q}' in vhost '/' in exclusive use`);
  });

  test('any consume is 403 while an exclusive consumer holds the queue', async () => {
    const { conn, ch, q } = await env.queueChannel();
    await ch.consume(q, () => undefined, { exclusive: true });
    const other = await env.channel(conn);
    await expectChannelError(other, other.consume(q, () => undefined), 403, `ACCESS_REFUSED - queue '${q}' in vhost '/' in exclusive use`);
    // the same channel is no exception (and its closing takes the exclusive consumer with it)
    await expectChannelError(ch, ch.consume(q, () => undefined), 403, 'in exclusive use');
    const again = await env.channel(conn);
    await waitUntil(async () => (await again.checkQueue(q)).consumerCount === 0, WAIT_MS, 'the exclusive consumer to go');
    await again.consume(q, () => undefined);
  });
});

describe('cancel', () => {
  test('after basic.cancel no more messages arrive; unacked ones can still be acked', async () => {
    const { ch, q } = await env.queueChannel();
    await fill(ch, q, ['a']);
    const { inbox, consumerTag } = await consumeInto(ch, q);
    const [m] = await inbox.waitFor(1);
    expect(await ch.cancel(consumerTag)).toEqual({ consumerTag });
    ch.sendToQueue(q, Buffer.from('b'));
    await inbox.expectCountStays(1);
    ch.ack(m);
    expect(await ch.checkQueue(q)).toMatchObject({ messageCount: 1, consumerCount: 0 });
    expect(await drain(ch, q)).toEqual(['b']);
  });

  test('cancelling an unknown consumer tag is not an error', async () => {
    const ch = await env.channel();
    expect(await ch.cancel('no-such-consumer')).toEqual({ consumerTag: 'no-such-consumer' });
    await ch.checkExchange('amq.direct');
  });

  test('deleting the queue sends basic.cancel to its consumers (amqplib passes null)', async () => {
    const { conn, ch, q } = await env.queueChannel();
    const { inbox, consumerTag } = await consumeInto(ch, q);
    const cancelEvent = nextEvent<[{ consumerTag: string }]>(ch, 'cancel');
    const other = await env.channel(conn);
    await other.deleteQueue(q);
    const [fields] = await cancelEvent;
    expect(fields.consumerTag).toBe(consumerTag);
    await inbox.waitForCancel();
    // the channel stays open
    await ch.checkExchange('amq.direct');
  });
});

describe('prefetch', () => {
  test('prefetch 1: the next message comes only after the ack', async () => {
    const { ch, q } = await env.queueChannel();
    await fill(ch, q, range(3));
    await ch.prefetch(1);
    const { inbox } = await consumeInto(ch, q);
    await inbox.waitFor(1);
    await inbox.expectCountStays(1);
    ch.ack(inbox.messages[0]);
    await inbox.waitFor(2);
    await inbox.expectCountStays(2);
    ch.ack(inbox.messages[1]);
    await inbox.waitFor(3);
    expect(inbox.bodies).toEqual(range(3));
  });

  test('per-consumer prefetch limits each consumer on the channel separately', async () => {
    const { ch, q } = await env.queueChannel();
    await fill(ch, q, range(10));
    await ch.prefetch(2);
    const a = await consumeInto(ch, q);
    const b = await consumeInto(ch, q);
    await a.inbox.waitFor(2);
    await b.inbox.waitFor(2);
    await sleep(QUIET_MS);
    expect([a.inbox.messages.length, b.inbox.messages.length]).toEqual([2, 2]);
    expect(await ch.checkQueue(q)).toMatchObject({ messageCount: 6 });
  });

  test('global prefetch limits the whole channel', async () => {
    const { ch, q } = await env.queueChannel();
    await fill(ch, q, range(10));
    await ch.prefetch(3, true);
    const a = await consumeInto(ch, q);
    const b = await consumeInto(ch, q);
    await waitUntil(() => a.inbox.messages.length + b.inbox.messages.length === 3, WAIT_MS, '3 deliveries');
    await sleep(QUIET_MS);
    expect(a.inbox.messages.length + b.inbox.messages.length).toBe(3);
    // acking one lets exactly one more through
    ch.ack((a.inbox.messages[0] ?? b.inbox.messages[0]) as ConsumeMessage);
    await waitUntil(() => a.inbox.messages.length + b.inbox.messages.length === 4, WAIT_MS, '4 deliveries');
    await sleep(QUIET_MS);
    expect(a.inbox.messages.length + b.inbox.messages.length).toBe(4);
  });

  test('unacked basic.get messages do not count against the global prefetch', async () => {
    const { ch, q } = await env.queueChannel();
    await fill(ch, q, range(6));
    await ch.prefetch(2, true);
    expect(await ch.get(q)).not.toBe(false);
    expect(await ch.get(q)).not.toBe(false);
    const { inbox } = await consumeInto(ch, q);
    await inbox.waitFor(2);
    await inbox.expectCountStays(2);
  });

  test('per-consumer and global prefetch apply together', async () => {
    const { ch, q } = await env.queueChannel();
    await fill(ch, q, range(10));
    await ch.prefetch(2, false);
    await ch.prefetch(3, true);
    const a = await consumeInto(ch, q);
    const b = await consumeInto(ch, q);
    await waitUntil(() => a.inbox.messages.length + b.inbox.messages.length === 3, WAIT_MS, '3 deliveries');
    await sleep(QUIET_MS);
    expect(a.inbox.messages.length + b.inbox.messages.length).toBe(3);
    expect(Math.max(a.inbox.messages.length, b.inbox.messages.length)).toBe(2);
  });

  test('global prefetch over many queues: each ack lets a message through from any queue that holds one', async () => {
    const conn = await env.connect();
    const ch = await env.channel(conn);
    const queues = Array.from({ length: 40 }, () => env.queueName());
    for (const q of queues) await ch.assertQueue(q, { durable: false });
    for (const q of queues) await fill(ch, q, range(5).map((b) => `${q} ${b}`));
    await ch.prefetch(7, true);
    // deliveries are acked a few at a time, oldest first, and never more than 7 are out at once
    const unacked: ConsumeMessage[] = [];
    const got: string[] = [];
    let most = 0;
    for (const q of queues) {
      await ch.consume(q, (m) => {
        if (m === null) return;
        got.push(m.content.toString());
        unacked.push(m);
        most = Math.max(most, unacked.length);
      });
    }
    const ackOne = setInterval(() => {
      const m = unacked.shift();
      if (m !== undefined) ch.ack(m);
    }, 2);
    try {
      await waitUntil(() => got.length === 200, 10_000, `200 deliveries (have ${got.length})`);
    } finally {
      clearInterval(ackOne);
    }
    expect(most).toBe(7);
    expect(new Set(got).size).toBe(200);
  });

  /**
   * Stops `conn` reading until the returned function is called. amqplib reads its socket with read()
   * on 'readable': while read() finds nothing, the socket's buffer fills and the kernel's with it,
   * and the broker's writes back up.
   */
  function stopReading(conn: ChannelModel): () => void {
    const socket = (conn as unknown as { connection: { stream: { read(): Buffer | null; emit(e: string): void } } }).connection.stream;
    const read = socket.read;
    socket.read = () => null;
    return () => {
      socket.read = read;
      socket.emit('readable');
    };
  }

  /** `perQueue` numbered 32 KiB messages to each queue: 32 MiB and more, beyond what socket buffers hold. */
  async function flood(queues: string[], perQueue: number): Promise<void> {
    const pub = await env.channel();
    const body = Buffer.alloc(32 * 1024, 0x2e);
    for (let i = 0; i < perQueue; i++) {
      body.write(String(i).padStart(8, '0'));
      for (const q of queues) pub.sendToQueue(q, body);
      if (i % 10 === 9) await sleep(1);
    }
    // Warren holds them in the queues until they can go (RabbitMQ in its processes' mailboxes)
    if (!env.broker.external) {
      await waitUntil(async () => {
        let ready = 0;
        for (const q of queues) ready += (await pub.checkQueue(q)).messageCount;
        return ready > 0;
      }, WAIT_MS, 'messages held back in the queues');
    }
  }

  const numbered = (n: number): string[] => Array.from({ length: n }, (_, i) => String(i).padStart(8, '0'));

  test('a consumer connection that stops reading gets the messages of every queue once it reads again', async () => {
    const conn = await env.connect();
    const ch = await env.channel(conn);
    const queues = Array.from({ length: 20 }, () => env.queueName());
    for (const q of queues) await ch.assertQueue(q, { durable: false });
    const got = new Map<string, string[]>(queues.map((q) => [q, []]));
    for (const q of queues) {
      await ch.consume(q, (m) => {
        if (m !== null) got.get(q)?.push(m.content.subarray(0, 8).toString());
      }, { noAck: true });
    }
    const readAgain = stopReading(conn);
    await flood(queues, 50);
    readAgain();
    await waitUntil(() => [...got.values()].every((c) => c.length === 50), 15_000, 'all 1,000 messages');
    for (const c of got.values()) expect(c).toEqual(numbered(50));
  });

  // RabbitMQ 3.10.8: while a channel's global prefetch is used up, its no-ack consumers get nothing
  // either; no-ack deliveries do not count against it.
  test('a used-up global prefetch holds back the channel\'s no-ack consumers too, until an ack; then a full socket, until it drains', async () => {
    const conn = await env.connect();
    const ch = await env.channel(conn);
    const [acked, noAck] = [env.queueName(), env.queueName()];
    await ch.assertQueue(acked, { durable: false });
    await ch.assertQueue(noAck, { durable: false });
    await fill(ch, acked, range(2));
    await ch.prefetch(2, true);
    const held = await consumeInto(ch, acked);
    await held.inbox.waitFor(2);
    const got: string[] = [];
    await ch.consume(noAck, (m) => {
      if (m !== null) got.push(m.content.subarray(0, 8).toString());
    }, { noAck: true });
    const readAgain = stopReading(conn);
    await flood([noAck], 1000);
    await sleep(QUIET_MS);
    expect(got).toEqual([]);
    // one credit back: the no-ack consumer may go, up to what the socket takes
    ch.ack(held.inbox.messages[0]);
    await sleep(QUIET_MS);
    readAgain();
    await waitUntil(() => got.length === 1000, 15_000, `all 1,000 messages (have ${got.length})`);
    expect(got).toEqual(numbered(1000));
  });

  test('prefetch_size other than 0 is a 540 NOT_IMPLEMENTED connection error', () =>
    withClient(env.broker, async (raw) => {
      const hs = await raw.tryHandshake();
      expect(hs.result.kind).toBe('open-ok');
      await raw.openChannel(1);
      raw.send(methodFrame(1, M.basicQos, new Args().long(1000).short(0).bit(false)));
      const c = await raw.nextConnectionClose(WAIT_MS);
      expect(c.code).toBe(540);
      expect(c.text).toContain('NOT_IMPLEMENTED');
      expect(c.text).toContain('prefetch_size');
    }));

  test('prefetch 0 means no limit', async () => {
    const { ch, q } = await env.queueChannel();
    await fill(ch, q, range(50));
    await ch.prefetch(0);
    const { inbox } = await consumeInto(ch, q);
    await inbox.waitFor(50);
  });
});

describe('ack, nack, reject', () => {
  test('ack multiple acks everything up to the tag; the rest requeue when the channel closes', async () => {
    const { conn, q } = await env.queueChannel();
    const ch = await env.channel(conn);
    const setup = await env.channel(conn);
    await fill(setup, q, range(5));
    const { inbox } = await consumeInto(ch, q);
    await inbox.waitFor(5);
    ch.ack(inbox.messages[2], true);
    await ch.close();
    expect(await drain(setup, q)).toEqual(['m3', 'm4']);
  });

  test('ackAll (tag 0, multiple) acks everything outstanding', async () => {
    const { conn, q } = await env.queueChannel();
    const ch = await env.channel(conn);
    const setup = await env.channel(conn);
    await fill(setup, q, range(4));
    const { inbox } = await consumeInto(ch, q);
    await inbox.waitFor(4);
    ch.ackAll();
    await ch.close();
    expect(await setup.checkQueue(q)).toMatchObject({ messageCount: 0 });
  });

  test('nack multiple with requeue: all come back, in their original order, redelivered', async () => {
    const { ch, q } = await env.queueChannel();
    await fill(ch, q, range(4));
    const { inbox } = await consumeInto(ch, q);
    await inbox.waitFor(4);
    ch.nack(inbox.messages[3], true, true);
    await inbox.waitFor(8);
    const second = inbox.messages.slice(4);
    expect(second.map((m) => m.content.toString())).toEqual(range(4));
    expect(second.every((m) => m.fields.redelivered)).toBe(true);
    expect(inbox.messages.slice(0, 4).some((m) => m.fields.redelivered)).toBe(false);
    expect(second.map((m) => m.fields.deliveryTag)).toEqual([5, 6, 7, 8]);
  });

  test('messages requeued one by one in reverse order still return in publish order', async () => {
    const { conn, q } = await env.queueChannel();
    const ch = await env.channel(conn);
    const setup = await env.channel(conn);
    await fill(setup, q, range(5));
    const { inbox, consumerTag } = await consumeInto(ch, q);
    await inbox.waitFor(5);
    await ch.cancel(consumerTag);
    for (const m of [...inbox.messages].reverse()) ch.reject(m, true);
    await waitUntil(async () => (await setup.checkQueue(q)).messageCount === 5, WAIT_MS, 'requeue');
    const again: string[] = [];
    for (;;) {
      const m = await setup.get(q, { noAck: true });
      if (!m) break;
      expect(m.fields.redelivered).toBe(true);
      again.push(m.content.toString());
    }
    expect(again).toEqual(range(5));
  });

  test('reject and nack without requeue drop the message', async () => {
    const { ch, q } = await env.queueChannel();
    await fill(ch, q, range(4));
    const { inbox } = await consumeInto(ch, q);
    await inbox.waitFor(4);
    ch.reject(inbox.messages[0], false);
    ch.nack(inbox.messages[2], true, false); // m1 and m2
    ch.nack(inbox.messages[3], false, true); // m3 comes back
    await inbox.waitFor(5);
    expect(inbox.messages[4].content.toString()).toBe('m3');
    expect(inbox.messages[4].fields.redelivered).toBe(true);
    ch.ack(inbox.messages[4]);
    await inbox.expectCountStays(5);
    expect(await ch.checkQueue(q)).toMatchObject({ messageCount: 0 });
  });

  test('acking an unknown delivery tag is a 406 channel error', async () => {
    const conn = await env.connect();
    const a = await env.channel(conn);
    await expectChannelError(a, () => a.ack(tagged(99)), 406, 'PRECONDITION_FAILED - unknown delivery tag 99');
    const b = await env.channel(conn);
    await expectChannelError(b, () => b.nack(tagged(5)), 406, 'PRECONDITION_FAILED - unknown delivery tag 5');
    const c = await env.channel(conn);
    await expectChannelError(c, () => c.reject(tagged(7)), 406, 'PRECONDITION_FAILED - unknown delivery tag 7');
    // the connection is fine
    const d = await env.channel(conn);
    d.ackAll(); // nothing outstanding: not an error
    await d.checkExchange('amq.direct');
  });

  test('acking the same delivery twice is a 406 channel error', async () => {
    const { ch, q } = await env.queueChannel();
    await fill(ch, q, ['a']);
    const m = await ch.get(q);
    expect(m).not.toBe(false);
    if (!m) return;
    ch.ack(m);
    await expectChannelError(ch, () => ch.ack(m), 406, `PRECONDITION_FAILED - unknown delivery tag ${m.fields.deliveryTag}`);
  });

  test('acking a no-ack delivery is a 406 channel error', async () => {
    const { ch, q } = await env.queueChannel();
    await fill(ch, q, ['a']);
    const m = await ch.get(q, { noAck: true });
    if (!m) throw new Error('expected a message');
    await expectChannelError(ch, () => ch.ack(m), 406, 'PRECONDITION_FAILED - unknown delivery tag 1');
  });
});

describe('basic.get', () => {
  test('get-empty on an empty queue; get-ok reports the messages left', async () => {
    const { ch, q } = await env.queueChannel();
    expect(await ch.get(q)).toBe(false);
    await fill(ch, q, ['a', 'b', 'c']);
    const m1 = await ch.get(q);
    if (!m1) throw new Error('expected a message');
    expect(m1.content.toString()).toBe('a');
    expect(m1.fields).toMatchObject({ deliveryTag: 1, redelivered: false, exchange: '', routingKey: q, messageCount: 2 });
    const m2 = await ch.get(q, { noAck: true });
    expect(m2 && m2.fields.messageCount).toBe(1);
    // the unacked get is not counted as ready
    expect(await ch.checkQueue(q)).toMatchObject({ messageCount: 1 });
    ch.ack(m1);
    expect(await drain(ch, q)).toEqual(['c']);
    expect(await ch.get(q)).toBe(false);
  });

  test('an unacked get is requeued when its channel closes', async () => {
    const { conn, ch, q } = await env.queueChannel();
    await fill(ch, q, ['a']);
    const getter = await env.channel(conn);
    expect(await getter.get(q)).not.toBe(false);
    expect(await ch.checkQueue(q)).toMatchObject({ messageCount: 0 });
    await getter.close();
    const m = await waitUntil(() => ch.get(q, { noAck: true }), WAIT_MS, 'the requeued message');
    expect(m.content.toString()).toBe('a');
    expect(m.fields.redelivered).toBe(true);
  });
});

describe('recovery of unacked messages', () => {
  test('basic.recover redelivers unacked messages with redelivered=true', async () => {
    const { ch, q } = await env.queueChannel();
    await fill(ch, q, ['a', 'b']);
    const { inbox } = await consumeInto(ch, q);
    await inbox.waitFor(2);
    await ch.recover();
    await inbox.waitFor(4);
    expect(inbox.bodies).toEqual(['a', 'b', 'a', 'b']);
    expect(inbox.messages.map((m) => m.fields.redelivered)).toEqual([false, false, true, true]);
    expect(inbox.messages.map((m) => m.fields.deliveryTag)).toEqual([1, 2, 3, 4]);
    ch.ack(inbox.messages[3], true);
    await inbox.expectCountStays(4);
    expect(await ch.checkQueue(q)).toMatchObject({ messageCount: 0 });
  });

  test('closing the channel requeues its unacked messages', async () => {
    const { conn, ch, q } = await env.queueChannel();
    await fill(ch, q, range(3));
    const consumer = await env.channel(conn);
    const { inbox } = await consumeInto(consumer, q);
    await inbox.waitFor(3);
    expect(await ch.checkQueue(q)).toMatchObject({ messageCount: 0 });
    await consumer.close();
    await waitUntil(async () => (await ch.checkQueue(q)).messageCount === 3, WAIT_MS, 'requeue');
    const m = await ch.get(q, { noAck: true });
    expect(m && m.fields.redelivered).toBe(true);
    expect(m && m.content.toString()).toBe('m0');
  });

  test('closing the connection requeues its unacked messages, to another consumer', async () => {
    const { ch, q } = await env.queueChannel();
    await fill(ch, q, range(3));
    const conn2 = await env.connect();
    const consumer = await env.channel(conn2);
    const first = await consumeInto(consumer, q);
    await first.inbox.waitFor(3);
    const second = await consumeInto(ch, q);
    await second.inbox.expectCountStays(0);
    await conn2.close();
    expect((await whenClosed(conn2)).error).toBeUndefined();
    await second.inbox.waitFor(3);
    expect(second.inbox.bodies).toEqual(range(3));
    expect(second.inbox.messages.every((m) => m.fields.redelivered)).toBe(true);
  });
});

// Found by the consumer differential test (differential-consume.ts); each passes against RabbitMQ
// 3.10.8 (AMQP_URL=amqp://guest:guest@127.0.0.1:5672) and failed on Warren before.
describe('whose turn it is, as RabbitMQ decides', () => {
  test('a consumer that joins goes to the back of the turns, behind one that had the queue to itself', async () => {
    const { conn, ch, q } = await env.queueChannel();
    const a = await consumeInto(await env.channel(conn), q, { noAck: true });
    for (const b of range(2)) ch.sendToQueue(q, Buffer.from(b));
    await a.inbox.waitFor(2);
    const b = await consumeInto(await env.channel(conn), q, { noAck: true });
    for (const m of range(4, 'n')) ch.sendToQueue(q, Buffer.from(m));
    await waitUntil(() => a.inbox.messages.length + b.inbox.messages.length === 6, WAIT_MS, '6 deliveries');
    expect(a.inbox.bodies).toEqual(['m0', 'm1', 'n0', 'n2']);
    expect(b.inbox.bodies).toEqual(['n1', 'n3']);
  });

  test('a consumer refused for its prefetch comes back behind those that took messages meanwhile', async () => {
    const { conn, ch, q } = await env.queueChannel();
    const ch1 = await env.channel(conn);
    await ch1.prefetch(1);
    const c1 = await consumeInto(ch1, q);
    const c2 = await consumeInto(await env.channel(conn), q, { noAck: true });
    const c3 = await consumeInto(await env.channel(conn), q, { noAck: true });
    const total = () => c1.inbox.messages.length + c2.inbox.messages.length + c3.inbox.messages.length;
    // one at a time: m0 to c1, m1 to c2, m2 to c3; m3 finds c1 at its prefetch and goes to c2
    for (const [i, m] of range(4).entries()) {
      ch.sendToQueue(q, Buffer.from(m));
      await waitUntil(() => total() === i + 1, WAIT_MS, `${m} delivered`);
    }
    ch1.ack(c1.inbox.messages[0]);
    await ch1.checkQueue(q);
    for (const m of range(3, 'n')) ch.sendToQueue(q, Buffer.from(m));
    await waitUntil(() => total() === 7, WAIT_MS, '7 deliveries');
    expect(c1.inbox.bodies).toEqual(['m0', 'n2']);
    expect(c2.inbox.bodies).toEqual(['m1', 'm3', 'n1']);
    expect(c3.inbox.bodies).toEqual(['m2', 'n0']);
  });

  test('nack of several consumers\' deliveries requeues consumer by consumer, the queue delivering after each', async () => {
    const { ch, q } = await env.queueChannel();
    const a = await consumeInto(ch, q, { consumerTag: 'a' });
    const b = await consumeInto(ch, q, { consumerTag: 'b' });
    for (const m of range(4)) ch.sendToQueue(q, Buffer.from(m));
    await waitUntil(() => a.inbox.messages.length + b.inbox.messages.length === 4, WAIT_MS, '4 deliveries');
    expect([a.inbox.bodies, b.inbox.bodies]).toEqual([['m0', 'm2'], ['m1', 'm3']]);
    ch.nackAll(true);
    await waitUntil(() => a.inbox.messages.length + b.inbox.messages.length === 8, WAIT_MS, '4 redeliveries');
    // a's two came back and went out (a, b); then b's (a, b)
    expect(a.inbox.bodies.slice(2)).toEqual(['m0', 'm1']);
    expect(b.inbox.bodies.slice(2)).toEqual(['m2', 'm3']);
  });

  test('a priority queue dead-letters a consumer\'s nacked deliveries from the highest priority down, basic.get\'s one by one', async () => {
    const ch = await env.channel();
    const [q, dlq] = [env.queueName(), env.queueName()];
    await ch.assertQueue(dlq, { durable: false });
    await ch.assertQueue(q, { durable: false, maxPriority: 2, deadLetterExchange: '', deadLetterRoutingKey: dlq });
    const sent = [['p0', 0], ['p1', 2], ['p2', 0], ['p3', 1]] as const;
    for (const [body, priority] of sent) {
      ch.sendToQueue(q, Buffer.from(body), { priority });
      expect(await waitUntil(() => ch.get(q), WAIT_MS, body)).toMatchObject({ content: Buffer.from(body) });
    }
    ch.nackAll(false);
    await waitUntil(async () => (await ch.checkQueue(dlq)).messageCount === 4, WAIT_MS, '4 dead letters');
    expect(await drain(ch, dlq)).toEqual(['p0', 'p1', 'p2', 'p3']);
    const c = await consumeInto(ch, q);
    for (const [i, [body, priority]] of sent.entries()) {
      ch.sendToQueue(q, Buffer.from(body), { priority });
      await c.inbox.waitFor(i + 1);
    }
    ch.nackAll(false);
    await waitUntil(async () => (await ch.checkQueue(dlq)).messageCount === 4, WAIT_MS, '4 dead letters');
    expect(await drain(ch, dlq)).toEqual(['p1', 'p3', 'p0', 'p2']);
  });

  test('single active consumer: the first to come is active whatever its priority, then the highest priority', async () => {
    const { conn, ch, q } = await env.queueChannel({ arguments: { 'x-single-active-consumer': true } });
    const ch1 = await env.channel(conn);
    const c1 = await consumeInto(ch1, q, { noAck: true });
    const c2 = await consumeInto(await env.channel(conn), q, { noAck: true });
    const c3 = await consumeInto(await env.channel(conn), q, { noAck: true, priority: 5 });
    ch.sendToQueue(q, Buffer.from('m0'));
    await c1.inbox.waitFor(1);
    await ch1.cancel(c1.consumerTag);
    ch.sendToQueue(q, Buffer.from('m1'));
    await c3.inbox.waitFor(1);
    await sleep(QUIET_MS);
    expect([c1.inbox.bodies, c2.inbox.bodies, c3.inbox.bodies]).toEqual([['m0'], [], ['m1']]);
  });

  test('an ack that gives no refused consumer its credit back does not make the queue deliver', async () => {
    // the single active consumer that takes over from a cancelled one is not offered the messages
    // waiting, and an ack on its channel of a basic.get is no reason to (RabbitMQ's subtract_acks
    // answers `unchanged`). (What comes next differs: a publish delivers here, and crashes
    // RabbitMQ 3.10.8's queue process, which loses the messages and the consumer.)
    const { conn, ch, q } = await env.queueChannel({ arguments: { 'x-single-active-consumer': true } });
    const ch1 = await env.channel(conn);
    await ch1.prefetch(1);
    const c1 = await consumeInto(ch1, q);
    const ch2 = await env.channel(conn);
    const c2 = await consumeInto(ch2, q);
    for (const m of range(3)) ch.sendToQueue(q, Buffer.from(m));
    // the queue has taken them before the cancel arrives
    await ch.checkQueue(q);
    await c1.inbox.waitFor(1);
    await ch1.cancel(c1.consumerTag);
    await c2.inbox.expectCountStays(0);
    const got = await ch2.get(q);
    expect(got).toMatchObject({ content: Buffer.from('m1') });
    ch2.ack(got as unknown as ConsumeMessage);
    await c2.inbox.expectCountStays(0);
    expect(await ch.checkQueue(q)).toMatchObject({ messageCount: 1, consumerCount: 1 });
  });

  test('single active consumer at its prefetch gets the next message when it settles one', async () => {
    const { ch, q } = await env.queueChannel({ arguments: { 'x-single-active-consumer': true } });
    const ch1 = await env.channel();
    await ch1.prefetch(1);
    const c1 = await consumeInto(ch1, q);
    for (const m of range(3)) ch.sendToQueue(q, Buffer.from(m));
    await c1.inbox.waitFor(1);
    ch1.nack(c1.inbox.messages[0], false, false);
    await c1.inbox.waitFor(2);
    ch1.ack(c1.inbox.messages[1]);
    await c1.inbox.waitFor(3);
    expect(c1.inbox.bodies).toEqual(['m0', 'm1', 'm2']);
  });

  test('single active consumer: an exclusive consumer is refused even with no consumer there', async () => {
    const { ch, q } = await env.queueChannel({ arguments: { 'x-single-active-consumer': true } });
    await expectChannelError(ch, ch.consume(q, () => {}, { exclusive: true }), 403, `ACCESS_REFUSED - queue '${q}' in vhost '/' in exclusive use`);
  });

  test('a global prefetch set with a basic.get unacked counts it, and its ack does not count down', async () => {
    const { ch, q } = await env.queueChannel();
    await fill(ch, q, ['g']);
    const got = await ch.get(q);
    expect(got).not.toBe(false);
    await ch.prefetch(1, true);
    const c = await consumeInto(ch, q);
    ch.sendToQueue(q, Buffer.from('m0'));
    await c.inbox.expectCountStays(0);
    ch.ack(got as unknown as ConsumeMessage);
    await c.inbox.expectCountStays(0);
    // a limit changed keeps its count: 2 lets one through
    await ch.prefetch(2, true);
    await c.inbox.waitFor(1);
    expect(c.inbox.bodies).toEqual(['m0']);
  });

  test('a per-consumer basic.qos lifts the channel\'s global prefetch', async () => {
    const { ch, q } = await env.queueChannel();
    await fill(ch, q, range(3));
    await ch.prefetch(1, true);
    await ch.prefetch(2, false);
    const c = await consumeInto(ch, q);
    await c.inbox.waitFor(2);
    await c.inbox.expectCountStays(2);
  });

  test('a deleted queue\'s consumers on a channel are cancelled in the order of their tags', async () => {
    const { conn, q } = await env.queueChannel();
    const ch = await env.channel(conn);
    const order: string[] = [];
    for (const tag of ['b', 'a10', 'a2']) await ch.consume(q, (m) => m === null && order.push(tag), { consumerTag: tag });
    await (await env.channel(conn)).deleteQueue(q);
    await waitUntil(() => order.length === 3, WAIT_MS, '3 cancels');
    expect(order).toEqual(['a10', 'a2', 'b']);
  });
});

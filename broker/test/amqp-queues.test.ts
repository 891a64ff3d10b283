// Queue conformance: declare rules, exclusivity, auto-delete, purge/delete, bindings, "" as the
// last declared queue, ordering, and the common x-arguments.
//
// What RabbitMQ 3.10.8 replies (exact texts; <q> is the queue name):
//   queue.declare "" -> "amq.gen-" + 22 url-safe base64 chars, e.g. amq.gen-WnofeyQEw5bhErwVR-r3fQ
//   passive declare of missing:  404 "NOT_FOUND - no queue '<q>' in vhost '/'"
//   passive declare of "" with nothing declared: 404 "NOT_FOUND - no queue '' in vhost '/'"
//   redeclare, other durable:    406 "PRECONDITION_FAILED - inequivalent arg 'durable' for queue '<q>' in vhost '/': received 'true' but current is 'false'"
//   redeclare, other auto-delete:406 "... inequivalent arg 'auto_delete' for queue '<q>' ..."
//   redeclare, new x-message-ttl:406 "... inequivalent arg 'x-message-ttl' for queue '<q>' in vhost '/': received the value '1000' of type 'short' but current is none"
//   redeclare, new x-max-length: 406 "... inequivalent arg 'x-max-length' for queue '<q>' in vhost '/': received the value '10' of type 'byte' but current is none"
//   redeclare a non-exclusive queue as exclusive (same connection), or declare/passive-declare/
//   consume/get/purge/delete/bind an exclusive queue of another connection:
//     405 "RESOURCE_LOCKED - cannot obtain exclusive access to locked queue '<q>' in vhost '/'. It could be
//          originally declared on another connection or the exclusive property value does not match that of the original declaration."
//   ... and so is unbinding an existing binding of it; unbinding one it does not have is unbind-ok,
//   and basic.publish to another connection's exclusive queue is allowed.
//   declaring another connection's amq.gen-* queue: 403 "ACCESS_REFUSED - queue name 'amq.gen-...' contains reserved prefix 'amq.*'"
//   queue name starting with amq.: 403 "ACCESS_REFUSED - queue name '<q>' contains reserved prefix 'amq.*'"
//   delete if-empty with messages: 406 "PRECONDITION_FAILED - queue '<q>' in vhost '/' not empty"
//   delete if-unused with a consumer: 406 "PRECONDITION_FAILED - queue '<q>' in vhost '/' in use"
//   delete missing queue: delete-ok message_count 0 (also with if-empty/if-unused)
//   purge / get / consume on a missing queue: 404 "NOT_FOUND - no queue '<q>' in vhost '/'"
//   bind missing queue: 404 "NOT_FOUND - no queue '<q>' in vhost '/'"; bind to missing exchange: 404 "NOT_FOUND - no exchange '<x>' in vhost '/'"
//   unbind with missing queue, exchange or binding: unbind-ok
//   "" in queue.bind / queue.unbind / queue.purge / queue.delete / basic.consume / basic.get with no
//   queue declared on the channel: 404 "NOT_FOUND - no previously declared queue"
//   declare-ok / passive declare message_count counts ready messages only (not unacked ones).
import { describe, expect, test } from 'vitest';
import type { Channel, ConsumeMessage } from 'amqplib';
import {
  QUIET_MS,
  WAIT_MS,
  consumeInto,
  drain,
  expectChannelError,
  fill,
  sleep,
  uniqueName,
  useAmqp,
  waitUntil,
} from './amqp-helpers';

const env = useAmqp();

const LOCKED = 'RESOURCE_LOCKED - cannot obtain exclusive access to locked queue';

describe('declare', () => {
  test('queue.declare with an empty name makes a fresh amq.gen- queue', async () => {
    const ch = await env.channel();
    const a = await ch.assertQueue('', { exclusive: true });
    const b = await ch.assertQueue('', { exclusive: true });
    expect(a.queue).toMatch(/^amq\.gen-[A-Za-z0-9_-]{10,}$/);
    expect(b.queue).toMatch(/^amq\.gen-/);
    expect(a.queue).not.toBe(b.queue);
    expect(a).toMatchObject({ messageCount: 0, consumerCount: 0 });
  });

  test('declare-ok reports ready messages and consumers; redeclaring identically is fine', async () => {
    const { conn, ch, q } = await env.queueChannel();
    await fill(ch, q, ['1', '2', '3', '4', '5']);
    expect(await ch.assertQueue(q, { durable: false })).toEqual({ queue: q, messageCount: 5, consumerCount: 0 });
    // two consumers each holding one unacked message: 3 ready, 2 consumers
    const c1 = await env.channel(conn);
    await c1.prefetch(1);
    const r1 = await consumeInto(c1, q);
    const r2 = await consumeInto(c1, q);
    await r1.inbox.waitFor(1);
    await r2.inbox.waitFor(1);
    expect(await ch.checkQueue(q)).toEqual({ queue: q, messageCount: 3, consumerCount: 2 });
    expect(await ch.assertQueue(q, { durable: false })).toEqual({ queue: q, messageCount: 3, consumerCount: 2 });
  });

  test('passive declare of a missing queue is 404', async () => {
    const ch = await env.channel();
    const q = uniqueName('wt-missing');
    await expectChannelError(ch, ch.checkQueue(q), 404, `NOT_FOUND - no queue '${q}' in vhost '/'`);
  });

  test('redeclaring with other flags or arguments is 406 (exclusive: 405)', async () => {
    const conn = await env.connect();
    const setup = await env.channel(conn);
    const q = env.queueName();
    await setup.assertQueue(q, { durable: false });
    const variants: Array<[string, Parameters<typeof setup.assertQueue>[1]]> = [
      ['durable', { durable: true }],
      ['auto_delete', { durable: false, autoDelete: true }],
      ['x-message-ttl', { durable: false, messageTtl: 1000 }],
      ['x-max-length', { durable: false, maxLength: 10 }],
    ];
    for (const [arg, opts] of variants) {
      const ch = await env.channel(conn);
      await expectChannelError(ch, ch.assertQueue(q, opts), 406, `PRECONDITION_FAILED - inequivalent arg '${arg}' for queue '${q}'`);
    }
    const ch = await env.channel(conn);
    await expectChannelError(ch, ch.assertQueue(q, { durable: false, exclusive: true }), 405, LOCKED);
    // and the queue is untouched
    const after = await env.channel(conn);
    expect(await after.assertQueue(q, { durable: false })).toMatchObject({ queue: q });
  });

  test('queue names starting with amq. are reserved (403)', async () => {
    const ch = await env.channel();
    const q = `amq.${uniqueName('wt')}`;
    await expectChannelError(ch, ch.assertQueue(q, { durable: false }), 403, `ACCESS_REFUSED - queue name '${q}' contains reserved prefix 'amq.*'`);
  });
});

describe('exclusive and auto-delete', () => {
  test("another connection gets 405 for an exclusive queue: declare, passive, consume, get, purge, delete, bind, unbind", async () => {
    const owner = await env.channel();
    const q = env.queueName('wt-excl');
    await owner.assertQueue(q, { exclusive: true });
    await owner.bindQueue(q, 'amq.direct', 'bound');
    const other = await env.connect();
    const ops: Array<[string, (ch: Awaited<ReturnType<typeof env.channel>>) => Promise<unknown>]> = [
      ['declare', (ch) => ch.assertQueue(q, { exclusive: true })],
      ['declare non-exclusive', (ch) => ch.assertQueue(q, { durable: false })],
      ['passive', (ch) => ch.checkQueue(q)],
      ['consume', (ch) => ch.consume(q, () => undefined)],
      ['get', (ch) => ch.get(q)],
      ['purge', (ch) => ch.purgeQueue(q)],
      ['delete', (ch) => ch.deleteQueue(q)],
      ['bind', (ch) => ch.bindQueue(q, 'amq.direct', 'k')],
      ['unbind what is bound', (ch) => ch.unbindQueue(q, 'amq.direct', 'bound')],
    ];
    for (const [, op] of ops) {
      const ch = await env.channel(other);
      await expectChannelError(ch, op(ch), 405, `${LOCKED} '${q}' in vhost '/'`);
    }
    // what is not bound needs no rights to unbind
    await (await env.channel(other)).unbindQueue(q, 'amq.direct', 'never-bound');
    const routed = await env.channel(other);
    routed.publish('amq.direct', 'bound', Buffer.from('still bound'));
    // publishing to it from elsewhere is allowed (RPC replies work that way)
    const pub = await env.channel(other);
    pub.sendToQueue(q, Buffer.from('reply'));
    await waitUntil(async () => (await owner.checkQueue(q)).messageCount === 2, WAIT_MS, 'both messages to arrive');
  });

  test('an exclusive queue outlives its channel but not its connection', async () => {
    const conn = await env.connect();
    const ch1 = await env.channel(conn);
    const q = env.queueName('wt-excl');
    await ch1.assertQueue(q, { exclusive: true });
    await ch1.close();
    const ch2 = await env.channel(conn);
    await ch2.checkQueue(q);
    await conn.close();
    const other = await env.channel();
    await expectChannelError(other, other.checkQueue(q), 404, `NOT_FOUND - no queue '${q}'`);
  });

  test('an auto-delete queue goes when its last consumer cancels, not before', async () => {
    const conn = await env.connect();
    const ch = await env.channel(conn);
    const q = env.queueName('wt-auto');
    await ch.assertQueue(q, { durable: false, autoDelete: true });
    await sleep(QUIET_MS);
    await ch.checkQueue(q); // never consumed: still there
    const a = await ch.consume(q, () => undefined);
    const b = await ch.consume(q, () => undefined);
    await ch.cancel(a.consumerTag);
    expect(await ch.checkQueue(q)).toMatchObject({ consumerCount: 1 });
    await ch.cancel(b.consumerTag);
    const probe = await env.channel(conn);
    await waitUntil(
      async () => {
        const c = await env.channel(conn);
        return c.checkQueue(q).then(
          () => false,
          () => true,
        );
      },
      WAIT_MS,
      'the auto-delete queue to go',
    );
    await expectChannelError(probe, probe.checkQueue(q), 404, `no queue '${q}'`);
  });

  test('an auto-delete queue goes when the channel of its last consumer closes', async () => {
    const conn = await env.connect();
    const ch = await env.channel(conn);
    const q = env.queueName('wt-auto');
    await ch.assertQueue(q, { durable: false, autoDelete: true });
    const consumerCh = await env.channel(conn);
    await consumerCh.consume(q, () => undefined);
    await consumerCh.close();
    await waitUntil(
      async () => {
        const c = await env.channel(conn);
        return c.checkQueue(q).then(
          () => false,
          () => true,
        );
      },
      WAIT_MS,
      'the auto-delete queue to go',
    );
  });
});

describe('purge and delete', () => {
  test('purge-ok counts the ready messages it removed; unacked messages survive a purge', async () => {
    const { conn, ch, q } = await env.queueChannel();
    await fill(ch, q, ['a', 'b', 'c', 'd']);
    const holder = await env.channel(conn);
    await holder.prefetch(1);
    const { inbox } = await consumeInto(holder, q);
    const [held] = await inbox.waitFor(1);
    expect(await ch.purgeQueue(q)).toEqual({ messageCount: 3 });
    expect(await ch.checkQueue(q)).toMatchObject({ messageCount: 0 });
    expect(await ch.purgeQueue(q)).toEqual({ messageCount: 0 });
    holder.nack(held, false, true);
    await inbox.waitFor(2);
    expect(inbox.messages[1].content.toString()).toBe('a');
    expect(inbox.messages[1].fields.redelivered).toBe(true);
  });

  test('delete-ok counts the messages; deleting a missing queue is fine', async () => {
    const { ch, q } = await env.queueChannel();
    await fill(ch, q, ['a', 'b']);
    expect(await ch.deleteQueue(q)).toEqual({ messageCount: 2 });
    expect(await ch.deleteQueue(q)).toEqual({ messageCount: 0 });
    expect(await ch.deleteQueue(uniqueName('wt-missing'), { ifEmpty: true, ifUnused: true })).toEqual({ messageCount: 0 });
  });

  test('delete if-empty is 406 when there are messages', async () => {
    const { conn, ch, q } = await env.queueChannel();
    await fill(ch, q, ['a']);
    await expectChannelError(ch, ch.deleteQueue(q, { ifEmpty: true }), 406, `PRECONDITION_FAILED - queue '${q}' in vhost '/' not empty`);
    const ch2 = await env.channel(conn);
    await ch2.purgeQueue(q);
    expect(await ch2.deleteQueue(q, { ifEmpty: true })).toEqual({ messageCount: 0 });
  });

  test('delete if-unused is 406 when there is a consumer', async () => {
    const { conn, ch, q } = await env.queueChannel();
    const consumerCh = await env.channel(conn);
    const { consumerTag } = await consumerCh.consume(q, () => undefined);
    await expectChannelError(ch, ch.deleteQueue(q, { ifUnused: true }), 406, `PRECONDITION_FAILED - queue '${q}' in vhost '/' in use`);
    await consumerCh.cancel(consumerTag);
    const ch2 = await env.channel(conn);
    expect(await ch2.deleteQueue(q, { ifUnused: true })).toEqual({ messageCount: 0 });
  });

  test('purge, get and consume on a missing queue are 404', async () => {
    const conn = await env.connect();
    const q = uniqueName('wt-missing');
    const text = `NOT_FOUND - no queue '${q}' in vhost '/'`;
    const a = await env.channel(conn);
    await expectChannelError(a, a.purgeQueue(q), 404, text);
    const b = await env.channel(conn);
    await expectChannelError(b, b.get(q), 404, text);
    const c = await env.channel(conn);
    await expectChannelError(c, c.consume(q, () => undefined), 404, text);
  });
});

describe('bindings', () => {
  test('bind routes, unbind stops routing', async () => {
    const ch = await env.confirmChannel();
    const x = env.exchangeName();
    await ch.assertExchange(x, 'direct', { durable: false });
    const { queue } = await ch.assertQueue('', { exclusive: true });
    await ch.bindQueue(queue, x, 'k');
    await ch.bindQueue(queue, x, 'k'); // binding twice is idempotent
    ch.publish(x, 'k', Buffer.from('1'));
    await ch.waitForConfirms();
    await ch.unbindQueue(queue, x, 'k');
    ch.publish(x, 'k', Buffer.from('2'));
    await ch.waitForConfirms();
    expect(await drain(ch, queue)).toEqual(['1']);
  });

  test('unbinding what is not bound is not an error', async () => {
    const ch = await env.channel();
    const { queue } = await ch.assertQueue('', { exclusive: true });
    await ch.unbindQueue(queue, 'amq.direct', 'never-bound');
    await ch.unbindQueue(uniqueName('wt-missing'), 'amq.direct', 'k');
    await ch.unbindQueue(queue, uniqueName('wt-missing'), 'k');
    await ch.checkQueue(queue);
  });

  test('binding a missing queue or to a missing exchange is 404', async () => {
    const conn = await env.connect();
    const a = await env.channel(conn);
    const q = uniqueName('wt-missing');
    await expectChannelError(a, a.bindQueue(q, 'amq.direct', 'k'), 404, `NOT_FOUND - no queue '${q}' in vhost '/'`);
    const b = await env.channel(conn);
    const { queue } = await b.assertQueue('', { exclusive: true });
    const x = uniqueName('wt-missing');
    await expectChannelError(b, b.bindQueue(queue, x, 'k'), 404, `NOT_FOUND - no exchange '${x}' in vhost '/'`);
  });

  // RabbitMQ's order (rabbit_channel:binding_action, rabbit_binding:add); Warren looked at the queue
  // first and at the default exchange last (found by differential.test.ts)
  test('a bind that is wrong in several ways gets the error RabbitMQ puts first', async () => {
    const conn = await env.connect();
    const owner = await env.connect();
    const locked = env.queueName('wt-locked');
    await (await env.channel(owner)).assertQueue(locked, { exclusive: true });
    const headers = env.exchangeName('wt-h');
    await (await env.channel(conn)).assertExchange(headers, 'headers', { durable: false });
    const q = uniqueName('wt-missing');
    const x = uniqueName('wt-missing');
    const refuses = async (bind: (ch: Channel) => Promise<unknown>, code: number, text: string) => {
      const ch = await env.channel(conn);
      await expectChannelError(ch, bind(ch), code, text);
    };
    const DEFAULT = 'ACCESS_REFUSED - operation not permitted on the default exchange';
    // the default exchange, at either end, before anything is looked up
    await refuses((ch) => ch.bindQueue(q, '', 'k'), 403, DEFAULT);
    await refuses((ch) => ch.bindQueue(locked, '', 'k'), 403, DEFAULT);
    await refuses((ch) => ch.unbindQueue(q, '', 'k'), 403, DEFAULT);
    await refuses((ch) => ch.bindExchange(x, '', 'k'), 403, DEFAULT);
    await refuses((ch) => ch.bindExchange('', x, 'k'), 403, DEFAULT);
    // then the exchange, then the queue
    await refuses((ch) => ch.bindQueue(q, x, 'k'), 404, `NOT_FOUND - no exchange '${x}' in vhost '/'`);
    await refuses((ch) => ch.bindQueue(locked, x, 'k'), 404, `NOT_FOUND - no exchange '${x}' in vhost '/'`);
    await refuses((ch) => ch.bindQueue(q, headers, 'k', { 'x-match': 'bogus' }), 404, `NOT_FOUND - no queue '${q}' in vhost '/'`);
    // then the binding's arguments, and last the exclusive queue of another connection
    const badMatch = 'PRECONDITION_FAILED - Invalid x-match field value <<"bogus">>; expected all, any, all-with-x, or any-with-x';
    await refuses((ch) => ch.bindQueue(locked, headers, 'k', { 'x-match': 'bogus' }), 406, badMatch);
    await refuses((ch) => ch.bindQueue(locked, headers, 'k', { 'x-match': 'all' }), 405, `${LOCKED} '${locked}' in vhost '/'`);
  });

  test('deleting a queue removes its bindings', async () => {
    const ch = await env.confirmChannel();
    const x = env.exchangeName();
    await ch.assertExchange(x, 'fanout', { durable: false });
    const q = env.queueName();
    await ch.assertQueue(q, { durable: false });
    await ch.bindQueue(q, x, '');
    await ch.deleteQueue(q);
    await ch.assertQueue(q, { durable: false });
    ch.publish(x, '', Buffer.from('x'));
    await ch.waitForConfirms();
    expect(await ch.checkQueue(q)).toMatchObject({ messageCount: 0 });
  });
});

describe('"" means the last queue declared on the channel', () => {
  test('bind, get, purge, consume and delete accept "" after a declare', async () => {
    const ch = await env.channel();
    const { queue } = await ch.assertQueue('', { exclusive: true });
    await ch.bindQueue('', 'amq.direct', queue);
    ch.publish('amq.direct', queue, Buffer.from('one'));
    ch.publish('amq.direct', queue, Buffer.from('two'));
    await waitUntil(async () => (await ch.checkQueue(queue)).messageCount === 2, WAIT_MS, 'two messages');
    const got = await ch.get('', { noAck: true });
    expect(got && got.content.toString()).toBe('one');
    expect(got && got.fields.routingKey).toBe(queue);
    expect(await ch.purgeQueue('')).toEqual({ messageCount: 1 });
    const { inbox } = await consumeInto(ch, '', { noAck: true });
    ch.sendToQueue(queue, Buffer.from('three'));
    await inbox.waitFor(1);
    expect(inbox.bodies).toEqual(['three']);
    await ch.unbindQueue('', 'amq.direct', queue);
    expect(await ch.deleteQueue('')).toEqual({ messageCount: 0 });
    const probe = await env.channel();
    await expectChannelError(probe, probe.checkQueue(queue), 404, 'NOT_FOUND');
  });

  test('with no queue declared on the channel, "" is 404', async () => {
    const conn = await env.connect();
    // a queue declared on ANOTHER channel does not count
    const other = await env.channel(conn);
    await other.assertQueue('', { exclusive: true });
    const text = 'NOT_FOUND - no previously declared queue';
    const ops: Array<(ch: Awaited<ReturnType<typeof env.channel>>) => Promise<unknown>> = [
      (ch) => ch.bindQueue('', 'amq.direct', 'k'),
      (ch) => ch.unbindQueue('', 'amq.direct', 'k'),
      (ch) => ch.get(''),
      (ch) => ch.purgeQueue(''),
      (ch) => ch.consume('', () => undefined),
      (ch) => ch.deleteQueue(''),
    ];
    for (const op of ops) {
      const ch = await env.channel(conn);
      await expectChannelError(ch, op(ch), 404, text);
    }
  });
});

describe('messages in a queue', () => {
  test('FIFO: messages come out in the order they went in', async () => {
    const { ch, q } = await env.queueChannel();
    const bodies = Array.from({ length: 200 }, (_, i) => `m${i}`);
    await fill(ch, q, bodies);
    expect(await drain(ch, q)).toEqual(bodies);
    await fill(ch, q, bodies);
    const { inbox } = await consumeInto(ch, q, { noAck: true });
    await inbox.waitFor(200);
    expect(inbox.bodies).toEqual(bodies);
  });

  test('x-message-ttl expires messages; per-message expiration too', async () => {
    const { conn, ch, q } = await env.queueChannel({ messageTtl: 100 });
    const pub = await env.confirmChannel(conn);
    pub.sendToQueue(q, Buffer.from('short-lived'));
    await pub.waitForConfirms();
    const t0 = Date.now();
    expect(await ch.checkQueue(q)).toMatchObject({ messageCount: 1 });
    await waitUntil(async () => (await ch.checkQueue(q)).messageCount === 0, WAIT_MS, 'the message to expire');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(50);
    expect(await ch.get(q)).toBe(false);
    const q2 = env.queueName();
    await ch.assertQueue(q2, { durable: false });
    pub.sendToQueue(q2, Buffer.from('expiring'), { expiration: '50' });
    pub.sendToQueue(q2, Buffer.from('staying'));
    await pub.waitForConfirms();
    await waitUntil(async () => (await ch.checkQueue(q2)).messageCount === 1, WAIT_MS, 'the expiring message to go');
    expect(await drain(ch, q2)).toEqual(['staying']);
  });

  test('x-max-length drops from the head', async () => {
    const { ch, q } = await env.queueChannel({ maxLength: 2 });
    for (const b of ['1', '2', '3', '4', '5']) ch.sendToQueue(q, Buffer.from(b));
    await waitUntil(async () => (await ch.checkQueue(q)).messageCount === 2, WAIT_MS, 'two messages');
    expect(await drain(ch, q)).toEqual(['4', '5']);
  });

  test('x-overflow reject-publish-dlx nacks the message that does not fit and dead-letters it as maxlen', async () => {
    const conn = await env.connect();
    const ch = await env.channel(conn);
    const dlx = env.exchangeName('rpd-dlx');
    await ch.assertExchange(dlx, 'fanout', { durable: false });
    const dead = env.queueName('rpd-dead');
    await ch.assertQueue(dead, { durable: false });
    await ch.bindQueue(dead, dlx, '');
    const q = env.queueName();
    await ch.assertQueue(q, { durable: false, deadLetterExchange: dlx, maxLength: 1, arguments: { 'x-overflow': 'reject-publish-dlx' } });
    const pub = await env.confirmChannel(conn);
    const outcome = (body: string) =>
      new Promise<string>((resolve) => pub.sendToQueue(q, Buffer.from(body), {}, (err) => resolve(err ? 'nack' : 'ack')));
    expect([await outcome('one'), await outcome('two')]).toEqual(['ack', 'nack']);
    await waitUntil(async () => (await ch.checkQueue(dead)).messageCount === 1, WAIT_MS, 'the refused message to be dead-lettered');
    const m = await ch.get(dead, { noAck: true });
    expect(m && m.content.toString()).toBe('two');
    expect(m && (m.properties.headers?.['x-death'] as { reason: string }[])[0].reason).toBe('maxlen');
    expect(await drain(ch, q)).toEqual(['one']);
  });

  // RabbitMQ trims a queue to its limits right after a requeue (classic: requeue_and_run; quorum:
  // rabbit_fifo's return), dropping from the head and dead-lettering as maxlen. Warren let the
  // requeue take it over its limits (found by differential.test.ts).
  for (const type of ['classic', 'quorum'] as const) {
    test(`a requeue that takes a ${type} queue over x-max-length drops from the head, dead-lettered as maxlen`, async () => {
      const ch = await env.confirmChannel();
      const dlx = env.exchangeName('rq-dlx');
      await ch.assertExchange(dlx, 'fanout', { durable: false });
      const dead = env.queueName('rq-dead');
      await ch.assertQueue(dead, { durable: false });
      await ch.bindQueue(dead, dlx, '');
      const q = env.queueName('rq');
      await ch.assertQueue(q, { durable: true, deadLetterExchange: dlx, maxLength: 1, arguments: { 'x-queue-type': type } });
      ch.sendToQueue(q, Buffer.from('a'));
      await ch.waitForConfirms();
      const a = await waitUntil(() => ch.get(q), WAIT_MS, 'the first message');
      ch.sendToQueue(q, Buffer.from('b'));
      await ch.waitForConfirms();
      ch.nack(a, false, true);
      const dropped = await waitUntil(() => ch.get(dead, { noAck: true }), WAIT_MS, 'the dropped message dead-lettered');
      expect(dropped.properties.headers?.['x-death']?.[0]).toMatchObject({ reason: 'maxlen', queue: q });
      // a classic queue puts the requeued message back in front, and drops it; a quorum queue
      // without a delivery limit returns it to the back, and drops the other
      const [kept, gone] = type === 'classic' ? ['b', 'a'] : ['a', 'b'];
      expect(dropped.content.toString()).toBe(gone);
      expect(await drain(ch, q)).toEqual([kept]);
    });
  }

  test('dead-lettering: rejected and expired messages go to x-dead-letter-exchange with x-death', async () => {
    const conn = await env.connect();
    const ch = await env.channel(conn);
    const dlx = env.exchangeName('wt-dlx');
    await ch.assertExchange(dlx, 'fanout', { durable: false });
    const dead = env.queueName('wt-dead');
    await ch.assertQueue(dead, { durable: false });
    await ch.bindQueue(dead, dlx, '');
    const q = env.queueName();
    await ch.assertQueue(q, { durable: false, deadLetterExchange: dlx, messageTtl: 60_000 });

    ch.sendToQueue(q, Buffer.from('rejected'));
    const m = await waitUntil(() => ch.get(q), WAIT_MS, 'a message');
    ch.reject(m, false);
    const d1 = await waitUntil(() => ch.get(dead, { noAck: true }), WAIT_MS, 'the dead letter');
    expect(d1.content.toString()).toBe('rejected');
    expect(d1.fields.exchange).toBe(dlx);
    expect(d1.fields.routingKey).toBe(q);
    const death = d1.properties.headers?.['x-death'];
    expect(death?.[0]).toMatchObject({ reason: 'rejected', queue: q, count: 1, exchange: '', 'routing-keys': [q] });

    ch.sendToQueue(q, Buffer.from('expired'), { expiration: '10' });
    const d2 = await waitUntil(() => ch.get(dead, { noAck: true }), WAIT_MS, 'the expired dead letter');
    expect(d2.content.toString()).toBe('expired');
    expect(d2.properties.headers?.['x-death']?.[0]).toMatchObject({ reason: 'expired', queue: q });
  });

  // found by differential.test.ts: Warren routed a dead letter by its routing key alone, named only
  // that key in x-death, and kept the CC header beside a dead-letter routing key
  test('a dead letter goes by the keys of its CC and BCC headers too, or by the dead-letter routing key alone and without CC', async () => {
    const ch = await env.confirmChannel();
    const source = env.exchangeName('dl-cc-src');
    const dlx = env.exchangeName('dl-cc-dlx');
    await ch.assertExchange(source, 'direct', { durable: false });
    await ch.assertExchange(dlx, 'direct', { durable: false });
    const keys = ['ka', 'kb', 'kc'];
    const after: Record<string, string> = {};
    for (const key of keys) {
      after[key] = env.queueName(`dl-cc-${key}`);
      await ch.assertQueue(after[key], { durable: false });
      await ch.bindQueue(after[key], dlx, key);
    }
    const deadLetters = async (ownKey: string | undefined) => {
      const q = env.queueName('dl-cc');
      await ch.assertQueue(q, { durable: false, deadLetterExchange: dlx, ...(ownKey === undefined ? {} : { deadLetterRoutingKey: ownKey }) });
      await ch.bindQueue(q, source, 'ka');
      ch.publish(source, 'ka', Buffer.from('m'), { headers: { CC: ['kb'], BCC: ['kc'] } });
      await ch.waitForConfirms();
      ch.reject(await waitUntil(() => ch.get(q), WAIT_MS, 'the message'), false);
      await ch.checkQueue(q);
      const seen: Record<string, string> = {};
      for (const key of keys) {
        const m = await ch.get(after[key], { noAck: true });
        seen[key] = m === false ? '-' : `${m.fields.routingKey} CC=${JSON.stringify(m.properties.headers?.CC)} x-death keys=${JSON.stringify(m.properties.headers?.['x-death']?.[0]['routing-keys'])}`;
      }
      return seen;
    };
    const all = 'ka CC=["kb"] x-death keys=["ka","kb"]';
    expect(await deadLetters(undefined)).toEqual({ ka: all, kb: all, kc: all });
    expect(await deadLetters('kc')).toEqual({ ka: '-', kb: '-', kc: 'kc CC=undefined x-death keys=["ka","kb"]' });
  });

  // found by differential.test.ts: Warren dead-lettered in the order of the delivery tags
  test('a nack of deliveries from several queues dead-letters them queue by queue, in the order of the queues\u2019 names', async () => {
    const ch = await env.confirmChannel();
    const dead = env.queueName('nack-order-dead');
    await ch.assertQueue(dead, { durable: false });
    const prefix = env.queueName('nack-order');
    const [qa, qb] = [`${prefix}-a`, `${prefix}-b`];
    for (const q of [qa, qb]) await ch.assertQueue(q, { durable: false, exclusive: true, deadLetterExchange: '', deadLetterRoutingKey: dead });
    for (const [q, body] of [[qb, 'b1'], [qb, 'b2'], [qa, 'a1'], [qa, 'a2']]) ch.sendToQueue(q, Buffer.from(body));
    await ch.waitForConfirms();
    for (const q of [qb, qa, qb, qa]) await waitUntil(() => ch.get(q), WAIT_MS, `a message of ${q}`);
    ch.nackAll(false);
    await waitUntil(async () => (await ch.checkQueue(dead)).messageCount === 4, WAIT_MS, 'four dead letters');
    expect(await drain(ch, dead)).toEqual(['a1', 'a2', 'b1', 'b2']);
  });

  // found by differential.test.ts: Warren dead-lettered the head a full queue dropped before the
  // publish that made it drop was in, so a dead letter coming back went ahead of that publish
  test('what a full queue drops comes back after the message that made it drop', async () => {
    const ch = await env.confirmChannel();
    const q1 = env.queueName('dl-back-1');
    const q2 = env.queueName('dl-back-2');
    await ch.assertQueue(q1, { durable: false, maxLength: 2, deadLetterExchange: '', deadLetterRoutingKey: q2 });
    // q2 keeps nothing: what comes sends straight back to q1
    await ch.assertQueue(q2, { durable: false, maxLength: 0, deadLetterExchange: '', deadLetterRoutingKey: q1 });
    ch.sendToQueue(q1, Buffer.from('m'));
    await ch.waitForConfirms();
    // rejected once, so that it may come back to q1 (a round with no rejection in it would be a cycle)
    ch.reject(await waitUntil(() => ch.get(q1), WAIT_MS, 'the message'), false);
    await waitUntil(async () => (await ch.checkQueue(q1)).messageCount === 1, WAIT_MS, 'the message back in q1');
    for (const body of ['p1', 'p2']) ch.sendToQueue(q1, Buffer.from(body));
    await ch.waitForConfirms();
    // p2 dropped m; m came back and dropped p1, which could not come back (a cycle)
    await waitUntil(async () => (await ch.checkQueue(q1)).messageCount === 2, WAIT_MS, 'two messages in q1');
    expect(await drain(ch, q1)).toEqual(['p2', 'm']);
  });

  // A round of dead letters with a rejection in it is no cycle to RabbitMQ, and with x-death regrouped
  // as RabbitMQ regroups it the rejection stays in every round: it goes on until a queue goes. In
  // RabbitMQ it runs beside everything else; Warren must not run it in one go either.
  test('a round of dead letters that is no cycle goes on without holding up other clients, until a queue of it goes', async () => {
    const ch = await env.confirmChannel();
    const fan = env.exchangeName('dl-round-fan');
    await ch.assertExchange(fan, 'fanout', { durable: false });
    const [r, a, b, seen] = ['r', 'a', 'b', 'seen'].map((n) => env.queueName(`dl-forever-${n}`));
    await ch.assertQueue(r, { durable: false, deadLetterExchange: '', deadLetterRoutingKey: a });
    // a and b keep nothing: a sends what comes to b (and to `seen`, a copy a round), b sends it back to a
    await ch.assertQueue(a, { durable: false, maxLength: 0, deadLetterExchange: fan });
    await ch.assertQueue(b, { durable: false, maxLength: 0, deadLetterExchange: '', deadLetterRoutingKey: a });
    await ch.assertQueue(seen, { durable: false });
    await ch.bindQueue(b, fan, '');
    await ch.bindQueue(seen, fan, '');
    ch.sendToQueue(r, Buffer.from('m'));
    await ch.waitForConfirms();
    ch.reject(await waitUntil(() => ch.get(r), WAIT_MS, 'the message'), false);
    await waitUntil(async () => (await ch.checkQueue(seen)).messageCount >= 50, WAIT_MS, 'fifty rounds');
    // meanwhile another client is answered at once
    const other = await env.confirmChannel();
    const started = Date.now();
    const q = env.queueName('dl-forever-other');
    await other.assertQueue(q, { durable: false });
    other.sendToQueue(q, Buffer.from('hello'));
    await other.waitForConfirms();
    expect(await drain(other, q)).toEqual(['hello']);
    expect(Date.now() - started).toBeLessThan(1000);
    // and the round goes on
    const sofar = (await ch.checkQueue(seen)).messageCount;
    await waitUntil(async () => (await ch.checkQueue(seen)).messageCount >= sofar + 50, WAIT_MS, 'fifty rounds more');
    // without a, the round stops
    await ch.deleteQueue(a);
    const stopped = (await ch.checkQueue(seen)).messageCount;
    await sleep(QUIET_MS);
    expect((await ch.checkQueue(seen)).messageCount).toBeLessThanOrEqual(stopped + 1);
  });

  // RabbitMQ 3.10 regroups an x-death of two entries or more before it adds a death, which reverses
  // the order of the entries already there; its cycle check reads that order (found by
  // differential.test.ts: Warren kept the order, and then dropped a dead letter RabbitMQ delivered)
  test('x-death entries go in the order RabbitMQ gives them, round three queues', async () => {
    const ch = await env.confirmChannel();
    const names = ['a', 'b', 'c'].map((n) => env.queueName(`dl-round-${n}`));
    const next = (i: number) => names[(i + 1) % names.length];
    for (const [i, q] of names.entries()) await ch.assertQueue(q, { durable: false, deadLetterExchange: '', deadLetterRoutingKey: next(i) });
    ch.sendToQueue(names[0], Buffer.from('m'));
    await ch.waitForConfirms();
    const orders: string[] = [];
    for (let hop = 0; hop < 4; hop++) {
      const q = names[hop % names.length];
      const m = await waitUntil(() => ch.get(q), WAIT_MS, `the message in ${q}`);
      const deaths = (m.properties.headers?.['x-death'] ?? []) as { queue: string; count: number }[];
      orders.push(deaths.map((d) => `${names.indexOf(d.queue)}:${d.count}`).join(' '));
      ch.reject(m, false);
    }
    // in a, b, c, then a again: the x-death each time it arrives
    expect(orders).toEqual(['', '0:1', '1:1 0:1', '2:1 0:1 1:1']);
    const last = await waitUntil(() => ch.get(names[1], { noAck: true }), WAIT_MS, 'the message back in b');
    expect(((last.properties.headers?.['x-death'] ?? []) as { queue: string; count: number }[]).map((d) => `${names.indexOf(d.queue)}:${d.count}`).join(' ')).toBe('0:2 1:1 2:1');
  });

  // found by differential.test.ts: Warren sent the dead letter of a full queue on while the publish
  // that filled it had still to reach its other queues
  test("a publish reaches all its queues before what one of them dropped is dead-lettered", async () => {
    const ch = await env.confirmChannel();
    const fan = env.exchangeName('dl-order-fan');
    const dlx = env.exchangeName('dl-order-dlx');
    await ch.assertExchange(fan, 'fanout', { durable: false });
    await ch.assertExchange(dlx, 'fanout', { durable: false });
    const full = env.queueName('dl-order-full');
    const other = env.queueName('dl-order-other');
    await ch.assertQueue(full, { durable: false, maxLength: 1, deadLetterExchange: dlx });
    await ch.assertQueue(other, { durable: false });
    await ch.bindQueue(full, fan, '');
    await ch.bindQueue(other, fan, '');
    await ch.bindQueue(other, dlx, '');
    for (const body of ['m1', 'm2']) ch.publish(fan, '', Buffer.from(body));
    await ch.waitForConfirms();
    await ch.checkQueue(full);
    const got: string[] = [];
    for (let m = await ch.get(other, { noAck: true }); m !== false; m = await ch.get(other, { noAck: true })) {
      got.push(`${m.content.toString()}${m.properties.headers?.['x-death'] === undefined ? '' : ' (dead)'}`);
    }
    expect(got).toEqual(['m1', 'm2', 'm1 (dead)']);
    expect(await drain(ch, full)).toEqual(['m2']);
  });

  // RabbitMQ drops a dead letter that would return to a queue it died in with no rejection on the
  // way (rabbit_dead_letter:is_cycle). Warren used to hang on the first: a full queue dead-lettering
  // to itself dropped its head, took it back, and dropped it again, for ever within one publish.
  test('dead-letter cycles without a rejection are dropped: a full queue dead-lettering to itself, and an expiry that would go round two queues', async () => {
    const ch = await env.channel();
    const full = env.queueName('wt-dlx-full');
    await ch.assertQueue(full, { durable: false, maxLength: 1, deadLetterExchange: '', deadLetterRoutingKey: full });
    ch.sendToQueue(full, Buffer.from('A'));
    ch.sendToQueue(full, Buffer.from('B'));
    expect((await ch.checkQueue(full)).messageCount).toBe(1);
    const left = await waitUntil(() => ch.get(full, { noAck: true }), WAIT_MS, 'the newest message');
    expect(left.content.toString()).toBe('B');
    expect(left.properties.headers?.['x-death']).toBeUndefined();

    // expired in a, dead-lettered to b, expired there: back to a would close the cycle, so it is dropped
    const [a, b] = [env.queueName('wt-dlx-a'), env.queueName('wt-dlx-b')];
    await ch.assertQueue(a, { durable: false, messageTtl: 30, deadLetterExchange: '', deadLetterRoutingKey: b });
    await ch.assertQueue(b, { durable: false, messageTtl: 30, deadLetterExchange: '', deadLetterRoutingKey: a });
    ch.sendToQueue(a, Buffer.from('round'));
    await sleep(400);
    expect([(await ch.checkQueue(a)).messageCount, (await ch.checkQueue(b)).messageCount]).toEqual([0, 0]);
    await Promise.all([full, a, b].map((q) => ch.deleteQueue(q)));
  });

  // Warren's nack loop used to take the dead letter too: delivered at once to the same channel with
  // a new tag, it was nacked again by the same nack, thousands of times until the socket was full,
  // and the client's ack of any of those tags was an unknown delivery tag.
  test('a nack of everything (tag 0, multiple) settles what was outstanding, not the dead letter it sends back to this channel', async () => {
    const ch = await env.channel();
    const q = env.queueName('wt-dlx-self');
    await ch.assertQueue(q, { durable: false, deadLetterExchange: '', deadLetterRoutingKey: q });
    const got: ConsumeMessage[] = [];
    await ch.consume(q, (m) => void (m !== null && got.push(m)), { noAck: false });
    ch.sendToQueue(q, Buffer.from('once'));
    await waitUntil(() => got.length >= 1, WAIT_MS, 'the first delivery');
    ch.nackAll(false);
    await waitUntil(() => got.length >= 2, WAIT_MS, 'the dead letter, delivered again');
    await sleep(QUIET_MS);
    expect(got.length).toBe(2);
    expect(got[1].properties.headers?.['x-death']?.[0]).toMatchObject({ reason: 'rejected', queue: q, count: 1 });
    // its tag is outstanding: acked without a 406, and nothing is left
    ch.ack(got[1]);
    await waitUntil(async () => (await ch.checkQueue(q)).messageCount === 0, WAIT_MS, 'an empty queue');
    expect(got.length).toBe(2);
    await ch.deleteQueue(q);
  });
});

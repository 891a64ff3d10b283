// Publishing conformance: mandatory/returns, missing exchanges, publisher confirms, properties,
// large and empty bodies, sender-selected distribution (CC/BCC), ordering.
//
// What RabbitMQ 3.10.8 does (exact texts):
//   mandatory + unroutable: basic.return reply_code 312, reply_text "NO_ROUTE", with the original
//     exchange and routing key ("" and the queue name for the default exchange), body and properties.
//   with confirms: the basic.return goes out before the basic.ack of the same message; unroutable
//     messages (mandatory or not) are acked, not nacked. Acks here were multiple=false, one per message.
//   publish to a missing exchange: 404 channel error "NOT_FOUND - no exchange '<x>' in vhost '/'"
//     (class 60 method 40); on a confirm channel the pending confirms fail ("channel closed").
//   user_id property other than the authenticated user:
//     406 channel error "PRECONDITION_FAILED - user_id property set to 'mallory' but authenticated user was 'guest'"
//   properties and header tables (strings, all integer widths, doubles, floats, booleans, void,
//     byte arrays, nested tables and arrays, timestamps, decimals) arrive byte-for-byte unchanged.
//   CC header: also routed with those keys, the CC header is kept; BCC: also routed, header removed.
//   Not in amqplib 2.3.1's API, so not tested here (RabbitMQ's replies, sent with the low-level rpc):
//     tx.select/commit/rollback: select-ok, commit-ok, rollback-ok;
//     tx.commit or tx.rollback without tx.select: 406 "PRECONDITION_FAILED - channel is not transactional"
//     tx.select after confirm.select: 406 "PRECONDITION_FAILED - cannot switch from confirm to tx mode"
//     confirm.select after tx.select: 406 "PRECONDITION_FAILED - cannot switch from tx to confirm mode"
//     channel.flow active=false: 540 connection error "NOT_IMPLEMENTED - active=false"; active=true: flow-ok active=true
import { randomBytes } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import type { Message, Options } from 'amqplib';
import {
  QUIET_MS,
  WAIT_MS,
  consumeInto,
  drain,
  expectChannelError,
  nextEvent,
  sleep,
  uniqueName,
  useAmqp,
  waitUntil,
  within,
} from './amqp-helpers';
import { Args, M, bodyFrame, headerFrame, methodFrame, publishFrame, queueDeclareFrame, withClient } from './raw-client';

const env = useAmqp();

describe('mandatory and unroutable', () => {
  test('an unroutable mandatory message comes back as basic.return 312 NO_ROUTE', async () => {
    const ch = await env.channel();
    const x = env.exchangeName();
    await ch.assertExchange(x, 'direct', { durable: false });
    const returned = nextEvent<[Message]>(ch, 'return');
    ch.publish(x, 'no-binding', Buffer.from('bounce'), { mandatory: true, contentType: 'text/plain', headers: { h: 1 } });
    const [m] = await returned;
    expect(m.fields).toMatchObject({ replyCode: 312, replyText: 'NO_ROUTE', exchange: x, routingKey: 'no-binding' });
    expect(m.content.toString()).toBe('bounce');
    expect(m.properties.contentType).toBe('text/plain');
    expect(m.properties.headers).toEqual({ h: 1 });
  });

  test('through the default exchange to a missing queue, the return names "" and the queue', async () => {
    const ch = await env.channel();
    const q = uniqueName('wt-missing');
    const returned = nextEvent<[Message]>(ch, 'return');
    ch.sendToQueue(q, Buffer.from('bounce'), { mandatory: true });
    const [m] = await returned;
    expect(m.fields).toMatchObject({ replyCode: 312, replyText: 'NO_ROUTE', exchange: '', routingKey: q });
  });

  test('unroutable without mandatory is dropped silently; routable mandatory is not returned', async () => {
    const { ch, q } = await env.queueChannel();
    let returns = 0;
    ch.on('return', () => returns++);
    ch.publish('amq.direct', uniqueName('nowhere'), Buffer.from('dropped'));
    ch.sendToQueue(q, Buffer.from('delivered'), { mandatory: true });
    await waitUntil(async () => (await ch.checkQueue(q)).messageCount === 1, WAIT_MS, 'the routable message');
    await sleep(QUIET_MS);
    expect(returns).toBe(0);
    expect(await drain(ch, q)).toEqual(['delivered']);
  });

  test('publishing to a missing exchange is a 404 that closes the channel only', async () => {
    const conn = await env.connect();
    const ch = await env.channel(conn);
    const x = uniqueName('wt-missing');
    await expectChannelError(ch, () => ch.publish(x, 'k', Buffer.from('lost')), 404, `NOT_FOUND - no exchange '${x}' in vhost '/'`);
    const ch2 = await env.channel(conn);
    await ch2.checkExchange('amq.direct');
  });
});

describe('publisher confirms', () => {
  test('every message is confirmed, tags 1..n, and waitForConfirms resolves', async () => {
    const { conn, q } = await env.queueChannel();
    const ch = await env.confirmChannel(conn);
    const acked = new Set<number>();
    let nacks = 0;
    ch.on('ack', (f: { deliveryTag: number; multiple: boolean }) => {
      if (f.multiple) for (let t = 1; t <= f.deliveryTag; t++) acked.add(t);
      else acked.add(f.deliveryTag);
    });
    ch.on('nack', () => nacks++);
    const results: Array<Promise<void>> = [];
    for (let i = 0; i < 200; i++) {
      results.push(
        new Promise<void>((resolve, reject) => {
          ch.sendToQueue(q, Buffer.from(`m${i}`), {}, (err: unknown) => (err ? reject(err) : resolve()));
        }),
      );
    }
    await within(ch.waitForConfirms(), WAIT_MS, 'confirms');
    await within(Promise.all(results), WAIT_MS, 'confirm callbacks');
    expect(acked.size).toBe(200);
    expect(Math.min(...acked)).toBe(1);
    expect(Math.max(...acked)).toBe(200);
    expect(nacks).toBe(0);
    expect(await ch.checkQueue(q)).toMatchObject({ messageCount: 200 });
  });

  test('with confirms, the basic.return of an unroutable mandatory message precedes its ack', async () => {
    const ch = await env.confirmChannel();
    const events: string[] = [];
    ch.on('return', (m: Message) => events.push(`return:${m.content.toString()}`));
    ch.on('ack', (f: { deliveryTag: number }) => events.push(`ack:${f.deliveryTag}`));
    ch.on('nack', (f: { deliveryTag: number }) => events.push(`nack:${f.deliveryTag}`));
    ch.publish('amq.direct', uniqueName('nowhere'), Buffer.from('one'), { mandatory: true });
    await within(ch.waitForConfirms(), WAIT_MS, 'confirm');
    expect(events).toEqual(['return:one', 'ack:1']);
    // an unroutable message without mandatory is simply acked
    ch.publish('amq.direct', uniqueName('nowhere'), Buffer.from('two'));
    await within(ch.waitForConfirms(), WAIT_MS, 'confirm');
    expect(events).toEqual(['return:one', 'ack:1', 'ack:2']);
  });

  test('a confirm channel publishing to a missing exchange closes with 404; waitForConfirms rejects', async () => {
    const conn = await env.connect();
    const ch = await env.confirmChannel(conn);
    const x = uniqueName('wt-missing');
    const confirmed = ch.waitForConfirms();
    ch.publish(x, '', Buffer.from('lost'));
    const pending = ch.waitForConfirms();
    await expectChannelError(ch, () => undefined, 404, `NOT_FOUND - no exchange '${x}'`);
    await confirmed; // nothing was outstanding when it was called
    await expect(within(pending, WAIT_MS, 'waitForConfirms')).rejects.toThrow();
  });
});

describe('the queue a publish names', () => {
  // Warren finds the queue of a default-exchange publish when its method frame arrives; the
  // message is routed when its body does, to the queue of that name then, if any.
  test('deleted, or deleted and declared again, between the method frame and the body: the body goes where the name leads then', async () => {
    const ch = await env.channel();
    const q = env.queueName('wt-renamed');
    await ch.assertQueue(q, { durable: false });
    await withClient(env.broker, async (raw) => {
      await raw.handshake();
      await raw.openChannel(1);
      await raw.openChannel(2);
      // channel 1 is inside a content; channel 2's answer shows the connection read all before it
      const sync = async (): Promise<void> => {
        raw.send(queueDeclareFrame(2, env.queueName('wt-sync')));
        await raw.expectMethod(M.queueDeclareOk);
      };
      // declared again: the second queue gets the message
      raw.send(publishFrame(1, '', q));
      await sync();
      await ch.deleteQueue(q);
      await ch.assertQueue(q, { durable: false });
      raw.send(headerFrame(1, 5), bodyFrame(1, 'first'));
      await sync();
      expect(await drain(ch, q)).toEqual(['first']);
      // only deleted: unroutable, and gone
      raw.send(publishFrame(1, '', q));
      await sync();
      await ch.deleteQueue(q);
      raw.send(headerFrame(1, 6), bodyFrame(1, 'second'));
      await sync();
      await ch.assertQueue(q, { durable: false });
      expect((await ch.checkQueue(q)).messageCount).toBe(0);
    });
  });

  test('a key that only shares a hash, a prefix or a length with a queue name does not reach that queue', async () => {
    const ch = await env.channel();
    const q = env.queueName('wt-prefix');
    const longName = env.queueName(`wt-long-${'x'.repeat(80)}`);
    await ch.assertQueue(q, { durable: false });
    await ch.assertQueue(longName, { durable: false });
    for (const key of [q.slice(0, -1), `${q}x`, `${q.slice(0, -1)}${q.endsWith('a') ? 'b' : 'a'}`, `${longName.slice(0, -1)}!`, longName.toUpperCase()]) {
      ch.sendToQueue(key, Buffer.from('stray'));
    }
    ch.sendToQueue(q, Buffer.from('short'));
    ch.sendToQueue(longName, Buffer.from('long'));
    await waitUntil(async () => (await ch.checkQueue(longName)).messageCount === 1, WAIT_MS, 'the long name\'s message');
    expect(await drain(ch, q)).toEqual(['short']);
    expect(await drain(ch, longName)).toEqual(['long']);
  });

  // Many queues in the index, a stream of publishes cut anywhere: each message goes where its
  // name leads when it is whole.
  test('a thousand queues and more: publishes in one stream, cut anywhere, with a queue deleted and declared again inside it, each reach the queue named then', async () => {
    const ch = await env.channel();
    const names = Array.from({ length: 1100 }, (_, i) => env.queueName(`wt-many-${i}`));
    for (const n of names) void ch.assertQueue(n, { durable: false, autoDelete: false });
    await ch.assertQueue(names[names.length - 1], { durable: false, autoDelete: false });
    const gone = names[7];
    const publish = (key: string, body: string): Buffer[] => [publishFrame(1, '', key), headerFrame(1, body.length), bodyFrame(1, body)];
    const stream = Buffer.concat([
      ...names.flatMap((n) => publish(n, 'a')),
      publish(env.queueName('wt-many-none'), 'x').flat(),
      // unbound on amq.direct: dropped, though its key names a queue
      [publishFrame(1, 'amq.direct', names[3]), headerFrame(1, 1), bodyFrame(1, 'x')],
      [methodFrame(1, [50, 40], new Args().short(0).shortstr(gone).bit(false).bit(false).bit(false))],
      publish(gone, 'lost'),
      [queueDeclareFrame(1, gone)],
      ...names.flatMap((n) => publish(n, 'b')),
    ].flat());
    await withClient(env.broker, async (raw) => {
      await raw.handshake();
      await raw.openChannel(1);
      for (let at = 0, piece = 1; at < stream.length; at += piece, piece = 1 + ((at * 7919) % 3001)) {
        raw.send(stream.subarray(at, at + piece));
        if (at % 5 === 0) await sleep(0);
      }
      await raw.expectMethod([50, 41], WAIT_MS);
      await raw.expectMethod(M.queueDeclareOk, WAIT_MS);
      const counts = async () => Promise.all(names.map(async (n) => (await ch.checkQueue(n)).messageCount));
      const expected = names.map((n) => (n === gone ? 1 : 2));
      await waitUntil(async () => JSON.stringify(await counts()) === JSON.stringify(expected), WAIT_MS, 'every message in its queue');
      expect(await drain(ch, gone)).toEqual(['b']);
      expect(await drain(ch, names[0])).toEqual(['a', 'b']);
    });
    await Promise.all(names.map((n) => ch.deleteQueue(n)));
  });
});

describe('message content', () => {
  test('all basic properties and rich header tables arrive unchanged (consume, get and return)', async () => {
    const conn = await env.connect();
    const ch = await env.confirmChannel(conn);
    const { queue } = await ch.assertQueue('', { exclusive: true });
    const user = decodeURIComponent(new URL(env.broker.url).username || 'guest');
    const headers = {
      str: 'hello ünïcödé',
      int8: 5,
      int16: 1000,
      int32: 100_000,
      int64: 2 ** 40,
      negative: -3,
      double: 1.5,
      yes: true,
      no: false,
      nothing: null,
      bytes: Buffer.from([0, 1, 2, 255]),
      array: [1, 'two', true, [3], { four: 4 }],
      nested: { a: { b: { c: 'deep' } }, list: ['x', 'y'] },
      when: { '!': 'timestamp', value: 1_700_000_000 },
      money: { '!': 'decimal', value: { places: 2, digits: 12345 } },
      float: { '!': 'float', value: 0.5 },
      u8: { '!': 'uint8', value: 200 },
      u16: { '!': 'uint16', value: 60000 },
      u32: { '!': 'uint32', value: 4_000_000_000 },
      i16: { '!': 'int16', value: 5 },
    };
    const options: Options.Publish = {
      headers,
      contentType: 'application/json',
      contentEncoding: 'utf-8',
      deliveryMode: 2,
      priority: 7,
      correlationId: 'corr-1',
      replyTo: 'reply-queue',
      expiration: '60000',
      messageId: 'msg-1',
      timestamp: 1_700_000_001,
      type: 'order.created',
      userId: user,
      appId: 'warren-tests',
    };
    const expected = {
      contentType: 'application/json',
      contentEncoding: 'utf-8',
      headers: {
        ...headers,
        float: 0.5,
        u8: 200,
        u16: 60000,
        u32: 4_000_000_000,
        i16: 5,
      },
      deliveryMode: 2,
      priority: 7,
      correlationId: 'corr-1',
      replyTo: 'reply-queue',
      expiration: '60000',
      messageId: 'msg-1',
      timestamp: 1_700_000_001,
      type: 'order.created',
      userId: user,
      appId: 'warren-tests',
    };
    const body = Buffer.from(JSON.stringify({ hello: 'world' }));

    ch.sendToQueue(queue, body, options);
    await ch.waitForConfirms();
    const got = await ch.get(queue, { noAck: true });
    if (!got) throw new Error('no message');
    expect(got.properties).toMatchObject(expected);
    expect(got.content.equals(body)).toBe(true);

    const { inbox } = await consumeInto(ch, queue, { noAck: true });
    ch.sendToQueue(queue, body, options);
    const [delivered] = await inbox.waitFor(1);
    expect(delivered.properties).toMatchObject(expected);

    const returned = nextEvent<[Message]>(ch, 'return');
    ch.publish('amq.direct', uniqueName('nowhere'), body, { ...options, mandatory: true });
    const [r] = await returned;
    expect(r.properties).toMatchObject(expected);
    expect(r.content.equals(body)).toBe(true);
  });

  test('messages without properties arrive with none set (but the empty headers table amqplib sends)', async () => {
    const { ch, q } = await env.queueChannel();
    ch.sendToQueue(q, Buffer.from('plain'));
    const m = await waitUntil(() => ch.get(q, { noAck: true }), WAIT_MS, 'the message');
    expect(m.properties.headers).toEqual({}); // amqplib always sends a (here empty) headers table
    for (const k of ['contentType', 'contentEncoding', 'deliveryMode', 'priority', 'correlationId', 'replyTo', 'expiration', 'messageId', 'timestamp', 'type', 'userId', 'appId'] as const) {
      expect(m.properties[k], k).toBeUndefined();
    }
  });

  test('a user_id other than the authenticated user is a 406', async () => {
    const ch = await env.channel();
    const user = decodeURIComponent(new URL(env.broker.url).username || 'guest');
    await expectChannelError(
      ch,
      () => ch.sendToQueue(uniqueName('wt-any'), Buffer.from('x'), { userId: 'mallory' }),
      406,
      `PRECONDITION_FAILED - user_id property set to 'mallory' but authenticated user was '${user}'`,
    );
  });

  test('a 1 MiB body is split into frames and reassembled', async () => {
    const { ch, q } = await env.queueChannel();
    const body = randomBytes(1024 * 1024);
    ch.sendToQueue(q, body);
    const { inbox } = await consumeInto(ch, q, { noAck: true });
    const [m] = await inbox.waitFor(1, 10_000);
    expect(m.content.length).toBe(body.length);
    expect(m.content.equals(body)).toBe(true);
  });

  test('bodies at and around the frame_max boundary, across connections with different frame sizes', async () => {
    const small = await env.connect(env.url({ frameMax: 4096 }));
    const big = await env.connect();
    const pub = await env.confirmChannel(small);
    const sub = await env.channel(big);
    const q = env.queueName();
    await sub.assertQueue(q, { durable: false });
    const sizes = [4087, 4088, 4089, 8176, 131063, 131064, 131065, 262128, 262129, 100_000];
    const bodies = sizes.map((n) => randomBytes(n));
    for (const b of bodies) pub.sendToQueue(q, b);
    await within(pub.waitForConfirms(), WAIT_MS, 'confirms');
    const { inbox } = await consumeInto(sub, q, { noAck: true });
    await inbox.waitFor(bodies.length, 10_000);
    inbox.messages.forEach((m, i) => {
      expect(m.content.length, `size ${sizes[i]}`).toBe(sizes[i]);
      expect(m.content.equals(bodies[i]), `size ${sizes[i]}`).toBe(true);
    });
    // and back the other way: big frames published, small frames delivered
    const sub2 = await env.channel(small);
    const pub2 = await env.confirmChannel(big);
    const q2 = env.queueName();
    await sub2.assertQueue(q2, { durable: false });
    const body = randomBytes(50_000);
    pub2.sendToQueue(q2, body);
    await pub2.waitForConfirms();
    const r = await consumeInto(sub2, q2, { noAck: true });
    const [m] = await r.inbox.waitFor(1);
    expect(m.content.equals(body)).toBe(true);
  });

  test('a zero-length body arrives empty through consume, get and return', async () => {
    const { ch, q } = await env.queueChannel();
    ch.sendToQueue(q, Buffer.alloc(0), { messageId: 'empty-1' });
    const got = await waitUntil(() => ch.get(q, { noAck: true }), WAIT_MS, 'the message');
    expect(got.content.length).toBe(0);
    expect(got.properties.messageId).toBe('empty-1');
    const { inbox } = await consumeInto(ch, q, { noAck: true });
    ch.sendToQueue(q, Buffer.alloc(0));
    ch.sendToQueue(q, Buffer.from('after'));
    await inbox.waitFor(2);
    expect(inbox.messages[0].content.length).toBe(0);
    expect(inbox.bodies[1]).toBe('after');
    const returned = nextEvent<[Message]>(ch, 'return');
    ch.publish('amq.direct', uniqueName('nowhere'), Buffer.alloc(0), { mandatory: true });
    const [r] = await returned;
    expect(r.content.length).toBe(0);
  });

  test('messages from one channel arrive in publish order', async () => {
    const { q } = await env.queueChannel();
    const pub = await env.channel();
    const sub = await env.channel();
    const { inbox } = await consumeInto(sub, q, { noAck: true });
    const bodies = Array.from({ length: 1000 }, (_, i) => `m${i}`);
    for (const b of bodies) pub.sendToQueue(q, Buffer.from(b));
    await inbox.waitFor(1000, 10_000);
    expect(inbox.bodies).toEqual(bodies);
  });

  test('each message keeps its own properties when consecutive ones differ in a few octets of the same length', async () => {
    const { q } = await env.queueChannel();
    const pub = await env.channel();
    const sub = await env.channel();
    const { inbox } = await consumeInto(sub, q, { noAck: true });
    // one channel shares the previous message's property bytes while they repeat; these differ in the middle, or after 64 octets
    const long = 'x'.repeat(80);
    const sent = ['a1', 'a2', 'a2', 'a1', 'b1'].flatMap((v) => [{ v, pad: '' }, { v, pad: long }]);
    for (const { v, pad } of sent) pub.sendToQueue(q, Buffer.from(v), { headers: { pad: `${pad}${v}`, k: v }, correlationId: `c-${v}` });
    await inbox.waitFor(sent.length, 10_000);
    expect(inbox.messages.map((m) => [m.properties.headers?.pad, m.properties.headers?.k, m.properties.correlationId])).toEqual(
      sent.map(({ v, pad }) => [`${pad}${v}`, v, `c-${v}`]),
    );
  });

  test('CC routes copies and keeps the header; BCC routes copies and strips it', async () => {
    const ch = await env.confirmChannel();
    const main = (await ch.assertQueue('', { exclusive: true })).queue;
    const cc = (await ch.assertQueue('', { exclusive: true })).queue;
    const bcc = (await ch.assertQueue('', { exclusive: true })).queue;
    ch.sendToQueue(main, Buffer.from('copy'), { CC: cc, BCC: [bcc] });
    await ch.waitForConfirms();
    for (const q of [main, cc, bcc]) {
      const m = await ch.get(q, { noAck: true });
      if (!m) throw new Error(`nothing in ${q}`);
      expect(m.content.toString()).toBe('copy');
      expect(m.fields.routingKey).toBe(main);
      expect(m.properties.headers).toEqual({ CC: [cc] });
    }
  });
});

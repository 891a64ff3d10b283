// Conformance through @cloudamqp/amqp-client (amqp-client.js), the other major Node client: its
// low-level AMQPClient/AMQPChannel API and its high-level AMQPSession API, the way its users call them.
//
//   AMQP_URL=amqp://guest:guest@127.0.0.1:5672 npx vitest run broker/test/amqp-client-js.test.ts   (RabbitMQ 3.10)
//   npx vitest run broker/test/amqp-client-js.test.ts                                              (Warren)
//
// Every expectation holds against RabbitMQ; error texts are compared whole. The library words them
// itself: a channel closed by the server rejects with "channel <id> closed: <reply-text> (<code>)",
// a connection closed by the server with "connection closed: <reply-text> (<code>)".
//
// Field tables: amqp-client.js encodes strings as 'S', integers in (-2^32, 2^32) as 'I' (so values
// above 2^31 wrap into negative int32 — a client quirk, kept here because it is on the wire), other
// integers and bigints as 'l', non-integers in that range as 'f' (float32), others as 'd', booleans
// 't', arrays 'A', Uint8Array 'x', Date 'T' (whole seconds), null 'V', objects 'F'.
import { Buffer } from 'node:buffer';
import {
  AMQPClient,
  AMQPError,
  AMQPSession,
  type AMQPBaseClient,
  type AMQPChannel,
  type AMQPMessage,
  type AMQPProperties,
} from '@cloudamqp/amqp-client';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { sleep, uniqueName, waitUntil, within } from './amqp-helpers';
import { startTestBroker, type TestBroker } from './harness';

/** How long to watch for something that must NOT happen. */
const QUIET_MS = 200;

let broker: TestBroker;
const clients = new Set<AMQPBaseClient>();
const sessions = new Set<AMQPSession>();
const queues = new Set<string>();
const exchanges = new Set<string>();

beforeAll(async () => {
  broker = await startTestBroker();
});

afterEach(async () => {
  for (const s of sessions) await within(s.stop(), 2000, 'session stop').catch(() => {});
  sessions.clear();
  for (const c of clients) await closeQuietly(c);
  clients.clear();
  if (queues.size === 0 && exchanges.size === 0) return;
  // a fresh connection: the test's own may be gone, and a missing queue or exchange is not an error
  const conn = await connect();
  const ch = await conn.channel();
  for (const q of queues) await within(ch.queueDelete(q), 2000, `delete queue ${q}`);
  for (const x of exchanges) await within(ch.exchangeDelete(x), 2000, `delete exchange ${x}`);
  queues.clear();
  exchanges.clear();
  await closeQuietly(conn);
});

afterAll(async () => {
  await broker?.close();
});

async function closeQuietly(c: AMQPBaseClient): Promise<void> {
  if (c.closed) return;
  await within(c.close(), 2000, 'connection close').catch(() => {
    (c as AMQPClient).socket?.destroy();
  });
}

/** broker URL with `user:pass` swapped and query parameters (frameMax, channelMax, heartbeat) added */
function urlWith(params: Record<string, string> = {}, auth?: { user: string; pass: string }): string {
  const u = new URL(broker.url);
  if (auth) {
    u.username = auth.user;
    u.password = auth.pass;
  }
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
  return u.toString();
}

async function connect(params: Record<string, string> = {}): Promise<AMQPBaseClient> {
  const client = new AMQPClient(urlWith(params), undefined, null);
  const conn = await within(client.connect(), 3000, 'connect');
  clients.add(conn);
  return conn;
}

async function session(): Promise<AMQPSession> {
  const s = await within(AMQPSession.connect(broker.url, { logger: null, maxRetries: 1 }), 3000, 'session connect');
  sessions.add(s);
  return s;
}

function qname(prefix = 'acjs'): string {
  const n = uniqueName(prefix);
  queues.add(n);
  return n;
}

function xname(prefix = 'acjs-x'): string {
  const n = uniqueName(prefix);
  exchanges.add(n);
  return n;
}

/** A connection, a channel on it and a fresh non-durable queue named after `prefix`. */
async function channelWithQueue(
  prefix: string,
  args?: Record<string, unknown>,
): Promise<{ conn: AMQPBaseClient; ch: AMQPChannel; q: string }> {
  const conn = await connect();
  const ch = await conn.channel();
  const q = qname(prefix);
  await ch.queueDeclare(q, { durable: false }, args);
  return { conn, ch, q };
}

/** Collects the messages a consumer callback receives. */
class Inbox {
  readonly messages: AMQPMessage[] = [];
  readonly push = (m: AMQPMessage): void => {
    this.messages.push(m);
  };
  get bodies(): (string | null)[] {
    return this.messages.map((m) => m.bodyToString());
  }
  async count(n: number, what = `${n} messages`): Promise<AMQPMessage[]> {
    await waitUntil(() => this.messages.length >= n, 3000, what);
    return this.messages;
  }
}

/** A server-named queue bound to exchange `x` once per key, and an Inbox consuming it without acks. */
async function subscribe(ch: AMQPChannel, x: string, ...keys: string[]): Promise<{ queue: string; inbox: Inbox }> {
  const { name } = await ch.queueDeclare('');
  for (const key of keys) await ch.queueBind(name, x, key);
  const inbox = new Inbox();
  await ch.basicConsume(name, { noAck: true }, inbox.push);
  return { queue: name, inbox };
}

/** Rejection message of `p`, which must reject within the time. */
async function rejection(p: Promise<unknown>, what = 'rejection'): Promise<string> {
  const err = await within(
    p.then(
      () => {
        throw new Error(`${what}: expected a rejection, got success`);
      },
      (e: unknown) => e,
    ),
    3000,
    what,
  );
  if (!(err instanceof Error)) throw new Error(`${what}: rejected with a non-Error ${String(err)}`);
  if (err.message.startsWith(`${what}: expected a rejection`)) throw err;
  return err.message;
}

/** The next channel-level error reported to `ch.onerror`. */
function nextChannelError(ch: AMQPChannel): Promise<string> {
  return within(new Promise<string>((resolve) => (ch.onerror = resolve)), 3000, `channel ${ch.id} error`);
}

/**
 * The errors reported to `conn.onerror` for one server-side close: the library reports each open
 * channel first ("Channel <id> closed: ..."), the connection itself last.
 */
function connectionErrors(conn: AMQPBaseClient): Promise<AMQPError[]> {
  const seen: AMQPError[] = [];
  return within(
    new Promise<AMQPError[]>((resolve) => {
      conn.onerror = (e) => {
        seen.push(e);
        if (!e.message.startsWith('Channel ')) resolve(seen);
      };
    }),
    3000,
    'connection error',
  );
}

const fib = (n: number): number => (n < 2 ? n : fib(n - 1) + fib(n - 2));

// ---------------------------------------------------------------------------------------------

describe('tutorials', () => {
  test('1 hello world: publish to the default exchange, consume with auto-ack', async () => {
    const conn = await connect();
    const ch = await conn.channel();
    const q = qname('hello');
    const ok = await ch.queueDeclare(q, { durable: false });
    expect(ok).toEqual({ name: q, messageCount: 0, consumerCount: 0 });
    await ch.basicPublish('', q, 'Hello World!');
    const inbox = new Inbox();
    const consumer = await ch.basicConsume(q, { noAck: true }, inbox.push);
    expect(consumer.tag).toMatch(/^amq\.ctag-[A-Za-z0-9_-]{22}$/);
    const [m] = await inbox.count(1);
    expect(m.bodyToString()).toBe('Hello World!');
    expect(m.exchange).toBe('');
    expect(m.routingKey).toBe(q);
    expect(m.redelivered).toBe(false);
    expect(m.consumerTag).toBe(consumer.tag);
    expect(m.deliveryTag).toBe(1);
    await consumer.cancel();
    await within(consumer.wait(1000), 2000, 'consumer wait');
  });

  test('2 work queue: prefetch 1 and manual ack send work to the free worker', async () => {
    const conn = await connect();
    const pub = await conn.channel();
    const q = qname('task');
    await pub.queueDeclare(q, { durable: true });
    const slow = await conn.channel();
    const fast = await conn.channel();
    await slow.prefetch(1);
    await fast.prefetch(1);
    const slowBox = new Inbox();
    const fastBox = new Inbox();
    await slow.basicConsume(q, { noAck: false }, slowBox.push);
    await fast.basicConsume(q, { noAck: false }, async (m) => {
      fastBox.push(m);
      await m.ack();
    });
    for (let i = 0; i < 10; i++) await pub.basicPublish('', q, `task ${i}`, { deliveryMode: 2 });
    await fastBox.count(9);
    await sleep(QUIET_MS);
    // the slow worker still holds its first task, so prefetch 1 gives it nothing more
    expect(slowBox.bodies).toEqual(['task 0']);
    expect(fastBox.bodies).toEqual(Array.from({ length: 9 }, (_, i) => `task ${i + 1}`));
    expect(fastBox.messages.every((m) => m.properties.deliveryMode === 2)).toBe(true);
    await pub.basicPublish('', q, 'task 10');
    await fastBox.count(10);
    await slowBox.messages[0].ack();
    await pub.basicPublish('', q, 'task 11');
    await pub.basicPublish('', q, 'task 12');
    await waitUntil(() => slowBox.messages.length + fastBox.messages.length === 13, 3000, 'all 13 tasks');
    expect(slowBox.messages.length).toBeGreaterThanOrEqual(2);
    const status = await pub.queueDeclare(q, { passive: true });
    expect(status.messageCount).toBe(0);
    expect(status.consumerCount).toBe(2);
  });

  test('3 publish/subscribe: fanout to exclusive server-named queues', async () => {
    const x = xname('logs');
    const conns = [await connect(), await connect()];
    const boxes: Inbox[] = [];
    const names: string[] = [];
    for (const conn of conns) {
      const ch = await conn.channel();
      await ch.exchangeDeclare(x, 'fanout', { durable: false });
      const ok = await ch.queueDeclare('');
      expect(ok.name).toMatch(/^amq\.gen-[A-Za-z0-9_-]{22}$/);
      expect(ok.messageCount).toBe(0);
      names.push(ok.name);
      await ch.queueBind(ok.name, x, '');
      const box = new Inbox();
      await ch.basicConsume(ok.name, { noAck: true }, box.push);
      boxes.push(box);
    }
    expect(names[0]).not.toBe(names[1]);
    const pubConn = await connect();
    const pub = await pubConn.channel();
    for (const line of ['info: one', 'warning: two']) await pub.basicPublish(x, 'ignored-key', line);
    for (const box of boxes) {
      await box.count(2);
      expect(box.bodies).toEqual(['info: one', 'warning: two']);
      expect(box.messages[0].exchange).toBe(x);
      expect(box.messages[0].routingKey).toBe('ignored-key');
    }
    // the exclusive queue belongs to its connection and goes with it
    await conns[0].close();
    const msg = await rejection(pub.queueDeclare(names[0], { passive: true }), 'passive declare of a gone queue');
    expect(msg).toBe(`channel ${pub.id} closed: NOT_FOUND - no queue '${names[0]}' in vhost '/' (404)`);
  });

  test('4 routing: direct exchange with several bindings per queue', async () => {
    const conn = await connect();
    const ch = await conn.channel();
    const x = xname('direct-logs');
    await ch.exchangeDeclare(x, 'direct', { durable: false });
    const { inbox: errBox } = await subscribe(ch, x, 'error');
    const { queue: all, inbox: allBox } = await subscribe(ch, x, 'info', 'warning', 'error');
    for (const sev of ['info', 'warning', 'error', 'debug']) await ch.basicPublish(x, sev, `${sev} message`);
    await allBox.count(3);
    await errBox.count(1);
    await sleep(QUIET_MS);
    expect(allBox.bodies).toEqual(['info message', 'warning message', 'error message']);
    expect(errBox.bodies).toEqual(['error message']);
    expect(errBox.messages[0].routingKey).toBe('error');
    await ch.queueUnbind(all, x, 'info');
    await ch.basicPublish(x, 'info', 'info again');
    await ch.basicPublish(x, 'warning', 'warning again');
    await allBox.count(4);
    await sleep(QUIET_MS);
    expect(allBox.bodies.slice(3)).toEqual(['warning again']);
  });

  test('5 topics: * matches one word, # zero or more', async () => {
    const conn = await connect();
    const ch = await conn.channel();
    const x = xname('topic-logs');
    await ch.exchangeDeclare(x, 'topic', { durable: false });
    const { inbox: b1 } = await subscribe(ch, x, '*.orange.*');
    const { inbox: b2 } = await subscribe(ch, x, '*.*.rabbit', 'lazy.#');
    const keys = [
      'quick.orange.rabbit', 'lazy.orange.elephant', 'quick.orange.fox', 'lazy.brown.fox', 'lazy.pink.rabbit',
      'quick.brown.fox', 'orange', 'quick.orange.male.rabbit', 'lazy.orange.male.rabbit', 'lazy',
    ];
    for (const k of keys) await ch.basicPublish(x, k, k);
    await b1.count(3);
    await b2.count(6);
    await sleep(QUIET_MS);
    expect(b1.bodies).toEqual(['quick.orange.rabbit', 'lazy.orange.elephant', 'quick.orange.fox']);
    // lazy.pink.rabbit matches both of the second queue's bindings and still arrives once
    expect(b2.bodies).toEqual([
      'quick.orange.rabbit', 'lazy.orange.elephant', 'lazy.brown.fox', 'lazy.pink.rabbit', 'lazy.orange.male.rabbit', 'lazy',
    ]);
  });

  test('6 RPC: reply_to an exclusive callback queue, matched by correlation_id', async () => {
    const serverConn = await connect();
    const srv = await serverConn.channel();
    const rpcQueue = qname('rpc');
    await srv.queueDeclare(rpcQueue, { durable: false });
    await srv.prefetch(1);
    await srv.basicConsume(rpcQueue, { noAck: false }, async (m) => {
      const n = Number(m.bodyToString());
      await srv.basicPublish('', m.properties.replyTo ?? '', String(fib(n)), { correlationId: m.properties.correlationId });
      await m.ack();
    });

    const clientConn = await connect();
    const cli = await clientConn.channel();
    const callback = await cli.queueDeclare('', { exclusive: true });
    const pending = new Map<string, (body: string) => void>();
    const strays: string[] = [];
    await cli.basicConsume(callback.name, { noAck: true }, (m) => {
      const resolve = pending.get(m.properties.correlationId ?? '');
      if (resolve) resolve(m.bodyToString() ?? '');
      else strays.push(m.bodyToString() ?? '');
    });
    const call = (n: number): Promise<string> => {
      const id = `corr-${n}-${Math.random().toString(36).slice(2)}`;
      const answer = new Promise<string>((resolve) => pending.set(id, resolve));
      void cli.basicPublish('', rpcQueue, String(n), { replyTo: callback.name, correlationId: id });
      return within(answer, 3000, `fib(${n})`);
    };
    expect(await Promise.all([call(10), call(20), call(1), call(0)])).toEqual(['55', '6765', '1', '0']);
    expect(strays).toEqual([]);
  });

  test('6b RPC through the session API: direct reply-to (amq.rabbitmq.reply-to)', async () => {
    const s = await session();
    const rpcQueue = qname('rpc-direct');
    await s.queue(rpcQueue, { durable: false });
    await s.rpcServer(rpcQueue, (m) => `processed:${m.bodyString()}`);
    const reply = await within(s.rpcCall(rpcQueue, 'hello', { timeout: 3000 }), 4000, 'rpcCall');
    expect(reply.bodyString()).toBe('processed:hello');
    expect(reply.properties.correlationId).toBeDefined();
    const rpc = await s.rpcClient();
    const replies = await within(Promise.all(['a', 'b', 'c'].map((b) => rpc.call(rpcQueue, b, { timeout: 3000 }))), 4000, 'calls');
    expect(replies.map((r) => r.bodyString())).toEqual(['processed:a', 'processed:b', 'processed:c']);
    expect(replies[0].routingKey).toMatch(/^amq\.rabbitmq\.reply-to\./);
    await rpc.close();
  });

  test('durable queue and persistent message: flags kept, redeclare with other flags is 406', async () => {
    const conn = await connect();
    const ch = await conn.channel();
    const q = qname('durable');
    // amqp-client.js declares named queues durable by default
    await ch.queueDeclare(q);
    await ch.confirmSelect();
    await ch.basicPublish('', q, 'persist me', { deliveryMode: 2, contentType: 'text/plain' });
    const again = await ch.queueDeclare(q, { durable: true });
    expect(again).toEqual({ name: q, messageCount: 1, consumerCount: 0 });
    const m = await ch.basicGet(q);
    expect(m?.bodyToString()).toBe('persist me');
    expect(m?.properties).toEqual({ deliveryMode: 2, contentType: 'text/plain' });
    const msg = await rejection(ch.queueDeclare(q, { durable: false }), 'redeclare non-durable');
    expect(msg).toBe(
      `channel ${ch.id} closed: PRECONDITION_FAILED - inequivalent arg 'durable' for queue '${q}' in vhost '/': received 'false' but current is 'true' (406)`,
    );
  });
});

// ---------------------------------------------------------------------------------------------

describe('message properties', () => {
  test('every basic property round-trips through a queue', async () => {
    const { ch, q } = await channelWithQueue('props');
    const props: AMQPProperties = {
      contentType: 'application/json',
      contentEncoding: 'gzip',
      headers: { h: 'v' },
      deliveryMode: 2,
      priority: 7,
      correlationId: 'corr-1',
      replyTo: 'reply.queue',
      expiration: '60000',
      messageId: 'msg-1',
      timestamp: new Date(1_700_000_000_000),
      type: 'order.created',
      userId: 'guest',
      appId: 'amqp-client-js-test',
    };
    await ch.basicPublish('', q, '{"a":1}', props);
    const m = await ch.basicGet(q);
    expect(m).not.toBeNull();
    expect(m?.properties).toEqual(props);
    expect(m?.bodyToString()).toBe('{"a":1}');
    expect(m?.messageCount).toBe(0);
  });

  test('headers of every field type the library encodes round-trip', async () => {
    const { ch, q } = await channelWithQueue('headers');
    const when = new Date(1_600_000_000_000);
    const headers = {
      str: 'hello',
      utf8: 'grüße ✓',
      empty: '',
      int: 42,
      neg: -17,
      zero: 0,
      int32max: 2 ** 31 - 1,
      int32min: -(2 ** 31),
      wraps: 3_000_000_000,
      big: 2 ** 40,
      negBig: -(2 ** 40) - 5,
      bigint: 9_007_199_254_740_993n,
      float: 1.5,
      inexact: 0.1,
      double: 1e12 + 0.5,
      yes: true,
      no: false,
      nothing: null,
      skipped: undefined,
      when,
      bytes: new Uint8Array([0, 1, 2, 255]),
      nested: { a: 1, b: { c: 'deep', d: [1, 'two', false] } },
      list: [1, 'two', 3.25, true, null, { k: 'v' }, [4, 5], when],
      emptyList: [],
      emptyTable: {},
    };
    await ch.basicPublish('', q, 'h', { headers });
    const m = await ch.basicGet(q);
    const got = m?.properties.headers ?? {};
    // every value comes back as sent (an undefined one is left out), but for what the client's encoding changes
    expect(got).toEqual({
      ...headers,
      // written as a signed 32-bit 'I' by the client
      wraps: 3_000_000_000 - 2 ** 32,
      // 'l' comes back as a Number, which cannot hold 2^53 + 1
      bigint: 9_007_199_254_740_992,
      // written as a float32 'f'
      inexact: Math.fround(0.1),
    });
    expect(Object.keys(got)).toEqual(Object.keys(headers).filter((k) => k !== 'skipped'));
  });

  test('an empty body, a binary body and no properties at all', async () => {
    const { ch, q } = await channelWithQueue('bodies');
    const binary = new Uint8Array(256).map((_, i) => i);
    await ch.basicPublish('', q, null);
    await ch.basicPublish('', q, binary);
    const empty = await ch.basicGet(q);
    expect(empty?.bodySize).toBe(0);
    expect(empty?.properties).toEqual({});
    expect(empty?.messageCount).toBe(1);
    const bin = await ch.basicGet(q);
    expect(Buffer.from(bin?.body ?? new Uint8Array()).equals(Buffer.from(binary))).toBe(true);
  });

  test('user_id other than the authenticated user is refused with 406', async () => {
    const { ch, q } = await channelWithQueue('userid');
    const err = nextChannelError(ch);
    await ch.basicPublish('', q, 'x', { userId: 'bob' });
    expect(await err).toBe(
      `channel ${ch.id} closed: PRECONDITION_FAILED - user_id property set to 'bob' but authenticated user was 'guest' (406)`,
    );
  });

  test('per-message expiration drops the message once it has expired', async () => {
    const { ch, q } = await channelWithQueue('expire');
    await ch.basicPublish('', q, 'short', { expiration: '20' });
    await ch.basicPublish('', q, 'long', { expiration: '60000' });
    await sleep(100);
    const m = await ch.basicGet(q);
    expect(m?.bodyToString()).toBe('long');
    expect(m?.properties.expiration).toBe('60000');
    expect(await ch.basicGet(q)).toBeNull();
  });
});

// ---------------------------------------------------------------------------------------------

describe('publishing', () => {
  test('publisher confirms: each publish promise resolves with its sequence number', async () => {
    const conn = await connect();
    const ch = await conn.channel();
    const q = qname('confirm');
    await ch.queueDeclare(q, { durable: true });
    await ch.confirmSelect();
    const seqs = await within(
      Promise.all(Array.from({ length: 50 }, (_, i) => ch.basicPublish('', q, `m${i}`, { deliveryMode: i % 2 ? 2 : 1 }))),
      3000,
      'confirms',
    );
    expect(seqs).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    // unroutable and to a queue-less exchange: still acked
    expect(await ch.basicPublish('amq.direct', 'nowhere', 'x')).toBe(51);
    expect((await ch.queueDeclare(q, { passive: true })).messageCount).toBe(50);
  });

  test('publisher confirms: a queue refusing the message (reject-publish) nacks it', async () => {
    const { ch, q } = await channelWithQueue('full', { 'x-max-length': 1, 'x-overflow': 'reject-publish' });
    await ch.confirmSelect();
    expect(await ch.basicPublish('', q, 'fits')).toBe(1);
    expect(await rejection(ch.basicPublish('', q, 'overflows'), 'nacked publish')).toBe('Message rejected');
    expect(await ch.basicPublish('amq.fanout', '', 'no queue')).toBe(3);
    expect((await ch.basicGet(q))?.bodyToString()).toBe('fits');
  });

  test('publish to a missing exchange closes the channel with 404 and rejects the pending confirm', async () => {
    const conn = await connect();
    const ch = await conn.channel();
    await ch.confirmSelect();
    const missing = uniqueName('acjs-nox');
    const err = nextChannelError(ch);
    const msg = await rejection(ch.basicPublish(missing, 'k', 'x'), 'publish to missing exchange');
    const expected = `channel ${ch.id} closed: NOT_FOUND - no exchange '${missing}' in vhost '/' (404)`;
    expect(msg).toBe(expected);
    expect(await err).toBe(expected);
    expect(ch.closed).toBe(true);
    // only the channel is gone
    const other = await conn.channel();
    expect((await other.queueDeclare('')).messageCount).toBe(0);
    expect(conn.closed).toBe(false);
  });

  test('mandatory: an unroutable message comes back through onReturn with 312 NO_ROUTE', async () => {
    const conn = await connect();
    const ch = await conn.channel();
    const returned: AMQPMessage[] = [];
    ch.onReturn = (m) => returned.push(m);
    await ch.confirmSelect();
    const key = uniqueName('acjs-unrouted');
    expect(await ch.basicPublish('amq.direct', key, 'bounce', { messageId: 'r1', headers: { n: 1 } }, true)).toBe(1);
    // basic.return comes before the confirm, so it is already there when the publish resolves
    expect(returned.length).toBe(1);
    const [r] = returned;
    expect(r.replyCode).toBe(312);
    expect(r.replyText).toBe('NO_ROUTE');
    expect(r.exchange).toBe('amq.direct');
    expect(r.routingKey).toBe(key);
    expect(r.bodyToString()).toBe('bounce');
    expect(r.properties).toEqual({ messageId: 'r1', headers: { n: 1 } });
    // routable or not mandatory: nothing comes back
    const q = qname('routed');
    await ch.queueDeclare(q, { durable: false });
    await ch.basicPublish('', q, 'fine', {}, true);
    await ch.basicPublish('amq.direct', key, 'dropped', {}, false);
    await sleep(QUIET_MS);
    expect(returned.length).toBe(1);
  });

  test('a 5 MB body is split across frames both ways (frame_max 8192 and 131072)', async () => {
    const body = Buffer.alloc(5 * 1024 * 1024);
    for (let i = 0; i < body.length; i += 4) body.writeUInt32BE(i, i);
    for (const frameMax of ['8192', '131072']) {
      const conn = await connect({ frameMax });
      expect(conn.frameMax).toBe(Number(frameMax));
      const ch = await conn.channel();
      const q = qname('large');
      await ch.queueDeclare(q, { durable: false });
      await ch.confirmSelect();
      await within(ch.basicPublish('', q, body, { messageId: 'big' }), 5000, 'large publish');
      const box = new Inbox();
      await ch.basicConsume(q, { noAck: true }, box.push);
      const [m] = await box.count(1, 'large message');
      expect(m.bodySize).toBe(body.length);
      expect(Buffer.from(m.body ?? new Uint8Array()).equals(body)).toBe(true);
      const got = await (async () => {
        await ch.basicPublish('', q, body.subarray(0, 1_000_003));
        await box.count(2, 'second large message');
        return box.messages[1];
      })();
      expect(got.bodySize).toBe(1_000_003);
      // basic.get-ok and basic.return carry large bodies too
      const getQ = qname('large-get');
      await ch.queueDeclare(getQ, { durable: false });
      await ch.basicPublish('', getQ, body.subarray(0, 700_001));
      const viaGet = await within(ch.basicGet(getQ), 3000, 'large get');
      expect(viaGet?.bodySize).toBe(700_001);
      expect(Buffer.from(viaGet?.body ?? new Uint8Array()).equals(body.subarray(0, 700_001))).toBe(true);
      const returned: AMQPMessage[] = [];
      ch.onReturn = (r) => returned.push(r);
      await ch.basicPublish('amq.direct', uniqueName('acjs-nowhere'), body.subarray(0, 900_007), { messageId: 'ret' }, true);
      expect(returned.length).toBe(1);
      expect(returned[0].bodySize).toBe(900_007);
      expect(Buffer.from(returned[0].body ?? new Uint8Array()).equals(body.subarray(0, 900_007))).toBe(true);
      await conn.close();
    }
  });
});

// ---------------------------------------------------------------------------------------------

describe('consuming', () => {
  test('basicGet: null on empty, message_count of what is left, manual ack', async () => {
    const { ch, q } = await channelWithQueue('get');
    expect(await ch.basicGet(q)).toBeNull();
    for (const b of ['a', 'b', 'c']) await ch.basicPublish('', q, b);
    const a = await ch.basicGet(q, { noAck: false });
    expect(a?.bodyToString()).toBe('a');
    expect(a?.messageCount).toBe(2);
    expect(a?.deliveryTag).toBe(1);
    expect(a?.redelivered).toBe(false);
    expect(a?.exchange).toBe('');
    expect(a?.routingKey).toBe(q);
    const b = await ch.basicGet(q, { noAck: true });
    expect(b?.messageCount).toBe(1);
    expect(b?.deliveryTag).toBe(2);
    await a?.ack();
    const c = await ch.basicGet(q, { noAck: false });
    expect(c?.messageCount).toBe(0);
    expect(c?.deliveryTag).toBe(3);
    await c?.ack();
    expect(await ch.basicGet(q)).toBeNull();
    expect((await ch.queueDeclare(q, { passive: true })).messageCount).toBe(0);
  });

  test('nack and reject, with and without requeue; redelivered is set on the way back', async () => {
    const { ch, q } = await channelWithQueue('nack');
    for (const b of ['one', 'two', 'three', 'four']) await ch.basicPublish('', q, b);

    /** the next message by basic.get, unacked: it must be `body`, flagged `redelivered` or not */
    const next = async (body: string, redelivered: boolean) => {
      const m = await ch.basicGet(q, { noAck: false });
      expect(m?.bodyToString()).toBe(body);
      expect(m?.redelivered).toBe(redelivered);
      return m;
    };
    await (await next('one', false))?.nack(true);
    await (await next('one', true))?.reject(false);
    await (await next('two', false))?.reject(true);
    await (await next('two', true))?.nack(false);

    // nack multiple requeues everything up to the tag, back in publish order
    const three = await ch.basicGet(q, { noAck: false });
    const four = await ch.basicGet(q, { noAck: false });
    expect(await ch.basicGet(q)).toBeNull();
    await four?.nack(true, true);
    expect(three?.isAcked).toBe(false);
    const box = new Inbox();
    await ch.basicConsume(q, { noAck: false }, box.push);
    await box.count(2);
    expect(box.bodies).toEqual(['three', 'four']);
    expect(box.messages.map((m) => m.redelivered)).toEqual([true, true]);
    await box.messages[1].ack(true);
    await sleep(QUIET_MS);
    expect(box.messages.length).toBe(2);
    const ok = await ch.queueDeclare(q, { passive: true });
    expect(ok).toEqual({ name: q, messageCount: 0, consumerCount: 1 });
  });

  test('basicRecover requeues unacked deliveries, redelivered', async () => {
    const { ch, q } = await channelWithQueue('recover');
    const box = new Inbox();
    await ch.basicConsume(q, { noAck: false }, box.push);
    await ch.basicPublish('', q, 'r1');
    await ch.basicPublish('', q, 'r2');
    await box.count(2);
    await ch.basicRecover(true);
    await box.count(4);
    expect(box.bodies).toEqual(['r1', 'r2', 'r1', 'r2']);
    expect(box.messages.map((m) => m.redelivered)).toEqual([false, false, true, true]);
    expect(box.messages.map((m) => m.deliveryTag)).toEqual([1, 2, 3, 4]);
  });

  test('consumer cancel: wait() resolves, nothing more is delivered, async iterator ends', async () => {
    const { ch, q } = await channelWithQueue('cancel');
    const box = new Inbox();
    const consumer = await ch.basicConsume(q, { tag: 'my-tag', noAck: true }, box.push);
    expect(consumer.tag).toBe('my-tag');
    await ch.basicPublish('', q, 'before');
    await box.count(1);
    await consumer.cancel();
    await within(consumer.wait(), 1000, 'wait after cancel');
    await ch.basicPublish('', q, 'after');
    await sleep(QUIET_MS);
    expect(box.bodies).toEqual(['before']);
    expect((await ch.queueDeclare(q, { passive: true })).consumerCount).toBe(0);
    // cancelling a tag the server does not know is fine
    await ch.basicCancel('never-was');

    const gen = await ch.basicConsume(q, { noAck: false });
    const seen: string[] = [];
    for await (const m of gen.messages) {
      seen.push(m.bodyToString() ?? '');
      await m.ack();
      break; // leaving the loop cancels the consumer
    }
    expect(seen).toEqual(['after']);
    expect((await ch.queueDeclare(q, { passive: true })).consumerCount).toBe(0);
  });

  test('session queue.subscribe acks on return, cancel stops it and closes its channel', async () => {
    const s = await session();
    const name = qname('sub');
    const q = await s.queue(name, { durable: false });
    const got: string[] = [];
    const sub = await q.subscribe({ prefetch: 5 }, (m) => {
      got.push(m.bodyString() ?? '');
    });
    for (const b of ['s1', 's2', 's3']) await q.publish(b);
    await waitUntil(() => got.length === 3, 3000, 'subscribed messages');
    expect(got).toEqual(['s1', 's2', 's3']);
    const ch = sub.channel;
    await sub.cancel();
    expect(ch.closed).toBe(true);
    await q.publish('s4', { deliveryMode: 1 });
    await sleep(QUIET_MS);
    expect(got.length).toBe(3);
    const left = await q.get();
    expect(left?.bodyString()).toBe('s4');
    expect(left?.properties.deliveryMode).toBe(1);
    // a throwing callback nacks with requeue: the message comes back redelivered
    const seen: boolean[] = [];
    const sub2 = await q.subscribe(async (m) => {
      seen.push(m.redelivered);
      if (seen.length === 1) throw new Error('try again');
    });
    await q.publish('s5');
    await waitUntil(() => seen.length === 2, 3000, 'redelivery after throw');
    expect(seen).toEqual([false, true]);
    await sub2.cancel();
    expect((await q.purge()).messageCount).toBe(0);
  });

  test('session exchanges, bindings, consumeOne and the async-iterator subscription', async () => {
    const returned: string[] = [];
    const s = await within(
      AMQPSession.connect(broker.url, { logger: null, maxRetries: 1, onreturn: (m) => returned.push(m.bodyString() ?? '') }),
      3000,
      'session connect',
    );
    sessions.add(s);
    const x = await s.topicExchange(xname('s-topic'), { durable: false });
    const q = await s.queue(qname('s-q'), { durable: false });
    await q.bind(x, 'orders.*');
    await x.publish('created', { routingKey: 'orders.created' });
    await x.publish('ignored', { routingKey: 'users.created' });
    await x.publish('bounced', { routingKey: 'users.deleted', mandatory: true });
    const one = await within(q.consumeOne({ timeout: 2000 }), 3000, 'consumeOne');
    expect(one.bodyString()).toBe('created');
    expect(one.routingKey).toBe('orders.created');
    expect(returned).toEqual(['bounced']);
    await q.unbind(x, 'orders.*');
    await x.publish('after unbind', { routingKey: 'orders.created' });
    await q.publish('direct 1');
    await q.publish('direct 2');
    const sub = await q.subscribe({ noAck: false });
    const seen: string[] = [];
    for await (const m of sub) {
      seen.push(m.bodyString() ?? '');
      if (seen.length === 2) break;
    }
    await sub.cancel();
    expect(seen).toEqual(['direct 1', 'direct 2']);
    // the iterator acks a message when it moves past it: the one it stopped on goes back, redelivered
    const left = await q.get();
    expect(left?.bodyString()).toBe('direct 2');
    expect(left?.redelivered).toBe(true);
    expect(await q.get()).toBeNull();
  });

  test('server-side cancel when the queue is deleted: wait() rejects, iterator throws', async () => {
    const { conn, ch, q } = await channelWithQueue('doomed');
    const consumer = await ch.basicConsume(q, { noAck: true }, () => {});
    const waiting = consumer.wait();
    // observed now, asserted below: the cancel may land before the assertion attaches
    waiting.catch(() => {});
    const gen = await ch.basicConsume(q, { noAck: true });
    const iterating = (async () => {
      for await (const _m of gen.messages) {
        // nothing is published
      }
    })();
    iterating.catch(() => {});
    const other = await conn.channel();
    expect(await other.queueDelete(q)).toEqual({ messageCount: 0 });
    expect(await rejection(waiting, 'consumer wait')).toBe('Consumer cancelled by the server');
    expect(await rejection(iterating, 'consumer iterator')).toBe('Consumer cancelled by the server');
    expect(ch.consumers.size).toBe(0);
    // the channel survives the cancel
    expect(ch.closed).toBe(false);
    await ch.queueDeclare(q, { durable: false });
  });

  test('basicQos global limits the whole channel, per-consumer limits each consumer', async () => {
    const conn = await connect();
    const pub = await conn.channel();
    const qa = qname('qos-a');
    const qb = qname('qos-b');
    for (const q of [qa, qb]) {
      await pub.queueDeclare(q, { durable: false });
      for (let i = 0; i < 5; i++) await pub.basicPublish('', q, `${q}-${i}`);
    }
    const global = await conn.channel();
    await global.basicQos(3, 0, true);
    const gBox = new Inbox();
    await global.basicConsume(qa, { noAck: false }, gBox.push);
    await global.basicConsume(qb, { noAck: false }, gBox.push);
    await gBox.count(3);
    await sleep(QUIET_MS);
    expect(gBox.messages.length).toBe(3);
    await gBox.messages[0].ack();
    await gBox.count(4);
    await sleep(QUIET_MS);
    expect(gBox.messages.length).toBe(4);
    await global.close();

    const perConsumer = await conn.channel();
    await perConsumer.basicQos(2);
    const a = new Inbox();
    const b = new Inbox();
    await perConsumer.basicConsume(qa, { noAck: false }, a.push);
    await perConsumer.basicConsume(qb, { noAck: false }, b.push);
    await a.count(2);
    await b.count(2);
    await sleep(QUIET_MS);
    expect([a.messages.length, b.messages.length]).toEqual([2, 2]);
    // closing the global channel requeued its unacked messages, redelivered
    expect(a.messages[0].redelivered || b.messages[0].redelivered).toBe(true);
  });

  test('consumer tag reused on a channel is a 530 connection error', async () => {
    const { conn, ch, q } = await channelWithQueue('tagreuse');
    await ch.basicConsume(q, { tag: 'dup' }, () => {});
    const connErr = connectionErrors(conn);
    const msg = await rejection(ch.basicConsume(q, { tag: 'dup' }, () => {}), 'duplicate tag');
    const expected = "connection closed: NOT_ALLOWED - attempt to reuse consumer tag 'dup' (530)";
    expect(msg).toBe(expected);
    expect((await connErr).map((e) => e.message)).toEqual([`Channel 0 closed: ${expected}`, `Channel ${ch.id} closed: ${expected}`, expected]);
    expect(conn.closed).toBe(true);
  });

  test('consumer arguments: x-priority must be an integer', async () => {
    const { ch, q } = await channelWithQueue('cprio');
    const ok = await ch.basicConsume(q, { args: { 'x-priority': 5 } }, () => {});
    expect(ok.tag).toMatch(/^amq\.ctag-/);
    expect(await rejection(ch.basicConsume(q, { args: { 'x-priority': 'high' } }, () => {}), 'x-priority string')).toBe(
      `channel ${ch.id} closed: PRECONDITION_FAILED - invalid arg 'x-priority' for queue '${q}' in vhost '/': "expected integer, got longstr" (406)`,
    );
  });

  test('an empty queue name means the last declared queue, except in a passive declare', async () => {
    const conn = await connect();
    const ch = await conn.channel();
    const { name } = await ch.queueDeclare('');
    await ch.queueBind('', 'amq.fanout', '');
    await ch.basicPublish('', name, 'via name');
    expect((await ch.basicGet(''))?.bodyToString()).toBe('via name');
    expect(await rejection(ch.queueDeclare('', { passive: true }), 'passive ""')).toBe(
      `channel ${ch.id} closed: NOT_FOUND - no queue '' in vhost '/' (404)`,
    );
    const fresh = await conn.channel();
    expect(await rejection(fresh.basicGet(''), 'get "" on a fresh channel')).toBe(
      `channel ${fresh.id} closed: NOT_FOUND - no previously declared queue (404)`,
    );
  });

  test('ack of an unknown delivery tag closes the channel with 406', async () => {
    const conn = await connect();
    const ch = await conn.channel();
    const err = nextChannelError(ch);
    await ch.basicAck(99);
    expect(await err).toBe(`channel ${ch.id} closed: PRECONDITION_FAILED - unknown delivery tag 99 (406)`);
    expect(conn.closed).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------

describe('transactions', () => {
  test('tx select / commit / rollback for publishes and acks', async () => {
    const { conn, ch, q } = await channelWithQueue('tx');
    await ch.txSelect();
    await ch.basicPublish('', q, 'rolled back');
    await ch.txRollback();
    expect((await ch.queueDeclare(q, { passive: true })).messageCount).toBe(0);
    await ch.basicPublish('', q, 'committed 1');
    await ch.basicPublish('', q, 'committed 2');
    expect((await ch.queueDeclare(q, { passive: true })).messageCount).toBe(0);
    await ch.txCommit();
    expect((await ch.queueDeclare(q, { passive: true })).messageCount).toBe(2);

    // an ack inside a rolled-back transaction is forgotten; the message stays unacked
    const reader = await conn.channel();
    await reader.txSelect();
    const m = await reader.basicGet(q, { noAck: false });
    expect(m?.bodyToString()).toBe('committed 1');
    await m?.ack();
    await reader.txRollback();
    await reader.close();
    const back = await ch.basicGet(q, { noAck: true });
    expect(back?.bodyToString()).toBe('committed 1');
    expect(back?.redelivered).toBe(true);
    // and a committed ack sticks
    const reader2 = await conn.channel();
    await reader2.txSelect();
    const m2 = await reader2.basicGet(q, { noAck: false });
    await m2?.ack();
    await reader2.txCommit();
    await reader2.close();
    expect(await ch.basicGet(q)).toBeNull();
  });

  test('commit without select is a 406 channel error', async () => {
    const conn = await connect();
    const ch = await conn.channel();
    const msg = await rejection(ch.txCommit(), 'commit without select');
    expect(msg).toBe(`channel ${ch.id} closed: PRECONDITION_FAILED - channel is not transactional (406)`);
  });
});

// ---------------------------------------------------------------------------------------------

describe('topology', () => {
  test('exchange-to-exchange bindings route through, and unbind stops it', async () => {
    const conn = await connect();
    const ch = await conn.channel();
    const src = xname('e2e-src');
    const dst = xname('e2e-dst');
    await ch.exchangeDeclare(src, 'topic', { durable: false });
    await ch.exchangeDeclare(dst, 'fanout', { durable: false });
    await ch.exchangeBind(dst, src, 'a.#');
    const { inbox: box } = await subscribe(ch, dst, '');
    await ch.basicPublish(src, 'a.b.c', 'through');
    await ch.basicPublish(src, 'b.c', 'filtered');
    await ch.basicPublish(dst, 'anything', 'direct to dst');
    await box.count(2);
    await sleep(QUIET_MS);
    expect(box.bodies).toEqual(['through', 'direct to dst']);
    expect(box.messages[0].exchange).toBe(src);
    expect(box.messages[0].routingKey).toBe('a.b.c');
    await ch.exchangeUnbind(dst, src, 'a.#');
    await ch.basicPublish(src, 'a.b', 'after unbind');
    await sleep(QUIET_MS);
    expect(box.messages.length).toBe(2);
  });

  test('headers exchange: x-match all and any', async () => {
    const conn = await connect();
    const ch = await conn.channel();
    const x = xname('hdrs');
    await ch.exchangeDeclare(x, 'headers', { durable: false });
    const all = (await ch.queueDeclare('')).name;
    const any = (await ch.queueDeclare('')).name;
    await ch.queueBind(all, x, '', { 'x-match': 'all', format: 'pdf', type: 'report' });
    await ch.queueBind(any, x, '', { 'x-match': 'any', format: 'pdf', type: 'report' });
    await ch.basicPublish(x, '', 'both', { headers: { format: 'pdf', type: 'report' } });
    await ch.basicPublish(x, '', 'one', { headers: { format: 'pdf', type: 'log' } });
    await ch.basicPublish(x, '', 'none', { headers: { format: 'zip' } });
    await sleep(QUIET_MS);
    expect((await ch.queueDeclare(all, { passive: true })).messageCount).toBe(1);
    expect((await ch.queueDeclare(any, { passive: true })).messageCount).toBe(2);
  });

  test('queue purge and delete return message counts; ifEmpty / ifUnused refuse with 406', async () => {
    const { conn, ch, q } = await channelWithQueue('counts');
    for (let i = 0; i < 3; i++) await ch.basicPublish('', q, `p${i}`);
    expect(await ch.queuePurge(q)).toEqual({ messageCount: 3 });
    expect(await ch.queuePurge(q)).toEqual({ messageCount: 0 });
    for (let i = 0; i < 2; i++) await ch.basicPublish('', q, `d${i}`);
    const notEmpty = await rejection(ch.queueDelete(q, { ifEmpty: true }), 'delete ifEmpty');
    expect(notEmpty).toBe(`channel ${ch.id} closed: PRECONDITION_FAILED - queue '${q}' in vhost '/' not empty (406)`);
    const ch2 = await conn.channel();
    await ch2.basicConsume(q, { noAck: false }, () => {});
    const ch3 = await conn.channel();
    const inUse = await rejection(ch3.queueDelete(q, { ifUnused: true }), 'delete ifUnused');
    expect(inUse).toBe(`channel ${ch3.id} closed: PRECONDITION_FAILED - queue '${q}' in vhost '/' in use (406)`);
    await ch2.close();
    const ch4 = await conn.channel();
    expect(await ch4.queueDelete(q)).toEqual({ messageCount: 2 });
    // deleting a queue that is not there is not an error
    expect(await ch4.queueDelete(q)).toEqual({ messageCount: 0 });
  });

  test('passive declare of a missing queue or exchange: channel closed with 404, connection lives', async () => {
    const conn = await connect();
    const ch = await conn.channel();
    const missing = uniqueName('acjs-missing');
    const err = nextChannelError(ch);
    const msg = await rejection(ch.queueDeclare(missing, { passive: true }), 'passive declare');
    expect(msg).toBe(`channel ${ch.id} closed: NOT_FOUND - no queue '${missing}' in vhost '/' (404)`);
    expect(await err).toBe(msg);
    expect(ch.closed).toBe(true);
    expect(await rejection(ch.basicGet(missing), 'use of closed channel')).toBe('Channel is closed');
    const ch2 = await conn.channel();
    const xmsg = await rejection(ch2.exchangeDeclare(missing, 'direct', { passive: true }), 'passive exchange');
    expect(xmsg).toBe(`channel ${ch2.id} closed: NOT_FOUND - no exchange '${missing}' in vhost '/' (404)`);
    const ch3 = await conn.channel();
    const bmsg = await rejection(ch3.queueBind(missing, 'amq.direct', 'k'), 'bind missing queue');
    expect(bmsg).toBe(`channel ${ch3.id} closed: NOT_FOUND - no queue '${missing}' in vhost '/' (404)`);
    const ch4 = await conn.channel();
    const cmsg = await rejection(ch4.basicConsume(missing, {}, () => {}), 'consume missing queue');
    expect(cmsg).toBe(`channel ${ch4.id} closed: NOT_FOUND - no queue '${missing}' in vhost '/' (404)`);
    expect(conn.closed).toBe(false);
  });

  test('exchange errors: reserved amq. prefix 403, type mismatch 406, default exchange 403', async () => {
    const conn = await connect();
    const ch = await conn.channel();
    const reserved = `amq.${uniqueName('acjs')}`;
    expect(await rejection(ch.exchangeDeclare(reserved, 'direct'), 'amq. prefix')).toBe(
      `channel ${ch.id} closed: ACCESS_REFUSED - exchange name '${reserved}' contains reserved prefix 'amq.*' (403)`,
    );
    const ch2 = await conn.channel();
    const x = xname('mismatch');
    await ch2.exchangeDeclare(x, 'direct', { durable: false });
    expect(await rejection(ch2.exchangeDeclare(x, 'fanout', { durable: false }), 'type mismatch')).toBe(
      `channel ${ch2.id} closed: PRECONDITION_FAILED - inequivalent arg 'type' for exchange '${x}' in vhost '/': received 'fanout' but current is 'direct' (406)`,
    );
    const ch3 = await conn.channel();
    const q = (await ch3.queueDeclare('')).name;
    expect(await rejection(ch3.queueBind(q, '', q), 'bind to default exchange')).toBe(
      `channel ${ch3.id} closed: ACCESS_REFUSED - operation not permitted on the default exchange (403)`,
    );
  });

  test('exclusive queue used from a second connection: 405 RESOURCE_LOCKED', async () => {
    const owner = await connect();
    const och = await owner.channel();
    const q = qname('excl');
    await och.queueDeclare(q, { exclusive: true, durable: false });
    const intruder = await connect();
    const locked = `RESOURCE_LOCKED - cannot obtain exclusive access to locked queue '${q}' in vhost '/'. It could be originally declared on another connection or the exclusive property value does not match that of the original declaration. (405)`;
    const ops: [string, (c: AMQPChannel) => Promise<unknown>][] = [
      ['declare exclusive', (c) => c.queueDeclare(q, { exclusive: true, durable: false })],
      ['consume exclusive', (c) => c.basicConsume(q, {}, () => {})],
      ['passive declare', (c) => c.queueDeclare(q, { passive: true })],
      ['non-exclusive declare', (c) => c.queueDeclare(q, { durable: false })],
      ['get', (c) => c.basicGet(q)],
      ['purge', (c) => c.queuePurge(q)],
      ['bind', (c) => c.queueBind(q, 'amq.direct', 'k')],
      ['delete', (c) => c.queueDelete(q)],
    ];
    for (const [what, op] of ops) {
      const c = await intruder.channel();
      expect(await rejection(op(c), what)).toBe(`channel ${c.id} closed: ${locked}`);
    }
    // the owner is unaffected
    await och.basicPublish('', q, 'mine');
    expect((await och.basicGet(q))?.bodyToString()).toBe('mine');
  });

  test('many channels on one connection, each with its own queue', async () => {
    const conn = await connect();
    const channels = await within(Promise.all(Array.from({ length: 200 }, () => conn.channel())), 5000, '200 channels');
    expect(new Set(channels.map((c) => c.id)).size).toBe(200);
    expect(Math.min(...channels.map((c) => c.id))).toBe(1);
    expect(Math.max(...channels.map((c) => c.id))).toBe(200);
    const results = await within(
      Promise.all(
        channels.map(async (ch) => {
          const q = (await ch.queueDeclare('')).name;
          await ch.basicPublish('', q, `on ${ch.id}`);
          const m = await ch.basicGet(q);
          return m?.bodyToString();
        }),
      ),
      5000,
      'per-channel round trips',
    );
    expect(results).toEqual(channels.map((c) => `on ${c.id}`));
    await within(Promise.all(channels.slice(0, 100).map((c) => c.close())), 3000, 'closing 100 channels');
    // freed channel ids are reused
    const again = await conn.channel();
    expect(again.id).toBe(1);
  });
});

// ---------------------------------------------------------------------------------------------

describe('arguments and their errors', () => {
  /** the channel error a queue.declare with `args` gets, on a fresh channel of `conn` */
  async function declareError(conn: AMQPBaseClient, q: string, args: Record<string, unknown>): Promise<string> {
    const ch = await conn.channel();
    const msg = await rejection(ch.queueDeclare(q, { durable: false }, args), `declare ${JSON.stringify(Object.keys(args))}`);
    const prefix = `channel ${ch.id} closed: `;
    expect(msg.startsWith(prefix)).toBe(true);
    return msg.slice(prefix.length);
  }

  test('invalid queue arguments: RabbitMQ reasons, checked in its order', async () => {
    const conn = await connect();
    const q = qname('badargs');
    const where = `for queue '${q}' in vhost '/'`;
    const cases: [Record<string, unknown>, string][] = [
      [{ 'x-message-ttl': 'abc' }, `invalid arg 'x-message-ttl' ${where}: "expected integer, got longstr"`],
      [{ 'x-message-ttl': 1.5 }, `invalid arg 'x-message-ttl' ${where}: "expected integer, got float"`],
      [{ 'x-message-ttl': null }, `invalid arg 'x-message-ttl' ${where}: "expected integer, got void"`],
      [{ 'x-message-ttl': new Date(0) }, `invalid arg 'x-message-ttl' ${where}: "expected integer, got timestamp"`],
      [{ 'x-message-ttl': [1] }, `invalid arg 'x-message-ttl' ${where}: "expected integer, got array"`],
      [{ 'x-message-ttl': -1 }, `invalid arg 'x-message-ttl' ${where}: {value_negative,-1}`],
      [{ 'x-message-ttl': 315_360_000_001 }, `invalid arg 'x-message-ttl' ${where}: {value_too_large,315360000001}`],
      [{ 'x-expires': 0 }, `invalid arg 'x-expires' ${where}: {value_zero,0}`],
      [{ 'x-expires': -5 }, `invalid arg 'x-expires' ${where}: {value_negative,-5}`],
      [{ 'x-max-length': true }, `invalid arg 'x-max-length' ${where}: "expected integer, got bool"`],
      [{ 'x-max-length-bytes': -1 }, `invalid arg 'x-max-length-bytes' ${where}: {value_negative,-1}`],
      [{ 'x-max-priority': 300 }, `invalid arg 'x-max-priority' ${where}: {max_value_exceeded,300}`],
      [{ 'x-overflow': 'nope' }, `invalid arg 'x-overflow' ${where}: invalid_overflow`],
      [{ 'x-overflow': 5 }, `invalid arg 'x-overflow' ${where}: {unacceptable_type,signedint}`],
      [{ 'x-dead-letter-exchange': 5 }, `invalid type 'signedint' for arg 'x-dead-letter-exchange' in queue '${q}' in vhost '/'`],
      [{ 'x-dead-letter-routing-key': 'k' }, `invalid arg 'x-dead-letter-routing-key' ${where}: routing_key_but_no_dlx_defined`],
      [{ 'x-dead-letter-exchange': 'dlx', 'x-dead-letter-routing-key': 5 }, `invalid arg 'x-dead-letter-routing-key' ${where}: {unacceptable_type,signedint}`],
      [{ 'x-queue-mode': 'weird' }, `invalid arg 'x-queue-mode' ${where}: "unsupported queue mode 'weird'"`],
      [{ 'x-single-active-consumer': 'yes' }, `invalid arg 'x-single-active-consumer' ${where}: {unacceptable_type,longstr}`],
      // every argument is checked, in RabbitMQ's order rather than the table's
      [{ 'x-message-ttl': 'a', 'x-expires': 'b' }, `invalid arg 'x-expires' ${where}: "expected integer, got longstr"`],
    ];
    const got = [];
    for (const [args] of cases) got.push(await declareError(conn, q, args));
    expect(got).toEqual(cases.map(([, text]) => `PRECONDITION_FAILED - ${text} (406)`));
  });

  test('redeclare with other arguments: the values, or the type when one side has none', async () => {
    const conn = await connect();
    const ch = await conn.channel();
    const q = qname('ineq');
    const where = `for queue '${q}' in vhost '/'`;
    await ch.queueDeclare(q, { durable: false }, { 'x-message-ttl': 1000, 'x-dead-letter-exchange': 'dl', 'x-single-active-consumer': true });
    // the same value in another integer type is the same argument
    const same = await ch.queueDeclare(q, { durable: false }, { 'x-message-ttl': 1000n, 'x-dead-letter-exchange': 'dl', 'x-single-active-consumer': true });
    expect(same.name).toBe(q);
    const base = { 'x-message-ttl': 1000, 'x-dead-letter-exchange': 'dl', 'x-single-active-consumer': true };
    const cases: [Record<string, unknown>, string][] = [
      [{ ...base, 'x-message-ttl': 2000 }, `inequivalent arg 'x-message-ttl' ${where}: received '2000' but current is '1000'`],
      [{ ...base, 'x-message-ttl': '1000' }, `inequivalent arg 'x-message-ttl' ${where}: received '1000' but current is '1000'`],
      [{ ...base, 'x-message-ttl': 2n ** 40n }, `inequivalent arg 'x-message-ttl' ${where}: received '1099511627776' but current is '1000'`],
      [{ ...base, 'x-dead-letter-exchange': 'other' }, `inequivalent arg 'x-dead-letter-exchange' ${where}: received 'other' but current is 'dl'`],
      [{ ...base, 'x-single-active-consumer': false }, `inequivalent arg 'x-single-active-consumer' ${where}: received 'false' but current is 'true'`],
      [{ 'x-dead-letter-exchange': 'dl', 'x-single-active-consumer': true }, `inequivalent arg 'x-message-ttl' ${where}: received none but current is the value '1000' of type 'signedint'`],
      [{ ...base, 'x-max-length': 5n }, `inequivalent arg 'x-max-length' ${where}: received the value '5' of type 'long' but current is none`],
      [{ ...base, 'x-max-length': 5.5 }, `inequivalent arg 'x-max-length' ${where}: received the value '5.5' of type 'float' but current is none`],
      [{ ...base, 'x-overflow': 'drop-head' }, `inequivalent arg 'x-overflow' ${where}: received the value 'drop-head' of type 'longstr' but current is none`],
    ];
    const got = [];
    for (const [args] of cases) got.push(await declareError(conn, q, args));
    expect(got).toEqual(cases.map(([, text]) => `PRECONDITION_FAILED - ${text} (406)`));

    const x = xname('ae');
    const xch = await conn.channel();
    await xch.exchangeDeclare(x, 'direct', { durable: false }, { 'alternate-exchange': 'a' });
    expect(await rejection(xch.exchangeDeclare(x, 'direct', { durable: false }, { 'alternate-exchange': 'b' }), 'other AE')).toBe(
      `channel ${xch.id} closed: PRECONDITION_FAILED - inequivalent arg 'alternate-exchange' for exchange '${x}' in vhost '/': received 'b' but current is 'a' (406)`,
    );
    const xch2 = await conn.channel();
    expect(await rejection(xch2.exchangeDeclare(x, 'direct', { durable: false }), 'no AE')).toBe(
      `channel ${xch2.id} closed: PRECONDITION_FAILED - inequivalent arg 'alternate-exchange' for exchange '${x}' in vhost '/': received none but current is the value 'a' of type 'longstr' (406)`,
    );
  });

  test('an invalid per-message expiration closes the channel with 406', async () => {
    const conn = await connect();
    const q = qname('badexp');
    await (await conn.channel()).queueDeclare(q, { durable: false });
    const cases: [string, string | undefined][] = [
      ['abc', 'no_integer'],
      ['-5', '{value_negative,-5}'],
      [' 5', 'no_integer'],
      ['1.5', '{leftover_string,".5"}'],
      ['5 ', '{leftover_string," "}'],
      ['315360000001', '{value_too_large,315360000001}'],
      // ~p wraps a term that would run past its line
      ['9223372036854775807', `{value_too_large,\n${' '.repeat(43)}9223372036854775807}`],
      ['315360000000', undefined],
      ['+5', undefined],
      ['007', undefined],
    ];
    for (const [expiration, reason] of cases) {
      const ch = await conn.channel();
      await ch.confirmSelect();
      const publish = ch.basicPublish('', q, 'x', { expiration });
      if (reason === undefined) {
        expect(await publish).toBe(1);
        continue;
      }
      expect(await rejection(publish, `expiration ${expiration}`)).toBe(
        `channel ${ch.id} closed: PRECONDITION_FAILED - invalid expiration '${expiration}': ${reason} (406)`,
      );
    }
    const ch = await conn.channel();
    expect((await ch.queueDeclare(q, { passive: true })).messageCount).toBe(3);
  });

  test('dead-lettering: x-death and x-first-death-* headers, header keys sorted', async () => {
    const conn = await connect();
    const ch = await conn.channel();
    const src = qname('dl-src');
    const dlq = qname('dl-dst');
    await ch.queueDeclare(dlq, { durable: false });
    await ch.queueDeclare(src, { durable: false }, { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': dlq });
    await ch.basicPublish('', src, 'dead', { headers: { zeta: 1, alpha: 'a', 'x-zz': true }, expiration: '100000', messageId: 'd1' });
    const before = Math.floor(Date.now() / 1000) * 1000;
    const m = await ch.basicGet(src, { noAck: false });
    await m?.reject(false);
    await waitUntil(async () => (await ch.queueDeclare(dlq, { passive: true })).messageCount === 1, 3000, 'dead letter');
    const d = await ch.basicGet(dlq);
    expect(d?.routingKey).toBe(dlq);
    expect(d?.exchange).toBe('');
    const headers = d?.properties.headers ?? {};
    expect(Object.keys(headers)).toEqual(['alpha', 'x-death', 'x-first-death-exchange', 'x-first-death-queue', 'x-first-death-reason', 'x-zz', 'zeta']);
    const deaths = headers['x-death'] as Record<string, unknown>[];
    expect(deaths).toHaveLength(1);
    expect(Object.keys(deaths[0])).toEqual(['count', 'reason', 'queue', 'time', 'exchange', 'routing-keys', 'original-expiration']);
    expect(deaths[0]).toMatchObject({ count: 1, reason: 'rejected', queue: src, exchange: '', 'routing-keys': [src], 'original-expiration': '100000' });
    expect((deaths[0].time as Date).getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(headers['x-first-death-reason']).toBe('rejected');
    expect(headers['x-first-death-queue']).toBe(src);
    expect(d?.properties.expiration).toBeUndefined();
    expect(d?.properties.messageId).toBe('d1');
  });

  test('expiries beyond 2^31 ms (x-expires of 30 days, ten-year TTLs) do not fire early', async () => {
    const conn = await connect();
    const ch = await conn.channel();
    const q = qname('long-expiry');
    // bigints: the client would write 2^31..2^32 as a negative 'I'
    await ch.queueDeclare(q, { durable: false }, { 'x-expires': 2_592_000_000n, 'x-message-ttl': 315_360_000_000n });
    await ch.basicPublish('', q, 'kept', { expiration: '315360000000' });
    await ch.basicPublish('', q, 'kept too');
    await sleep(150);
    expect(await ch.queueDeclare(q, { passive: true })).toEqual({ name: q, messageCount: 2, consumerCount: 0 });
  });

  test('priority queue, auto-delete queue, exclusive consumer', async () => {
    const conn = await connect();
    const ch = await conn.channel();
    const pq = qname('prio');
    await ch.queueDeclare(pq, { durable: false }, { 'x-max-priority': 10 });
    for (const p of [1, 9, 5, 0, 10]) await ch.basicPublish('', pq, `p${p}`, { priority: p });
    const order = [];
    for (let i = 0; i < 5; i++) order.push((await ch.basicGet(pq))?.bodyToString());
    expect(order).toEqual(['p10', 'p9', 'p5', 'p1', 'p0']);

    const ad = qname('autodel');
    await ch.queueDeclare(ad, { durable: false, autoDelete: true });
    const c = await ch.basicConsume(ad, {}, () => {});
    await c.cancel();
    const ch2 = await conn.channel();
    expect(await rejection(ch2.queueDeclare(ad, { passive: true }), 'auto-deleted queue')).toBe(
      `channel ${ch2.id} closed: NOT_FOUND - no queue '${ad}' in vhost '/' (404)`,
    );

    const ex = qname('exclusive-consumer');
    const ch3 = await conn.channel();
    await ch3.queueDeclare(ex, { durable: false });
    await ch3.basicConsume(ex, { exclusive: true }, () => {});
    const ch4 = await conn.channel();
    expect(await rejection(ch4.basicConsume(ex, {}, () => {}), 'second consumer')).toBe(
      `channel ${ch4.id} closed: ACCESS_REFUSED - queue '${ex}' in vhost '/' in exclusive use (403)`,
    );
  });

  test('other refusals: tx/confirm switch, internal exchange, system exchange delete, unknown type, flow, recover', async () => {
    const conn = await connect();
    const tx = await conn.channel();
    await tx.txSelect();
    expect(await rejection(tx.confirmSelect(), 'confirm on tx')).toBe(
      `channel ${tx.id} closed: PRECONDITION_FAILED - cannot switch from tx to confirm mode (406)`,
    );
    const cf = await conn.channel();
    await cf.confirmSelect();
    expect(await rejection(cf.txSelect(), 'tx on confirm')).toBe(
      `channel ${cf.id} closed: PRECONDITION_FAILED - cannot switch from confirm to tx mode (406)`,
    );
    const ich = await conn.channel();
    const internal = xname('internal');
    await ich.exchangeDeclare(internal, 'fanout', { durable: false, internal: true });
    await ich.confirmSelect();
    expect(await rejection(ich.basicPublish(internal, '', 'x'), 'publish to internal')).toBe(
      `channel ${ich.id} closed: ACCESS_REFUSED - cannot publish to internal exchange '${internal}' in vhost '/' (403)`,
    );
    for (const name of ['amq.direct', `amq.${uniqueName('acjs-none')}`]) {
      const dch = await conn.channel();
      expect(await rejection(dch.exchangeDelete(name), `delete ${name}`)).toBe(
        `channel ${dch.id} closed: ACCESS_REFUSED - deletion of system exchange '${name}' in vhost '/' not allowed (403)`,
      );
    }
    const ch = await conn.channel();
    const q = qname('qa');
    await ch.queueDeclare(q, { durable: false });
    expect(await rejection(ch.queueDeclare(`amq.${q}`, { durable: false }), 'amq. queue')).toBe(
      `channel ${ch.id} closed: ACCESS_REFUSED - queue name 'amq.${q}' contains reserved prefix 'amq.*' (403)`,
    );
    const tch = await conn.channel();
    expect(await rejection(tch.exchangeDeclare(xname('weird'), 'nonsense'), 'unknown exchange type')).toBe(
      "connection closed: COMMAND_INVALID - unknown exchange type 'nonsense' (503)",
    );
    for (const [op, text] of [
      [(c: AMQPChannel) => c.basicFlow(false), 'NOT_IMPLEMENTED - active=false (540)'],
      [(c: AMQPChannel) => c.basicRecover(false), 'NOT_IMPLEMENTED - requeue=false (540)'],
    ] as const) {
      const c2 = await connect();
      expect(await rejection(op(await c2.channel()), text)).toBe(`connection closed: ${text}`);
    }
  });
});

// ---------------------------------------------------------------------------------------------

describe('connection', () => {
  test('tune: channel_max, frame_max and heartbeat are negotiated down to the smaller side', async () => {
    const plain = await connect();
    // the client's own default frame_max is 8192; the server's limits show through when the client asks for more
    expect(plain.frameMax).toBe(8192);
    expect(plain.channelMax).toBe(2047);
    expect(plain.heartbeat).toBe(0);
    const big = await connect({ frameMax: String(1024 * 1024), heartbeat: '600', channelMax: '5000' });
    expect(big.frameMax).toBe(131072);
    expect(big.channelMax).toBe(2047);
    expect(big.heartbeat).toBe(60);
    const small = await connect({ frameMax: '16384', heartbeat: '5', channelMax: '3' });
    expect(small.frameMax).toBe(16384);
    expect(small.channelMax).toBe(3);
    expect(small.heartbeat).toBe(5);
    await small.channel();
    await small.channel();
    const third = await small.channel();
    expect(third.id).toBe(3);
    expect(await rejection(small.channel(), 'fourth channel')).toBe('Max number of channels reached');
  });

  test('opening a channel above the negotiated channel_max is a connection error', async () => {
    const conn = await connect({ channelMax: '3' });
    for (let i = 0; i < 3; i++) await conn.channel();
    // lift the client's own guard to see what the server does
    conn.channelMax = 0;
    const connErr = connectionErrors(conn);
    const msg = await rejection(conn.channel(4), 'channel 4');
    expect(msg).toBe('connection closed: NOT_ALLOWED - number of channels opened (3) has reached the negotiated channel_max (3) (530)');
    expect((await connErr).at(-1)?.message).toBe(msg);
  });

  test('wrong password is refused with 403 ACCESS_REFUSED', async () => {
    const client = new AMQPClient(urlWith({}, { user: 'guest', pass: 'not-the-password' }), undefined, null);
    const msg = await rejection(client.connect(), 'bad login');
    expect(msg).toBe(
      'connection closed: ACCESS_REFUSED - Login was refused using authentication mechanism PLAIN. For details see the broker logfile. (403)',
    );
    const unknown = new AMQPClient(urlWith({}, { user: 'no-such-user', pass: 'x' }), undefined, null);
    expect(await rejection(unknown.connect(), 'unknown user')).toBe(msg);
  });

  test('unknown vhost is refused with 530', async () => {
    const u = new URL(broker.url);
    u.pathname = '/no-such-vhost';
    const client = new AMQPClient(u.toString(), undefined, null);
    expect(await rejection(client.connect(), 'bad vhost')).toBe(
      "connection closed: NOT_ALLOWED - vhost no-such-vhost not found (530)",
    );
  });

  test('a server-side connection close reaches onerror with its code; every channel is closed', async () => {
    const conn = await connect();
    const ch1 = await conn.channel();
    const ch2 = await conn.channel();
    const q = qname('connclose');
    await ch1.queueDeclare(q, { durable: false });
    const consumer = await ch1.basicConsume(q, {}, () => {});
    const connErr = connectionErrors(conn);
    // prefetch_size is not implemented by RabbitMQ: a connection-level 540
    const msg = await rejection(ch2.basicQos(10, 1000), 'qos with prefetch_size');
    const expected = 'connection closed: NOT_IMPLEMENTED - prefetch_size!=0 (1000) (540)';
    expect(msg).toBe(expected);
    const errs = await connErr;
    expect(errs.every((e) => e instanceof AMQPError)).toBe(true);
    expect(errs.map((e) => e.message)).toEqual([0, ch1.id, ch2.id].map((id) => `Channel ${id} closed: ${expected}`).concat(expected));
    expect(await rejection(consumer.wait(), 'consumer on a closed connection')).toBe(expected);
    expect(conn.closed).toBe(true);
    expect(ch1.closed && ch2.closed).toBe(true);
    expect(await rejection(conn.channel(), 'channel on a closed connection')).toBe('Connection closed');
  });

  test('client close with a reason and code: clean, no onerror, server drops the exclusive queue', async () => {
    const conn = await connect();
    const ch = await conn.channel();
    const q = (await ch.queueDeclare('')).name;
    let errored: AMQPError | undefined;
    conn.onerror = (e) => {
      errored = e;
    };
    await within(conn.close('test done', 200), 2000, 'close');
    expect(conn.closed).toBe(true);
    await sleep(50);
    expect(errored).toBeUndefined();
    const other = await connect();
    const och = await other.channel();
    expect(await rejection(och.queueDeclare(q, { passive: true }), 'gone exclusive queue')).toBe(
      `channel ${och.id} closed: NOT_FOUND - no queue '${q}' in vhost '/' (404)`,
    );
  });

  test('heartbeats: with 1 s negotiated the server keeps an idle connection alive', async () => {
    const conn = (await connect({ heartbeat: '1' })) as AMQPClient;
    expect(conn.heartbeat).toBe(1);
    let heartbeats = 0;
    // the client drops the socket after a second without data, so only the server's heartbeats keep it
    conn.socket?.on('data', (b: Buffer) => {
      for (let i = 0; i + 8 <= b.length; i++) if (b[i] === 8 && b.readUInt32BE(i + 3) === 0 && b[i + 7] === 0xce) heartbeats++;
    });
    await sleep(2600);
    expect(conn.closed).toBe(false);
    expect(heartbeats).toBeGreaterThanOrEqual(2);
    const ch = await conn.channel();
    expect((await ch.queueDeclare('')).name).toMatch(/^amq\.gen-/);
  });

  test('update-secret is answered', async () => {
    const conn = await connect();
    await within(conn.updateSecret('guest', 'rotation'), 2000, 'update-secret-ok');
    const ch = await conn.channel();
    expect((await ch.queueDeclare('')).messageCount).toBe(0);
  });

  test('channel.flow is answered with flow-ok', async () => {
    const conn = await connect();
    const ch = await conn.channel();
    expect(await ch.basicFlow(true)).toBe(true);
  });
});

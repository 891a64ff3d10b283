// Shared helpers for the amqplib conformance suite (broker/test/amqp-*.test.ts).
//
// The suite is written against real RabbitMQ 3.10 and is Warren's acceptance test:
//   AMQP_URL=amqp://guest:guest@127.0.0.1:5672 npx vitest run broker/test/amqp-*.test.ts   (RabbitMQ)
//   npx vitest run broker/test/amqp-*.test.ts                                              (Warren)
//
// useAmqp() registers the vitest hooks of a test file: it starts the broker once per file, tracks
// every connection, queue and exchange a test makes, and after each test closes the connections and
// deletes the queues and exchanges, whether the test passed or not.
//
// What amqplib cannot express (a bad protocol header, a tune-ok above the server's maximum, the
// exact connection.close of a failed handshake, heartbeat frames) goes through ./raw-client.
import { randomBytes } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import amqp from 'amqplib';
import type { Channel, ChannelModel, ConfirmChannel, ConsumeMessage, Options } from 'amqplib';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import type { TestBroker } from './harness';

// ---------------------------------------------------------------------------------------------
// time

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** How long to wait for something that should happen. */
export const WAIT_MS = 3000;
/** How long to watch for something that must NOT happen. */
export const QUIET_MS = 250;

/** Resolves or rejects with `p`, or rejects after `ms` with a message naming `what`. */
export function within<T>(p: Promise<T>, ms: number = WAIT_MS, what = 'operation'): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

export type Truthy<T> = Exclude<T, false | null | undefined | 0 | ''>;

/** Polls `check` until it returns a truthy value (returned) or the time is up (throws). */
export async function waitUntil<T>(check: () => T | Promise<T>, ms: number = WAIT_MS, what = 'condition'): Promise<Truthy<T>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v as Truthy<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(10);
  }
}

/** The next `event` from `emitter` (its arguments), or a timeout error. */
export function nextEvent<A extends unknown[] = unknown[]>(
  emitter: EventEmitter,
  event: string,
  ms: number = WAIT_MS,
): Promise<A> {
  return within(
    new Promise<A>((resolve) => emitter.once(event, (...args: unknown[]) => resolve(args as A))),
    ms,
    `'${event}' event`,
  );
}

// ---------------------------------------------------------------------------------------------
// names

/** A fresh name for a queue or exchange: `<prefix>-<random hex>`. */
export function uniqueName(prefix = 'wt'): string {
  return `${prefix}-${randomBytes(6).toString('hex')}`;
}

// ---------------------------------------------------------------------------------------------
// close tracking
//
// amqplib tears the whole connection down if a channel emits 'error' with nobody listening, so every
// channel and connection the suite makes is watched from birth: its error is remembered and its
// close observed.

/** An error as amqplib reports a close frame: `code` is the AMQP reply code. */
export interface AmqpError extends Error {
  code?: number | string;
  classId?: number;
  methodId?: number;
}

export interface CloseInfo {
  /** the error that closed it (undefined for a clean close) */
  error?: AmqpError;
}

const closeInfos = new WeakMap<EventEmitter, Promise<CloseInfo>>();
const isClosed = new WeakSet<EventEmitter>();

function watch(em: EventEmitter): void {
  if (closeInfos.has(em)) return;
  let error: AmqpError | undefined;
  const p = new Promise<CloseInfo>((resolve) => {
    em.on('error', (e: AmqpError) => {
      error ??= e;
    });
    em.on('close', (e?: AmqpError) => {
      isClosed.add(em);
      resolve({ error: error ?? e });
    });
  });
  closeInfos.set(em, p);
}

/** Resolves when the channel or connection has closed (with the error that closed it, if any). */
export function whenClosed(em: EventEmitter, ms: number = WAIT_MS): Promise<CloseInfo> {
  const p = closeInfos.get(em);
  if (!p) throw new Error('whenClosed: not a channel or connection made through useAmqp()');
  return within(p, ms, 'close');
}

/** True once the channel or connection has emitted 'close'. */
export function closed(em: EventEmitter): boolean {
  return isClosed.has(em);
}

/**
 * Asserts that the channel is closed by the server with `code` and a reply text containing `text`.
 * `op` is what provokes it: a promise (an RPC, which must then reject with the same code) or a
 * function (a publish or an ack, which has no reply).
 */
export async function expectChannelError(
  ch: Channel,
  op: Promise<unknown> | (() => unknown),
  code: number,
  text: string,
): Promise<void> {
  if (typeof op === 'function') {
    op();
  } else {
    const err = await within(
      op.then(
        (v) => {
          throw new Error(`expected the operation to fail with ${code}, it succeeded: ${JSON.stringify(v)}`);
        },
        (e: AmqpError) => e,
      ),
      WAIT_MS,
      `the operation to fail with ${code}`,
    );
    expect(err.message).toContain(text);
    expect(err.code).toBe(code);
  }
  const info = await whenClosed(ch);
  expect(info.error, 'channel closed without an error').toBeDefined();
  expect(info.error?.message).toContain(`${code} (`);
  expect(info.error?.message).toContain(text);
  expect(info.error?.code).toBe(code);
}

/**
 * Asserts that the connection is closed by the server with `code` and a reply text containing
 * `text`. `op` is what provokes it; its own outcome is not checked (amqplib rejects a pending RPC with
 * "Channel ended, no reply will be forthcoming").
 */
export async function expectConnectionError(
  conn: ChannelModel,
  op: Promise<unknown> | (() => unknown),
  code: number,
  text: string,
): Promise<void> {
  if (typeof op === 'function') op();
  else op.catch(() => undefined);
  const info = await whenClosed(conn);
  expect(info.error, 'connection closed without an error').toBeDefined();
  expect(info.error?.message).toContain(`${code} (`);
  expect(info.error?.message).toContain(text);
  expect(info.error?.code).toBe(code);
}

// ---------------------------------------------------------------------------------------------
// the per-file environment

export interface AmqpEnv {
  readonly broker: TestBroker;
  /** the broker's URL, with optional query parameters (frameMax, heartbeat, channelMax) or vhost */
  url(query?: Record<string, string | number>, vhost?: string): string;
  /** a tracked connection (closed after the test) */
  connect(url?: string | Options.Connect, socketOptions?: Record<string, unknown>): Promise<ChannelModel>;
  /** a tracked channel on `conn` (default: a fresh connection) */
  channel(conn?: ChannelModel): Promise<Channel>;
  confirmChannel(conn?: ChannelModel): Promise<ConfirmChannel>;
  /** a fresh queue name, deleted after the test */
  queueName(prefix?: string): string;
  /** a fresh exchange name, deleted after the test */
  exchangeName(prefix?: string): string;
  /** have an existing name deleted after the test */
  trackQueue(name: string): string;
  trackExchange(name: string): string;
  /** a fresh channel with a fresh (deleted after the test) queue declared on it */
  queueChannel(options?: Options.AssertQueue): Promise<{ conn: ChannelModel; ch: Channel; q: string }>;
}

async function startBroker(): Promise<TestBroker> {
  try {
    const harness = await import('./harness');
    return await harness.startTestBroker();
  } catch (err) {
    // The harness imports broker/index.ts; while that does not load, an external broker can still
    // be tested, which is all the harness would have done with AMQP_URL set.
    const external = process.env.AMQP_URL;
    if (!external) throw err;
    const u = new URL(external);
    return { url: external, host: u.hostname, port: Number(u.port || 5672), external: true, close: async () => {} };
  }
}

export function useAmqp(): AmqpEnv {
  let broker: TestBroker | undefined;
  let conns: ChannelModel[] = [];
  let queues: string[] = [];
  let exchanges: string[] = [];

  beforeAll(async () => {
    broker = await startBroker();
  });

  afterEach(async () => {
    const toClose = conns;
    const qs = queues;
    const xs = exchanges;
    conns = [];
    queues = [];
    exchanges = [];
    await Promise.all(toClose.map((c) => (closed(c) ? undefined : within(c.close(), 2000, 'close').catch(() => undefined))));
    if ((qs.length === 0 && xs.length === 0) || !broker) return;
    await within(deleteAll(broker.url, qs, xs), 5000, 'cleanup').catch(() => undefined);
  });

  afterAll(async () => {
    await broker?.close();
  });

  const env: AmqpEnv = {
    get broker(): TestBroker {
      if (!broker) throw new Error('broker not started');
      return broker;
    },
    url(query, vhost) {
      const u = new URL(env.broker.url);
      if (vhost !== undefined) u.pathname = `/${encodeURIComponent(vhost)}`;
      for (const [k, v] of Object.entries(query ?? {})) u.searchParams.set(k, String(v));
      return u.toString();
    },
    async connect(url, socketOptions) {
      const conn = await amqp.connect(url ?? env.broker.url, { timeout: WAIT_MS, ...socketOptions });
      watch(conn);
      conns.push(conn);
      return conn;
    },
    async channel(conn) {
      const c = conn ?? (await env.connect());
      const ch = await c.createChannel();
      watch(ch);
      return ch;
    },
    async confirmChannel(conn) {
      const c = conn ?? (await env.connect());
      const ch = await c.createConfirmChannel();
      watch(ch);
      return ch;
    },
    queueName(prefix = 'wt-q') {
      return env.trackQueue(uniqueName(prefix));
    },
    exchangeName(prefix = 'wt-x') {
      return env.trackExchange(uniqueName(prefix));
    },
    trackQueue(name) {
      queues.push(name);
      return name;
    },
    trackExchange(name) {
      exchanges.push(name);
      return name;
    },
    async queueChannel(options) {
      const conn = await env.connect();
      const ch = await env.channel(conn);
      const q = env.queueName();
      await ch.assertQueue(q, { durable: false, ...options });
      return { conn, ch, q };
    },
  };
  return env;
}

/** Deletes queues and exchanges on a fresh connection; a channel error only costs a new channel. */
async function deleteAll(url: string, queues: string[], exchanges: string[]): Promise<void> {
  const conn = await amqp.connect(url, { timeout: WAIT_MS });
  conn.on('error', () => undefined);
  try {
    let ch = await conn.createChannel();
    ch.on('error', () => undefined);
    const run = async (f: (c: Channel) => Promise<unknown>): Promise<void> => {
      try {
        await f(ch);
      } catch {
        ch = await conn.createChannel();
        ch.on('error', () => undefined);
      }
    };
    for (const q of queues) await run((c) => c.deleteQueue(q));
    for (const x of exchanges) await run((c) => c.deleteExchange(x));
  } finally {
    await conn.close().catch(() => undefined);
  }
}

// ---------------------------------------------------------------------------------------------
// consuming

/** Collects the messages a consumer receives (null = the server cancelled the consumer). */
export class Inbox {
  readonly messages: ConsumeMessage[] = [];
  cancelled = false;
  private listeners: Array<() => void> = [];

  /** pass to channel.consume */
  readonly onMessage = (m: ConsumeMessage | null): void => {
    if (m === null) this.cancelled = true;
    else this.messages.push(m);
    for (const l of this.listeners) l();
  };

  get bodies(): string[] {
    return this.messages.map((m) => m.content.toString());
  }

  /** Waits until at least `n` messages have arrived; returns the first `n`. */
  async waitFor(n: number, ms: number = WAIT_MS): Promise<ConsumeMessage[]> {
    await this.waitUntil(() => this.messages.length >= n, ms, `${n} message(s) (have ${this.messages.length})`);
    return this.messages.slice(0, n);
  }

  /** Waits until the server cancels the consumer (amqplib passes null to the callback). */
  async waitForCancel(ms: number = WAIT_MS): Promise<void> {
    await this.waitUntil(() => this.cancelled, ms, 'basic.cancel from the server');
  }

  /** Asserts nothing more than `n` messages arrive within `ms`. */
  async expectCountStays(n: number, ms: number = QUIET_MS): Promise<void> {
    await sleep(ms);
    expect(this.messages.length).toBe(n);
  }

  private waitUntil(cond: () => boolean, ms: number, what: string): Promise<void> {
    if (cond()) return Promise.resolve();
    let listener: () => void = () => undefined;
    const p = new Promise<void>((resolve) => {
      listener = () => {
        if (cond()) resolve();
      };
      this.listeners.push(listener);
    });
    return within(p, ms, what).finally(() => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    });
  }
}

/** Starts a consumer with an Inbox. */
export async function consumeInto(
  ch: Channel,
  queue: string,
  options?: Options.Consume,
): Promise<{ inbox: Inbox; consumerTag: string }> {
  const inbox = new Inbox();
  const { consumerTag } = await ch.consume(queue, inbox.onMessage, options);
  return { inbox, consumerTag };
}

/** Publishes `bodies` to a queue through the default exchange, then waits until they are enqueued. */
export async function fill(ch: Channel, queue: string, bodies: string[], options?: Options.Publish): Promise<void> {
  for (const b of bodies) ch.sendToQueue(queue, Buffer.from(b), options);
  await waitUntil(async () => (await ch.checkQueue(queue)).messageCount >= bodies.length, WAIT_MS, `${bodies.length} messages in ${queue}`);
}

/** All messages currently in `queue`, fetched with basic.get and no-ack, as strings. */
export async function drain(ch: Channel, queue: string): Promise<string[]> {
  const out: string[] = [];
  for (;;) {
    const m = await ch.get(queue, { noAck: true });
    if (m === false) return out;
    out.push(m.content.toString());
  }
}

/**
 * Routes one message per routing key through `exchange` to a fresh queue, and returns which arrived.
 * Publishes with a confirm channel so the set is final when the confirms are in.
 */
export async function routedKeys(
  ch: ConfirmChannel,
  exchange: string,
  queue: string,
  keys: string[],
  headers?: (key: string) => Record<string, unknown>,
): Promise<string[]> {
  for (const k of keys) ch.publish(exchange, k, Buffer.from(k), headers ? { headers: headers(k) } : {});
  await within(ch.waitForConfirms(), WAIT_MS, 'publisher confirms');
  return drain(ch, queue);
}

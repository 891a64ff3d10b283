// RabbitMQ's classic tutorials (one to six, plus durability) as the pika programs people write,
// run unmodified-in-spirit against the broker under test. The programs live in ./pika; each takes
// AMQP_HOST / AMQP_PORT from the environment, consumers print READY once they consume, one JSON line
// per message, and a final {"done": reason} line, and stop by themselves.
//
//   AMQP_URL=amqp://guest:guest@127.0.0.1:5672 npx vitest run broker/test/pika-tutorials.test.ts
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import amqp from 'amqplib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { finished, killPrograms, runProgram, type Json, type ProgramRun } from './client-program';
import { startTestBroker, type TestBroker } from './harness';

const PYTHON = '/usr/bin/python3'; // Debian's python, the one with pika 1.2
const HERE = path.dirname(fileURLToPath(import.meta.url));
const PIKA_DIR = path.join(HERE, 'pika');

let broker: TestBroker;

function runPy(script: string, args: string[] = [], env: Record<string, string> = {}, killAfterMs = 15_000): ProgramRun {
  return runProgram(broker, PYTHON, [path.join(PIKA_DIR, script), ...args], { cwd: PIKA_DIR, env, killAfterMs });
}

/** Runs a program to completion and expects exit code 0. */
async function runToEnd(script: string, args: string[] = [], env: Record<string, string> = {}): Promise<ProgramRun> {
  const run = runPy(script, args, env);
  const { code } = await run.exit;
  expect(code, run.describe()).toBe(0);
  return run;
}

/** Waits for READY (rejects with the program's output if it exits first). */
function ready(run: ProgramRun): Promise<string> {
  return run.ready;
}

/** Delete leftovers (queues, exchanges) so the tests can run against a shared RabbitMQ. */
async function cleanup(what: { queues?: string[]; exchanges?: string[] }): Promise<void> {
  const conn = await amqp.connect(broker.url);
  conn.on('error', () => {});
  try {
    for (const q of what.queues ?? []) {
      const ch = await conn.createChannel();
      ch.on('error', () => {});
      await ch.deleteQueue(q);
      await ch.close();
    }
    for (const x of what.exchanges ?? []) {
      const ch = await conn.createChannel();
      ch.on('error', () => {});
      await ch.deleteExchange(x);
      await ch.close();
    }
  } finally {
    await conn.close();
  }
}

async function queueDepth(queue: string): Promise<number> {
  const conn = await amqp.connect(broker.url);
  conn.on('error', () => {});
  try {
    const ch = await conn.createChannel();
    const ok = await ch.checkQueue(queue);
    return ok.messageCount;
  } finally {
    await conn.close();
  }
}

function bodies(msgs: Json[]): string[] {
  return msgs.map((m) => String(m.body));
}

function keysAndBodies(msgs: Json[]): string[] {
  return msgs.map((m) => `${String(m.routing_key)}:${String(m.body)}`);
}

beforeAll(async () => {
  broker = await startTestBroker();
});

afterEach(killPrograms);

afterAll(async () => {
  await broker?.close();
});

describe('tutorial one: "Hello World!"', () => {
  it('receive.py gets what send.py sent through the default exchange', async () => {
    await cleanup({ queues: ['hello'] });
    const receiver = runPy('receive.py', [], { MAX_MESSAGES: '2', TIMEOUT: '10' });
    await ready(receiver);
    await runToEnd('send.py');
    await runToEnd('send.py', ['Hello', 'again!']);
    const msgs = await finished(receiver);
    expect(msgs, receiver.describe()).toEqual([
      { routing_key: 'hello', body: 'Hello World!', redelivered: false },
      { routing_key: 'hello', body: 'Hello again!', redelivered: false },
    ]);
    expect(receiver.done()).toEqual({ done: 'count', count: 2 });
  }, 15_000);

  it('a message sent before anyone consumes waits in the queue', async () => {
    await cleanup({ queues: ['hello'] });
    await runToEnd('send.py', ['early', 'bird']);
    // send.py publishes without confirms: the message may reach the queue a moment after it exits
    await expect.poll(() => queueDepth('hello'), { timeout: 3_000, interval: 50 }).toBe(1);
    const receiver = runPy('receive.py', [], { MAX_MESSAGES: '1', TIMEOUT: '10' });
    const msgs = await finished(receiver);
    expect(bodies(msgs), receiver.describe()).toEqual(['early bird']);
    expect(await queueDepth('hello')).toBe(0);
  }, 15_000);
});

describe('tutorial two: work queues', () => {
  it('prefetch_count=1 dispatches fairly: every task once, the fast worker does more', async () => {
    await cleanup({ queues: ['task_queue'] });
    const common = { IDLE_TIMEOUT: '3', TIMEOUT: '15' };
    const slow = runPy('worker.py', [], { ...common, SECONDS_PER_DOT: '0.5' }, 20_000);
    const fast = runPy('worker.py', [], { ...common, SECONDS_PER_DOT: '0.01' }, 20_000);
    await Promise.all([ready(slow), ready(fast)]);

    const tasks = Array.from({ length: 10 }, (_, i) => `Task ${String(i).padStart(2, '0')} ${i % 2 ? '..' : '.'}`);
    // as from a shell: several new_task.py at once
    await Promise.all(tasks.map((t) => runToEnd('new_task.py', t.split(' '))));

    const [slowMsgs, fastMsgs] = await Promise.all([finished(slow), finished(fast)]);
    const report = `${slow.describe()}\n${fast.describe()}`;
    const all = [...bodies(slowMsgs), ...bodies(fastMsgs)].sort();
    expect(all, report).toEqual([...tasks].sort()); // each exactly once
    expect(fastMsgs.length, report).toBeGreaterThan(slowMsgs.length);
    for (const m of [...slowMsgs, ...fastMsgs]) {
      expect(m.delivery_mode, report).toBe(2);
      expect(m.redelivered, report).toBe(false);
    }
    expect(slow.done()?.done).toBe('idle');
    expect(fast.done()?.done).toBe('idle');
    expect(await queueDepth('task_queue')).toBe(0);
  }, 25_000);
});

describe('tutorial three: publish/subscribe', () => {
  it('every receive_logs.py gets every message on the fanout "logs"', async () => {
    await cleanup({ exchanges: ['logs'] });
    const env = { MAX_MESSAGES: '3', TIMEOUT: '10' };
    const a = runPy('receive_logs.py', [], env);
    const b = runPy('receive_logs.py', [], env);
    const [readyA, readyB] = await Promise.all([ready(a), ready(b)]);
    const qa = readyA.split(' ')[1];
    const qb = readyB.split(' ')[1];
    expect(qa).toMatch(/^amq\.gen-/);
    expect(qb).toMatch(/^amq\.gen-/);
    expect(qa).not.toBe(qb);

    const sent = ['info: one', 'warning: two', 'error: three'];
    for (const m of sent) await runToEnd('emit_log.py', m.split(' '));

    for (const [run, q] of [
      [a, qa],
      [b, qb],
    ] as const) {
      const msgs = await finished(run);
      expect(msgs, run.describe()).toEqual(sent.map((body) => ({ queue: q, exchange: 'logs', routing_key: '', body })));
    }
  }, 15_000);
});

describe('tutorial four: routing', () => {
  it('receive_logs_direct.py gets exactly the severities it bound', async () => {
    await cleanup({ exchanges: ['direct_logs'] });
    const errorsOnly = runPy('receive_logs_direct.py', ['error'], { MAX_MESSAGES: '2', TIMEOUT: '10' });
    const everything = runPy('receive_logs_direct.py', ['info', 'warning', 'error'], {
      MAX_MESSAGES: '5',
      TIMEOUT: '10',
    });
    await Promise.all([ready(errorsOnly), ready(everything)]);

    // the last one reaches both receivers: once they have it, they have everything before it
    const sent: [string, string][] = [
      ['info', 'i1'],
      ['warning', 'w1'],
      ['error', 'e1'],
      ['debug', 'd1'], // nobody bound 'debug'
      ['info', 'i2'],
      ['error', 'e2'],
    ];
    for (const [sev, msg] of sent) await runToEnd('emit_log_direct.py', [sev, msg]);

    expect(keysAndBodies(await finished(errorsOnly)), errorsOnly.describe()).toEqual(['error:e1', 'error:e2']);
    expect(keysAndBodies(await finished(everything)), everything.describe()).toEqual([
      'info:i1',
      'warning:w1',
      'error:e1',
      'info:i2',
      'error:e2',
    ]);
    expect(errorsOnly.done()?.done).toBe('count');
    expect(everything.done()?.done).toBe('count');
  }, 15_000);
});

describe('tutorial five: topics', () => {
  it('receive_logs_topic.py gets exactly what its patterns match', async () => {
    await cleanup({ exchanges: ['topic_logs'] });
    // the tutorial's keys; 'quick.orange.rabbit' goes last because every receiver matches it, so a
    // receiver that has it has everything it will get
    const keys = [
      'lazy.orange.elephant',
      'quick.orange.fox',
      'lazy.brown.fox',
      'lazy.pink.rabbit',
      'quick.brown.fox',
      'quick.orange.male.rabbit',
      'lazy.orange.male.rabbit',
      'lazy',
      'quick.orange.rabbit',
    ];
    const expected = {
      // Q1 of the tutorial: interested in all the orange animals
      q1: ['lazy.orange.elephant', 'quick.orange.fox', 'quick.orange.rabbit'],
      // Q2: everything about rabbits and everything about lazy animals; lazy.pink.rabbit only once;
      // 'lazy' alone matches lazy.# ('#' is zero or more words); quick.orange.male.rabbit matches nothing
      q2: [
        'lazy.orange.elephant',
        'lazy.brown.fox',
        'lazy.pink.rabbit',
        'lazy.orange.male.rabbit',
        'lazy',
        'quick.orange.rabbit',
      ],
      all: keys,
    };
    const q1 = runPy('receive_logs_topic.py', ['*.orange.*'], { MAX_MESSAGES: String(expected.q1.length), TIMEOUT: '10' });
    const q2 = runPy('receive_logs_topic.py', ['*.*.rabbit', 'lazy.#'], {
      MAX_MESSAGES: String(expected.q2.length),
      TIMEOUT: '10',
    });
    const all = runPy('receive_logs_topic.py', ['#'], { MAX_MESSAGES: String(expected.all.length), TIMEOUT: '10' });
    await Promise.all([ready(q1), ready(q2), ready(all)]);

    for (const key of keys) await runToEnd('emit_log_topic.py', [key, `msg-${key}`]);

    for (const [run, want] of [
      [q1, expected.q1],
      [q2, expected.q2],
      [all, expected.all],
    ] as const) {
      const msgs = await finished(run);
      expect(keysAndBodies(msgs), run.describe()).toEqual(want.map((k) => `${k}:msg-${k}`));
      expect(run.done()?.done, run.describe()).toBe('count');
    }
  }, 15_000);
});

describe('tutorial six: RPC', () => {
  it('rpc_client.py gets fib(n) back on its callback queue with its correlation_id', async () => {
    await cleanup({ queues: ['rpc_queue'] });
    const fib = (n: number): number => (n < 2 ? n : fib(n - 1) + fib(n - 2));
    const callsA = [0, 1, 2, 3, 10];
    const callsB = [5, 15, 20];
    const server = runPy('rpc_server.py', [], {
      MAX_MESSAGES: String(callsA.length + callsB.length),
      TIMEOUT: '10',
    });
    await ready(server);

    const [a, b] = await Promise.all([
      runToEnd('rpc_client.py', callsA.map(String), { TIMEOUT: '5' }),
      runToEnd('rpc_client.py', callsB.map(String), { TIMEOUT: '5' }),
    ]);
    await finished(server);
    const answers = server.json().filter((j) => 'n' in j);

    for (const [run, calls] of [
      [a, callsA],
      [b, callsB],
    ] as const) {
      const results = run.json().filter((j) => 'n' in j);
      expect(
        results.map((r) => [r.n, r.result]),
        run.describe(),
      ).toEqual(calls.map((n) => [n, fib(n)]));
      const callbackQueue = String(results[0]?.callback_queue);
      expect(callbackQueue).toMatch(/^amq\.gen-/);
      const ids = results.map((r) => String(r.correlation_id));
      expect(new Set(ids).size).toBe(calls.length);
      expect(run.done()).toEqual({ done: 'count', stray: 0 });
      // the server saw each request with this client's reply_to and correlation_id
      for (const r of results) {
        expect(answers).toContainEqual({ n: r.n, result: r.result, reply_to: callbackQueue, correlation_id: r.correlation_id });
      }
    }
    expect(server.done(), server.describe()).toEqual({ done: 'count', count: callsA.length + callsB.length });
    expect(await queueDepth('rpc_queue')).toBe(0);
  }, 15_000);
});

describe('durability: durable queue, persistent messages', () => {
  it('durable_send.py then durable_receive.py: messages and their properties come through', async () => {
    await cleanup({ queues: ['durable_queue'] });
    const send = await runToEnd('durable_send.py', ['one', 'two', 'three']);
    expect(send.json()[0]).toEqual({ queue: 'durable_queue', message_count: 0 });
    expect(send.json().filter((j) => j.confirmed === true)).toHaveLength(3);
    expect(await queueDepth('durable_queue')).toBe(3);

    const recv = runPy('durable_receive.py', [], { MAX_MESSAGES: '3', TIMEOUT: '10' });
    const msgs = await finished(recv);
    expect(recv.json()[0], recv.describe()).toEqual({ queue: 'durable_queue', message_count: 3 });
    expect(msgs.map((m) => ({ ...m, timestamp: typeof m.timestamp })), recv.describe()).toEqual(
      ['one', 'two', 'three'].map((body, i) => ({
        body,
        redelivered: false,
        delivery_mode: 2,
        content_type: 'text/plain',
        message_id: `msg-${i}`,
        timestamp: 'number',
        headers: { seq: i, source: 'durable_send.py' },
      })),
    );
    expect(await queueDepth('durable_queue')).toBe(0);
  }, 15_000);

  it('a message consumed but not acked stays, and comes back redelivered', async () => {
    await cleanup({ queues: ['durable_queue'] });
    await runToEnd('durable_send.py', ['keep me']);
    const noAck = runPy('durable_receive.py', [], { MAX_MESSAGES: '1', ACK: '0', TIMEOUT: '10' });
    expect(bodies(await finished(noAck)), noAck.describe()).toEqual(['keep me']);
    expect(noAck.messages()[0]?.redelivered).toBe(false);
    // unacked when its connection closed: back in the queue
    await expect.poll(() => queueDepth('durable_queue'), { timeout: 3_000, interval: 50 }).toBe(1);

    const again = runPy('durable_receive.py', [], { MAX_MESSAGES: '1', TIMEOUT: '10' });
    const msgs = await finished(again);
    expect(msgs.map((m) => [m.body, m.redelivered, m.delivery_mode]), again.describe()).toEqual([['keep me', true, 2]]);
    expect(await queueDepth('durable_queue')).toBe(0);
    await cleanup({ queues: ['durable_queue'] });
  }, 15_000);
});

describe('what pika users commonly do (client_features.py)', () => {
  const checks = new Map<string, Json>();
  let program: ProgramRun | undefined;

  beforeAll(async () => {
    await cleanup({
      queues: ['pika_features.q', 'pika_features.exclusive', 'pika_features.flags'],
      exchanges: ['pika_features.no-such-exchange'],
    });
    program = runPy('client_features.py', [], {}, 25_000);
    await program.exit;
    for (const j of program.json()) if (typeof j.check === 'string') checks.set(j.check, j);
  }, 30_000);

  function result(name: string): Json {
    const r = checks.get(name);
    const where = program?.describe() ?? '';
    expect(r, `no result for ${name}\n${where}`).toBeDefined();
    expect(r!.error, `${name} raised\n${where}`).toBeUndefined();
    return r!;
  }

  it('runs every check and exits 0', () => {
    expect(program?.done(), program?.describe()).toEqual({ done: 'ok' });
    expect(program?.child.exitCode).toBe(0);
  });

  it('connection.tune: heartbeat callable sees the server proposal; frame_max, channel_max, capabilities', () => {
    const r = result('tune');
    expect(r.server_heartbeat).toBe(60);
    expect(r.heartbeat).toBe(10);
    expect(r.frame_max).toBe(131072);
    expect(r.channel_max).toBe(2047);
    expect(r.capabilities).toMatchObject({
      publisher_confirms: true,
      exchange_exchange_bindings: true,
      'basic.nack': true,
      consumer_cancel_notify: true,
      'connection.blocked': true,
      authentication_failure_close: true,
      per_consumer_qos: true,
      direct_reply_to: true,
    });
  });

  it('heartbeat=2 is negotiated and heartbeats flow both ways on an idle connection; heartbeat=0 disables', () => {
    const r = result('heartbeat');
    expect(r.negotiated).toBe(2);
    expect(r.received as number).toBeGreaterThanOrEqual(1);
    expect(r.sent as number).toBeGreaterThanOrEqual(1);
    expect(r.open_after_idle).toBe(true);
    expect(r.disabled_value).toBe(0);
    expect(r.disabled_checker).toBe(false);
  });

  it('blocked_connection_timeout with blocked/unblocked callbacks: the connection works normally', () => {
    expect(result('blocked_connection_timeout')).toEqual({
      check: 'blocked_connection_timeout',
      body: 'not blocked',
      events: [],
      param: 5,
    });
  });

  it('basic_get: message_count counts down, properties survive, empty queue gives None', () => {
    const r = result('basic_get');
    expect(r.declared_count).toBe(3);
    expect(r.gets).toEqual(
      [0, 1, 2].map((i) => ({
        body: `m${i}`,
        message_count: 2 - i,
        delivery_tag: i + 1,
        redelivered: false,
        exchange: '',
        routing_key: 'pika_features.q',
        content_type: 'text/plain',
        headers: { i },
      })),
    );
    expect(r.empty).toEqual([true, true, true]);
    expect(r.after).toBe(0);
  });

  it('tx_select / tx_commit / tx_rollback: publishes and acks apply on commit only', () => {
    expect(result('transactions')).toEqual({
      check: 'transactions',
      after_rollback: 0,
      before_commit: 0,
      after_commit: 2,
      got: 't1',
      left: 1,
    });
  });

  it('channel.flow(True) gets flow-ok(True)', () => {
    expect(result('channel_flow')).toEqual({ check: 'channel_flow', active: true });
  });

  it('basic_reject: requeue=True comes back redelivered, requeue=False drops it', () => {
    expect(result('basic_reject')).toEqual({
      check: 'basic_reject',
      first: { body: 'r1', redelivered: false },
      second: { body: 'r1', redelivered: true },
      after_reject_get: false,
      after_reject_count: 0,
    });
  });

  it('basic_nack(multiple=True): requeue brings all back in order, requeue=False drops all', () => {
    expect(result('basic_nack')).toEqual({
      check: 'basic_nack',
      first: ['n0', 'n1', 'n2'],
      tags: [1, 2, 3],
      again: [
        { body: 'n0', redelivered: true, delivery_tag: 4 },
        { body: 'n1', redelivered: true, delivery_tag: 5 },
        { body: 'n2', redelivered: true, delivery_tag: 6 },
      ],
      after_nack_count: 0,
      consumed: ['c0', 'c1'],
      requeued_on_cancel: 0,
      final_count: 0,
    });
  });

  it('confirm_delivery: mandatory unroutable raises UnroutableError (312 NO_ROUTE); missing exchange is 404', () => {
    expect(result('confirms')).toEqual({
      check: 'confirms',
      routable_ok: true,
      unroutable: { exception: 'UnroutableError', count: 1, reply_code: 312, reply_text: 'NO_ROUTE', exchange: '', body: 'lost' },
      unroutable_amq_direct: { reply_code: 312, exchange: 'amq.direct' },
      non_mandatory_ok: true,
      queue_count: 1,
      channel_open: true,
      missing_exchange: {
        exception: 'ChannelClosedByBroker',
        reply_code: 404,
        reply_text: "NOT_FOUND - no exchange 'pika_features.no-such-exchange' in vhost '/'",
      },
    });
  });

  it('passive declare of a missing exchange or queue: ChannelClosedByBroker 404, the connection stays', () => {
    const notFoundExchange = {
      exception: 'ChannelClosedByBroker',
      reply_code: 404,
      reply_text: "NOT_FOUND - no exchange 'pika_features.no-such-exchange' in vhost '/'",
    };
    expect(result('passive_declare')).toEqual({
      check: 'passive_declare',
      exchange: notFoundExchange,
      exchange_channel_closed: true,
      connection_open: true,
      queue: {
        exception: 'ChannelClosedByBroker',
        reply_code: 404,
        reply_text: "NOT_FOUND - no queue 'pika_features.no-such-queue' in vhost '/'",
      },
      existing_ok: true,
      publish_missing: notFoundExchange,
    });
  });

  it('server-named queues, 405 on a foreign exclusive queue, 406 on inequivalent flags', () => {
    const r = result('declare_errors');
    expect(r.server_named).toMatch(/^amq\.gen-/);
    const locked = r.locked as Json;
    expect(locked.reply_code).toBe(405);
    expect(String(locked.reply_text)).toMatch(
      /^RESOURCE_LOCKED - cannot obtain exclusive access to locked queue 'pika_features\.exclusive' in vhost '\/'/,
    );
    const inequivalent = r.inequivalent as Json;
    expect(inequivalent.reply_code).toBe(406);
    expect(String(inequivalent.reply_text)).toMatch(
      /^PRECONDITION_FAILED - inequivalent arg 'durable' for queue 'pika_features\.flags' in vhost '\/'/,
    );
    expect(r.exclusive_after_close).toEqual({
      exception: 'ChannelClosedByBroker',
      reply_code: 404,
      reply_text: "NOT_FOUND - no queue 'pika_features.exclusive' in vhost '/'",
    });
  });

  it('closes cleanly', () => {
    expect(result('close_cleanly')).toEqual({
      check: 'close_cleanly',
      channel_closed: true,
      connection_closed: true,
      close_twice: 'ConnectionWrongStateError',
    });
  });
});

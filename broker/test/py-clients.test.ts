// Python clients other than pika — py-amqp (`import amqp`), kombu on its py-amqp transport, and
// aio-pika — run as their users write them against the broker under test. Each library has one
// program in ./py-clients that runs a list of checks and prints one JSON line per check
// ({"check": name, "ok": true, ...what it saw}) and a final {"done": "ok"}; the three run at once.
// Expectations are what RabbitMQ 3.10 does:
//
//   AMQP_URL=amqp://guest:guest@127.0.0.1:5672 npx vitest run broker/test/py-clients.test.ts
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteLeftovers, killPrograms, runProgram, type Json, type ProgramRun } from './client-program';
import { startTestBroker, type TestBroker } from './harness';

const PYTHON = '/usr/bin/python3'; // Debian's python, the one with py-amqp 5.1, kombu 5.2, aio-pika 8.2
const DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'py-clients');

let broker: TestBroker;

/** A program's run and its check lines by name. */
interface Features {
  run: ProgramRun;
  checks: Map<string, Json>;
}

const programs: Record<'pyamqp' | 'kombu' | 'aiopika', Features | undefined> = { pyamqp: undefined, kombu: undefined, aiopika: undefined };

async function runFeatures(script: string): Promise<Features> {
  const run = runProgram(broker, PYTHON, [path.join(DIR, script)], { cwd: DIR, killAfterMs: 15_000 });
  await run.exit;
  const checks = new Map<string, Json>();
  for (const j of run.json()) if (typeof j.check === 'string') checks.set(j.check, j);
  return { run, checks };
}

/** The line of one check, which must have run without raising. */
function result(lib: keyof typeof programs, name: string): Json {
  const p = programs[lib];
  const where = p?.run.describe() ?? `${lib} did not run`;
  const r = p?.checks.get(name);
  expect(r, `no result for ${name}\n${where}`).toBeDefined();
  expect(r!.error, `${name} raised\n${where}`).toBeUndefined();
  expect(r!.ok, where).toBe(true);
  return r!;
}

/** Whatever a killed program may have left behind (the programs delete their own as they go). */
const QUEUES = [
  'pyamqp.hello', 'pyamqp.tasks', 'pyamqp.rpc_queue', 'pyamqp.durable', 'pyamqp.confirms', 'pyamqp.get',
  'pyamqp.reject', 'pyamqp.dl.work', 'pyamqp.dl.dead', 'pyamqp.cancel1', 'pyamqp.cancel2', 'pyamqp.mismatch',
  'pyamqp.nowait', 'pyamqp.large', 'pyamqp.tx', 'pyamqp.drt', 'pyamqp.refusals', 'pyamqp.dl2.a', 'pyamqp.dl2.b',
  'pyamqp.dl2.dead',
  'kombu.simple', 'kombu.video', 'kombu.image', 'kombu.tasks', 'kombu.topic_q', 'kombu.rpc', 'kombu.dl.dead',
  'kombu.dl.work', 'kombu.opts', 'kombu.reject', 'kombu.confirm', 'kombu.cancel', 'kombu.h_all', 'kombu.h_any',
  'kombu.e2e', 'kombu.qos_a', 'kombu.qos_b', 'worker1.kombu.pidbox',
  'aiopika.hello', 'aiopika.tasks', 'aiopika.rpc_queue', 'aiopika.durable', 'aiopika.dl.work', 'aiopika.dl.dead',
  'aiopika.cancel', 'aiopika.multiply', 'aiopika.fail', 'aiopika.sleepy',
];
const EXCHANGES = [
  'pyamqp.logs', 'pyamqp.direct_logs', 'pyamqp.topic_logs', 'pyamqp.dlx', 'pyamqp.headers', 'pyamqp.mismatch',
  'pyamqp.nowait_x', 'kombu.simple', 'kombu.media', 'kombu.tasks', 'kombu.topic', 'kombu.broadcast', 'kombu.dlx',
  'kombu.headers', 'kombu.upstream', 'kombu.downstream', 'kombu.pidbox', 'reply.kombu.pidbox',
  'aiopika.logs', 'aiopika.direct_logs', 'aiopika.topic_logs', 'aiopika.dlx', 'aiopika.headers', 'aiopika.robust',
];
const cleanup = () => deleteLeftovers(broker, QUEUES, EXCHANGES);

beforeAll(async () => {
  broker = await startTestBroker();
  await cleanup();
  const [pyamqp, kombu, aiopika] = await Promise.all([
    runFeatures('pyamqp_features.py'),
    runFeatures('kombu_features.py'),
    runFeatures('aiopika_features.py'),
  ]);
  Object.assign(programs, { pyamqp, kombu, aiopika });
}, 20_000);

afterAll(async () => {
  killPrograms();
  if (broker) await cleanup();
  await broker?.close();
});

const NO_QUEUE = (q: string) => `NOT_FOUND - no queue '${q}' in vhost '/'`;
const NO_EXCHANGE = (x: string) => `NOT_FOUND - no exchange '${x}' in vhost '/'`;
const LOCKED = (q: string) =>
  `RESOURCE_LOCKED - cannot obtain exclusive access to locked queue '${q}' in vhost '/'. It could be originally ` +
  'declared on another connection or the exclusive property value does not match that of the original declaration.';
const LOGIN_REFUSED = (mechanism: string) =>
  `ACCESS_REFUSED - Login was refused using authentication mechanism ${mechanism}. For details see the broker logfile.`;
const ROUTED = {
  fanout: { all: ['x', 'y'] },
  fanout_server_named: true,
  direct: { errors: ['error'], info_warn: ['info', 'warning'] },
  direct_server_named: true,
  topic: {
    orange: ['quick.orange.rabbit', 'lazy.orange.elephant'],
    lazy_rabbit: ['quick.orange.rabbit', 'lazy.orange.elephant', 'lazy.pink.rabbit', 'lazy'],
  },
  topic_server_named: true,
};

for (const lib of ['pyamqp', 'kombu', 'aiopika'] as const) {
  it(`${lib}: every check ran and the program exited 0`, () => {
    const p = programs[lib];
    expect(p?.run.done(), p?.run.describe()).toEqual({ done: 'ok' });
    expect(p?.run.child.exitCode, p?.run.describe()).toBe(0);
    expect([...(p?.checks.values() ?? [])].filter((c) => c.ok !== true), p?.run.describe()).toEqual([]);
  });
}

describe('py-amqp', () => {
  it('hello world: a consumer callback gets the message with its consumer tag; the server announces its capabilities', () => {
    const r = result('pyamqp', 'hello');
    expect(r.messages).toEqual([
      { body: 'Hello World!', routing_key: 'pyamqp.hello', exchange: '', redelivered: false, consumer_tag: expect.stringMatching(/^amq\.ctag-/) },
    ]);
    expect(r.tag_matches).toBe(true);
    expect(r.capabilities).toEqual(expect.arrayContaining([
      'authentication_failure_close', 'basic.nack', 'connection.blocked', 'consumer_cancel_notify',
      'consumer_priorities', 'direct_reply_to', 'exchange_exchange_bindings', 'per_consumer_qos', 'publisher_confirms',
    ]));
  });

  it('work queue: with prefetch_count=1 a worker holding an unacked task gets no more', () => {
    expect(result('pyamqp', 'work_queue')).toMatchObject({
      busy: ['task 0'], free: ['task 1', 'task 2', 'task 3', 'task 4', 'task 5'], left: 0, consumers: 2, delivery_mode: 2,
    });
  });

  it('fanout, direct and topic routing to server-named exclusive queues', () => {
    expect(result('pyamqp', 'routing')).toMatchObject(ROUTED);
  });

  it('RPC: replies come back on the callback queue with the correlation_id', () => {
    expect(result('pyamqp', 'rpc')).toMatchObject({
      results: [[3, '9'], [7, '49']], callback_queue_server_named: true, server_saw_reply_to: true, server_saw_ids: true,
    });
  });

  it("durable queue, persistent message: every property and header type comes back, including py-amqp's 'L' int64", () => {
    const r = result('pyamqp', 'durable_properties');
    expect(r.declare_ok).toEqual(['pyamqp.durable', 0, 0]);
    expect(r.after_publish).toBe(1);
    expect(r.body).toBe('persist me');
    expect(r.properties).toEqual({
      content_type: 'text/plain', content_encoding: 'utf-8', delivery_mode: 2, priority: 3, correlation_id: 'c-1',
      reply_to: 'somewhere', expiration: '60000', message_id: 'm-1', timestamp: 1623053350, type: 'greeting',
      user_id: 'guest', app_id: 'pyamqp_features',
    });
    expect(r.headers_equal, JSON.stringify(r.headers)).toBe(true);
  });

  it('confirm_publish: each publish is acked; a missing exchange raises NotFound 404', () => {
    expect(result('pyamqp', 'confirms')).toMatchObject({
      acks: [1, 2, 3], count: 3, missing: { exception: 'NotFound', reply_code: 404, reply_text: NO_EXCHANGE('pyamqp.no-such-exchange') },
    });
  });

  it("mandatory publish with no route comes back through events['basic_return'] as 312 NO_ROUTE", () => {
    expect(result('pyamqp', 'mandatory_return').returned).toEqual([
      { exception: 'ChannelError', reply_code: 312, reply_text: 'NO_ROUTE', exchange: '', routing_key: 'pyamqp.nowhere', body: 'nobody', message_id: 'r-1' },
    ]);
  });

  it('basic_get: message_count counts down, delivery tags count up, an empty queue gives None', () => {
    const r = result('pyamqp', 'basic_get');
    expect(r.gets).toEqual([0, 1, 2].map((i) => ({
      body: `g${i}`, message_count: 2 - i, delivery_tag: i + 1, redelivered: false, exchange: '', routing_key: 'pyamqp.get',
    })));
    expect(r.empty).toBe(true);
    expect(r.zero_ttl, 'expiration "0" with no consumer expires on arrival').toBe(true);
  });

  it('basic_reject with and without requeue; basic_recover(requeue=True) redelivers the unacked', () => {
    expect(result('pyamqp', 'reject_recover')).toMatchObject({
      first: ['r0', false], again: ['r0', true], unacked: ['r1', 'r2'], back: [['r1', true], ['r2', true]], left: 0,
    });
  });

  it('basic_recover(requeue=False) is refused: 540 NOT_IMPLEMENTED closes the connection', () => {
    expect(result('pyamqp', 'recover_no_requeue').refused).toEqual({
      exception: 'AMQPNotImplementedError', reply_code: 540, reply_text: 'NOT_IMPLEMENTED - requeue=false',
    });
  });

  it('dead-lettering: expired and rejected messages reach the DLX with x-death, headers sorted as RabbitMQ writes them', () => {
    const r = result('pyamqp', 'dead_letter');
    expect(r.got_on_work).toBe('reject me');
    const dead = r.dead as Json[];
    const base = { routing_key: 'pyamqp.dl.work', exchange: 'pyamqp.dlx', expiration: null };
    expect(dead).toEqual([
      {
        ...base, body: 'expire me',
        headers: { big: 2 ** 40, k: 'v', 'x-first-death-exchange': '', 'x-first-death-queue': 'pyamqp.dl.work', 'x-first-death-reason': 'expired' },
        x_death: [{ count: 1, reason: 'expired', queue: 'pyamqp.dl.work', time: 'datetime', exchange: '', 'routing-keys': ['pyamqp.dl.work'], 'original-expiration': '50' }],
      },
      {
        ...base, body: 'reject me',
        headers: { 'x-first-death-exchange': '', 'x-first-death-queue': 'pyamqp.dl.work', 'x-first-death-reason': 'rejected' },
        x_death: [{ count: 1, reason: 'rejected', queue: 'pyamqp.dl.work', time: 'datetime', exchange: '', 'routing-keys': ['pyamqp.dl.work'] }],
      },
    ]);
    // a program that prints the headers prints them in this order
    expect(Object.keys((dead[0] as { headers: Json }).headers)).toEqual(['big', 'k', 'x-first-death-exchange', 'x-first-death-queue', 'x-first-death-reason']);
  });

  it('dead-lettered from two queues in turn: x-death newest first, an added entry written with sorted keys', () => {
    expect(result('pyamqp', 'dead_letter_twice')).toMatchObject({
      header_keys: ['a', 'x-death', 'x-first-death-exchange', 'x-first-death-queue', 'x-first-death-reason', 'z'],
      deaths: [
        ['pyamqp.dl2.b', 1, 'rejected', ['count', 'exchange', 'queue', 'reason', 'routing-keys', 'time']],
        ['pyamqp.dl2.a', 1, 'rejected', ['count', 'reason', 'queue', 'time', 'exchange', 'routing-keys', 'original-expiration']],
      ],
    });
  });

  it('passive declare of a missing queue or exchange: NotFound 404 on that channel, the connection lives on', () => {
    expect(result('pyamqp', 'passive_missing')).toMatchObject({
      queue: { exception: 'NotFound', reply_code: 404, reply_text: NO_QUEUE('pyamqp.no-such-queue'), method: 'Queue.declare' },
      exchange: { exception: 'NotFound', reply_code: 404, reply_text: NO_EXCHANGE('pyamqp.no-such-exchange') },
      connection_open: true,
      new_channel_works: true,
    });
  });

  it('an exclusive queue from another connection: ResourceLocked 405 for declare, consume and passive declare', () => {
    const locked = { exception: 'ResourceLocked', reply_code: 405, reply_text: LOCKED('pyamqp.exclusive') };
    expect(result('pyamqp', 'exclusive_locked')).toMatchObject({ owner_still_has_it: true, declare: locked, consume: locked, passive: locked });
    expect(result('pyamqp', 'exclusive_gone').gone).toBe(true);
  });

  it('wrong password: AccessRefused 403 with either SASL mechanism (AMQPLAIN and PLAIN)', () => {
    expect(result('pyamqp', 'wrong_password')).toMatchObject({
      AMQPLAIN: { exception: 'AccessRefused', reply_code: 403, reply_text: LOGIN_REFUSED('AMQPLAIN') },
      PLAIN: { exception: 'AccessRefused', reply_code: 403, reply_text: LOGIN_REFUSED('PLAIN') },
      AMQPLAIN_ok: true,
      PLAIN_ok: true,
    });
  });

  it('queue deleted under a consumer: on_cancel gets the tag; without one, ConsumerCancelled; delete-ok comes first', () => {
    expect(result('pyamqp', 'consumer_cancel')).toMatchObject({
      on_cancel_tag_matches: true, raised: { exception: 'ConsumerCancelled', tag_matches: true }, channel_open: true,
      // the channel's own consumer hears of it only after queue_delete has returned
      same_channel: ['deleted 0', 'on_cancel'],
    });
  });

  it('headers exchange: x-match all and any; an unknown x-match is 406 with the value as RabbitMQ prints it', () => {
    const pf = (reply_text: string) => ({ exception: 'PreconditionFailed', reply_code: 406, reply_text: `PRECONDITION_FAILED - ${reply_text}` });
    expect(result('pyamqp', 'headers_exchange')).toMatchObject({
      all: ['both'],
      any: ['both', 'pdf', 'log'],
      bad_mode: pf('Invalid x-match field value <<"some">>; expected all, any, all-with-x, or any-with-x'),
      bad_type: pf('Invalid x-match field type signedint (value 5); expected longstr'),
    });
  });

  it('inequivalent redeclares: PreconditionFailed 406 naming the argument', () => {
    const pf = (reply_text: string) => ({ exception: 'PreconditionFailed', reply_code: 406, reply_text });
    const where = (kind: string) => `for ${kind} 'pyamqp.mismatch' in vhost '/'`;
    expect(result('pyamqp', 'redeclare_mismatch')).toMatchObject({
      exchange_type: pf(`PRECONDITION_FAILED - inequivalent arg 'type' ${where('exchange')}: received 'fanout' but current is 'direct'`),
      queue_durable: pf(`PRECONDITION_FAILED - inequivalent arg 'durable' ${where('queue')}: received 'true' but current is 'false'`),
      queue_args: pf(`PRECONDITION_FAILED - inequivalent arg 'x-message-ttl' ${where('queue')}: received the value '1000' of type 'signedint' but current is none`),
    });
  });

  it('tune: heartbeat, frame_max, channel_max; mechanisms, locales and server properties', () => {
    expect(result('pyamqp', 'tune')).toMatchObject({
      heartbeat: 4, server_heartbeat: 60, frame_max: 131072, channel_max: 2047, mechanisms: ['AMQPLAIN', 'PLAIN'],
      locales: ['en_US'], property_keys: ['cluster_name', 'copyright', 'information', 'platform', 'product', 'version'],
      version_is_text: true,
    });
  });

  it('heartbeat=1 with heartbeat_tick(): heartbeats flow both ways on an idle connection', () => {
    expect(result('pyamqp', 'heartbeats')).toMatchObject({ heartbeat: 1, received: true, sent: true, still_works: true });
  });

  it('nowait declares, binds and consumes work; an error after a nowait call shows on the next call', () => {
    expect(result('pyamqp', 'nowait')).toMatchObject({
      got: ['nw'],
      late: {
        exception: 'PreconditionFailed', reply_code: 406,
        reply_text: "PRECONDITION_FAILED - inequivalent arg 'type' for exchange 'pyamqp.nowait_x' in vhost '/': received 'fanout' but current is 'direct'",
      },
    });
  });

  it('a 1 MiB body crosses in frame_max pieces both ways, byte for byte', () => {
    expect(result('pyamqp', 'large_message')).toMatchObject({ size: 1048579, got_size: 1048579, same: true, consumed_same: true, frame_max: 131072 });
  });

  it('tx_select / tx_commit / tx_rollback for publishes and acks', () => {
    expect(result('pyamqp', 'transactions')).toMatchObject({
      after_rollback: 0, before_commit: 0, after_commit: 2, first: 't2', again: ['t2', true], left: 1,
    });
  });

  it('direct reply-to: answers come back on the pseudo-queue; naming it without consuming it is 406', () => {
    expect(result('pyamqp', 'direct_reply_to')).toMatchObject({
      replies: [['pong', 'drt-1']],
      no_consumer: { exception: 'PreconditionFailed', reply_code: 406, reply_text: 'PRECONDITION_FAILED - fast reply consumer does not exist' }, reply_to_prefix: ['amq.rabbitmq.reply-to.'], routing_key_is_reply_to: true, exchange: [''],
    });
  });

  it('channel refusals: exception class, code and RabbitMQ reply text', () => {
    const e = (exception: string, reply_code: number, reply_text: string) => ({ exception, reply_code, reply_text });
    expect(result('pyamqp', 'refusals')).toMatchObject({
      unknown_delivery_tag: e('PreconditionFailed', 406, 'PRECONDITION_FAILED - unknown delivery tag 42'),
      reserved_queue_name: e('AccessRefused', 403, "ACCESS_REFUSED - queue name 'amq.pyamqp' contains reserved prefix 'amq.*'"),
      reserved_exchange_name: e('AccessRefused', 403, "ACCESS_REFUSED - exchange name 'amq.pyamqp' contains reserved prefix 'amq.*'"),
      delete_builtin_exchange: e('AccessRefused', 403, "ACCESS_REFUSED - deletion of system exchange 'amq.direct' in vhost '/' not allowed"),
      bind_default_exchange: e('AccessRefused', 403, 'ACCESS_REFUSED - operation not permitted on the default exchange'),
      consume_missing_queue: e('NotFound', 404, NO_QUEUE('pyamqp.no-such-queue')),
      get_missing_queue: e('NotFound', 404, NO_QUEUE('pyamqp.no-such-queue')),
      bind_missing_exchange: e('NotFound', 404, NO_EXCHANGE('pyamqp.no-such-exchange')),
      exclusive_consumer: e('AccessRefused', 403, "ACCESS_REFUSED - queue 'pyamqp.refusals' in vhost '/' in exclusive use"),
      duplicate_consumer_tag: e('NotAllowed', 530, "NOT_ALLOWED - attempt to reuse consumer tag 'dup'"),
    });
  });

  it('connection refusals: immediate=True and prefetch_size are 540, an unknown exchange type 503, a missing vhost 530', () => {
    const e = (exception: string, reply_code: number, reply_text: string) => ({ exception, reply_code, reply_text, connected: false });
    expect(result('pyamqp', 'connection_errors')).toMatchObject({
      immediate: e('AMQPNotImplementedError', 540, 'NOT_IMPLEMENTED - immediate=true'),
      prefetch_size: e('AMQPNotImplementedError', 540, 'NOT_IMPLEMENTED - prefetch_size!=0 (10)'),
      bad_exchange_type: e('InvalidCommand', 503, "COMMAND_INVALID - unknown exchange type 'no-such-type'"),
      bad_vhost: { exception: 'NotAllowed', reply_code: 530, reply_text: 'NOT_ALLOWED - vhost pyamqp-no-such-vhost not found' },
    });
  });
});

describe('kombu', () => {
  it("SimpleQueue: JSON in and out, requeue, Empty; kombu's own durable direct exchange of the same name", () => {
    expect(result('kombu', 'simple_queue')).toMatchObject({
      size: 2, first: { hello: 'world', n: 1 }, content_type: 'application/json', content_encoding: 'utf-8', headers: { h: 'v' },
      delivery_mode: 2, routing_key: 'kombu.simple', exchange: 'kombu.simple', requeued: [{ hello: 'again', n: 2 }, true],
      empty: 'Empty', exchange_declared: true,
      fanout_redeclare: {
        exception: 'PreconditionFailed', reply_code: 406,
        reply_text: "PRECONDITION_FAILED - inequivalent arg 'type' for exchange 'kombu.simple' in vhost '/': received 'fanout' but current is 'direct'",
      },
    });
  });

  it('Producer.publish(declare=[...]) declares exchange, queues and bindings; a Consumer on two queues gets what routes', () => {
    const json = { content_type: 'application/json', delivery_mode: 2 };
    expect(result('kombu', 'producer_consumer')).toMatchObject({
      got: [
        { body: { kind: 'video', n: 1 }, queue_key: 'video', ...json },
        { body: { kind: 'image', n: 2 }, queue_key: 'image', ...json },
        { body: { kind: 'video', n: 3 }, queue_key: 'video', ...json },
      ],
      declared: [true, true],
    });
  });

  it('work queue: prefetch_count=1 workers', () => {
    expect(result('kombu', 'work_queue')).toMatchObject({ busy: [0], free: [1, 2, 3, 4] });
  });

  it('topic bindings on one queue; an auto-delete queue goes with its consumer; Broadcast fans out', () => {
    expect(result('kombu', 'topic_and_broadcast')).toMatchObject({
      topic: ['app.error', 'kern.info', 'kern.disk.error', 'kern'],
      topic_queue_gone: true,
      broadcast: [['to everyone'], ['to everyone']],
      broadcast_queue_names: [true, true, true],
    });
  });

  it('RPC with reply_to and correlation_id', () => {
    expect(result('kombu', 'rpc')).toMatchObject({ results: [[4, 8], [21, 42]], reply_to_ok: true });
  });

  it('dead-lettering with x-dead-letter-routing-key, publish(expiration=seconds) and reject()', () => {
    const death = { count: 1, queue: 'kombu.dl.work', routing_keys: ['kombu.dl.work'], routing_key: 'dead' };
    expect(result('kombu', 'dead_letter')).toMatchObject({
      on_work: 'reject',
      dead: [
        { m: 'expire', reason: 'expired', original_expiration: '50', first_death_reason: 'expired', ...death },
        { m: 'reject', reason: 'rejected', original_expiration: null, first_death_reason: 'rejected', ...death },
      ],
    });
  });

  it('Queue options: max_length drops from the head of a max_priority queue; the first differing argument is named', () => {
    expect(result('kombu', 'queue_options')).toMatchObject({
      declared: 'kombu.opts',
      again: ['kombu.opts', 0, 0],
      by_priority: ['p2-3', 'p0-1', 'p3-0'],
      mismatch: {
        exception: 'PreconditionFailed', reply_code: 406,
        reply_text: "PRECONDITION_FAILED - inequivalent arg 'x-expires' for queue 'kombu.opts' in vhost '/': received none but current is the value '30000' of type 'signedint'",
      },
    });
  });

  it('Message.requeue() and reject(); get() on an empty queue is None', () => {
    expect(result('kombu', 'reject_requeue')).toMatchObject({ first: [{ x: 1 }, false], second: [{ x: 1 }, true, true], empty: true, purged: 0 });
  });

  it('Producer(on_return=...) sees mandatory unroutable messages as 312 NO_ROUTE', () => {
    expect(result('kombu', 'mandatory_return').returned).toEqual([
      { reply_code: 312, reply_text: 'NO_ROUTE', exchange: '', routing_key: 'kombu.nowhere', body: 'nobody home' },
    ]);
  });

  it('confirm_publish transport option: publish to a missing exchange raises NotFound', () => {
    expect(result('kombu', 'confirm_publish')).toMatchObject({
      count: 1, missing: { exception: 'NotFound', reply_code: 404, reply_text: NO_EXCHANGE('kombu.no-such-exchange') },
    });
  });

  it("passive declares, another connection's exclusive queue, a wrong password", () => {
    expect(result('kombu', 'errors')).toMatchObject({
      passive_queue: { exception: 'NotFound', reply_code: 404, reply_text: NO_QUEUE('kombu.no-such-queue') },
      passive_exchange: { exception: 'NotFound', reply_code: 404, reply_text: NO_EXCHANGE('kombu.no-such-exchange') },
      exclusive: { exception: 'ResourceLocked', reply_code: 405, reply_text: LOCKED('kombu.exclusive') },
      connection_usable: true,
      wrong_password: { exception: 'AccessRefused', text: `(0, 0): (403) ${LOGIN_REFUSED('PLAIN')}` },
    });
  });

  it('queue deleted under a Consumer: drain_events raises ConsumerCancelled; deleting it on its own channel returns first', () => {
    const r = result('kombu', 'consumer_cancelled');
    expect(r.raised).toEqual({ exception: 'ConsumerCancelled', tag: true, recoverable: true });
    expect(r.own_channel).toEqual({ delete: 0, later: 'ConsumerCancelled' });
  });

  it('headers exchange through binding_arguments', () => {
    expect(result('kombu', 'headers_exchange')).toMatchObject({ all: ['both'], any: ['both', 'pdf', 'log'] });
  });

  it('exchange-to-exchange bind_to / unbind_from, delete(if_unused) and queue delete(if_empty)', () => {
    expect(result('kombu', 'exchange_bindings')).toMatchObject({
      routed: ['via'],
      after_unbind: true,
      exchange_if_unused: { exception: 'PreconditionFailed', reply_code: 406, reply_text: "PRECONDITION_FAILED - exchange 'kombu.downstream' in vhost '/' in use" },
      queue_if_empty: { exception: 'PreconditionFailed', reply_code: 406, reply_text: "PRECONDITION_FAILED - queue 'kombu.e2e' in vhost '/' not empty" },
      queue_delete_count: 1,
    });
  });

  it("celery's remote control: a pidbox Mailbox node answers ping", () => {
    expect(result('kombu', 'mailbox')).toMatchObject({ replies: [{ worker1: 'pong' }], handler_args: [{ x: 1 }] });
  });

  it('qos(prefetch_count=1) before consuming two queues: global limits the channel, otherwise each consumer', () => {
    // and kombu knows the server reads `global` as RabbitMQ does, so Celery asks for a channel limit
    expect(result('kombu', 'celery_qos')).toMatchObject({ global: 1, per_consumer: 2, qos_semantics_matches_spec: false });
  });
});

describe('aio-pika', () => {
  it('hello world: queue iterator and message.process(); publish is confirmed with basic.ack', () => {
    expect(result('aiopika', 'hello')).toMatchObject({
      got: [{ body: 'Hello World!', routing_key: 'aiopika.hello', exchange: '', redelivered: false }],
      confirm: 'Ack',
    });
  });

  it('work queue: set_qos(prefetch_count=1) and manual ack', () => {
    expect(result('aiopika', 'work_queue')).toMatchObject({
      busy: ['task 0'], free: ['task 1', 'task 2', 'task 3', 'task 4', 'task 5'], delivery_mode: 2,
    });
  });

  it('fanout, direct and topic routing', () => {
    expect(result('aiopika', 'routing')).toMatchObject(ROUTED);
  });

  it('RPC: futures keyed by correlation_id', () => {
    expect(result('aiopika', 'rpc')).toMatchObject({ results: [[6, '36'], [9, '81']], server_saw: true, reply_to_ok: true });
  });

  it("durable queue, persistent message: properties and pamqp's integer types come back", () => {
    const r = result('aiopika', 'durable_properties');
    expect(r.count).toBe(1);
    expect(r.body).toBe('persist me');
    expect(r.message_count).toBe(0);
    expect(r.info).toMatchObject({
      body_size: 10, content_type: 'application/json', content_encoding: 'utf-8', delivery_mode: 2, priority: 4,
      correlation_id: 'c-1', reply_to: 'somewhere', expiration: 60, message_id: 'm-1', timestamp: '2021-06-07 08:09:10',
      type: 'greeting', user_id: 'guest', app_id: 'aiopika_features', exchange: '', redelivered: false, routing_key: 'aiopika.durable',
    });
    expect(r.headers).toEqual({
      big: 2 ** 40, bytes: "bytearray(b'\\x00\\x01')", flag: true, float: "bytearray(b'1.5')", int: -100000, list: [1, 'two'],
      nested: { a: 1 }, octet: 42, short: -300, str: 'text', uint: 3000000000, ushort: 40000,
    });
  });

  it('confirms: basic.ack; mandatory unroutable goes to return_callbacks, or raises PublishError 312', () => {
    expect(result('aiopika', 'confirms_and_returns')).toMatchObject({
      routable: 'Ack',
      returned: [{ body: 'nobody', routing_key: 'aiopika.nowhere', exchange: '' }],
      unroutable_result: 'DeliveredMessage',
      strict: { exception: 'PublishError', reply_code: 312, reply_text: 'NO_ROUTE', body: 'nobody either' },
    });
  });

  it('queue.get: message_count, None or QueueEmpty when empty', () => {
    expect(result('aiopika', 'basic_get')).toMatchObject({
      gets: [['g0', 2, 1], ['g1', 1, 2], ['g2', 0, 3]], empty: null, raised: 'QueueEmpty',
    });
  });

  it('nack and reject, with and without requeue, multiple', () => {
    expect(result('aiopika', 'nack_reject')).toMatchObject({
      first: ['n0', false], again: ['n0', true], rejected: ['n0', true], nacked: ['n1', 'n2'], back: [['n1', true], ['n2', true]], left: 0,
    });
  });

  it('dead-lettering through a topic DLX: expiration and nack(requeue=False)', () => {
    const common = { routing_key: 'aiopika.dl.work', exchange: 'aiopika.dlx', expiration: null, count: 1, queue: 'aiopika.dl.work', routing_keys: ['aiopika.dl.work'], time_type: 'datetime' };
    expect(result('aiopika', 'dead_letter')).toMatchObject({
      on_work: 'nack me',
      dead: [
        { body: 'expire me', reason: 'expired', original_expiration: '50', first_death: ['expired', 'aiopika.dl.work', ''], ...common },
        { body: 'nack me', reason: 'rejected', original_expiration: null, first_death: ['rejected', 'aiopika.dl.work', ''], ...common },
      ],
    });
  });

  it("channel errors: aiormq's exception classes and texts; the robust channel reopens; unknown exchange type closes the connection", () => {
    expect(result('aiopika', 'channel_errors')).toMatchObject({
      passive_queue: { exception: 'ChannelNotFoundEntity', text: NO_QUEUE('aiopika.no-such-queue') },
      passive_exchange: { exception: 'ChannelNotFoundEntity', text: NO_EXCHANGE('aiopika.no-such-exchange') },
      reopened: [true, 2],
      exclusive: { exception: 'ChannelLockedResource', text: LOCKED('aiopika.exclusive') },
      bad_exchange_type: { exception: 'ConnectionCommandInvalid', args: ["COMMAND_INVALID - unknown exchange type 'x-no-such-type'"] },
    });
  });

  it('wrong password: ProbableAuthenticationError', () => {
    expect(result('aiopika', 'wrong_password').result).toEqual({ exception: 'ProbableAuthenticationError', args: [LOGIN_REFUSED('PLAIN')] });
  });

  it('queue deleted under a consumer: the basic.cancel removes it; cancelling it again is still answered', () => {
    expect(result('aiopika', 'consumer_cancel')).toMatchObject({ before: true, after: false, cancel_ok: 'CancelOk', channel_open: true });
  });

  it('headers exchange', () => {
    expect(result('aiopika', 'headers_exchange')).toMatchObject({ all: ['both'], any: ['both', 'pdf', 'log'] });
  });

  it('leaving a queue iterator early nacks what it had prefetched back into the queue', () => {
    expect(result('aiopika', 'iterator_requeue')).toMatchObject({ processed: ['i0', 'i1'], rest: [['i2', true], ['i3', true], ['i4', true]] });
  });

  it('patterns.RPC: results, remote exceptions, unroutable methods, and timeouts dead-lettered through rpc.dlx', () => {
    expect(result('aiopika', 'patterns_rpc')).toMatchObject({
      result: 42, remote_error: ['ValueError', 'no good'], unregistered: 'MessageProcessError', timeout: ['TimeoutError', 'Message timed-out'],
    });
  });

  it('connect_robust: after the network drops it reconnects, restores exchange, exclusive queue, binding and consumer tag', () => {
    expect(result('aiopika', 'robust_reconnect')).toMatchObject({ got: ['before', 'after'], reconnects: 1, queue_name_prefix: 'amq_', same_tag: true });
  });
});

// Programs written with clients of other languages, as their users write them, run against the
// broker under test: Ruby's Bunny, php-amqplib, and librabbitmq's command-line amqp-tools. The
// programs live in ./other-clients; each takes AMQP_HOST / AMQP_PORT / AMQP_URL from the
// environment and prints JSON lines. The feature programs print one {"check": name, ...} line per
// check; what each line must say is what RabbitMQ 3.10 makes the client see.
//
//   AMQP_URL=amqp://guest:guest@127.0.0.1:5672 npx vitest run broker/test/other-clients.test.ts
import { internals } from '../embedded/internals';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createBroker, type Broker } from '../index';
import {
  consumerCount,
  deleteLeftovers,
  finished,
  killPrograms,
  queueDepth,
  runProgram,
  withChannel,
  type Json,
  type ProgramRun,
} from './client-program';
import { startTestBroker, type TestBroker } from './harness';

const RUBY = '/usr/bin/ruby';
const PHP = '/usr/bin/php';
const HERE = path.dirname(fileURLToPath(import.meta.url));
const DIR = path.join(HERE, 'other-clients');
const RUBY_DIR = path.join(DIR, 'ruby');
const PHP_DIR = path.join(DIR, 'php');
const TOOLS_DIR = path.join(DIR, 'amqp-tools');

/** Everything the tutorial programs declare by name, removed before and after so reruns start clean. */
const QUEUES = [
  'bunny.hello', 'bunny.task_queue', 'bunny.rpc_queue', 'php.hello', 'php.task_queue', 'php.rpc_queue',
  'polyglot.rpc_queue', 'tools.pipeline', 'tools.large', 'tools.heartbeat', 'tools.props', 'tools.topic',
];
const EXCHANGES = [
  'bunny.logs', 'bunny.direct_logs', 'bunny.topic_logs', 'php.logs', 'php.direct_logs', 'php.topic_logs',
];

let broker: TestBroker;

/** Programs a test started: killed after it, unlike the long ones started for the whole file. */
const perTest = new Set<ProgramRun>();

function start(command: string, args: string[], cwd: string, env: Record<string, string> = {}, killAfterMs = 15_000): ProgramRun {
  const run = runProgram(broker, command, args, { cwd, env, killAfterMs });
  perTest.add(run);
  return run;
}

const ruby = (script: string, args: string[] = [], env: Record<string, string> = {}, killAfterMs?: number) =>
  start(RUBY, [path.join(RUBY_DIR, script), ...args], RUBY_DIR, env, killAfterMs);
const php = (script: string, args: string[] = [], env: Record<string, string> = {}, killAfterMs?: number) =>
  start(PHP, [path.join(PHP_DIR, script), ...args], PHP_DIR, env, killAfterMs);
const tool = (command: string, args: string[], env: Record<string, string> = {}, killAfterMs?: number) =>
  start(command, args, TOOLS_DIR, env, killAfterMs);

async function toEnd(run: ProgramRun): Promise<ProgramRun> {
  await finished(run);
  return run;
}

/** The {"check": name} line of a feature program, after it has finished. */
async function check(run: ProgramRun, name: string): Promise<Json> {
  await finished(run);
  const line = run.json().find((j) => j.check === name);
  expect(line, `no check ${name}\n${run.describe()}`).toBeDefined();
  expect(line?.ok, run.describe()).toBe(true);
  return line as Json;
}

/** A feature program printed no failed check and got to its end. */
async function ranToTheEnd(run: ProgramRun): Promise<void> {
  await finished(run);
  expect(run.json().filter((j) => j.ok === false), run.describe()).toEqual([]);
  expect(run.done()).toEqual({ done: 'all' });
}

/** One test per [title, check, what its line must contain]; `run` is read once the program started. */
function itChecks(run: () => ProgramRun, cases: [title: string, check: string, expected: Json][]): void {
  for (const [title, name, expected] of cases) {
    it(title, async () => {
      expect(await check(run(), name)).toMatchObject(expected);
    }, 30_000);
  }
}

const bodies = (msgs: Json[]) => msgs.map((m) => String(m.body));
const keysAndBodies = (msgs: Json[]) => msgs.map((m) => `${String(m.routing_key)}:${String(m.body)}`);

// The feature programs and the heartbeat waits take seconds each; they start once, side by side,
// and the tests below read what they printed.
let bunnyFeatures: ProgramRun;
let phpFeatures: ProgramRun;
const heartbeats: Record<string, ProgramRun> = {};

beforeAll(async () => {
  broker = await startTestBroker();
  await deleteLeftovers(broker, QUEUES, EXCHANGES);
  const long = (command: string, args: string[], cwd: string, env: Record<string, string> = {}) =>
    runProgram(broker, command, args, { cwd, env, killAfterMs: 30_000 });
  bunnyFeatures = long(RUBY, [path.join(RUBY_DIR, 'features.rb')], RUBY_DIR);
  phpFeatures = long(PHP, [path.join(PHP_DIR, 'features.php')], PHP_DIR);
  heartbeats.bunny = long(RUBY, [path.join(RUBY_DIR, 'heartbeat.rb')], RUBY_DIR, { HEARTBEAT: '2', IDLE: '7' });
  heartbeats.php = long(PHP, [path.join(PHP_DIR, 'heartbeat.php')], PHP_DIR, { HEARTBEAT: '2', IDLE: '7' });
  heartbeats.tools = long(path.join(TOOLS_DIR, 'heartbeat.sh'), [], TOOLS_DIR, { IDLE: '7' });
});

afterEach(() => {
  for (const run of perTest) run.child.kill('SIGKILL');
  perTest.clear();
});

afterAll(async () => {
  killPrograms();
  if (broker !== undefined) {
    await deleteLeftovers(broker, QUEUES, EXCHANGES).catch(() => {});
    await broker.close();
  }
});

// ---------------------------------------------------------------------------------------------

/** One library's tutorial programs: how to start one, and the prefix of the names they declare. */
interface Tutorials {
  run: (script: string, args?: string[], env?: Record<string, string>) => ProgramRun;
  ext: 'rb' | 'php';
  prefix: 'bunny' | 'php';
}
const BUNNY: Tutorials = { run: ruby, ext: 'rb', prefix: 'bunny' };
const PHP_AMQPLIB: Tutorials = { run: php, ext: 'php', prefix: 'php' };

async function helloWorld({ run, ext, prefix }: Tutorials): Promise<void> {
  const receiver = run(`receive.${ext}`, [], { MAX_MESSAGES: '2', TIMEOUT: '10' });
  await receiver.ready;
  await toEnd(run(`send.${ext}`));
  await toEnd(run(`send.${ext}`, ['Hello', 'again!']));
  expect(await finished(receiver), receiver.describe()).toEqual([
    { routing_key: `${prefix}.hello`, body: 'Hello World!', redelivered: false },
    { routing_key: `${prefix}.hello`, body: 'Hello again!', redelivered: false },
  ]);
  expect(receiver.done()).toEqual({ done: 'count', count: 2 });
}

async function workQueue({ run, ext, prefix }: Tutorials): Promise<void> {
  const common = { IDLE_TIMEOUT: '1.5', TIMEOUT: '15' };
  const slow = run(`worker.${ext}`, [], { ...common, SECONDS_PER_DOT: '0.4' });
  const fast = run(`worker.${ext}`, [], { ...common, SECONDS_PER_DOT: '0.01' });
  await Promise.all([slow.ready, fast.ready]);
  const tasks = Array.from({ length: 8 }, (_, i) => `task-${i}.`);
  await toEnd(run(`new_task.${ext}`, tasks));
  const [s, f] = await Promise.all([finished(slow), finished(fast)]);
  const report = `${slow.describe()}\n${fast.describe()}`;
  expect(bodies([...s, ...f]).sort(), report).toEqual([...tasks].sort());
  expect(f.length, report).toBeGreaterThan(s.length);
  for (const m of [...s, ...f]) expect([m.persistent, m.redelivered], report).toEqual([true, false]);
  expect(await queueDepth(broker, `${prefix}.task_queue`)).toBe(0);
}

async function rpc({ run, ext }: Tutorials): Promise<void> {
  const server = run(`rpc_server.${ext}`, [], { MAX_REQUESTS: '4' });
  await server.ready;
  const viaQueue = run(`rpc_client.${ext}`, ['10', '20']);
  const direct = run(`rpc_client.${ext}`, ['5', '30'], { REPLY_TO: 'direct' });
  const [q, d] = await Promise.all([finished(viaQueue), finished(direct)]);
  expect(q.map((m) => [m.n, m.body]), viaQueue.describe()).toEqual([[10, '55'], [20, '6765']]);
  expect(String(q[0]?.reply_queue_prefix)).toMatch(/^amq\.gen-/);
  expect(d.map((m) => [m.n, m.body, m.reply_queue_prefix]), direct.describe()).toEqual([
    [5, '5', 'amq.rabbitmq.reply-to'],
    [30, '832040', 'amq.rabbitmq.reply-to'],
  ]);
  await finished(server);
  const replyTos = server.json().filter((j) => 'request' in j).map((j) => String(j.reply_to));
  // the server sees the address the broker put in place of the pseudo-queue's name
  expect(replyTos.filter((r) => /^amq\.rabbitmq\.reply-to\..+/.test(r)), server.describe()).toHaveLength(2);
  expect(replyTos.filter((r) => r.startsWith('amq.gen-')), server.describe()).toHaveLength(2);
  expect(server.done()).toEqual({ done: 'count', count: 4 });
}

const CAPABILITIES = ['publisher_confirms', 'exchange_exchange_bindings', 'basic.nack', 'consumer_cancel_notify',
  'connection.blocked', 'authentication_failure_close', 'per_consumer_qos', 'direct_reply_to'];
const LOCKED = (q: string) =>
  `RESOURCE_LOCKED - cannot obtain exclusive access to locked queue '${q}' in vhost '/'. It could be originally ` +
  'declared on another connection or the exclusive property value does not match that of the original declaration.';

describe('Bunny (Ruby): the tutorials', () => {
  it('hello world: receive.rb gets what send.rb sent, in order', () => helloWorld(BUNNY));

  it('work queue: prefetch 1 and manual acks share persistent tasks fairly, each once', () => workQueue(BUNNY));

  it('fanout: every subscriber gets every message, each on its own amq.gen- queue', async () => {
    const a = ruby('receive_logs.rb', ['fanout', 'bunny.logs'], { MAX_MESSAGES: '2' });
    const b = ruby('receive_logs.rb', ['fanout', 'bunny.logs'], { MAX_MESSAGES: '2' });
    const [ra, rb] = await Promise.all([a.ready, b.ready]);
    expect(ra.split(' ')[1]).toMatch(/^amq\.gen-/);
    expect(ra).not.toBe(rb);
    await toEnd(ruby('emit_log.rb', ['fanout', 'bunny.logs', '', 'info:', 'one']));
    await toEnd(ruby('emit_log.rb', ['fanout', 'bunny.logs', '', 'info:', 'two']));
    for (const run of [a, b]) {
      expect(await finished(run), run.describe()).toEqual([
        { routing_key: '', body: 'info: one', exchange: 'bunny.logs' },
        { routing_key: '', body: 'info: two', exchange: 'bunny.logs' },
      ]);
    }
  });

  it('direct and topic: subscribers get exactly what their binding keys match', async () => {
    const errors = ruby('receive_logs.rb', ['direct', 'bunny.direct_logs', 'error'], { MAX_MESSAGES: '1' });
    const kern = ruby('receive_logs.rb', ['topic', 'bunny.topic_logs', 'kern.*', '*.critical'], { MAX_MESSAGES: '3' });
    const all = ruby('receive_logs.rb', ['topic', 'bunny.topic_logs', '#'], { MAX_MESSAGES: '4' });
    await Promise.all([errors.ready, kern.ready, all.ready]);
    await toEnd(ruby('emit_log.rb', ['direct', 'bunny.direct_logs', 'info', 'not for errors']));
    await toEnd(ruby('emit_log.rb', ['direct', 'bunny.direct_logs', 'error', 'disk full']));
    for (const key of ['kern.info', 'app.critical', 'kern.critical', 'app.info.detail']) {
      await toEnd(ruby('emit_log.rb', ['topic', 'bunny.topic_logs', key, `msg-${key}`]));
    }
    expect(keysAndBodies(await finished(errors)), errors.describe()).toEqual(['error:disk full']);
    expect(keysAndBodies(await finished(kern)), kern.describe()).toEqual([
      'kern.info:msg-kern.info', 'app.critical:msg-app.critical', 'kern.critical:msg-kern.critical',
    ]);
    expect(keysAndBodies(await finished(all)), all.describe()).toEqual([
      'kern.info:msg-kern.info', 'app.critical:msg-app.critical', 'kern.critical:msg-kern.critical',
      'app.info.detail:msg-app.info.detail',
    ]);
  });

  it('RPC: answers come back by correlation_id on a callback queue and through amq.rabbitmq.reply-to', () => rpc(BUNNY));
});

describe('Bunny (Ruby): features.rb', () => {
  it('runs every check to the end', () => ranToTheEnd(bunnyFeatures), 30_000);

  it('dead-lettering: queue TTL, per-message expiration and reject, each with its x-death', async () => {
    const line = await check(bunnyFeatures, 'dead_letter_ttl');
    const death = { exchange: 'bunny.f.dlx', count: 1, death_exchange: '', expiration: null };
    expect(line.dead_letters).toEqual([
      { ...death, body: 'message ttl', routing_key: 'bunny.f.expiring', reason: 'expired', queue: 'bunny.f.expiring', routing_keys: ['bunny.f.expiring'], original_expiration: '50', first_death_reason: 'expired', first_death_queue: 'bunny.f.expiring' },
      { ...death, body: 'queue ttl', routing_key: 'bunny.f.ttl', reason: 'expired', queue: 'bunny.f.ttl', routing_keys: ['bunny.f.ttl'], original_expiration: null, first_death_reason: 'expired', first_death_queue: 'bunny.f.ttl' },
      { ...death, body: 'refused', routing_key: 'rejected-key', reason: 'rejected', queue: 'bunny.f.rejects', routing_keys: ['bunny.f.rejects'], original_expiration: null, first_death_reason: 'rejected', first_death_queue: 'bunny.f.rejects' },
    ]);
    expect(line.ttl_depth).toBe(0);
  }, 30_000);

  const locked = { error_class: 'Bunny::ResourceLocked', reply_code: 405, reply_text: LOCKED('bunny.f.exclusive') };
  itChecks(() => bunnyFeatures, [
    ['negotiates frame_max 131072, channel_max 2047, heartbeat 60 and sees the capabilities it asks about', 'negotiated', {
      frame_max: 131072, channel_max: 2047, heartbeat: 60, capabilities: CAPABILITIES, mechanisms: ['AMQPLAIN', 'PLAIN'],
    }],
    ['durable queue, persistent message with properties, confirmed, read from another connection', 'durable_persistent', {
      confirmed: true, depth: 1, durable: true, body: 'keep me', delivery_mode: 2, content_type: 'text/plain',
      headers: { attempt: 1, origin: 'bunny' }, message_id: 'm-1', app_id: 'features',
    }],
    ['redeclaring with other flags is Bunny::PreconditionFailed 406 on the channel only', 'redeclare_mismatch', {
      error_class: 'Bunny::PreconditionFailed', reply_code: 406, class_id: 50, method_id: 10,
      reply_text: "PRECONDITION_FAILED - inequivalent arg 'durable' for queue 'bunny.f.mismatch' in vhost '/': received 'false' but current is 'true'",
      channel_open: false, connection_open: true,
    }],
    ['wait_for_confirms: twenty publishes all acked, none nacked', 'confirms', { all_acked: true, nacked: 0, depth: 20, next_publish_seq_no: 21 }],
    ['mandatory publish with nowhere to go comes back through on_return (312 NO_ROUTE) before its ack', 'mandatory_return', {
      returned: { reply_code: 312, reply_text: 'NO_ROUTE', exchange: 'bunny.f.unbound', routing_key: 'nobody', body: 'nowhere to go', correlation_id: 'c-1' },
      acked: true, return_came_first: true,
    }],
    ['basic.get (queue.pop): empty, then messages in order with their properties and delivery tags', 'basic_get', {
      empty: true,
      first: { body: 'first', depth: 1, redelivered: false, routing_key: 'bunny.f.get', exchange: '', type: 'greeting', delivery_tag: 1 },
      second: { body: 'second', delivery_tag: 2 },
      depth_after: 0,
    }],
    ['reject and nack: requeued come back redelivered, the rest are dropped, multiple requeues all', 'nack_reject', {
      seen: [['bounce', false], ['bounce', true], ['bounce', true]],
      depth_after_drop: 0, depth_after_reject: 0, depth_after_multiple: 3,
      consumed: [['batch 0', true], ['batch 1', true], ['batch 2', true]],
    }],
    ['passive declare of a missing queue is Bunny::NotFound 404; the connection carries on', 'passive_missing', {
      error_class: 'Bunny::NotFound', reply_code: 404, class_id: 50, method_id: 10,
      reply_text: "NOT_FOUND - no queue 'bunny.f.missing' in vhost '/'",
      channel_open: false, connection_open: true, new_channel_works: true,
    }],
    ["another connection's exclusive queue is Bunny::ResourceLocked 405, for declare and consume", 'exclusive_locked', {
      ...locked, class_id: 50, method_id: 10,
      consume_error: { ...locked, class_id: 60, method_id: 20 },
      gone_after_close: true,
    }],
    ['an amq. exchange name is Bunny::AccessRefused 403', 'reserved_name', {
      error_class: 'Bunny::AccessRefused', reply_code: 403, class_id: 40, method_id: 10,
      reply_text: "ACCESS_REFUSED - exchange name 'amq.bunny-test' contains reserved prefix 'amq.*'",
    }],
    ['acking an unknown delivery tag closes the channel with 406 (on_error)', 'unknown_delivery_tag', {
      reply_code: 406, reply_text: 'PRECONDITION_FAILED - unknown delivery tag 99', channel_open: false, connection_open: true,
    }],
    ['a wrong password is Bunny::AuthenticationFailureError', 'wrong_password', {
      error_class: 'Bunny::AuthenticationFailureError', auth_failure: true,
    }],
    ['headers exchange: x-match all and any', 'headers_exchange', { all: ['pdf report'], any: ['zip anything', 'pdf log'] }],
    ['exchange-to-exchange binding routes by the source binding key', 'exchange_to_exchange', { received: ['audited'] }],
    ['deleting the queue under a consumer calls its on_cancellation with its tag', 'cancel_notification', {
      notified: true, same_tag: true, tag_prefix: 'bunn', channel_open: true,
    }],
    ['an auto-delete queue goes with its last consumer', 'auto_delete', { consumers: 1, gone_after_cancel: true }],
    ['x-max-length drops from the head', 'max_length', { depth: 2, kept: ['two', 'three'] }],
    ['quorum queue with x-delivery-limit: x-delivery-count counts returns, then the message is dead-lettered', 'quorum_queue', {
      // with a delivery limit, a returned message goes out again before the rest
      deliveries: [['poison', null, false], ['poison', 1, true], ['poison', 2, true], ['fine', null, false]],
      dead_letter: ['poison', 'delivery_limit', 'delivery_limit', 'bunny'],
    }],
    ['quorum queues must be durable, non-exclusive and named; x-queue-type classic is the default', 'quorum_declare', {
      non_durable: [406, "PRECONDITION_FAILED - invalid property 'non-durable' for queue 'bunny.f.quorum-bad' in vhost '/'"],
      exclusive: [406, "PRECONDITION_FAILED - invalid property 'exclusive-owner' for queue 'bunny.f.quorum-bad' in vhost '/'"],
      server_named: [406, 'PRECONDITION_FAILED - Cannot declare a server-named queue for type rabbit_quorum_queue'],
      classic_redeclared: 'bunny.f.classic',
    }],
    ['a 1 MiB message goes through whole, split into frames and joined', 'large_message', { acked: true, size: 1048593, equal: true }],
  ]);
});

// ---------------------------------------------------------------------------------------------

describe('php-amqplib: the tutorials', () => {
  it('hello world: receive.php gets what send.php sent, in order', () => helloWorld(PHP_AMQPLIB));

  it('work queue: prefetch 1 and manual acks share persistent tasks fairly, each once', () => workQueue(PHP_AMQPLIB));

  it('fanout, direct and topic: subscribers get exactly what their bindings match', async () => {
    const fan = php('receive_logs.php', ['fanout', 'php.logs'], { MAX_MESSAGES: '1' });
    const warn = php('receive_logs.php', ['direct', 'php.direct_logs', 'warning', 'error'], { MAX_MESSAGES: '2' });
    const topic = php('receive_logs.php', ['topic', 'php.topic_logs', '*.orange.*', 'lazy.#'], { MAX_MESSAGES: '3' });
    await Promise.all([fan.ready, warn.ready, topic.ready]);
    await toEnd(php('emit_log.php', ['fanout', 'php.logs', 'ignored', 'to everyone']));
    for (const sev of ['error', 'info', 'warning']) await toEnd(php('emit_log.php', ['direct', 'php.direct_logs', sev, `a ${sev}`]));
    for (const key of ['quick.orange.rabbit', 'lazy.brown.fox', 'quick.brown.fox', 'lazy', 'orange']) {
      await toEnd(php('emit_log.php', ['topic', 'php.topic_logs', key, key]));
    }
    expect(await finished(fan), fan.describe()).toEqual([{ routing_key: 'ignored', body: 'to everyone', exchange: 'php.logs' }]);
    expect(keysAndBodies(await finished(warn)), warn.describe()).toEqual(['error:a error', 'warning:a warning']);
    expect(keysAndBodies(await finished(topic)), topic.describe()).toEqual([
      'quick.orange.rabbit:quick.orange.rabbit', 'lazy.brown.fox:lazy.brown.fox', 'lazy:lazy',
    ]);
  });

  it('RPC: answers by correlation_id on a callback queue and through amq.rabbitmq.reply-to', () => rpc(PHP_AMQPLIB));
});

describe('php-amqplib: features.php', () => {
  it('runs every check to the end', () => ranToTheEnd(phpFeatures), 30_000);

  it('dead-lettering: queue TTL, per-message expiration and reject, each with its x-death', async () => {
    const death = { exchange: 'php.f.dlx', count: 1, death_exchange: '', has_expiration: false };
    expect((await check(phpFeatures, 'dead_letter_ttl')).dead_letters).toEqual([
      { ...death, body: 'message ttl', routing_key: 'php.f.expiring', reason: 'expired', queue: 'php.f.expiring', routing_keys: ['php.f.expiring'], original_expiration: '50', first_death_reason: 'expired' },
      { ...death, body: 'queue ttl', routing_key: 'php.f.ttl', reason: 'expired', queue: 'php.f.ttl', routing_keys: ['php.f.ttl'], original_expiration: null, first_death_reason: 'expired' },
      { ...death, body: 'refused', routing_key: 'rejected-key', reason: 'rejected', queue: 'php.f.rejects', routing_keys: ['php.f.rejects'], original_expiration: null, first_death_reason: 'rejected' },
    ]);
  }, 30_000);

  it('an amq. exchange name is 403, an unknown delivery tag 406', async () => {
    expect(await check(phpFeatures, 'reserved_name')).toMatchObject({
      reply_code: 403, method: [40, 10], reply_text: "ACCESS_REFUSED - exchange name 'amq.php-test' contains reserved prefix 'amq.*'",
    });
    expect(await check(phpFeatures, 'unknown_delivery_tag')).toMatchObject({
      reply_code: 406, method: [60, 80], reply_text: 'PRECONDITION_FAILED - unknown delivery tag 99', connection_open: true,
    });
  }, 30_000);

  const locked = { reply_code: 405, reply_text: LOCKED('php.f.exclusive') };
  itChecks(() => phpFeatures, [
    ['sees the capabilities it asks about; heartbeats stay off unless asked for', 'negotiated', { capabilities: CAPABILITIES, heartbeat: 0 }],
    ['logs in with PLAIN as well as the default AMQPLAIN', 'plain_login', { connected: true }],
    ['durable queue, persistent message with properties and a header table, read from another connection', 'durable_persistent', {
      declared: ['php.f.durable', 0, 0], depth: 1, body: 'keep me', delivery_mode: 2, content_type: 'application/json',
      message_id: 'm-1', timestamp: 1700000000,
      // php-amqplib writes a PHP float as a decimal, and reads it back as a string
      headers: { attempt: 1, origin: 'php', ratio: '0.5', flag: true },
    }],
    ['redeclaring with other flags is AMQPProtocolChannelException 406', 'redeclare_mismatch', {
      error_class: 'AMQPProtocolChannelException', reply_code: 406, method: [50, 10],
      reply_text: "PRECONDITION_FAILED - inequivalent arg 'durable' for queue 'php.f.mismatch' in vhost '/': received 'false' but current is 'true'",
      channel_open: false, connection_open: true,
    }],
    ['confirm_select + wait_for_pending_acks: every publish acked in order, batches too', 'confirms', { acked: 25, in_order: true, nacked: 0, depth: 25 }],
    ['set_return_listener: 312 NO_ROUTE comes before the ack, and without confirms too', 'mandatory_return', {
      events: [['return', 312, 'NO_ROUTE', 'php.f.unbound', 'nobody', 'nowhere to go', 'c-1'], ['ack', 'nowhere to go']],
      default_exchange_return: [312, 'NO_ROUTE', '', 'php.f.no-such-queue'],
    }],
    ['basic_get: null when empty, then messages with message_count and delivery tags', 'basic_get', {
      empty: true,
      first: { body: 'first', message_count: 1, redelivered: false, routing_key: 'php.f.get', exchange: '', type: 'greeting', priority: 3, delivery_tag: 1 },
      second: { body: 'second', message_count: 0, delivery_tag: 2 },
      purged: 0,
    }],
    ['reject and nack: requeued come back redelivered, the rest are dropped, multiple requeues all', 'nack_reject', {
      seen: [['bounce', false], ['bounce', true], ['bounce', true]],
      depth_after_drop: 0, depth_after_reject: 0, depth_after_multiple: 3,
      consumed: [['batch 0', true], ['batch 0', true], ['batch 1', true], ['batch 2', true]],
    }],
    ['passive declare of a missing queue is AMQPProtocolChannelException 404; the connection carries on', 'passive_missing', {
      error_class: 'AMQPProtocolChannelException', reply_code: 404, method: [50, 10],
      reply_text: "NOT_FOUND - no queue 'php.f.missing' in vhost '/'",
      channel_open: false, connection_open: true, new_channel_works: true,
    }],
    ["another connection's exclusive queue is 405 RESOURCE_LOCKED for declare and consume", 'exclusive_locked', {
      error_class: 'AMQPProtocolChannelException', ...locked, method: [50, 10],
      consume_error: { ...locked, method: [60, 20] },
      gone_after_close: true,
    }],
    ['a wrong password is AMQPConnectionClosedException 403 with the reason', 'wrong_password', {
      error_class: 'AMQPConnectionClosedException', code: 403,
      message: 'ACCESS_REFUSED - Login was refused using authentication mechanism AMQPLAIN. For details see the broker logfile.(0, 0)',
    }],
    ['headers exchange: x-match all and any', 'headers_exchange', { all: ['pdf report'], any: ['zip anything', 'pdf log'] }],
    ['deleting the queue under a consumer throws AMQPBasicCancelException from wait()', 'cancel_notification', {
      notified: true, same_tag: true, tag_prefix: 'amq.ctag-', channel_open: true,
    }],
    ['tx_select / tx_rollback / tx_commit', 'transactions', { after_rollback: 0, before_commit: 0, after_commit: 1, bodies: ['committed'] }],
    ['basic_recover(true) redelivers what is unacked, flagged', 'recover', { deliveries: [['again please', false], ['again please', true]] }],
    ['quorum queue: basic_get carries x-delivery-count, a return goes to the back, global qos is 540', 'quorum_queue', {
      gets: [['a', 0, false], ['b', 0, false], ['c', 0, false], ['a', 1, true]],
      global_qos: ['AMQPConnectionClosedException', 540, "NOT_IMPLEMENTED - queue 'php.f.quorum' in vhost '/' does not support global qos(60, 20)"],
    }],
    ['a 1 MiB message goes through whole', 'large_message', { size: 1048593, equal: true }],
  ]);
});

describe('Bunny and php-amqplib together', () => {
  it('a PHP client calls a Ruby RPC server through amq.rabbitmq.reply-to', async () => {
    const server = ruby('rpc_server.rb', [], { MAX_REQUESTS: '2', RPC_QUEUE: 'polyglot.rpc_queue' });
    await server.ready;
    const client = php('rpc_client.php', ['7', '12'], { REPLY_TO: 'direct', RPC_QUEUE: 'polyglot.rpc_queue' });
    expect((await finished(client)).map((m) => [m.n, m.body]), client.describe()).toEqual([[7, '13'], [12, '144']]);
    await finished(server);
    expect(server.done(), server.describe()).toEqual({ done: 'count', count: 2 });
  });
});

// ---------------------------------------------------------------------------------------------

describe('amqp-tools (librabbitmq)', () => {
  it('a shell pipeline: declare -d, publish -l, consume -c 3, get, get on empty, delete, errors', async () => {
    const run = tool(path.join(TOOLS_DIR, 'pipeline.sh'), []);
    await finished(run);
    const steps = Object.fromEntries(run.json().filter((j) => 'check' in j).map((j) => [j.check, [j.rc, j.out]]));
    expect(steps, run.describe()).toEqual({
      declare: [0, 'tools.pipeline'],
      publish_lines: [0, ''],
      consume: [0, ['first line', 'second line', 'third line'].map((b) => JSON.stringify({ body: `${b}\n` })).join('\n')],
      get: [0, 'fourth line'],
      get_empty: [2, ''],
      redeclare_not_durable: [1, "queue.declare: server channel error 406, message: PRECONDITION_FAILED - inequivalent arg 'durable' for queue 'tools.pipeline' in vhost '/': received 'false' but current is 'true'"],
      delete: [0, '0'],
      get_deleted: [1, "basic.get: server channel error 404, message: NOT_FOUND - no queue 'tools.pipeline' in vhost '/'"],
      wrong_password: [1, 'logging in to AMQP server: server connection error 403, message: ACCESS_REFUSED - Login was refused using authentication mechanism PLAIN. For details see the broker logfile.'],
    });
  });

  it('amqp-publish -p -C -E -H -t sets delivery mode, content type and encoding, headers and reply-to', async () => {
    await toEnd(tool('amqp-declare-queue', ['-u', broker.url, '-q', 'tools.props']));
    await toEnd(tool('amqp-publish', [
      '-u', broker.url, '-r', 'tools.props', '-p', '-C', 'application/json', '-E', 'utf-8',
      '-H', 'x-app: tools', '-H', 'attempt: 3', '-t', 'replies', '-b', '{"n":1}',
    ]));
    const got = await withChannel(broker, async (ch) => {
      const m = await ch.get('tools.props', { noAck: true });
      return m === false ? undefined : { body: m.content.toString(), props: m.properties };
    });
    expect(got?.body).toBe('{"n":1}');
    expect(got?.props).toMatchObject({
      deliveryMode: 2, contentType: 'application/json', contentEncoding: 'utf-8', replyTo: 'replies',
      // amqp-publish sends every header value as a string
      headers: { 'x-app': 'tools', attempt: '3' },
    });
  });

  it('amqp-consume -q -e amq.topic -r declares and binds its queue and runs the command per matching message', async () => {
    const consumer = tool('amqp-consume', ['-u', broker.url, '-q', 'tools.topic', '-e', 'amq.topic', '-r', 'tools.*.error', '-c', '2', path.join(TOOLS_DIR, 'print-body.sh')]);
    // amqp-consume declares (auto-delete) and binds before it consumes: a consumer means the binding is there
    await expect.poll(() => consumerCount(broker, 'tools.topic').catch(() => 0), { timeout: 5_000, interval: 50 }).toBe(1);
    for (const key of ['tools.db.error', 'tools.db.info', 'tools.web.error']) {
      await toEnd(tool('amqp-publish', ['-u', broker.url, '-e', 'amq.topic', '-r', key, '-b', key]));
    }
    expect(await finished(consumer), consumer.describe()).toEqual([{ body: 'tools.db.error' }, { body: 'tools.web.error' }]);
    // its queue was auto-delete: gone with the consumer
    await expect.poll(() => queueDepth(broker, 'tools.topic').then(() => 'still there', () => 'gone'), { timeout: 3_000, interval: 50 }).toBe('gone');
  });

  it('a 1 MiB body from stdin through amqp-publish comes back whole from amqp-get', async () => {
    const run = tool(path.join(TOOLS_DIR, 'large.sh'), []);
    await finished(run);
    expect(run.json().find((j) => j.check === 'large'), run.describe()).toEqual({
      check: 'large', publish_rc: 0, get_rc: 0, size: 1048580, same: true,
    });
  });
});

// ---------------------------------------------------------------------------------------------

describe('heartbeats: 2 s asked for, then 7 s of silence', () => {
  it('Bunny keeps its connection and uses it afterwards', async () => {
    const run = heartbeats.bunny;
    await finished(run);
    expect(run.json().find((j) => j.check === 'negotiated'), run.describe()).toMatchObject({ heartbeat: 2 });
    expect(run.json().find((j) => j.check === 'idle'), run.describe()).toMatchObject({
      ok: true, open_after_idle: true, confirmed: true, body: 'still here',
    });
  }, 30_000);

  it('php-amqplib idling in wait() keeps its connection', async () => {
    const run = heartbeats.php;
    await finished(run);
    expect(run.json().find((j) => j.check === 'negotiated'), run.describe()).toMatchObject({ heartbeat: 2 });
    expect(run.json().find((j) => j.check === 'idle'), run.describe()).toMatchObject({ ok: true, alive: true, got: ['still here'] });
  }, 30_000);

  it('amqp-consume --heartbeat=2 still gets the message published after the silence', async () => {
    const run = heartbeats.tools;
    await finished(run);
    expect(run.json().find((j) => j.check === 'idle'), run.describe()).toEqual({
      check: 'idle', consume_rc: 0, out: JSON.stringify({ body: 'after 7s of silence' }),
    });
  }, 30_000);
});

// ---------------------------------------------------------------------------------------------

// Warren only: its memory alarm is raised by hand; RabbitMQ's cannot be without disturbing everyone
// else on the shared broker.
describe.skipIf(process.env.AMQP_URL !== undefined)('connection.blocked while the memory alarm is on', () => {
  let own: Broker;
  let target: TestBroker;

  beforeAll(async () => {
    own = await createBroker({ port: 0, host: '127.0.0.1', logLevel: 'silent' });
    target = { url: `amqp://guest:guest@127.0.0.1:${own.port}`, host: '127.0.0.1', port: own.port, external: false, close: async () => {} };
  });

  afterAll(async () => {
    await own?.close();
  });

  /** Raises the alarm once the program publishes, lowers it once the program has seen the block. */
  async function throughAlarm(run: ProgramRun): Promise<void> {
    perTest.add(run);
    await run.ready;
    // the test drives the alarm: its own sampler would lower it again at its next look
    internals(own).server.memoryAlarm.stop();
    internals(own).server.memoryAlarm.check(Number.MAX_SAFE_INTEGER);
    await expect.poll(() => run.lines.join('\n'), { timeout: 5_000, interval: 50 }).toMatch(/blocked/);
    internals(own).server.memoryAlarm.check(0);
    await finished(run);
  }

  it('Bunny: on_blocked with the reason, then on_unblocked; every publish confirmed and queued', async () => {
    const run = runProgram(target, RUBY, [path.join(RUBY_DIR, 'blocked.rb')], { cwd: RUBY_DIR, killAfterMs: 15_000 });
    await throughAlarm(run);
    expect(run.json().find((j) => j.check === 'blocked'), run.describe()).toMatchObject({ events: [['blocked', 'low on memory']] });
    const end = run.json().find((j) => j.check === 'unblocked');
    expect(end, run.describe()).toMatchObject({ ok: true, events: [['blocked', 'low on memory'], ['unblocked']], confirmed: true });
    expect(end?.depth, run.describe()).toBe(end?.sent);
  });

  it('php-amqplib: the block handler gets the reason, publishing is refused until the unblock', async () => {
    const run = runProgram(target, PHP, [path.join(PHP_DIR, 'blocked.php')], { cwd: PHP_DIR, killAfterMs: 15_000 });
    await throughAlarm(run);
    const end = run.json().find((j) => j.check === 'blocked');
    expect(end, run.describe()).toMatchObject({ ok: true, events: [['blocked', 'low on memory'], ['unblocked']], refused_publish: true });
    expect(end?.depth, run.describe()).toBe(end?.sent);
  });
});

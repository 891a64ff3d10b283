// The code beside the actors, run as written by /usr/bin/python3 with pika 1.2 against Warren,
// has the effect the scenario showed, for every built-in scenario: Hello World's own queue
// checkpoints pass on it, the fast pika worker does at least three times the slow one's work,
// every log subscriber hears all, routing and topic subscribers get exactly their keys, the RPC
// client gets fib(n) back through a callback queue and through direct reply-to, the headers
// readers get what x-match all/any lets through, persistent messages survive a restart, alice is
// refused with 403 and 530 as pika reports them, and the poison message lands in dead_letters.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBroker, type Actor, type Broker } from '../../broker/index';
import { actorCode } from './actor-code';
import { BUILTIN_SCENARIOS, builtinScenario } from './builtin-scenarios';
import { evaluate, type BrokerView } from './checkpoints';
import type { ScenarioFile } from './scenario-format';
import { actorUrl, declareScenario, scenarioVhost, vhostUrl } from './scenario-player';

let broker: Broker;
let admin: Actor;
let dir: string;
let dataDir: string;
const running: ChildProcess[] = [];
const outputs = new Map<ChildProcess, () => string>();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const count = (text: string, what: string) => text.split(what).length - 1;
const hello = builtinScenario('hello-world')!;
const NODE_MODULES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../node_modules');
const vhost = scenarioVhost(hello.id);

beforeAll(async () => {
  // a DATA_DIR: the durability scenario's programs are checked across a restart
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'warren-pika-data-'));
  broker = await createBroker({ port: 0, host: '127.0.0.1', logLevel: 'error', dataDir });
  admin = await broker.authenticate('guest', 'guest', '127.0.0.1');
  for (const id of ['hello-world', 'work-queues', 'publish-subscribe']) await broker.putVhost(admin, scenarioVhost(id), {});
  dir = mkdtempSync(path.join(os.tmpdir(), 'warren-pika-'));
});

afterAll(async () => {
  for (const p of running) p.kill('SIGKILL');
  await broker.close();
  rmSync(dir, { recursive: true, force: true });
  rmSync(dataDir, { recursive: true, force: true });
});

const emptyView = (queues: BrokerView['queues']): BrokerView => ({
  queues, bindingsFrom: new Map(), delivered: () => 0, redelivered: () => 0, received: () => 0, returned: () => 0, refused: () => undefined, deadLettered: () => undefined,
});

/** Runs a program of the scenario; resolves once its output contains `until` (or it exits). */
function runPika(actor: string, until: string, ms: number, scenario: ScenarioFile = hello): Promise<{ out: string; proc: ChildProcess }> {
  const url = actorUrl(`amqp://guest:guest@127.0.0.1:${broker.port}`, scenario, scenario.actors.find((a) => a.name === actor)!);
  const file = path.join(dir, `${scenario.id}-${actor}.py`);
  writeFileSync(file, actorCode(scenario, actor, 'pika', url)!);
  const proc = spawn('/usr/bin/python3', ['-u', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  running.push(proc);
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${actor}.py did not print ${until} in ${ms} ms: ${out}`)), ms);
    const seen = (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes(until)) {
        clearTimeout(timer);
        resolve({ out, proc });
      }
    };
    proc.stdout!.on('data', seen);
    outputs.set(proc, () => out);
    proc.stderr!.on('data', seen);
    proc.on('exit', () => {
      clearTimeout(timer);
      resolve({ out, proc });
    });
  });
}

async function queueCheckpoints(step: number): Promise<string[]> {
  const queues = new Map((await broker.listQueues(admin, vhost)).map((q) => [String(q.name), q]));
  const view = emptyView(queues);
  return hello.steps[step].checkpoints.filter((c) => c.type === 'queue').map((c) => `${c.label}: ${evaluate(c, view).passed}`);
}

describe('Hello World, in pika', () => {
  it('send.py leaves Hello World! in hello; receive.py, named receive, takes it and empties the queue', async () => {
    const sent = await runPika('send', '[x] Sent', 15_000);
    expect(sent.out).toContain(" [x] Sent 'Hello World!'");
    expect(await queueCheckpoints(0)).toEqual(['one message waits in hello: true']);
    const [msg] = await broker.get(admin, vhost, 'hello', { count: 1, ackMode: 'ack_requeue_true', encoding: 'auto' });
    expect(msg.payload).toBe('Hello World!');

    const received = await runPika('receive', "[x] Received b'Hello World!'", 15_000);
    expect(received.out).toContain(" [x] Received b'Hello World!'");
    expect(received.proc.exitCode).toBeNull();
    expect(await queueCheckpoints(1)).toEqual(['one consumer on hello: true', 'hello is empty: true']);
    // drawn under the actor's name, as the player's own actor is
    const consumers = await broker.listConsumers(admin, vhost);
    expect(consumers.map((c) => (c.channel_details as Record<string, unknown>).user_provided_name)).toEqual(['receive']);
    const exited = new Promise((resolve) => received.proc.on('exit', resolve));
    received.proc.kill('SIGINT');
    await exited;
  }, 40_000);
});

describe('Work queues, in pika', () => {
  it('with prefetch_count=1 the fast worker.py does at least three times the slow one\'s tasks', async () => {
    const work = builtinScenario('work-queues')!;
    const fast = await runPika('fast-worker', 'Waiting for messages', 15_000, work);
    const slow = await runPika('slow-worker', 'Waiting for messages', 15_000, work);
    const producer = await runPika('new_task', '[x] Sent', 15_000, work);
    await sleep(4_000);
    producer.proc.kill('SIGKILL');
    const done = (p: ChildProcess) => count(outputs.get(p)!(), '[x] Done');
    const f = done(fast.proc);
    const s = done(slow.proc);
    fast.proc.kill('SIGKILL');
    slow.proc.kill('SIGKILL');
    expect(s).toBeGreaterThanOrEqual(2);
    expect(f).toBeGreaterThanOrEqual(3 * s);
  }, 40_000);
});

describe('Publish/subscribe, in pika', () => {
  it('both receive_logs.py hear every message emit_log.py sends to the fanout exchange', async () => {
    const pubsub = builtinScenario('publish-subscribe')!;
    const one = await runPika('receive_logs-1', 'Waiting for logs', 15_000, pubsub);
    const two = await runPika('receive_logs-2', 'Waiting for logs', 15_000, pubsub);
    expect((await broker.listBindings(admin, scenarioVhost(pubsub.id))).filter((b) => b.source === 'logs')).toHaveLength(2);
    const emit = await runPika('emit_log', '#3', 15_000, pubsub);
    emit.proc.kill('SIGKILL');
    await sleep(300);
    for (const r of [one, two]) {
      const out = outputs.get(r.proc)!();
      for (const n of [1, 2, 3]) expect(out).toContain(`info: Hello World! #${n}'`);
      r.proc.kill('SIGKILL');
    }
  }, 40_000);
});

describe('every built-in actor', () => {
  it('has pika code Python compiles and amqplib code Node parses', async () => {
    for (const s of BUILTIN_SCENARIOS) {
      for (const a of s.actors) {
        const py = path.join(dir, `check-${s.id}-${a.name}.py`);
        writeFileSync(py, actorCode(s, a.name, 'pika', 'amqp://u:p@127.0.0.1:1/v')!);
        const js = path.join(dir, `check-${s.id}-${a.name}.cjs`);
        writeFileSync(js, actorCode(s, a.name, 'amqplib', 'amqp://u:p@127.0.0.1:1/v')!);
        for (const [cmd, args] of [['/usr/bin/python3', ['-m', 'py_compile', py]], [process.execPath, ['--check', js]]] as const) {
          const code = await new Promise<number | null>((resolve) => spawn(cmd, args, { stdio: 'ignore' }).on('exit', resolve));
          expect(code, `${cmd} ${args.join(' ')}`).toBe(0);
        }
      }
    }
  }, 60_000);
});

describe('Hello World, in amqplib', () => {
  it('send.js leaves Hello World! in hello for the scenario', async () => {
    const vhostName = scenarioVhost(hello.id);
    // receive.py of the pika test has gone: nobody takes the message before it is counted
    for (let i = 0; i < 50 && (await broker.listConsumers(admin, vhostName)).length > 0; i++) await sleep(20);
    // missing when this test runs alone: send.js declares it
    await broker.purgeQueue(admin, vhostName, 'hello').catch(() => undefined);
    const file = path.join(dir, 'send.cjs');
    writeFileSync(file, actorCode(hello, 'send', 'amqplib', vhostUrl(`amqp://guest:guest@127.0.0.1:${broker.port}`, vhostName))!);
    const proc = spawn(process.execPath, [file], { env: { ...process.env, NODE_PATH: NODE_MODULES }, stdio: ['ignore', 'pipe', 'pipe'] });
    running.push(proc);
    let out = '';
    proc.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    proc.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    const code = await new Promise<number | null>((resolve) => proc.on('exit', resolve));
    expect(out).toContain(" [x] Sent 'Hello World!'");
    expect(code).toBe(0);
    const queues = new Map((await broker.listQueues(admin, vhostName)).map((q) => [String(q.name), q]));
    expect(hello.steps[0].checkpoints.map((c) => evaluate(c, emptyView(queues)).passed)).toEqual([true]);
  }, 30_000);
});

/** Starts the programs, waits for each to print `until`; the last ones run until `done` shows. */
const out = (r: { proc: ChildProcess }) => outputs.get(r.proc)!();
const lines = (text: string, what: string) => text.split('\n').filter((l) => l.includes(what));
const stop = (...rs: { proc: ChildProcess }[]) => rs.forEach((r) => r.proc.kill('SIGKILL'));

describe('Routing, in pika', () => {
  it('the error subscriber prints only errors, the one bound three times prints all three severities', async () => {
    const s = builtinScenario('routing')!;
    // as the player makes it: topology, and the scenario's users with their permissions
    await declareScenario(broker, admin, s, 'guest');
    const errors = await runPika('receive_logs_direct-error', 'Waiting for messages', 15_000, s);
    const all = await runPika('receive_logs_direct-all', 'Waiting for messages', 15_000, s);
    const emit = await runPika('emit_log_direct', '#7', 15_000, s);
    await sleep(300);
    stop(emit, errors, all);
    expect(lines(out(errors), 'Received error:').length).toBeGreaterThanOrEqual(2);
    expect(lines(out(errors), 'Received info').concat(lines(out(errors), 'Received warning'))).toEqual([]);
    for (const k of ['info', 'warning', 'error']) expect(lines(out(all), `Received ${k}:`).length).toBeGreaterThanOrEqual(2);
  }, 40_000);
});

describe('Topics, in pika', () => {
  it('kern.* and *.critical get their words, only # gets the three-word key, and mandatory user.login comes back', async () => {
    const s = builtinScenario('topics')!;
    // as the player makes it: topology, and the scenario's users with their permissions
    await declareScenario(broker, admin, s, 'guest');
    const kern = await runPika('receive_logs_topic-kern', 'Waiting for messages', 15_000, s);
    const critical = await runPika('receive_logs_topic-critical', 'Waiting for messages', 15_000, s);
    const all = await runPika('receive_logs_topic-all', 'Waiting for messages', 15_000, s);
    const emit = await runPika('emit_log_topic', '#9', 15_000, s);
    await sleep(300);
    stop(emit);
    expect(lines(out(kern), 'Received kern.critical').length).toBeGreaterThanOrEqual(2);
    expect(lines(out(kern), 'Received kern.info').length).toBeGreaterThanOrEqual(2);
    expect(lines(out(kern), 'Received cron').concat(lines(out(kern), 'Received auth'))).toEqual([]);
    expect(lines(out(critical), 'Received cron.critical').length).toBeGreaterThanOrEqual(2);
    expect(lines(out(critical), 'Received kern.info')).toEqual([]);
    expect(lines(out(all), 'Received auth.info.login').length).toBeGreaterThanOrEqual(2);
    stop(all);
    const mandatory = await runPika('emit_log_topic-mandatory', 'Returned unroutable user.login', 15_000, s);
    stop(mandatory, kern, critical);
    expect(out(mandatory)).toContain('[!] Returned unroutable user.login:user.login message #1');
  }, 60_000);
});

describe('RPC, in pika', () => {
  it('the client gets fib(n) for each request, through a callback queue and through direct reply-to', async () => {
    const s = builtinScenario('rpc')!;
    // as the player makes it: topology, and the scenario's users with their permissions
    await declareScenario(broker, admin, s, 'guest');
    const server = await runPika('rpc_server', 'Awaiting RPC requests', 15_000, s);
    for (const client of ['rpc_client', 'rpc_client-direct']) {
      const c = await runPika(client, 'Requesting fib(4)', 20_000, s);
      stop(c);
      // fib(1..3) = 1, 1, 2: each answer matched its request by correlation_id
      expect(lines(out(c), ' [.] Got ').slice(0, 3).map((l) => l.trim())).toEqual(['[.] Got 1', '[.] Got 1', '[.] Got 2']);
    }
    stop(server);
    expect(out(server)).toContain('[.] fib(3)');
  }, 60_000);
});

describe('Headers, in pika', () => {
  it('x-match all takes only the pdf report; x-match any takes every pdf and every log, never the zip report', async () => {
    const s = builtinScenario('headers')!;
    // as the player makes it: topology, and the scenario's users with their permissions
    await declareScenario(broker, admin, s, 'guest');
    const allReader = await runPika('all-reader', 'Waiting for messages', 15_000, s);
    const anyReader = await runPika('any-reader', 'Waiting for messages', 15_000, s);
    const pub = await runPika('publisher', '#9', 15_000, s);
    await sleep(300);
    stop(pub, allReader, anyReader);
    const received = (r: { proc: ChildProcess }) => lines(out(r), 'Received');
    expect(received(allReader).length).toBeGreaterThanOrEqual(2);
    expect(received(allReader).every((l) => l.includes('pdf report'))).toBe(true);
    for (const k of ['pdf report', 'pdf summary', 'zip log']) expect(lines(out(anyReader), k).length).toBeGreaterThanOrEqual(2);
    expect(lines(out(anyReader), 'zip report')).toEqual([]);
  }, 40_000);
});

describe('Durability, in pika', () => {
  it('after a restart the reader gets the five persistent messages of the durable queue and nothing else', async () => {
    const s = builtinScenario('durability')!;
    // as the player makes it: topology, and the scenario's users with their permissions
    await declareScenario(broker, admin, s, 'guest');
    for (const sender of ['persistent-sender', 'transient-sender', 'sender-to-transient']) {
      const r = await runPika(sender, '#5', 15_000, s);
      await new Promise((resolve) => (r.proc.exitCode === null ? r.proc.on('exit', resolve) : resolve(null)));
    }
    expect((await broker.listQueues(admin, scenarioVhost(s.id))).map((q) => [q.name, q.messages])).toEqual([['durable_q', 10], ['transient_q', 5]]);
    await broker.restartBroker(admin);
    const reader = await runPika('reader', '#5', 15_000, s);
    await sleep(300);
    stop(reader);
    expect(lines(out(reader), 'Received').map((l) => l.trim())).toEqual([1, 2, 3, 4, 5].map((n) => `[x] Received durable_q:persistent #${n}`));
    expect((await broker.listQueues(admin, scenarioVhost(s.id))).map((q) => q.name)).toEqual(['durable_q']);
  }, 60_000);
});

describe('Vhosts and permissions, in pika', () => {
  it('alice reads her inbox, and pika reports 403 ACCESS_REFUSED for payroll and 530 NOT_ALLOWED for another vhost', async () => {
    const s = builtinScenario('permissions')!;
    // as the player makes it: topology, and the scenario's users with their permissions
    await declareScenario(broker, admin, s, 'guest');
    const reads = await runPika('alice-reads', 'Waiting for messages', 15_000, s);
    await runPika('alice-sends', '#5', 15_000, s);
    for (let i = 0; i < 50 && !out(reads).includes('order #5'); i++) await sleep(100);
    stop(reads);
    expect(lines(out(reads), 'Received alice:order').length).toBe(5);
    const pays = await runPika('alice-pays-herself', 'ACCESS_REFUSED', 15_000, s);
    expect(out(pays)).toMatch(/ChannelClosedByBroker: \(403, "ACCESS_REFUSED - [a-z ]*access to exchange 'payroll' in vhost 'scenario-permissions' refused for user 'permissions-alice'"/);
    const snoops = await runPika('alice-snoops', 'ACCESS_REFUSED', 15_000, s);
    expect(out(snoops)).toMatch(/ChannelClosedByBroker: \(403, "ACCESS_REFUSED - [a-z ]*access to queue 'payroll.q' in vhost 'scenario-permissions' refused for user 'permissions-alice'"/);
    const elsewhere = await runPika('alice-elsewhere', 'exit', 15_000, s);
    expect(out(elsewhere)).toMatch(/\(530\) "NOT_ALLOWED - access to vhost '\/' refused for user 'permissions-alice'"/);
    expect((await broker.listQueues(admin, scenarioVhost(s.id))).find((q) => q.name === 'payroll.q')?.messages).toBe(0);
  }, 60_000);
});

describe('Dead letters, in pika', () => {
  it('the worker rejects the poison message and it lands in dead_letters with x-death reason rejected; expired ones follow', async () => {
    const s = builtinScenario('dead-letters')!;
    // as the player makes it: topology, and the scenario's users with their permissions
    await declareScenario(broker, admin, s, 'guest');
    const vhost = scenarioVhost(s.id);
    const worker = await runPika('worker', 'Waiting for messages', 15_000, s);
    await runPika('producer', '#6', 15_000, s);
    await broker.publish(admin, vhost, '', { routingKey: 'work', body: Buffer.from('poison pill'), properties: {} });
    for (let i = 0; i < 100 && !out(worker).includes('Poison'); i++) await sleep(100);
    // the worker prints before it rejects: stopped in between, its poison would be requeued instead
    const deadCount = async () => (await broker.listQueues(admin, vhost)).find((q) => q.name === 'dead_letters')?.messages ?? 0;
    for (let i = 0; i < 50 && (await deadCount()) === 0; i++) await sleep(100);
    stop(worker);
    expect(lines(out(worker), ' [x] Done').length).toBe(6);
    await runPika('expiring-sender', '#3', 15_000, s);
    await sleep(1_800);
    const dead = await broker.get(admin, vhost, 'dead_letters', { count: 10, ackMode: 'ack_requeue_true', encoding: 'auto' });
    const reasons = dead.map((m) => [m.payload, ((m.properties as { headers: Record<string, unknown> }).headers['x-death'] as { reason: string }[])[0].reason]);
    expect(reasons).toEqual([['poison pill', 'rejected'], ...[1, 2, 3].map((n) => [`expires in 1 s #${n}`, 'expired'])]);
  }, 60_000);
});

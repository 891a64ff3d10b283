// The code beside the actors, run as written by /usr/bin/python3 with pika 1.2 against Warren,
// has the effect the scenario showed: Hello World's own queue checkpoints pass on it, the fast
// pika worker does at least three times the slow one's work, and every log subscriber hears all.
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
import { scenarioVhost, vhostUrl } from './scenario-player';

let broker: Broker;
let admin: Actor;
let dir: string;
const running: ChildProcess[] = [];
const outputs = new Map<ChildProcess, () => string>();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const count = (text: string, what: string) => text.split(what).length - 1;
const hello = builtinScenario('hello-world')!;
const NODE_MODULES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../node_modules');
const vhost = scenarioVhost(hello.id);

beforeAll(async () => {
  broker = await createBroker({ port: 0, host: '127.0.0.1', logLevel: 'error' });
  admin = await broker.authenticate('guest', 'guest', '127.0.0.1');
  for (const id of ['hello-world', 'work-queues', 'publish-subscribe']) await broker.putVhost(admin, scenarioVhost(id), {});
  dir = mkdtempSync(path.join(os.tmpdir(), 'warren-pika-'));
});

afterAll(async () => {
  for (const p of running) p.kill('SIGKILL');
  await broker.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs a program of the scenario; resolves once its output contains `until` (or it exits). */
function runPika(actor: string, until: string, ms: number, scenario: ScenarioFile = hello): Promise<{ out: string; proc: ChildProcess }> {
  const url = vhostUrl(`amqp://guest:guest@127.0.0.1:${broker.port}`, scenarioVhost(scenario.id));
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
  const view: BrokerView = { queues, bindingsFrom: new Map(), delivered: () => 0, redelivered: () => 0 };
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
    expect(hello.steps[0].checkpoints.map((c) => evaluate(c, { queues, bindingsFrom: new Map(), delivered: () => 0, redelivered: () => 0 }).passed)).toEqual([true]);
  }, 30_000);
});

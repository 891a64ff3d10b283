// The code beside the Hello World actors, run as written by /usr/bin/python3 with pika 1.2 against
// Warren, has the effect the scenario showed: the scenario's own queue checkpoints pass on it.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBroker, type Actor, type Broker } from '../../broker/index';
import { actorCode } from './actor-code';
import { builtinScenario } from './builtin-scenarios';
import { evaluate, type BrokerView } from './checkpoints';
import { scenarioVhost, vhostUrl } from './scenario-player';

let broker: Broker;
let admin: Actor;
let dir: string;
const running: ChildProcess[] = [];
const hello = builtinScenario('hello-world')!;
const vhost = scenarioVhost(hello.id);

beforeAll(async () => {
  broker = await createBroker({ port: 0, host: '127.0.0.1', logLevel: 'error' });
  admin = await broker.authenticate('guest', 'guest', '127.0.0.1');
  await broker.putVhost(admin, vhost, {});
  dir = mkdtempSync(path.join(os.tmpdir(), 'warren-pika-'));
});

afterAll(async () => {
  for (const p of running) p.kill('SIGKILL');
  await broker.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs a program of the scenario; resolves once its output contains `until` (or it exits). */
function runPika(actor: string, until: string, ms: number): Promise<{ out: string; proc: ChildProcess }> {
  const url = vhostUrl(`amqp://guest:guest@127.0.0.1:${broker.port}`, vhost);
  const file = path.join(dir, `${actor}.py`);
  writeFileSync(file, actorCode(hello, actor, 'pika', url)!);
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
    received.proc.kill('SIGINT');
  }, 40_000);
});

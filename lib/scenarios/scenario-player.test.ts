// Each built-in scenario played to its end on a real broker over TCP, its actors real amqplib
// clients, every checkpoint read back through the broker API; then reset leaves nothing behind.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBroker, type Actor, type Broker } from '../../broker/index';
import { BUILTIN_SCENARIOS, builtinScenario } from './builtin-scenarios';
import { ScenarioPlayer, type ScenarioState } from './scenario-player';
import type { ScenarioFile } from './scenario-format';

let broker: Broker;
let admin: Actor;
let amqpUrl: string;
let dataDir: string;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  // with a DATA_DIR: the durability scenario restarts the broker and looks at what it recovered
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'warren-scenarios-'));
  broker = await createBroker({ port: 0, host: '127.0.0.1', logLevel: 'error', dataDir });
  admin = await broker.authenticate('guest', 'guest', '127.0.0.1');
  amqpUrl = `amqp://guest:guest@127.0.0.1:${broker.port}`;
});

afterAll(async () => {
  await broker.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function until(player: ScenarioPlayer, done: (s: ScenarioState) => boolean, ms: number): Promise<ScenarioState> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const s = player.state();
    if (done(s)) return s;
    await sleep(100);
  }
  return player.state();
}

async function scenarioConnections(vhost: string): Promise<unknown[]> {
  return (await broker.listConnections(admin)).filter((c) => c.vhost === vhost);
}

describe.each(BUILTIN_SCENARIOS.map((s) => [s.title, s] as const))('built-in scenario %s', (_title, scenario: ScenarioFile) => {
  it('runs to its end with every checkpoint passed, and reset removes its vhost and connections', async () => {
    const player = new ScenarioPlayer(scenario, { api: broker, who: admin, amqpUrl, checkEveryMs: 200, holdMs: 0 });
    await player.play();
    const s = await until(player, (st) => st.status === 'finished' || st.status === 'failed', 40_000);
    expect(s.errors).toEqual([]);
    expect(s.status).toBe('finished');
    expect(s.steps.map((st) => st.state)).toEqual(scenario.steps.map(() => 'passed'));
    expect(s.steps.flatMap((st) => st.checkpoints.map((c) => `${c.label}: ${c.state}`))).toEqual(
      scenario.steps.flatMap((st) => st.checkpoints.map((c) => `${c.label}: passed`)),
    );
    // the actors are the broker's named clients, as the console draws them
    const names = (await broker.listConnections(admin, player.vhost)).map((c) => (c.client_properties as Record<string, unknown>).connection_name);
    expect(names.length).toBeGreaterThan(0);
    for (const n of names) expect(scenario.actors.map((a) => a.name)).toContain(n);

    await player.reset();
    expect(await broker.getVhost(admin, player.vhost)).toBeUndefined();
    const left = await until(player, () => false, 0);
    expect(left.status).toBe('idle');
    for (let i = 0; i < 20 && (await scenarioConnections(player.vhost)).length > 0; i++) await sleep(50);
    expect(await scenarioConnections(player.vhost)).toEqual([]);
  }, 60_000);
});

describe('the work-queues scenario', () => {
  it('measures fair dispatch from the broker: the fast worker was handed at least 3x the slow one', async () => {
    const scenario = builtinScenario('work-queues')!;
    const player = new ScenarioPlayer(scenario, { api: broker, who: admin, amqpUrl, checkEveryMs: 200, holdMs: 0 });
    try {
      await player.play();
      const s = await until(player, (st) => st.status !== 'playing' && st.status !== 'starting', 40_000);
      const ratio = s.steps[1].checkpoints.find((c) => c.label.includes('3x'));
      expect(ratio?.state).toBe('passed');
      expect(ratio?.actual).toBeGreaterThanOrEqual(3);
      const roundRobin = s.steps[0].checkpoints.find((c) => c.label.includes('as many'));
      expect(roundRobin?.actual).toBeGreaterThanOrEqual(0.8);
      expect(roundRobin?.actual).toBeLessThanOrEqual(1.25);
      // the actors' own counts agree with the broker's: the fast one really did more
      const fast = s.actors.find((a) => a.name === 'fast-worker')!;
      const slow = s.actors.find((a) => a.name === 'slow-worker')!;
      expect(fast.received).toBeGreaterThanOrEqual(3 * slow.received);
    } finally {
      await player.reset();
    }
  }, 60_000);
});

describe('a crashing actor', () => {
  it('drops its connection holding unacked messages; the broker requeues them and redelivers them to another consumer', async () => {
    const code = { pika: '', amqplib: '' };
    const crash: ScenarioFile = {
      format: 'warren-scenario/1', id: 'crash', title: 'Crash', summary: 'a worker dies',
      topology: { exchanges: [], queues: [{ name: 'jobs', durable: false }], bindings: [] },
      actors: [
        { kind: 'producer', name: 'feeder', exchange: '', routingKey: 'jobs', message: 'job {n}', rate: 50, count: 5, code },
        { kind: 'consumer', name: 'doomed', queue: 'jobs', prefetch: 10, processingMs: 60_000, ack: 'ack', crashAfter: 3, code },
        { kind: 'consumer', name: 'rescuer', queue: 'jobs', prefetch: 10, processingMs: 0, ack: 'ack', code },
      ],
      steps: [
        {
          title: 'the worker dies', text: '', start: ['doomed', 'feeder'],
          checkpoints: [
            { label: 'no consumer left', type: 'queue', queue: 'jobs', field: 'consumers', equals: 0 },
            { label: 'all five back in the queue', type: 'queue', queue: 'jobs', field: 'messages_ready', equals: 5 },
          ],
        },
        {
          title: 'another takes them', text: '', start: ['rescuer'],
          checkpoints: [
            // at least the three doomed had received; the rest too if the broker had already sent them
            { label: 'rescuer got what doomed held, redelivered', type: 'redelivered', actor: 'rescuer', atLeast: 3 },
            { label: 'rescuer got all five', type: 'delivered', actor: 'rescuer', equals: 5 },
            { label: 'queue empty', type: 'queue', queue: 'jobs', field: 'messages', equals: 0 },
          ],
        },
      ],
    };
    const player = new ScenarioPlayer(crash, { api: broker, who: admin, amqpUrl, checkEveryMs: 100, holdMs: 0 });
    try {
      await player.play();
      const s = await until(player, (st) => st.status === 'finished' || st.status === 'failed', 15_000);
      expect(s.errors).toEqual([]);
      expect(s.status).toBe('finished');
      expect(s.actors.find((a) => a.name === 'doomed')).toMatchObject({ phase: 'crashed', received: 3, settled: 0 });
      expect(s.actors.find((a) => a.name === 'rescuer')).toMatchObject({ phase: 'paused', received: 5, settled: 5 });
    } finally {
      await player.reset();
    }
  });
});

describe('controls', () => {
  it('pause stops the producers, step sends exactly one message, play resumes', async () => {
    const scenario = builtinScenario('publish-subscribe')!;
    const player = new ScenarioPlayer(scenario, { api: broker, who: admin, amqpUrl, checkEveryMs: 200, holdMs: 0 });
    try {
      await player.play();
      await until(player, (st) => st.step === 1 && (st.actors.find((a) => a.name === 'emit_log')?.published ?? 0) >= 2, 20_000);
      player.pause();
      const before = player.state().actors.find((a) => a.name === 'emit_log')!.published;
      await sleep(800);
      expect(player.state().status).toBe('paused');
      expect(player.state().actors.find((a) => a.name === 'emit_log')!.published).toBe(before);
      await player.step();
      expect(player.state().actors.find((a) => a.name === 'emit_log')!.published).toBe(before + 1);
      await player.play();
      const s = await until(player, (st) => (st.actors.find((a) => a.name === 'emit_log')?.published ?? 0) > before + 2, 10_000);
      expect(s.status === 'playing' || s.status === 'finished').toBe(true);
    } finally {
      await player.reset();
    }
  });

  it('reset in the middle of starting leaves no vhost and no connection behind', async () => {
    const player = new ScenarioPlayer(builtinScenario('publish-subscribe')!, { api: broker, who: admin, amqpUrl, checkEveryMs: 100, holdMs: 0 });
    const playing = player.play();
    await sleep(5);
    await player.reset();
    await playing;
    await sleep(300);
    expect(player.state().status).toBe('idle');
    expect(await broker.getVhost(admin, player.vhost)).toBeUndefined();
    expect(await scenarioConnections(player.vhost)).toEqual([]);
  });

  it('fails a step whose checkpoint cannot pass, saying which, and keeps the process up', async () => {
    const hello = builtinScenario('hello-world')!;
    const impossible: ScenarioFile = {
      ...hello,
      id: 'impossible',
      // long enough for the send actor to connect and publish on a loaded CI machine (1 s was not), so the last reading is 1
      steps: [{ ...hello.steps[0], timeoutMs: 4_000, checkpoints: [{ label: 'five messages wait', type: 'queue', queue: 'hello', field: 'messages', equals: 5 }] }],
    };
    const player = new ScenarioPlayer(impossible, { api: broker, who: admin, amqpUrl, checkEveryMs: 100, holdMs: 0 });
    try {
      await player.play();
      const s = await until(player, (st) => st.status === 'failed', 10_000);
      expect(s.status).toBe('failed');
      expect(s.steps[0].checkpoints[0]).toEqual({ label: 'five messages wait', state: 'failed', actual: 1 });
      expect(s.errors.join('\n')).toContain('step 1 "Send one message"');
    } finally {
      await player.reset();
    }
  });

  it('reports an actor that cannot log in on the scenario state instead of throwing', async () => {
    const player = new ScenarioPlayer(builtinScenario('hello-world')!, {
      api: broker, who: admin, amqpUrl: `amqp://guest:wrong@127.0.0.1:${broker.port}`, checkEveryMs: 100, holdMs: 0,
    });
    try {
      await player.play();
      const s = player.state();
      expect(s.actors.find((a) => a.name === 'send')?.phase).toBe('failed');
      expect(s.errors.join('\n')).toMatch(/actor send: .*ACCESS_REFUSED|403/i);
    } finally {
      await player.reset();
    }
  });

  it('counts a checkpoint from the start of its step: a later step cannot pass on an earlier step\'s traffic', async () => {
    const hello = builtinScenario('hello-world')!;
    const scoped: ScenarioFile = {
      ...hello,
      id: 'scoped',
      steps: [
        { title: 'eleven', text: '', start: ['receive', 'send', 'send-more'], checkpoints: [{ label: 'eleven delivered', type: 'delivered', actor: 'receive', atLeast: 11 }] },
        // nothing is sent in this step: the eleven of step 1 must not count
        { title: 'quiet', text: '', timeoutMs: 2_500, checkpoints: [{ label: 'one more delivered', type: 'delivered', actor: 'receive', atLeast: 1 }] },
      ],
    };
    const player = new ScenarioPlayer(scoped, { api: broker, who: admin, amqpUrl, checkEveryMs: 100, holdMs: 0 });
    try {
      await player.play();
      const s = await until(player, (st) => st.status === 'failed' || st.status === 'finished', 20_000);
      expect(s.steps[0].state).toBe('passed');
      expect(s.steps[1].checkpoints[0]).toEqual({ label: 'one more delivered', state: 'failed', actual: 0 });
      expect(s.status).toBe('failed');
    } finally {
      await player.reset();
    }
  });

  it('sets off a fault from a button: a poison message is rejected and dead-lettered with x-death', async () => {
    const dl = builtinScenario('dead-letters')!;
    const player = new ScenarioPlayer({ ...dl, steps: [{ ...dl.steps[0], faults: [] }] }, { api: broker, who: admin, amqpUrl, checkEveryMs: 100, holdMs: 0 });
    try {
      await player.play();
      await until(player, (st) => st.actors.find((a) => a.name === 'worker')?.phase === 'running', 10_000);
      expect(await player.fault('poison')).toBe(true);
      expect(await player.fault('no-such-fault')).toBe(false);
      const s = await until(player, (st) => st.status === 'finished' || st.status === 'failed', 20_000);
      expect(s.status).toBe('finished');
      expect(s.faults.find((f) => f.name === 'poison')?.fired).toBe(1);
      const [dead] = await broker.get(admin, player.vhost, 'dead_letters', { count: 1, ackMode: 'ack_requeue_true', encoding: 'auto' });
      expect(dead.payload).toBe('poison pill');
      const death = ((dead.properties as { headers: Record<string, unknown> }).headers['x-death'] as Record<string, unknown>[])[0];
      expect(death).toMatchObject({ reason: 'rejected', queue: 'work', count: 1 });
    } finally {
      await player.reset();
    }
  });
});

describe('pacing for a room', () => {
  it('a step whose checkpoints pass at once stays on for its hold, scaled by speed; pause during start-up holds the first step', async () => {
    const hello = builtinScenario('hello-world')!;
    const paced: ScenarioFile = { ...hello, steps: hello.steps.map((st, i) => (i === 0 ? { ...st, holdMs: 8000 } : { ...st, holdMs: 0 })) };
    const player = new ScenarioPlayer(paced, { api: broker, who: admin, amqpUrl, checkEveryMs: 100 });
    try {
      player.setSpeed(2);
      const starting = player.play();
      player.pause(); // while the vhost is being made
      await starting;
      expect(player.state().status).toBe('paused');
      await sleep(1000);
      expect(player.state().step).toBe(0);
      await player.play();
      const passed = await until(player, (st) => st.steps[0].checkpoints.every((c) => c.state === 'passed'), 10_000);
      expect(passed.steps[0].checkpoints.every((c) => c.state === 'passed')).toBe(true);
      const t0 = Date.now();
      // 8 s at 2× is 4 s on the clock: the first step is still on while its checkpoints are all green
      expect(passed.step).toBe(0);
      const next = await until(player, (st) => st.step > 0, 10_000);
      expect(next.step).toBeGreaterThan(0);
      expect(Date.now() - t0).toBeLessThan(5000);
    } finally {
      await player.reset();
    }
  }, 40_000);
});

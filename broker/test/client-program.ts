// Runs a client program of another language (pika, py-amqp, Bunny, php-amqplib, amqp-tools...)
// against the broker under test and collects what it prints. The convention the programs follow:
// AMQP_HOST / AMQP_PORT from the environment, a READY line once they consume, one JSON line per
// message, a final {"done": reason} line, and they stop by themselves.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import amqp from 'amqplib';
import { expect } from 'vitest';
import type { TestBroker } from './harness';

export type Json = Record<string, unknown>;

export interface ProgramRun {
  name: string;
  child: ChildProcess;
  lines: string[];
  stderr: string[];
  /** resolves with the READY line; rejects if the program exits or times out first */
  ready: Promise<string>;
  /** resolves when the program has exited and its stdout is fully read */
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** stdout lines that are JSON objects */
  json(): Json[];
  /** JSON lines that are messages (have a body) */
  messages(): Json[];
  /** the final {"done": ...} line, if any */
  done(): Json | undefined;
  describe(): string;
}

export interface ProgramOptions {
  cwd?: string;
  env?: Record<string, string>;
  /** SIGKILL after this long (default 15 s) */
  killAfterMs?: number;
}

const running = new Set<ProgramRun>();

/** Starts `command args` with AMQP_HOST/AMQP_PORT pointing at `broker`. */
export function runProgram(broker: TestBroker, command: string, args: string[], opts: ProgramOptions = {}): ProgramRun {
  const killAfterMs = opts.killAfterMs ?? 15_000;
  const child = spawn(command, args, {
    cwd: opts.cwd,
    env: {
      ...process.env,
      AMQP_HOST: broker.host,
      AMQP_PORT: String(broker.port),
      AMQP_URL: `amqp://guest:guest@${broker.host}:${broker.port}`,
      PYTHONUNBUFFERED: '1',
      PYTHONDONTWRITEBYTECODE: '1',
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const stderr: string[] = [];
  const name = [command.split('/').pop(), ...args.map((a) => a.split('/').pop())].join(' ');

  let resolveReady!: (line: string) => void;
  let rejectReady!: (err: Error) => void;
  const ready = new Promise<string>((res, rej) => {
    resolveReady = res;
    rejectReady = rej;
  });
  ready.catch(() => {}); // not every caller waits for READY

  const killTimer = setTimeout(() => {
    stderr.push(`[test] killed after ${killAfterMs} ms`);
    child.kill('SIGKILL');
  }, killAfterMs);

  const stdoutClosed = new Promise<void>((res) => {
    const rl = createInterface({ input: child.stdout! });
    rl.on('line', (line) => {
      lines.push(line);
      if (line.startsWith('READY')) resolveReady(line);
    });
    rl.on('close', () => res());
  });
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => stderr.push(chunk));

  const run: ProgramRun = {
    name,
    child,
    lines,
    stderr,
    ready,
    exit: new Promise((res) => {
      child.on('error', (err) => {
        stderr.push(String(err));
      });
      child.on('close', (code, signal) => {
        clearTimeout(killTimer);
        running.delete(run);
        void stdoutClosed.then(() => {
          rejectReady(new Error(`${name} exited (code ${code}, signal ${signal}) before READY:\n${run.describe()}`));
          res({ code, signal });
        });
      });
    }),
    json() {
      const out: Json[] = [];
      for (const line of lines) {
        if (!line.startsWith('{')) continue;
        try {
          out.push(JSON.parse(line) as Json);
        } catch {
          /* not JSON */
        }
      }
      return out;
    },
    messages() {
      return run.json().filter((j) => 'body' in j && !('confirmed' in j));
    },
    done() {
      return run.json().find((j) => 'done' in j);
    },
    describe() {
      return `--- ${name} stdout:\n${lines.join('\n')}\n--- stderr:\n${stderr.join('')}`;
    },
  };
  running.add(run);
  return run;
}

/** Waits for a run to end and expects exit code 0; returns its message lines. */
export async function finished(run: ProgramRun): Promise<Json[]> {
  const { code } = await run.exit;
  expect(code, run.describe()).toBe(0);
  return run.messages();
}

/** Kills whatever a test left running (for afterEach). */
export function killPrograms(): void {
  for (const run of running) run.child.kill('SIGKILL');
  running.clear();
}

/** Runs `fn` with a channel on a connection of its own, closed afterwards (a server-side close rejects what `fn` awaits). */
export async function withChannel<T>(broker: TestBroker, fn: (ch: amqp.Channel) => Promise<T>): Promise<T> {
  const conn = await amqp.connect(broker.url);
  conn.on('error', () => {});
  try {
    const ch = await conn.createChannel();
    ch.on('error', () => {});
    return await fn(ch);
  } finally {
    await conn.close().catch(() => {});
  }
}

/** Deletes what programs declare by name, so that a rerun after a killed program starts clean. */
export async function deleteLeftovers(broker: TestBroker, queues: string[], exchanges: string[] = []): Promise<void> {
  await withChannel(broker, async (ch) => {
    for (const q of queues) await ch.deleteQueue(q);
    for (const x of exchanges) await ch.deleteExchange(x);
  });
}

export const queueDepth = (broker: TestBroker, queue: string) =>
  withChannel(broker, async (ch) => (await ch.checkQueue(queue)).messageCount);
export const consumerCount = (broker: TestBroker, queue: string) =>
  withChannel(broker, async (ch) => (await ch.checkQueue(queue)).consumerCount);

// Start Warren's headless broker (broker/cli.ts) in a child process for the benchmark, so that the
// broker and the benchmark client each have their own event loop, as they do with RabbitMQ.

import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sleep } from './resources';
import { freePort } from '../lib/testing/processes';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 5_000;
const TAIL_LINES = 60;
/** The broker entry point, relative to the repository root. BENCH_WARREN_ENTRY overrides it (testing). */
const ENTRY = process.env.BENCH_WARREN_ENTRY ?? 'broker/cli.ts';
/**
 * What `npm start` and `npm run broker` give node (package.json): a young generation of up to 32 MiB
 * a semi-space rather than 16. Messages in flight then die young instead of being copied twice and
 * promoted, which under load could tip the broker into spending a fifth of its time in GC.
 */
const BROKER_NODE_FLAGS = ['--max-semi-space-size=32'];

export interface WarrenProcess {
  url: string;
  pid: number;
  /** false once the process has exited (crashed, or stopped) */
  alive(): boolean;
  /** Last lines the broker printed, for error messages. */
  tail(): string;
  stop(): Promise<void>;
}

export { freePort };

function portAccepts(port: number): Promise<boolean> {
  return new Promise((resolveProbe) => {
    const sock = connect({ host: '127.0.0.1', port });
    const done = (ok: boolean): void => {
      sock.removeAllListeners();
      sock.destroy();
      resolveProbe(ok);
    };
    sock.setTimeout(1000, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

/**
 * `tsx broker/cli.ts` with AMQP_PORT=<free port> HOST=127.0.0.1 LOG_LEVEL=warn, a throw-away DATA_DIR
 * and a free PORT (should the CLI open an HTTP listener, it must not collide with RabbitMQ's 15672).
 * Run as `node --import tsx` (what `npx tsx` ends up running, minus the npm and tsx wrapper
 * processes) in its own process group, so stop() can end it and anything it started, and nothing else.
 * Ready when the AMQP port accepts TCP connections.
 */
export async function startWarren(log: (line: string) => void): Promise<WarrenProcess> {
  const [amqpPort, httpPort] = [await freePort(), await freePort()];
  const dataDir = await mkdtemp(join(tmpdir(), 'warren-bench-'));
  const lines: string[] = [];
  const keep = (prefix: string, chunk: Buffer, echo: boolean): void => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.trim() === '') continue;
      lines.push(`${prefix}${line}`);
      if (lines.length > TAIL_LINES) lines.shift();
      if (echo) log(`[warren] ${line}`);
    }
  };

  const child: ChildProcess = spawn(process.execPath, [...BROKER_NODE_FLAGS, '--import', 'tsx', ENTRY], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      AMQP_PORT: String(amqpPort),
      PORT: String(httpPort),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      DATA_DIR: dataDir,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // own process group: stop() signals -pid
  });
  child.stdout?.on('data', (c: Buffer) => keep('', c, false));
  child.stderr?.on('data', (c: Buffer) => keep('stderr: ', c, true)); // warnings and crashes are shown live
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exitPromise = new Promise<void>((resolveExit) => {
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      resolveExit();
    });
  });
  const spawnError = new Promise<Error>((resolveErr) => child.once('error', resolveErr));
  let spawnFailure: Error | undefined;
  void spawnError.then((e) => {
    spawnFailure = e;
  });
  const tail = (): string => lines.join('\n');

  const signalGroup = (sig: NodeJS.Signals): void => {
    if (child.pid === undefined || exited) return;
    try {
      process.kill(-child.pid, sig);
    } catch {
      // already gone
    }
  };
  // If the benchmark itself dies, do not leave the broker behind.
  const onExit = (): void => {
    signalGroup('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  };
  process.once('exit', onExit);

  const stop = async (): Promise<void> => {
    process.removeListener('exit', onExit);
    signalGroup('SIGTERM');
    const gone = await Promise.race([exitPromise.then(() => true), sleep(STOP_TIMEOUT_MS).then(() => false)]);
    if (!gone) {
      signalGroup('SIGKILL');
      await Promise.race([exitPromise, sleep(STOP_TIMEOUT_MS)]);
    }
    await rm(dataDir, { recursive: true, force: true }).catch(() => {});
  };

  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (spawnFailure) {
      await stop();
      throw new Error(`could not start ${ENTRY}: ${spawnFailure.message}`);
    }
    if (exited) {
      await stop();
      const how = exited.signal ? `signal ${exited.signal}` : `code ${exited.code}`;
      // Its stderr has been shown live; the error names the first line that looks like the cause.
      const cause = lines.find((l) => /error/i.test(l))?.replace(/^stderr: /, '');
      throw new Error(`${ENTRY} exited (${how}) before listening on ${amqpPort}${cause ? `: ${cause}` : ''}`);
    }
    if (await portAccepts(amqpPort)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${ENTRY} did not accept connections on ${amqpPort} within ${READY_TIMEOUT_MS / 1000} s`);
    }
    await sleep(100);
  }
  return {
    url: `amqp://guest:guest@127.0.0.1:${amqpPort}`,
    pid: child.pid ?? -1,
    alive: () => exited === undefined,
    tail,
    stop,
  };
}

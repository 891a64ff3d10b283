// Warren as a user starts it, for tests of what `npm start` serves: its own ports and DATA_DIR,
// its own process group (npm, tsx, node, a `next build` all stop together), ready once
// /api/health answers. The first start in a worktree builds the console, which takes minutes.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, stopGroup, waitGroupGone } from './processes';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const NPM_START_LIMIT_MS = 420_000;

export interface Served {
  base: string;
  amqpPort: number;
  amqpUrl(user?: string, password?: string): string;
  /** the child's last lines, for failure messages */
  log(): string;
  /** SIGTERM to the group (SIGKILL after 15 s); the data dir is removed unless it was given */
  stop(): Promise<void>;
  /** SIGKILL to the whole group at once, as a crash: nothing gets to flush; the data dir stays */
  kill(): Promise<void>;
}

/**
 * `npm start` with `args` after `--` (e.g. `--rabbitmq`, `--no-embedded`); `dataDir`: start on one a
 * previous run left (a restart after a crash), which the caller removes.
 */
export async function startServed(label: string, opts: { dataDir?: string; args?: readonly string[] } = {}): Promise<Served> {
  const args = opts.args ?? [];
  const dataDir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), `warren-${label}-`));
  const port = await freePort();
  const amqpPort = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), AMQP_PORT: String(amqpPort), HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
  // not vitest's NODE_ENV=test and friends: the product as a user starts it
  for (const k of Object.keys(env)) if (/^(VITEST|NODE_ENV$|TEST$)/.test(k)) delete env[k];
  const child: ChildProcess = spawn('npm', ['start', ...(args.length > 0 ? ['--', ...args] : [])], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    output.push(chunk.toString('utf8'));
    if (output.length > 400) output.splice(0, output.length - 400);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let gone = false;
  child.once('exit', () => (gone = true));
  const log = () => output.join('').split('\n').slice(-60).join('\n');
  const base = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.pid !== undefined) await stopGroup(child.pid, 15_000);
    if (opts.dataDir === undefined) fs.rmSync(dataDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  };
  const kill = async () => {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
    await waitGroupGone(child.pid, 15_000);
  };
  const deadline = Date.now() + NPM_START_LIMIT_MS - 10_000;
  for (;;) {
    if (gone) throw new Error(`npm start exited before it served /api/health:\n${log()}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`npm start did not serve /api/health in time:\n${log()}`);
    }
    try {
      const r = await fetch(`${base}/api/health`, { signal: AbortSignal.timeout(2_000) });
      if (r.status === 200) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    base,
    amqpPort,
    amqpUrl: (user = 'guest', password = 'guest') => `amqp://${user}:${password}@127.0.0.1:${amqpPort}`,
    log,
    stop,
    kill,
  };
}

export const basicAuth = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** A JSON request to the served API as `user` (guest by default); the body parsed when there is one. */
export async function callServed(
  served: Served,
  method: string,
  urlPath: string,
  body?: unknown,
  user = 'guest',
  password = 'guest',
): Promise<{ status: number; body: Record<string, unknown> | undefined }> {
  const res = await fetch(served.base + urlPath, {
    method,
    headers: { authorization: basicAuth(user, password), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>) };
}

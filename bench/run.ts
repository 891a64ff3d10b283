// npm run bench [-- options]: throughput and latency with amqplib, against Warren and/or any broker.
// Progress goes to stderr, the markdown table to stdout.

import { readFileSync } from 'node:fs';
import { cpus, platform, release } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import amqp from 'amqplib';
import { ArgError, EXIT_USAGE, parseCommandLine, parseOrExit, usageError } from '../cli-args';
import { findBrokerProcess } from './broker-process';
import { markdown, progressLine, writeJson, type RunInfo } from './report';
import { Resources, nowMs, sleep, withTimeout } from './resources';
import { combineRounds } from './rounds';
import { scenarios as allScenarios } from './scenarios';
import { startWarren, type WarrenProcess } from './start-warren';
import type { Scenario, ScenarioOutcome, TargetResult } from './types';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** pause between scenarios so queue deletion and garbage collection do not bleed into the next one */
const SETTLE_BETWEEN_MS = 1000;
/** First Ctrl-C: stop the running scenario, clean up, print what was measured. Second: quit now. */
const interrupt = new AbortController();
const interrupted = new Promise<never>((_, reject) => {
  interrupt.signal.addEventListener('abort', () => reject(new Error('interrupted')), { once: true });
});
interrupted.catch(() => {});

const HELP = `Usage: npm run bench -- [options]

With no options, starts Warren (broker/cli.ts) in a child process on a free port,
runs every scenario against it and stops it.

  --url <amqp-url>       run against that broker instead of starting Warren
  --compare <amqp-url>   run against Warren AND that broker; side-by-side table with a ratio
  --label <text>         column label for --compare / --url (default "RabbitMQ" / host:port)
  --warren-url <url>     use an already running Warren instead of starting one
  --duration <seconds>   measured time per scenario (default 5; warm-up comes on top)
  --only <text>          only scenarios whose name or id contains the text (comma = or)
  --rounds <n>           run the scenarios n times, round after round, and report each
                         figure's median (default 1; every round's figure goes in the JSON)
  --json <file>          also write the results as JSON
  --list                 list the scenarios and exit
  -h, --help             this text

Exit status: 0 when every scenario ran, 1 when any failed or a broker could not be reached.
`;

interface TargetSpec {
  label: string;
  /** absent: start Warren */
  url?: string;
}

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}

function hostLabel(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '5672'}`;
  } catch {
    return url;
  }
}

function amqplibVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(resolve(REPO_ROOT, 'node_modules/amqplib/package.json'), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? '?';
  } catch {
    return '?';
  }
}

function fail(message: string): never {
  process.stderr.write(usageError('bench', message, HELP));
  process.exit(EXIT_USAGE);
}

async function runScenario(s: Scenario, url: string, durationSec: number): Promise<ScenarioOutcome> {
  const res = new Resources(s.id);
  const ac = new AbortController();
  const timeoutSec = s.timeoutSec?.(durationSec) ?? 30 + 4 * durationSec;
  const started = nowMs();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutSec.toFixed(0)} s`)), timeoutSec * 1000);
  });
  const running = s.run(url, { durationSec, resources: res, signal: ac.signal, log, broker: findBrokerProcess(url) });
  running.catch(() => {}); // may lose the race below; its rejection is then of no interest
  let outcome: ScenarioOutcome;
  try {
    const r = await Promise.race([running, res.failed, timeout, interrupted]);
    outcome = { id: s.id, name: s.name, values: r.values, details: r.details, elapsedMs: 0 };
  } catch (err) {
    outcome = { id: s.id, name: s.name, error: (err as Error).message || String(err), elapsedMs: 0 };
  }
  clearTimeout(timer);
  ac.abort(new Error('scenario over'));
  await res.cleanup(url);
  outcome.elapsedMs = Math.round(nowMs() - started);
  if (res.notes.length > 0) outcome.notes = [...new Set(res.notes)];
  return outcome;
}

/** Can we open (and close) an AMQP connection at all? */
async function probe(url: string): Promise<void> {
  const conn = await withTimeout(amqp.connect(url, { timeout: 10_000 }), 15_000, 'connect');
  conn.on('error', () => {});
  await withTimeout(conn.close(), 5_000, 'close');
}

async function runTarget(spec: TargetSpec, scenarios: Scenario[], durationSec: number, rounds: number): Promise<TargetResult> {
  let warren: WarrenProcess | undefined;
  let url = spec.url;
  const result: TargetResult = { label: spec.label, url: spec.url ? redact(spec.url) : '(started)', outcomes: [] };
  const starts: string[] = [];
  const start = async (): Promise<void> => {
    log(`[${spec.label}] starting broker/cli.ts ...`);
    warren = await startWarren(log);
    url = warren.url;
    starts.push(`pid ${warren.pid}`);
    result.url = `${redact(url)} (broker/cli.ts, ${starts.join(', then ')})`;
    log(`[${spec.label}] listening at ${url} (pid ${warren.pid})`);
  };
  try {
    if (!url) await start();
    await probe(url!);
    let previousFailed = false;
    const byScenario = scenarios.map((): ScenarioOutcome[] => []);
    const runs = scenarios.length * rounds;
    for (let n = 0; n < runs && !interrupt.signal.aborted; n++) {
      const i = n % scenarios.length;
      const s = scenarios[i];
      let restarted: string | undefined;
      if (warren && (!warren.alive() || previousFailed)) {
        // A crash or a failure fails the scenario it happened in; the next ones get a fresh broker
        // rather than one in an unknown state (wedged, still holding a queue it could not delete).
        if (!warren.alive()) log(`[${spec.label}] broker exited; its last lines:\n${warren.tail()}`);
        restarted = warren.alive() ? 'restarted after the previous scenario failed' : 'had exited and was restarted';
        await warren.stop();
        await start();
      }
      log(`[${spec.label}] ${s.name}${rounds > 1 ? ` (round ${Math.floor(n / scenarios.length) + 1} of ${rounds})` : ''} ...`);
      const outcome = await runScenario(s, url!, durationSec);
      previousFailed = outcome.error !== undefined;
      if (restarted) outcome.notes = [`broker ${restarted} (pid ${warren?.pid})`, ...(outcome.notes ?? [])];
      byScenario[i].push(outcome);
      log(`[${spec.label}] ${progressLine(s, outcome)}`);
      for (const note of outcome.notes ?? []) log(`[${spec.label}]   note: ${note}`);
      if (n < runs - 1 && !interrupt.signal.aborted) await sleep(SETTLE_BETWEEN_MS);
    }
    for (const outcomes of byScenario) if (outcomes.length > 0) result.outcomes.push(combineRounds(outcomes));
  } catch (err) {
    result.error = (err as Error).message;
    log(`[${spec.label}] ${result.error}`);
  } finally {
    if (warren) await warren.stop();
  }
  return result;
}

const OPTIONS = {
  url: { type: 'string', parse: amqpUrl },
  compare: { type: 'string', parse: amqpUrl },
  label: { type: 'string' },
  'warren-url': { type: 'string', parse: amqpUrl },
  duration: { type: 'string', parse: seconds },
  rounds: { type: 'string', parse: roundCount },
  only: { type: 'string' },
  json: { type: 'string' },
  list: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

function amqpUrl(raw: string, source: string): string {
  if (!/^amqps?:\/\//.test(raw)) throw new ArgError(`${source} must be an amqp:// URL, got ${JSON.stringify(raw)}`);
  return raw;
}

/** Fractions allowed (`--duration 0.5` for a quick smoke run); an hour is more than anyone means. */
function seconds(raw: string, source: string): number {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n <= 0 || n > 3600) {
    throw new ArgError(`${source} must be a number of seconds above 0 and at most 3600, got ${JSON.stringify(raw)}`);
  }
  return n;
}

function roundCount(raw: string, source: string): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || n < 1 || n > 100) throw new ArgError(`${source} must be a whole number from 1 to 100, got ${JSON.stringify(raw)}`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseOrExit('bench', HELP, () => parseCommandLine(OPTIONS, process.argv.slice(2)));
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const durationSec = values.duration ?? 5;
  if (values.url && values.compare) fail('--url and --compare do not go together (use --warren-url with --compare)');

  let scenarios = allScenarios;
  if (values.only) {
    const wanted = values.only
      .toLowerCase()
      .split(',')
      .map((w) => w.trim())
      .filter((w) => w !== '');
    scenarios = allScenarios.filter((s) => wanted.some((w) => s.id.includes(w) || s.name.toLowerCase().includes(w)));
    if (scenarios.length === 0) fail(`--only ${values.only} matches no scenario (see --list)`);
  }
  if (values.list) {
    for (const s of allScenarios) process.stdout.write(`${s.id.padEnd(20)} ${s.name}\n${''.padEnd(20)} ${s.description}\n`);
    return;
  }

  const targets: TargetSpec[] = [];
  if (values.url) {
    targets.push({ label: values.label ?? hostLabel(values.url), url: values.url });
  } else {
    targets.push({ label: 'Warren', url: values['warren-url'] });
    if (values.compare) targets.push({ label: values.label ?? 'RabbitMQ', url: values.compare });
  }

  // Ctrl-C once: finish cleanly (queues deleted, Warren stopped, partial table printed).
  // Twice, or SIGTERM: exit through process.exit, whose 'exit' hook still kills a Warren we started.
  process.on('SIGINT', () => {
    if (interrupt.signal.aborted) process.exit(130);
    log('bench: interrupted; cleaning up (Ctrl-C again to quit at once)');
    interrupt.abort();
  });
  process.once('SIGTERM', () => process.exit(143));

  const info: RunInfo = {
    startedAt: new Date().toISOString(),
    durationSec,
    rounds: values.rounds ?? 1,
    node: process.version,
    amqplib: amqplibVersion(),
    cpus: cpus().length,
    platform: `${platform()} ${release()}`,
  };
  const results: TargetResult[] = [];
  for (const t of targets) {
    if (interrupt.signal.aborted) break;
    results.push(await runTarget(t, scenarios, durationSec, values.rounds ?? 1));
  }

  process.stdout.write(`${markdown(scenarios, results, info)}\n`);
  if (values.json) {
    await writeJson(values.json, scenarios, results, info);
    log(`bench: wrote ${values.json}`);
  }
  const failed = results.some((r) => r.error !== undefined || r.outcomes.some((o) => o.error !== undefined));
  process.exitCode = interrupt.signal.aborted ? 130 : failed ? 1 : 0;
}

main().catch((err: unknown) => {
  log(`bench: ${(err as Error).stack ?? String(err)}`);
  process.exit(1);
});

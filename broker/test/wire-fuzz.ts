// The wire fuzzer, shared by its bounded test (wire-fuzz.test.ts) and long runs (`npm run fuzz`).
// It starts a real broker in this process on a free port, keeps a healthy amqplib connection
// publishing and consuming beside it, and runs fast-check cases (wire-fuzz-cases.ts) over raw TCP.
//
// Checked for every case, and shrunk to a minimal case when one fails:
// - nothing throws out to the process (uncaught exception, unhandled rejection) and the broker logs
//   no error (an exception it did not expect becomes a logged 541 "internal error");
// - the broker's frames are well framed and within the client's frame_max;
// - a connection.close from the broker carries a connection error code, a channel.close a channel
//   error code;
// - a stream of whole frames is answered: the client's connection.close gets close-ok, an earlier
//   connection.close, or the socket closed; a frame the reader must refuse for good (too large, bad
//   end octet) gets a connection.close or the socket closed; within ANSWER_MS either way;
// - once the client is gone, the broker's sockets and connections are back to what they were;
// - the side connection stays up.
// At the end of a run: no confirmed side message lost, side round trips under a bound, heap growth
// under a bound, and only the side connection left.
import v8 from 'node:v8';
import vm from 'node:vm';
import fc from 'fast-check';
import { internals } from '../embedded/internals';
import { createBroker, type Broker } from '../index';
import type { Actor } from '../api/broker-api';
import { caseArb, type FuzzCase } from './wire-fuzz-cases';
import { FuzzConnection } from './wire-fuzz-conn';
import { SideClient, type SideReport } from './wire-fuzz-side';

/** Connection errors (and 403 for a refused login, which closes a connection too). */
export const CONNECTION_CODES: readonly number[] = [403, 501, 502, 503, 504, 505, 506, 530, 540, 541];
export const CHANNEL_CODES: readonly number[] = [403, 404, 405, 406];

const ANSWER_MS = 2000;
const CLEANUP_MS = 3000;

export interface FuzzOptions {
  runs: number;
  seed?: number;
  /** replay one case: the path fast-check printed with the seed */
  path?: string;
  /** stop after this long even if `runs` are not done */
  timeLimitMs?: number;
  /** side round trips above this fail the run */
  latencyBoundMs?: number;
  /** heap growth (after GC) above this fails the run */
  heapBoundBytes?: number;
  /** called every `progressEveryMs` with a line about the run so far */
  progress?: (line: string) => void;
  progressEveryMs?: number;
}

export interface FuzzReport {
  runs: number;
  seed: number;
  /** a minimal failing case, its error, and the path to replay it with the seed */
  failure: { error: string; counterexample: string; path: string; shrinks: number } | undefined;
  /** problems found at the end of the run (loss, latency, heap, leftovers) */
  endProblems: string[];
  outcomes: Record<string, number>;
  side: SideReport;
  heapBefore: number;
  heapAfter: number;
  seconds: number;
}

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

const mb = (n: number) => `${(n / 1048576).toFixed(1)} MB`;

class Fuzzer {
  readonly outcomes = new Map<string, number>();
  readonly errors: string[] = [];
  readonly uncaught: string[] = [];
  cases = 0;
  private sideFailureSeen = false;

  constructor(
    readonly broker: Broker,
    readonly side: SideClient,
    private readonly actor: Actor,
  ) {}

  private get counts(): { sockets: number; connections: number } {
    const parts = internals(this.broker);
    return { sockets: parts.server.socketCount, connections: parts.core.connections.size };
  }

  private count(outcome: string): void {
    this.outcomes.set(outcome, (this.outcomes.get(outcome) ?? 0) + 1);
  }

  /** One case; throws an Error saying which property it broke. */
  async run(c: FuzzCase): Promise<void> {
    this.cases++;
    const before = this.counts;
    const errors = this.errors.length;
    const uncaught = this.uncaught.length;
    const conn = await FuzzConnection.connect(this.broker.port);
    try {
      await this.exchange(conn, c);
    } finally {
      if (conn.close !== undefined && !conn.closed) conn.sendCloseOk();
      conn.destroy();
    }
    const clean = async () => {
      const deadline = Date.now() + CLEANUP_MS;
      for (;;) {
        const now = this.counts;
        if (now.sockets <= before.sockets && now.connections <= before.connections) return;
        if (Date.now() > deadline) throw new Error(`not cleaned up ${CLEANUP_MS} ms after the client left: ${JSON.stringify(now)}, before the case ${JSON.stringify(before)}`);
        await new Promise((r) => setTimeout(r, 5));
      }
    };
    await clean();
    await this.resetTopology();
    if (this.uncaught.length > uncaught) throw new Error(`thrown out to the process: ${this.uncaught.slice(uncaught).join(' | ')}`);
    if (this.errors.length > errors) throw new Error(`broker logged an error: ${this.errors.slice(errors).join(' | ')}`);
    if (this.side.failure !== undefined && !this.sideFailureSeen) {
      this.sideFailureSeen = true;
      throw new Error(`the side connection broke: ${this.side.failure}`);
    }
  }

  private async exchange(conn: FuzzConnection, c: FuzzCase): Promise<void> {
    await conn.handshake(c.stage, c.frameMax);
    const { end, unanswered } = await conn.play(c, ANSWER_MS);
    if (unanswered !== undefined) throw new Error(unanswered);
    if (conn.badFraming !== undefined) throw new Error(`bad framing from the broker: ${conn.badFraming}`);
    if (conn.close !== undefined && !CONNECTION_CODES.includes(conn.close.code)) {
      throw new Error(`connection.close with code ${conn.close.code}: ${conn.close.text}`);
    }
    const badChannel = conn.channelCloses.find((code) => !CHANNEL_CODES.includes(code));
    if (badChannel !== undefined) throw new Error(`channel.close with code ${badChannel}`);
    this.count(conn.outcome() === 'open' ? `open (${end})` : conn.outcome());
  }

  /** Removes what the case declared, so that every case starts from the same broker and replays alike. */
  private async resetTopology(): Promise<void> {
    const b = this.broker;
    for (const q of await b.listQueues(this.actor, '/')) {
      const name = String(q.name);
      if (name !== this.side.queue) await b.deleteQueue(this.actor, '/', name, { ifUnused: false, ifEmpty: false });
    }
    for (const e of await b.listBindings(this.actor, '/')) {
      if (e.destination_type !== 'exchange') continue;
      await b.unbind(this.actor, '/', {
        source: String(e.source), destination: String(e.destination), destinationType: 'exchange', propertiesKey: String(e.properties_key),
      }).catch(() => {});
    }
    for (const e of await b.listExchanges(this.actor, '/')) {
      const name = String(e.name);
      if (name !== '' && !name.startsWith('amq.')) await b.deleteExchange(this.actor, '/', name, { ifUnused: false });
    }
  }

  progressLine(started: number): string {
    const out = [...this.outcomes].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k}: ${v}`).join(', ');
    return `${this.cases} cases in ${((Date.now() - started) / 1000).toFixed(0)} s; heap ${mb(process.memoryUsage().heapUsed)}; side round trip max (last 100) ${this.side.recentMax().toFixed(0)} ms; ${out}`;
  }
}

/** A run: broker, side connection, `runs` cases (or until the time limit), then the end checks. */
export async function runWireFuzz(o: FuzzOptions): Promise<FuzzReport> {
  const started = Date.now();
  const seed = o.seed ?? (Date.now() ^ (Math.random() * 0x100000000)) | 0;
  // above any heap this process reaches: the memory alarm pauses reading and no case would get answers
  const broker = await createBroker({ port: 0, host: '127.0.0.1', logLevel: 'silent', memoryHighWatermark: 64 * 1024 ** 3 });
  const parts = internals(broker);
  const fuzzer = new Fuzzer(broker, new SideClient(), await broker.authenticate('guest', 'guest', '127.0.0.1'));
  const logError = parts.log.error;
  parts.log.error = (msg: string) => {
    fuzzer.errors.push(msg);
    logError(msg);
  };
  const onUncaught = (err: unknown) => fuzzer.uncaught.push(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onUncaught);
  let ticker: NodeJS.Timeout | undefined;
  try {
    await fuzzer.side.start(`amqp://guest:guest@127.0.0.1:${broker.port}`, 20);
    const heapBefore = heapAfterGc();
    if (o.progress) ticker = setInterval(() => o.progress!(fuzzer.progressLine(started)), o.progressEveryMs ?? 10_000);
    const details = await fc.check(
      fc.asyncProperty(caseArb, (c) => fuzzer.run(c)),
      {
        numRuns: o.runs,
        seed,
        ...(o.path === undefined ? {} : { path: o.path, endOnFailure: true }),
        ...(o.timeLimitMs === undefined ? {} : { interruptAfterTimeLimit: o.timeLimitMs, markInterruptAsFailure: false }),
      },
    );
    clearInterval(ticker);
    const failure = details.failed
      ? {
          error: details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance),
          counterexample: fc.stringify(details.counterexample),
          path: details.counterexamplePath ?? '',
          shrinks: details.numShrinks,
        }
      : undefined;
    const side = await fuzzer.side.stop();
    const endProblems: string[] = [];
    if (side.failure !== undefined) endProblems.push(side.failure);
    if (side.lost > 0) endProblems.push(`${side.lost} confirmed side messages never delivered`);
    if (side.nacked > 0) endProblems.push(`${side.nacked} side messages nacked`);
    if (side.max > (o.latencyBoundMs ?? 2000)) endProblems.push(`side round trip reached ${side.max.toFixed(0)} ms (bound ${o.latencyBoundMs ?? 2000} ms)`);
    const deadline = Date.now() + CLEANUP_MS;
    while (parts.server.socketCount > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    if (parts.server.socketCount > 0 || parts.core.connections.size > 0) {
      endProblems.push(`left behind: ${parts.server.socketCount} sockets, ${parts.core.connections.size} connections`);
    }
    const heapAfter = heapAfterGc();
    if (heapAfter - heapBefore > (o.heapBoundBytes ?? 64 * 1048576)) {
      endProblems.push(`heap grew from ${mb(heapBefore)} to ${mb(heapAfter)} (bound ${mb(o.heapBoundBytes ?? 64 * 1048576)})`);
    }
    return {
      runs: fuzzer.cases,
      seed,
      failure,
      endProblems,
      outcomes: Object.fromEntries(fuzzer.outcomes),
      side,
      heapBefore,
      heapAfter,
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    clearInterval(ticker);
    process.off('uncaughtException', onUncaught);
    process.off('unhandledRejection', onUncaught);
    await broker.close();
  }
}

/** The report as lines for a terminal or a test's output. */
export function describeReport(r: FuzzReport): string {
  const lines = [
    `wire fuzz: ${r.runs} cases in ${r.seconds.toFixed(1)} s, seed ${r.seed}`,
    `outcomes: ${Object.entries(r.outcomes).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ')}`,
    `side connection: ${r.side.published} published, ${r.side.confirmed} confirmed, ${r.side.received} received, ${r.side.lost} lost; round trip p50 ${r.side.p50.toFixed(1)} ms, p99 ${r.side.p99.toFixed(1)} ms, max ${r.side.max.toFixed(1)} ms`,
    `heap after GC: ${mb(r.heapBefore)} before, ${mb(r.heapAfter)} after`,
  ];
  if (r.failure) {
    lines.push(
      `FAILED after ${r.failure.shrinks} shrinks: ${r.failure.error}`,
      `replay: npm run fuzz -- --seed ${r.seed} --path ${r.failure.path}`,
      `minimal case: ${r.failure.counterexample}`,
    );
  }
  for (const p of r.endProblems) lines.push(`FAILED at the end: ${p}`);
  return lines.join('\n');
}

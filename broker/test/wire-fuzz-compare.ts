// Differential runs of the wire fuzzer's cases: the same generated cases against Warren (in this
// process) and another broker, normally RabbitMQ 3.10, grouped by how each ended (the reply code of
// the connection.close, close-ok, or the socket closing). It reports differences; it does not
// judge them: RabbitMQ resets the socket where its reader crashes, and waits seconds before some
// closes, where Warren answers at once with a code (see bad-input.test.ts).
//
// On both brokers every case runs in a vhost of its own, created (on the other broker through its
// management API) and deleted afterwards, so cases do not see each other's queues and nothing is
// left behind.
import fc from 'fast-check';
import { createBroker } from '../index';
import { caseArb, type FuzzCase } from './wire-fuzz-cases';
import { FuzzConnection } from './wire-fuzz-conn';

/** RabbitMQ closes some connections silently about 3 s after the error. */
const OTHER_ANSWER_MS = 4500;
const WARREN_ANSWER_MS = 2000;

export interface CompareOptions {
  /** amqp://user:pass@host:port of the other broker */
  url: string;
  /** its management API, http://host:15672 unless given */
  managementUrl?: string;
  runs: number;
  seed: number;
  /** cases run on the other broker at once */
  concurrency?: number;
}

export interface Difference {
  warren: string;
  other: string;
  count: number;
  /** the case with the fewest operations that ended this way, and each broker's close for it */
  example: FuzzCase;
  warrenClose: string;
  otherClose: string;
}

interface Ending {
  kind: string;
  /** reply text and ids of the connection.close, if there was one */
  close: string;
}

async function outcome(c: FuzzCase, port: number, host: string, answerMs: number, login?: { vhost: string; user: string; pass: string }): Promise<Ending> {
  const conn = await FuzzConnection.connect(port, host);
  try {
    await conn.handshake(c.stage, c.frameMax, login?.vhost, login?.user, login?.pass);
    await conn.play(c, answerMs);
    const close = conn.close === undefined ? '' : `${conn.close.text} (${conn.close.classId}/${conn.close.methodId})`;
    return { kind: conn.outcome(), close };
  } catch (err) {
    return { kind: `handshake failed: ${(err as Error).message}`, close: '' };
  } finally {
    if (conn.close !== undefined && !conn.closed) conn.sendCloseOk();
    conn.destroy();
  }
}

class Management {
  private readonly auth: string;
  constructor(private readonly base: string, user: string, pass: string) {
    this.auth = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
  }

  async call(method: 'PUT' | 'DELETE', path: string, body?: unknown): Promise<void> {
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: { authorization: this.auth, 'content-type': 'application/json' },
      body: body === undefined ? null : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    if (!res.ok && !(method === 'DELETE' && res.status === 404)) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  }
}

export async function compareWithBroker(o: CompareOptions): Promise<{ cases: number; same: number; differences: Difference[] }> {
  const u = new URL(o.url);
  const user = decodeURIComponent(u.username || 'guest');
  const pass = decodeURIComponent(u.password || 'guest');
  const host = u.hostname;
  const port = Number(u.port || 5672);
  const mgmt = new Management(o.managementUrl ?? `http://${host}:15672`, user, pass);
  const cases = fc.sample(caseArb, { numRuns: o.runs, seed: o.seed });

  const ours: Ending[] = [];
  const warren = await createBroker({ port: 0, host: '127.0.0.1', logLevel: 'silent', memoryHighWatermark: 64 * 1024 ** 3 });
  try {
    const actor = await warren.authenticate('guest', 'guest', '127.0.0.1');
    for (const [i, c] of cases.entries()) {
      const vhost = `wire-fuzz-${i}`;
      await warren.putVhost(actor, vhost, {});
      await warren.setPermission(actor, vhost, 'guest', { configure: '.*', write: '.*', read: '.*' });
      ours.push(await outcome(c, warren.port, '127.0.0.1', WARREN_ANSWER_MS, { vhost, user: 'guest', pass: 'guest' }));
      await warren.deleteVhost(actor, vhost);
    }
  } finally {
    await warren.close();
  }

  const theirs: Ending[] = new Array<Ending>(cases.length);
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const i = next++;
      const vhost = `warren-wire-fuzz-${process.pid}-${i}`;
      const path = `/api/vhosts/${encodeURIComponent(vhost)}`;
      await mgmt.call('PUT', path, {});
      try {
        await mgmt.call('PUT', `/api/permissions/${encodeURIComponent(vhost)}/${encodeURIComponent(user)}`, { configure: '.*', write: '.*', read: '.*' });
        theirs[i] = await outcome(cases[i], port, host, OTHER_ANSWER_MS, { vhost, user, pass });
      } finally {
        await mgmt.call('DELETE', path);
      }
    }
  };
  await Promise.all(Array.from({ length: o.concurrency ?? 8 }, worker));

  const groups = new Map<string, Difference>();
  let same = 0;
  cases.forEach((c, i) => {
    const [w, o] = [ours[i], theirs[i]];
    if (w.kind === o.kind) {
      same++;
      return;
    }
    const key = `${w.kind}\u0000${o.kind}`;
    const g = groups.get(key);
    if (g === undefined) groups.set(key, { warren: w.kind, other: o.kind, count: 1, example: c, warrenClose: w.close, otherClose: o.close });
    else {
      g.count++;
      if (c.ops.length < g.example.ops.length) Object.assign(g, { example: c, warrenClose: w.close, otherClose: o.close });
    }
  });
  return { cases: cases.length, same, differences: [...groups.values()].sort((a, b) => b.count - a.count) };
}

// Memory per queued message: what a backlog costs the broker beyond the bodies it holds.

import { QUEUE_OPTIONS, sizeLabel, sizeSlug } from './scenario-common';
import { publishFor, waitUntilQueued } from './flows';
import type { BrokerProcess } from './broker-process';
import { sleep } from './resources';
import type { Scenario, ScenarioOptions, ScenarioResult } from './types';

/** RSS is read every POLL_MS until two readings in a row differ by under 1 %, for at most SETTLE_MAX_MS. */
const POLL_MS = 1000;
const SETTLE_MAX_MS = 20_000;

/**
 * The broker's RSS once it has stopped moving: memory freed by the previous scenario (a deleted
 * queue) is returned to the system lazily, and a fresh backlog may still be indexed or paged.
 */
export async function settledRss(broker: BrokerProcess, signal: AbortSignal): Promise<number> {
  const deadline = Date.now() + SETTLE_MAX_MS;
  let last = broker.rssBytes();
  for (;;) {
    await sleep(POLL_MS, signal);
    const now = broker.rssBytes();
    if (now === undefined || last === undefined) throw new Error('could not read the broker\'s memory');
    if (Math.abs(now - last) < last * 0.01 || Date.now() > deadline) return now;
    last = now;
  }
}

/** Messages the memory scenario queues: `BENCH_MEMORY_MESSAGES`, default 1,000,000. */
function memoryMessages(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env.BENCH_MEMORY_MESSAGES ?? 1_000_000);
  if (!Number.isSafeInteger(n) || n < 1000) throw new Error(`BENCH_MEMORY_MESSAGES must be a whole number ≥ 1000, got ${env.BENCH_MEMORY_MESSAGES}`);
  return n;
}

/** The longest the publisher may take to queue them: a slow broker gives a figure over fewer. */
const FILL_MAX_MS = 180_000;

/**
 * One publisher queues a fixed number of messages (BENCH_MEMORY_MESSAGES) into a queue with no
 * consumer; the broker process's resident memory (RSS, /proc) before and after, divided by the
 * messages queued, less the body: bytes per queued message of index, metadata and allocator
 * overhead. A fixed count rather than a fixed time, so that the figure is the same backlog's on
 * both brokers and does not depend on how fast the publisher got (a broker's fixed costs, such as
 * the V8 heap's young generation growing to its working size, are shared out over all of them).
 * Needs a broker on this machine.
 */
export function queuedMemory(size: number): Scenario {
  const n = memoryMessages();
  return {
    id: `memory-${sizeSlug(size)}-queued`,
    name: `memory per queued ${sizeLabel(size)} message, beyond the body`,
    description: `one publisher queues ${n} messages (BENCH_MEMORY_MESSAGES) with no consumer; (broker RSS after − before) ÷ messages − body size`,
    metrics: [{ key: 'bytes', label: '', unit: 'B/msg', better: 'lower' }],
    timeoutSec: () => 60 + (FILL_MAX_MS + 60_000 + 2 * SETTLE_MAX_MS) / 1000,
    async run(url: string, opts: ScenarioOptions): Promise<ScenarioResult> {
      const { resources: res, signal, broker } = opts;
      if (!broker) throw new Error('needs the broker process on this machine to read its memory');
      const conn = await res.connect(url, 'publisher');
      const ch = await res.channel(conn, 'publisher');
      const queue = res.queueName('memory');
      await ch.assertQueue(queue, QUEUE_OPTIONS);
      const body = Buffer.alloc(size, 0x6d);
      const rss0 = await settledRss(broker, signal);
      const sent = await publishFor(ch, queue, body, FILL_MAX_MS, signal, undefined, n);
      const { messageCount } = await waitUntilQueued(ch, queue, sent, 60_000, signal);
      const rss1 = await settledRss(broker, signal);
      return {
        values: { bytes: (rss1 - rss0) / messageCount - size },
        details: { messages: messageCount, bodyBytes: size, rssBefore: rss0, rssAfter: rss1 },
      };
    },
  };
}

// Memory per queued message: what a backlog costs the broker beyond the bodies it holds.

import { QUEUE_OPTIONS, settleMs, sizeLabel, sizeSlug } from './scenario-common';
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

/**
 * One publisher fills a queue with no consumer for `duration` seconds; the broker process's resident
 * memory (RSS, /proc) before and after, divided by the messages queued, less the body: bytes per
 * queued message of index, metadata and allocator overhead. Needs a broker on this machine.
 */
export function queuedMemory(size: number): Scenario {
  return {
    id: `memory-${sizeSlug(size)}-queued`,
    name: `memory per queued ${sizeLabel(size)} message, beyond the body`,
    description: 'one publisher fills a queue with no consumer; (broker RSS after − before) ÷ messages − body size',
    metrics: [{ key: 'bytes', label: '', unit: 'B/msg', better: 'lower' }],
    timeoutSec: (d) => 60 + (d * 1000 + settleMs(d) + 2 * SETTLE_MAX_MS) / 1000,
    async run(url: string, opts: ScenarioOptions): Promise<ScenarioResult> {
      const { resources: res, signal, durationSec, broker } = opts;
      if (!broker) throw new Error('needs the broker process on this machine to read its memory');
      const conn = await res.connect(url, 'publisher');
      const ch = await res.channel(conn, 'publisher');
      const queue = res.queueName('memory');
      await ch.assertQueue(queue, QUEUE_OPTIONS);
      const body = Buffer.alloc(size, 0x6d);
      const rss0 = await settledRss(broker, signal);
      const sent = await publishFor(ch, queue, body, durationSec * 1000, signal);
      const { messageCount } = await waitUntilQueued(ch, queue, sent, settleMs(durationSec), signal);
      const rss1 = await settledRss(broker, signal);
      return {
        values: { bytes: (rss1 - rss0) / messageCount - size },
        details: { messages: messageCount, bodyBytes: size, rssBefore: rss0, rssAfter: rss1 },
      };
    },
  };
}

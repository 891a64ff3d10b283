// A deep backlog of transient 1 KiB messages: what it costs in resident memory, and whether the
// broker blocked the publisher on the way (it should not below its memory watermark: bodies beyond
// the budget go to disk, on Warren as on RabbitMQ's classic queues).

import { QUEUE_OPTIONS, sizeLabel, sizeSlug } from './scenario-common';
import { LeanConnection, publishBatch } from './lean-amqp';
import { settledRss } from './memory';
import { nowMs, sleep } from './resources';
import type { Scenario, ScenarioOptions, ScenarioResult } from './types';

/** Messages queued: `BENCH_BACKLOG` (e.g. 10000000), default 2 million (about 2 GiB of bodies). */
export function backlogSize(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env.BENCH_BACKLOG ?? 2_000_000);
  if (!Number.isSafeInteger(n) || n < 1000) throw new Error(`BENCH_BACKLOG must be a whole number ≥ 1000, got ${env.BENCH_BACKLOG}`);
  return n;
}

const BATCH = 1000;

/**
 * One lean publisher queues N messages into one queue with no consumer, as fast as the broker
 * reads them. RSS is read settled before and after: total resident bytes per queued message (body
 * included), the RSS at the end, the publish rate, and how often the broker sent connection.blocked.
 */
export function pagedBacklog(size: number): Scenario {
  const n = backlogSize();
  return {
    id: `backlog-${sizeSlug(size)}`,
    name: `backlog of ${(n / 1e6).toLocaleString('en-US')}M transient ${sizeLabel(size)} messages`,
    description: `one lean publisher queues ${n} messages (BENCH_BACKLOG) with no consumer; broker RSS per message (body included), RSS at the end, publish rate, connection.blocked count`,
    metrics: [
      { key: 'perMsg', label: 'RSS per message', unit: 'B/msg', better: 'lower' },
      { key: 'rssMiB', label: 'RSS at the end', unit: 'MiB', better: 'lower' },
      { key: 'rate', label: 'publish rate', unit: 'msgs/s', better: 'higher' },
      { key: 'blocked', label: 'publisher blocked', unit: 'times', better: 'lower' },
    ],
    // RabbitMQ 3.10 queued ~15k msgs/s here while paging; then settling and deleting the queue
    timeoutSec: () => 180 + n / 8_000,
    async run(url: string, opts: ScenarioOptions): Promise<ScenarioResult> {
      const { resources: res, signal, broker, log } = opts;
      if (!broker) throw new Error('needs the broker process on this machine to read its memory');
      // amqplib for the declare and the count (its queue is deleted by the runner), the lean client to publish
      const conn = await res.connect(url, 'counter');
      const ch = await res.channel(conn, 'counter');
      const queue = res.queueName('backlog');
      await ch.assertQueue(queue, QUEUE_OPTIONS);
      const pub = await LeanConnection.open(url, 'backlog publisher');
      try {
        const batch = publishBatch(queue, Buffer.alloc(size, 0x62), BATCH);
        const rss0 = await settledRss(broker, signal);
        const t0 = nowMs();
        let sent = 0;
        let lastLog = t0;
        while (sent < n) {
          if (signal.aborted) throw signal.reason;
          sent += BATCH;
          if (!pub.write(batch)) await pub.drained();
          if (pub.error) throw pub.error;
          if (nowMs() - lastLog > 10_000) {
            lastLog = nowMs();
            log(`${sent.toLocaleString('en-US')} published, RSS ${((broker.rssBytes() ?? 0) / 2 ** 20).toFixed(0)} MiB, blocked ${pub.blocked}×`);
          }
        }
        let queued = 0;
        for (;;) {
          queued = (await ch.checkQueue(queue)).messageCount;
          if (queued >= n) break;
          if (pub.error) throw pub.error;
          await sleep(500, signal);
        }
        const t1 = nowMs();
        const rss1 = await settledRss(broker, signal);
        return {
          values: { perMsg: (rss1 - rss0) / queued, rssMiB: rss1 / 2 ** 20, rate: queued / ((t1 - t0) / 1000), blocked: pub.blocked },
          details: { messages: queued, bodyBytes: size, rssBefore: rss0, rssAfter: rss1 },
        };
      } finally {
        await pub.close();
      }
    },
  };
}

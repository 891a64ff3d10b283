// The benchmark scenarios. Each is a plain object (see types.ts); add new ones to `scenarios` below.
//
// Common rules: transient messages (no delivery_mode 2), non-durable queues with unique names made
// through opts.resources (deleted by the runner afterwards), publishers and consumers on separate
// connections as real applications have them, and a short warm-up before the clock starts so a JIT
// (Warren) and fresh Erlang processes (RabbitMQ) are measured warm.

import type { ConsumeMessage } from 'amqplib';
import { PublisherConsumerPair, percentile, publishFor, waitUntilQueued } from './flows';
import { BROKER_CPU, brokerCpuMeter, withBrokerCpu } from './broker-process';
import { cpuMeter, nowMs, sleep } from './resources';
import { persistentConfirms } from './persistent';
import { QUEUE_OPTIONS, settleMs, sizeLabel, sizeSlug, warmupMs } from './scenario-common';
import { spreadRate, topicRate } from './lean-curves';
import { leanConsumeRate } from './lean-scenario';
import { queuedMemory } from './memory';
import { pagedBacklog } from './paged-memory';
import type { Scenario, ScenarioOptions, ScenarioResult } from './types';

// ---------------------------------------------------------------------------------------------
// 1. Publish rate

/**
 * One publisher channel sends to one queue with no consumer, as fast as back-pressure allows, for
 * `duration` seconds; the clock stops when queue.declare(passive) shows every message in the queue
 * (see waitUntilQueued in flows.ts for why that is the fair finish line). Rate = messages ÷ time
 * from the first publish to that reply. The warm-up round is published, waited for and purged first.
 */
export function publishRate(size: number): Scenario {
  return {
    id: `publish-${sizeSlug(size)}-1q`,
    name: `publish ${sizeLabel(size)} → 1 queue`,
    description:
      'one publisher channel, no consumer; msgs/s from the first publish until queue.declare(passive) counts them all in the queue',
    metrics: [{ key: 'rate', label: '', unit: 'msgs/s', better: 'higher' }, BROKER_CPU],
    timeoutSec: (d) => 30 + (warmupMs(d) + d * 1000 + 2 * settleMs(d)) / 1000,
    async run(url: string, opts: ScenarioOptions): Promise<ScenarioResult> {
      const { resources: res, signal, durationSec } = opts;
      const conn = await res.connect(url, 'publisher');
      const ch = await res.channel(conn, 'publisher');
      const queue = res.queueName('publish');
      await ch.assertQueue(queue, QUEUE_OPTIONS);
      const body = Buffer.alloc(size, 0x61);

      const warm = await publishFor(ch, queue, body, warmupMs(durationSec), signal);
      await waitUntilQueued(ch, queue, warm, settleMs(durationSec), signal);
      await ch.purgeQueue(queue);

      const cpu = cpuMeter();
      const brokerCpu = brokerCpuMeter(opts.broker);
      const t0 = nowMs();
      const sent = await publishFor(ch, queue, body, durationSec * 1000, signal);
      const tStop = nowMs();
      const { polls, messageCount } = await waitUntilQueued(ch, queue, sent, settleMs(durationSec), signal);
      const t1 = nowMs();
      const seconds = (t1 - t0) / 1000;
      return {
        values: withBrokerCpu({ rate: sent / seconds }, brokerCpu(sent)),
        details: {
          messages: sent,
          bodyBytes: size,
          publishingMs: Math.round(tStop - t0),
          settleMs: Math.round(t1 - tStop),
          passiveDeclares: polls,
          queueDepthAtEnd: messageCount,
          warmupMessages: warm,
          clientCpu: cpu(),
        },
      };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// 2. End-to-end consume rate

const PREFETCH = 500;
const ACK_EVERY = 100;
/** published − consumed, summed over all pairs, at which publishers pause (see PublisherConsumerPair). */
const MAX_IN_FLIGHT = 20_000;

/**
 * Publishers and consumers run at the same time; the figure is messages consumed per second during
 * the measured window (after warm-up). Consumers: prefetch 500, manual ack with multiple=true every
 * 100 deliveries.
 *
 * With several queues, each queue gets its own publisher connection and its own consumer connection
 * (N independent pairs) rather than one publisher spreading round-robin: that is how independent
 * applications share a broker, it lets a broker that can use more than one core (RabbitMQ: a process
 * per connection, channel and queue) do so, and it shows whether a single-threaded broker (Warren)
 * keeps up with many connections at once. One publisher connection would instead cap both brokers
 * at what a single channel can route.
 */
export function consumeRate(size: number, queues: number): Scenario {
  const plural = queues === 1 ? 'queue' : 'queues';
  return {
    id: `consume-${sizeSlug(size)}-${queues}q`,
    name: `publish+consume ${sizeLabel(size)}, ${queues} ${plural}`,
    description:
      queues === 1
        ? 'one publisher and one consumer connection on one queue at the same time; consumed msgs/s (prefetch 500, ack multiple every 100)'
        : `${queues} publisher/consumer connection pairs, one queue each, at the same time; total consumed msgs/s (prefetch 500, ack multiple every 100)`,
    metrics: [{ key: 'rate', label: '', unit: 'msgs/s', better: 'higher' }, BROKER_CPU],
    async run(url: string, opts: ScenarioOptions): Promise<ScenarioResult> {
      const { resources: res, signal, durationSec } = opts;
      const body = Buffer.alloc(size, 0x61);
      const maxInFlight = Math.max(PREFETCH * 2, Math.floor(MAX_IN_FLIGHT / queues));
      const pairs: PublisherConsumerPair[] = [];
      for (let i = 1; i <= queues; i++) {
        const suffix = queues === 1 ? '' : ` ${i}`;
        const [pubConn, conConn] = await Promise.all([
          res.connect(url, `publisher${suffix}`),
          res.connect(url, `consumer${suffix}`),
        ]);
        const [pub, con] = await Promise.all([
          res.channel(pubConn, `publisher${suffix}`),
          res.channel(conConn, `consumer${suffix}`),
        ]);
        const queue = res.queueName(`consume${i}`);
        await pub.assertQueue(queue, QUEUE_OPTIONS);
        const pair = new PublisherConsumerPair(pub, con, queue, body, maxInFlight, ACK_EVERY, (e) => res.fail(e));
        await pair.startConsumer(PREFETCH);
        pairs.push(pair);
      }
      const consumed = (): number => pairs.reduce((n, p) => n + p.consumed, 0);
      const published = (): number => pairs.reduce((n, p) => n + p.published, 0);

      for (const p of pairs) p.start();
      await sleep(warmupMs(durationSec), signal);
      const c1 = consumed();
      const p1 = published();
      const t1 = nowMs();
      const cpu = cpuMeter();
      const brokerCpu = brokerCpuMeter(opts.broker);
      await sleep(durationSec * 1000, signal);
      const brokerCpuPerMsg = brokerCpu(consumed() - c1);
      const c2 = consumed();
      const p2 = published();
      const t2 = nowMs();
      const clientCpu = cpu();
      for (const p of pairs) p.stop();

      if (c2 === c1) throw new Error('no message was consumed during the measured window');
      const seconds = (t2 - t1) / 1000;
      const perQueue = pairs.map((p) => p.consumed);
      return {
        values: withBrokerCpu({ rate: (c2 - c1) / seconds }, brokerCpuPerMsg),
        details: {
          consumedInWindow: c2 - c1,
          publishedInWindow: p2 - p1,
          publishRate: Math.round((p2 - p1) / seconds),
          windowMs: Math.round(t2 - t1),
          bodyBytes: size,
          queues,
          prefetch: PREFETCH,
          ackEvery: ACK_EVERY,
          maxInFlightPerQueue: maxInFlight,
          clientCpu,
          // fairness across queues: slowest queue's total ÷ fastest's (1 = perfectly even)
          slowestOverFastest: queues > 1 ? Number((Math.min(...perQueue) / Math.max(...perQueue)).toFixed(3)) : 1,
        },
      };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// 3. Latency at a fixed rate

const LATENCY_BODY = 16;
const LATENCY_PREFETCH = 100;
/** after the last publish, how long stragglers may take before they count as lost */
const LATENCY_GRACE_MS = 10_000;

/**
 * Publishes at a fixed rate for `duration` seconds (after a warm-up that is not recorded); each body
 * carries process.hrtime at the moment it is handed to amqplib and a sequence number. The consumer
 * (another connection, prefetch 100, ack per message) records hrtime − sent on arrival. Publisher
 * and consumer share this process, so the clocks are the same clock. The sender wakes about every
 * millisecond and sends whatever is due to keep the average rate exact; a late wake-up sends a few
 * at once, each timestamped when it is actually sent, so timer jitter does not count as latency.
 */
export function latency(ratePerSec: number): Scenario {
  return {
    id: `latency-${ratePerSec}`,
    name: `latency ${LATENCY_BODY} B @ ${ratePerSec.toLocaleString('en-US')} msg/s`,
    description: `end-to-end latency at a fixed ${ratePerSec} msg/s, one queue, consumer on its own connection (prefetch ${LATENCY_PREFETCH}, ack each)`,
    metrics: [
      { key: 'p50', label: 'p50', unit: 'ms', better: 'lower' },
      { key: 'p99', label: 'p99', unit: 'ms', better: 'lower' },
      { key: 'max', label: 'max', unit: 'ms', better: 'lower' },
      BROKER_CPU,
    ],
    async run(url: string, opts: ScenarioOptions): Promise<ScenarioResult> {
      const { resources: res, signal, durationSec } = opts;
      const [pubConn, conConn] = await Promise.all([res.connect(url, 'publisher'), res.connect(url, 'consumer')]);
      const [pub, con] = await Promise.all([res.channel(pubConn, 'publisher'), res.channel(conConn, 'consumer')]);
      const queue = res.queueName('latency');
      await pub.assertQueue(queue, QUEUE_OPTIONS);

      const warmCount = Math.round((warmupMs(durationSec) / 1000) * ratePerSec);
      const total = warmCount + Math.round(durationSec * ratePerSec);
      const samples = new Float64Array(total - warmCount);
      let recorded = 0;
      let received = 0;
      let outOfOrder = 0;
      let lastSeq = -1;
      let allReceived!: () => void;
      const everything = new Promise<void>((resolve) => {
        allReceived = resolve;
      });

      const onMessage = (msg: ConsumeMessage | null): void => {
        if (msg === null) {
          res.fail(new Error('consumer cancelled by the broker'));
          return;
        }
        const arrived = process.hrtime.bigint();
        const body = msg.content;
        const seq = body.readUInt32BE(8);
        if (seq >= warmCount && recorded < samples.length) {
          samples[recorded++] = Number(arrived - body.readBigUInt64BE(0)) / 1e6;
        }
        if (seq < lastSeq) outOfOrder++;
        lastSeq = seq;
        con.ack(msg);
        if (++received === total) allReceived();
      };
      await con.prefetch(LATENCY_PREFETCH);
      await con.consume(queue, onMessage, { noAck: false });

      // Fixed-rate sender.
      let sent = 0;
      let maxBurst = 0;
      let backPressured = 0;
      let timer: NodeJS.Timeout | undefined;
      let sendingMs = 0;
      const brokerCpu = brokerCpuMeter(opts.broker);
      const t0 = nowMs();
      const sendDue = (): void => {
        if (signal.aborted) return;
        const due = Math.min(total, Math.floor(((nowMs() - t0) * ratePerSec) / 1000) + 1);
        const burst = due - sent;
        if (burst > maxBurst) maxBurst = burst;
        while (sent < due) {
          const buf = Buffer.allocUnsafe(LATENCY_BODY);
          buf.writeUInt32BE(sent, 8);
          buf.writeUInt32BE(0, 12);
          buf.writeBigUInt64BE(process.hrtime.bigint(), 0);
          if (!pub.sendToQueue(queue, buf)) backPressured++;
          sent++;
        }
        if (sent < total) timer = setTimeout(sendDue, 1);
        else sendingMs = nowMs() - t0;
      };
      signal.addEventListener('abort', () => clearTimeout(timer), { once: true });
      sendDue();

      const expectedMs = (total / ratePerSec) * 1000;
      let graceTimer: NodeJS.Timeout | undefined;
      const lost = new Promise<'timeout'>((resolve) => {
        graceTimer = setTimeout(() => resolve('timeout'), expectedMs + LATENCY_GRACE_MS);
      });
      const outcome = await Promise.race([everything.then(() => 'ok' as const), lost]);
      const brokerCpuPerMsg = brokerCpu(received);
      clearTimeout(graceTimer);
      clearTimeout(timer);
      if (outcome === 'timeout') {
        throw new Error(`${total - received} of ${total} messages not delivered ${LATENCY_GRACE_MS / 1000} s after the last publish`);
      }

      const sorted = samples.slice(0, recorded).sort();
      let sum = 0;
      for (let i = 0; i < sorted.length; i++) sum += sorted[i];
      return {
        values: withBrokerCpu(
          { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), max: sorted[sorted.length - 1] },
          brokerCpuPerMsg,
        ),
        details: {
          samples: recorded,
          mean: Number((sum / recorded).toFixed(4)),
          p90: Number(percentile(sorted, 0.9).toFixed(4)),
          p999: Number(percentile(sorted, 0.999).toFixed(4)),
          min: Number(sorted[0].toFixed(4)),
          // messages after the first ÷ time from the first to the last send
          achievedRate: Math.round(((total - 1) / sendingMs) * 1000),
          maxSendBurst: maxBurst,
          publishReturnedFalse: backPressured,
          outOfOrder,
          warmupMessages: warmCount,
        },
      };
    },
  };
}

// ---------------------------------------------------------------------------------------------

/** Every scenario, in the order they run. */
export const scenarios: Scenario[] = [
  // first, on a fresh broker: memory another scenario freed is returned to the system lazily and
  // would be counted against this one (RSS falling while the queue fills)
  queuedMemory(16),
  publishRate(16),
  publishRate(1024),
  consumeRate(16, 1),
  consumeRate(1024, 1),
  consumeRate(16, 10),
  consumeRate(1024, 10),
  leanConsumeRate(16, 1),
  leanConsumeRate(16, 10),
  leanConsumeRate(1024, 1),
  spreadRate(10),
  spreadRate(10_000),
  topicRate(100),
  topicRate(100_000),
  latency(1000),
  persistentConfirms(1024),
  // last: gigabytes of backlog, deleted afterwards, leave the broker's memory in disorder for a while
  pagedBacklog(1024),
];

// The broker's own ceiling: publish+consume driven by the lean client (lean-amqp.ts), which costs
// less CPU per message than the broker, so the broker's core is what saturates. Reports msgs/s, the
// broker's CPU per message and how much of one core the broker used (RabbitMQ may use more than one).

import { BROKER_CPU, brokerCpuMeter, withBrokerCpu } from './broker-process';
import { LeanConnection, publishBatch } from './lean-amqp';
import { nowMs, sleep } from './resources';
import { sizeLabel, sizeSlug, warmupMs } from './scenario-common';
import type { Scenario, ScenarioOptions, ScenarioResult } from './types';

/** Messages per pre-built publish buffer: what the publisher writes at a time. */
export const BATCH = 500;
export const PREFETCH = 2000;
/** The consumer acks (multiple) once this many deliveries are unacked. */
const ACK_EVERY = 500;
/** published − delivered per pair at which the publisher waits for the consumer */
const MAX_IN_FLIGHT = 20_000;

/**
 * A publisher that writes `batches` in turn (each holding `batchSize` messages) while fewer than
 * MAX_IN_FLIGHT are published and not yet delivered to `con`, and a consumer that acks in batches.
 */
export class LeanPair {
  published = 0;
  private acked = 0;
  private state: 'idle' | 'running' | 'drain' | 'full' | 'stopped' = 'idle';
  private next = 0;

  constructor(
    readonly pub: LeanConnection,
    readonly con: LeanConnection,
    private readonly batches: Buffer[],
    private readonly batchSize: number,
  ) {
    con.onDeliveries = () => {
      if (con.delivered - this.acked >= ACK_EVERY) {
        con.ackAll();
        this.acked = con.delivered;
      }
      if (this.state === 'full' && this.published - con.delivered < MAX_IN_FLIGHT / 2) this.pump();
    };
  }

  start(): void {
    this.pump();
  }

  stop(): void {
    this.state = 'stopped';
  }

  private pump(): void {
    if (this.state === 'stopped' || this.state === 'drain') return;
    this.state = 'running';
    while (this.published - this.con.delivered < MAX_IN_FLIGHT) {
      this.published += this.batchSize;
      const batch = this.batches[this.next];
      this.next = (this.next + 1) % this.batches.length;
      if (!this.pub.write(batch)) {
        this.state = 'drain';
        void this.pub.drained().then(() => {
          if (this.state !== 'drain') return;
          this.state = 'running';
          this.pump();
        });
        return;
      }
    }
    this.state = 'full';
  }
}

export const LEAN_METRICS = [
  { key: 'rate', label: '', unit: 'msgs/s', better: 'higher' },
  BROKER_CPU,
  { key: 'core', label: 'broker CPU use', unit: '% of a core', better: 'higher' },
] as const satisfies Scenario['metrics'];

/**
 * Runs the pairs through a warm-up and the measured window: consumed msgs/s, the broker's CPU per
 * message and its share of a core in the window.
 */
export async function measureLean(
  pairs: LeanPair[],
  connections: LeanConnection[],
  opts: ScenarioOptions,
  details: Record<string, number | string>,
): Promise<ScenarioResult> {
  const { signal, durationSec } = opts;
  const consumed = (): number => pairs.reduce((n, p) => n + p.con.delivered, 0);
  for (const p of pairs) p.start();
  await sleep(warmupMs(durationSec), signal);
  const c1 = consumed();
  const t1 = nowMs();
  const cpuStart = opts.broker?.cpuUs();
  const brokerCpu = brokerCpuMeter(opts.broker);
  await sleep(durationSec * 1000, signal);
  const c2 = consumed();
  const t2 = nowMs();
  const perMsg = brokerCpu(c2 - c1);
  const cpuEnd = opts.broker?.cpuUs();
  for (const p of pairs) p.stop();
  const err = connections.find((c) => c.error)?.error;
  if (err) throw err;
  if (c2 === c1) throw new Error('no message was consumed during the measured window');
  const values: Record<string, number> = withBrokerCpu({ rate: (c2 - c1) / ((t2 - t1) / 1000) }, perMsg);
  if (cpuStart !== undefined && cpuEnd !== undefined) values.core = ((cpuEnd - cpuStart) / ((t2 - t1) * 1000)) * 100;
  return {
    values,
    details: { ...details, consumedInWindow: c2 - c1, windowMs: Math.round(t2 - t1), prefetch: PREFETCH, ackEvery: ACK_EVERY },
  };
}

export function leanConsumeRate(size: number, queues: number): Scenario {
  const plural = queues === 1 ? 'queue' : 'queues';
  return {
    id: `lean-${sizeSlug(size)}-${queues}q`,
    name: `publish+consume ${sizeLabel(size)}, ${queues} ${plural}, lean client`,
    description: `${queues} pair(s) of lean-client publisher/consumer connections (pre-built frames, prefetch ${PREFETCH}, ack multiple every ${ACK_EVERY}); consumed msgs/s with the broker, not the client, at its limit`,
    metrics: [...LEAN_METRICS],
    async run(url: string, opts: ScenarioOptions): Promise<ScenarioResult> {
      const { resources: res } = opts;
      const body = Buffer.alloc(size, 0x6c);
      const pairs: LeanPair[] = [];
      const connections: LeanConnection[] = [];
      try {
        for (let i = 1; i <= queues; i++) {
          const pub = await LeanConnection.open(url, `warren-bench lean publisher ${i}`);
          connections.push(pub);
          const con = await LeanConnection.open(url, `warren-bench lean consumer ${i}`);
          connections.push(con);
          const queue = res.queueName(`lean${i}`);
          await pub.declareQueue(queue);
          await con.consume(queue, PREFETCH);
          pairs.push(new LeanPair(pub, con, [publishBatch(queue, body, BATCH)], BATCH));
        }
        return await measureLean(pairs, connections, opts, { bodyBytes: size, queues });
      } finally {
        await Promise.all(connections.map((c) => c.close()));
      }
    },
  };
}

// The broker's own ceiling: publish+consume driven by the lean client (lean-amqp.ts), which costs
// less CPU per message than the broker, so the broker's core is what saturates. Reports msgs/s, the
// broker's CPU per message and how much of one core the broker used (RabbitMQ may use more than one).

import { BROKER_CPU, brokerCpuMeter, withBrokerCpu } from './broker-process';
import { LeanConnection, publishBatch } from './lean-amqp';
import { nowMs, sleep } from './resources';
import { sizeLabel, sizeSlug, warmupMs } from './scenario-common';
import type { Scenario, ScenarioOptions, ScenarioResult } from './types';

/** Messages per pre-built publish buffer. */
const BATCH = 500;
const PREFETCH = 2000;
/** The consumer acks (multiple) once this many deliveries are unacked. */
const ACK_EVERY = 500;
/** published − delivered per pair at which the publisher waits for the consumer */
const MAX_IN_FLIGHT = 20_000;

class LeanPair {
  published = 0;
  private acked = 0;
  private state: 'idle' | 'running' | 'drain' | 'full' | 'stopped' = 'idle';
  private readonly batch: Buffer;

  constructor(
    readonly pub: LeanConnection,
    readonly con: LeanConnection,
    queue: string,
    body: Buffer,
  ) {
    this.batch = publishBatch(queue, body, BATCH);
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
      this.published += BATCH;
      if (!this.pub.write(this.batch)) {
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

export function leanConsumeRate(size: number, queues: number): Scenario {
  const plural = queues === 1 ? 'queue' : 'queues';
  return {
    id: `lean-${sizeSlug(size)}-${queues}q`,
    name: `publish+consume ${sizeLabel(size)}, ${queues} ${plural}, lean client`,
    description: `${queues} pair(s) of lean-client publisher/consumer connections (pre-built frames, prefetch ${PREFETCH}, ack multiple every ${ACK_EVERY}); consumed msgs/s with the broker, not the client, at its limit`,
    metrics: [
      { key: 'rate', label: '', unit: 'msgs/s', better: 'higher' },
      BROKER_CPU,
      { key: 'core', label: 'broker CPU use', unit: '% of a core', better: 'higher' },
    ],
    async run(url: string, opts: ScenarioOptions): Promise<ScenarioResult> {
      const { resources: res, signal, durationSec } = opts;
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
          pairs.push(new LeanPair(pub, con, queue, body));
        }
        const consumed = (): number => pairs.reduce((n, p) => n + p.con.delivered, 0);
        const failure = (): Error | undefined => connections.find((c) => c.error)?.error;
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
        const err = failure();
        if (err) throw err;
        if (c2 === c1) throw new Error('no message was consumed during the measured window');
        const wallUs = (t2 - t1) * 1000;
        const values: Record<string, number> = withBrokerCpu({ rate: (c2 - c1) / ((t2 - t1) / 1000) }, perMsg);
        if (cpuStart !== undefined && cpuEnd !== undefined) values.core = ((cpuEnd - cpuStart) / wallUs) * 100;
        return {
          values,
          details: { consumedInWindow: c2 - c1, windowMs: Math.round(t2 - t1), bodyBytes: size, queues, prefetch: PREFETCH, ackEvery: ACK_EVERY },
        };
      } finally {
        await Promise.all(connections.map((c) => c.close()));
      }
    },
  };
}

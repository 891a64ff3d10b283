// Persistent messages with publisher confirms: the durability promise, priced. A confirm from the
// broker means the message is on disk (Warren: after its group-commit fsync; RabbitMQ likewise).

import { percentile } from './flows';
import { BROKER_CPU, brokerCpuMeter, withBrokerCpu } from './broker-process';
import { cpuMeter, nowMs } from './resources';
import type { Scenario, ScenarioOptions, ScenarioResult } from './types';

/** Unconfirmed messages a publisher keeps in flight, as a well-behaved confirm publisher does. */
const WINDOW = 1000;
const MAX_SAMPLES = 2_000_000;

/**
 * One publisher on a confirm channel sends persistent messages to one durable queue (no consumer)
 * for `duration` seconds, never more than WINDOW unconfirmed; the rate counts confirmed messages,
 * the latency is publish → its basic.ack.
 */
export function persistentConfirms(size: number): Scenario {
  const label = size >= 1024 ? `${size / 1024} KiB` : `${size} B`;
  return {
    id: `persistent-${size >= 1024 ? `${size / 1024}k` : `${size}b`}-confirms`,
    name: `persistent ${label} + confirms → durable queue`,
    description: `one confirm-channel publisher, delivery_mode 2, at most ${WINDOW} unconfirmed; confirmed msgs/s and publish→ack latency`,
    metrics: [
      { key: 'rate', label: '', unit: 'msgs/s', better: 'higher' },
      { key: 'p50', label: 'confirm p50', unit: 'ms', better: 'lower' },
      { key: 'p99', label: 'confirm p99', unit: 'ms', better: 'lower' },
      BROKER_CPU,
    ],
    async run(url: string, opts: ScenarioOptions): Promise<ScenarioResult> {
      const { resources: res, signal, durationSec } = opts;
      const conn = await res.connect(url, 'publisher');
      const ch = await res.confirmChannel(conn, 'publisher');
      const queue = res.queueName('persistent');
      await ch.assertQueue(queue, { durable: true, autoDelete: false, exclusive: false });
      const body = Buffer.alloc(size, 0x70);
      const latencies = new Float64Array(MAX_SAMPLES);
      let samples = 0;
      let outstanding = 0;
      let confirmed = 0;
      let nacked = 0;
      let wake: (() => void) | undefined;
      const measureFrom = nowMs() + Math.min(1000, durationSec * 200);
      const stopAt = measureFrom + durationSec * 1000;
      let confirmedInWindow = 0;
      const cpu = cpuMeter();
      const brokerCpu = brokerCpuMeter(opts.broker);

      while (!signal.aborted) {
        const now = nowMs();
        if (now >= stopAt) break;
        if (outstanding >= WINDOW) {
          await new Promise<void>((resolve) => (wake = resolve));
          continue;
        }
        const sentAt = now;
        const counted = now >= measureFrom;
        outstanding++;
        const more = ch.publish('', queue, body, { persistent: true }, (err) => {
          outstanding--;
          if (err) nacked++;
          else confirmed++;
          if (counted && !err) confirmedInWindow++;
          if (counted && samples < MAX_SAMPLES) latencies[samples++] = nowMs() - sentAt;
          if (wake !== undefined && outstanding < WINDOW / 2) {
            const w = wake;
            wake = undefined;
            w();
          }
        });
        if (!more) await new Promise<void>((resolve) => ch.once('drain', () => resolve()));
      }
      // the window ends when the last message published in it is confirmed
      await ch.waitForConfirms();
      const t1 = nowMs();
      const sorted = latencies.subarray(0, samples).sort();
      return {
        values: withBrokerCpu(
          { rate: confirmedInWindow / ((t1 - measureFrom) / 1000), p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99) },
          brokerCpu(confirmed),
        ),
        details: { confirmed, nacked, window: WINDOW, bodyBytes: size, clientCpu: cpu() },
      };
    },
  };
}

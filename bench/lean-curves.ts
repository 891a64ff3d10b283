// Flat cost curves: does a message cost the same with 10,000 queues as with 10, and with 100,000
// topic bindings as with 100? Each pair of scenarios has the same shape and differs only in that
// count, driven by the lean client so the broker is what is measured.

import { randomBytes } from 'node:crypto';
import { LeanConnection, publishFrames } from './lean-amqp';
import { BATCH, LEAN_METRICS, LeanPair, PREFETCH, measureLean } from './lean-scenario';
import type { Scenario, ScenarioOptions, ScenarioResult } from './types';

const BODY = Buffer.alloc(16, 0x63);
/** Topic scenarios: messages go to this many queues' worth of bindings, spread evenly. */
const TOPIC_QUEUES = 10;
/** Distinct routing keys the topic publisher cycles through, each matching exactly one binding. */
const TOPIC_KEYS = 1000;

function count(n: number): string {
  return n.toLocaleString('en-US');
}

/**
 * The publishes, each once (repeated to fill a batch when fewer), in buffers of BATCH messages that
 * the publisher writes in turn: with 10 queues or 10,000, it writes the same 500 messages at a time
 * and its flow control moves in the same steps.
 */
function batchesOf(publishes: Buffer[]): [Buffer[], number] {
  const all = publishes.length >= BATCH ? publishes : Array.from({ length: Math.ceil(BATCH / publishes.length) }, () => publishes).flat();
  const batches: Buffer[] = [];
  for (let i = 0; i + BATCH <= all.length; i += BATCH) batches.push(Buffer.concat(all.slice(i, i + BATCH)));
  // what does not fill a last batch goes out with the first again
  const rest = all.length % BATCH;
  if (rest !== 0) batches.push(Buffer.concat([...all.slice(all.length - rest), ...all.slice(0, BATCH - rest)]));
  return [batches, BATCH];
}

/** Setup of thousands of queues or bindings takes a while on any broker: more time than 4 × duration. */
const setupTimeout = (d: number): number => 240 + 4 * d;

async function openPair(url: string, role: string): Promise<[LeanConnection, LeanConnection]> {
  const pub = await LeanConnection.open(url, `warren-bench lean ${role} publisher`);
  try {
    return [pub, await LeanConnection.open(url, `warren-bench lean ${role} consumer`)];
  } catch (err) {
    await pub.close();
    throw err;
  }
}

/**
 * One publisher connection sends 16 B messages round-robin to N queues (through the default
 * exchange); one consumer connection has a consumer on each. The queues are exclusive to the
 * consumer's connection, so they go when it closes.
 */
export function spreadRate(queues: number): Scenario {
  return {
    id: `spread-16b-${queues}q`,
    name: `publish+consume 16 B over ${count(queues)} queues and consumers, lean client`,
    description: `one lean publisher round-robin over ${queues} queues, one lean consumer connection with a consumer on each (prefetch ${PREFETCH} per consumer); compare with the other spread rows: the cost should not grow with the count`,
    metrics: [...LEAN_METRICS],
    timeoutSec: setupTimeout,
    async run(url: string, opts: ScenarioOptions): Promise<ScenarioResult> {
      const [pub, con] = await openPair(url, `spread ${queues}`);
      try {
        const tag = randomBytes(4).toString('hex');
        const names = Array.from({ length: queues }, (_, i) => `bench.spread.${tag}.${i}`);
        await con.declareQueues(names, { exclusive: true });
        await con.consume(names, PREFETCH);
        const pair = new LeanPair(pub, con, ...batchesOf(names.map((q) => publishFrames('', q, BODY))));
        return await measureLean([pair], [pub, con], opts, { queues, bodyBytes: BODY.length });
      } finally {
        await Promise.all([pub.close(), con.close()]);
      }
    },
  };
}

/**
 * A topic exchange with B bindings `s<i mod 100>.k<i>.*`, spread over 10 queues with a consumer
 * each; the publisher cycles through 1,000 keys `s<j mod 100>.k<j>.x` that each match exactly one
 * binding, so every message is routed to one queue whatever B is.
 */
export function topicRate(bindings: number): Scenario {
  return {
    id: `topic-16b-${bindings}b`,
    name: `topic routing 16 B with ${count(bindings)} bindings, lean client`,
    description: `one topic exchange with ${bindings} bindings (one word-wildcard each) over ${TOPIC_QUEUES} queues; each key matches one binding; compare with the other topic rows`,
    metrics: [...LEAN_METRICS],
    timeoutSec: setupTimeout,
    async run(url: string, opts: ScenarioOptions): Promise<ScenarioResult> {
      const [pub, con] = await openPair(url, `topic ${bindings}`);
      try {
        const tag = randomBytes(4).toString('hex');
        const exchange = `bench.topic.${tag}`;
        const queues = Array.from({ length: TOPIC_QUEUES }, (_, i) => `bench.topic.${tag}.${i}`);
        await con.declareExchange(exchange, 'topic');
        await con.declareQueues(queues, { exclusive: true });
        const all: Array<[string, string]> = Array.from({ length: bindings }, (_, i) => [queues[i % TOPIC_QUEUES], `s${i % 100}.k${i}.*`]);
        await con.bindAll(exchange, all);
        await con.consume(queues, PREFETCH);
        const step = bindings / TOPIC_KEYS;
        const keys = Array.from({ length: Math.min(TOPIC_KEYS, bindings) }, (_, j) => {
          const i = Math.floor(j * Math.max(1, step));
          return `s${i % 100}.k${i}.x`;
        });
        const pair = new LeanPair(pub, con, ...batchesOf(keys.map((k) => publishFrames(exchange, k, BODY))));
        return await measureLean([pair], [pub, con], opts, { bindings, queues: TOPIC_QUEUES, keys: keys.length, bodyBytes: BODY.length });
      } finally {
        // the exclusive queues go with the consumer connection, and the auto-delete exchange with them
        await Promise.all([pub.close(), con.close()]);
      }
    },
  };
}

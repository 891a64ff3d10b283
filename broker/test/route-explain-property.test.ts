// Property: on random topologies — direct, fanout, topic and headers exchanges, queue and
// exchange-to-exchange bindings (cycles included), alternate exchanges (some missing) — and random
// keys, headers and CC/BCC, BrokerApi.explainRoute names exactly the queues that a real publish
// over amqplib reaches on the same broker, and says `returned` exactly when a mandatory publish
// comes back with basic.return.
import amqp, { type ChannelModel, type ConfirmChannel } from 'amqplib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBroker, type Actor, type Broker } from '../index';

let broker: Broker;
let admin: Actor;
let conn: ChannelModel;

beforeAll(async () => {
  broker = await createBroker({ port: 0, host: '127.0.0.1', logLevel: 'error' });
  admin = await broker.authenticate('guest', 'guest', '127.0.0.1');
});
afterAll(async () => {
  await conn?.close().catch(() => {});
  await broker.close();
});

const WORDS = ['a', 'b', 'c'];
const TYPES = ['direct', 'fanout', 'topic', 'headers'] as const;
const MODES = ['all', 'any', 'all-with-x', 'any-with-x'] as const;
const HEADER_NAMES = ['h1', 'h2', 'x-h'];
const HEADER_VALUES = ['u', 'v', 1];

const key = fc.array(fc.constantFrom(...WORDS), { maxLength: 3 }).map((ws) => ws.join('.'));
const pattern = fc.array(fc.constantFrom(...WORDS, '*', '#'), { maxLength: 3 }).map((ws) => ws.join('.'));
const headerTable = fc.dictionary(fc.constantFrom(...HEADER_NAMES), fc.constantFrom(...HEADER_VALUES), { maxKeys: 3 });

interface Topology {
  exchanges: { type: (typeof TYPES)[number]; ae: number | undefined }[];
  queues: number;
  bindings: { source: number; toExchange: boolean; dest: number; pattern: string; mode: (typeof MODES)[number]; args: Record<string, string | number | null> }[];
}

const topology: fc.Arbitrary<Topology> = fc
  .record({ nx: fc.integer({ min: 1, max: 4 }), nq: fc.integer({ min: 1, max: 4 }) })
  .chain(({ nx, nq }) =>
    fc.record({
      // an AE index past the last exchange names one that does not exist
      exchanges: fc.array(fc.record({ type: fc.constantFrom(...TYPES), ae: fc.option(fc.integer({ min: 0, max: nx }), { nil: undefined, freq: 2 }) }), { minLength: nx, maxLength: nx }),
      queues: fc.constant(nq),
      bindings: fc.array(
        fc.record({
          source: fc.integer({ min: 0, max: nx - 1 }),
          toExchange: fc.boolean(),
          dest: fc.integer({ min: 0, max: Math.max(nx, nq) - 1 }),
          pattern,
          mode: fc.constantFrom(...MODES),
          args: fc.dictionary(fc.constantFrom(...HEADER_NAMES), fc.option(fc.constantFrom(...HEADER_VALUES), { nil: null, freq: 5 }), { maxKeys: 2 }),
        }),
        { maxLength: 10 },
      ),
    }),
  );

const publication = fc.record({
  exchange: fc.integer({ min: 0, max: 3 }),
  key,
  headers: headerTable,
  cc: fc.option(fc.array(key, { maxLength: 2 }), { nil: undefined, freq: 3 }),
  bcc: fc.option(key, { nil: undefined, freq: 3 }),
  mandatory: fc.boolean(),
});

let run = 0;

async function depths(ch: ConfirmChannel, queues: string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const q of queues) out.set(q, (await ch.checkQueue(q)).messageCount);
  return out;
}

async function check(topo: Topology, pubs: fc.Arbitrary<never>[] | unknown[]): Promise<void> {
  const vhost = `prop-${++run}`;
  await broker.putVhost(admin, vhost, {});
  const c = await amqp.connect(`amqp://guest:guest@127.0.0.1:${broker.port}/${encodeURIComponent(vhost)}`);
  conn = c;
  try {
    const ch = await c.createConfirmChannel();
    const returned: string[] = [];
    ch.on('return', (m) => returned.push(m.properties.messageId as string));
    const xs = topo.exchanges.map((_, i) => `x${i}`);
    const qs = Array.from({ length: topo.queues }, (_, i) => `q${i}`);
    for (const [i, x] of topo.exchanges.entries()) {
      await ch.assertExchange(xs[i], x.type, { durable: false, arguments: x.ae === undefined ? {} : { 'alternate-exchange': `x${x.ae}` } });
    }
    for (const q of qs) await ch.assertQueue(q, { durable: false });
    for (const b of topo.bindings) {
      const src = xs[b.source];
      const args = topo.exchanges[b.source].type === 'headers' ? { 'x-match': b.mode, ...b.args } : {};
      if (b.toExchange) await ch.bindExchange(xs[b.dest % xs.length], src, b.pattern, args);
      else await ch.bindQueue(qs[b.dest % qs.length], src, b.pattern, args);
    }
    let n = 0;
    for (const raw of pubs) {
      const p = raw as { exchange: number; key: string; headers: Record<string, string | number>; cc?: string[]; bcc?: string; mandatory: boolean };
      const exchange = xs[p.exchange % xs.length];
      const headers: Record<string, unknown> = { ...p.headers };
      if (p.cc !== undefined) headers.CC = p.cc;
      if (p.bcc !== undefined) headers.BCC = p.bcc;
      const explained = await broker.explainRoute(admin, vhost, exchange, { routingKey: p.key, headers: headers as never, mandatory: p.mandatory });
      const before = await depths(ch, qs);
      const id = `m${++n}`;
      ch.publish(exchange, p.key, Buffer.from(id), { headers, mandatory: p.mandatory, messageId: id });
      await ch.waitForConfirms();
      const after = await depths(ch, qs);
      const reached = qs.filter((q) => (after.get(q) ?? 0) > (before.get(q) ?? 0));
      const context = { topo, publication: p };
      expect([...explained.queues].sort(), JSON.stringify(context)).toEqual(reached);
      expect(explained.outcome === 'returned', JSON.stringify(context)).toBe(returned.includes(id));
    }
    await ch.close();
  } finally {
    await c.close();
    await broker.deleteVhost(admin, vhost);
  }
}

describe('routing explained names exactly the queues a real publish reaches', () => {
  it('on random topologies, keys and headers', async () => {
    await fc.assert(
      fc.asyncProperty(topology, fc.array(publication, { minLength: 1, maxLength: 6 }), (topo, pubs) => check(topo, pubs)),
      { numRuns: Number(process.env.EXPLAIN_RUNS ?? 60), interruptAfterTimeLimit: 100_000 },
    );
  }, 180_000);
});

// Warren only: what recovery rebuilds from a message log that has been lived in — several durable
// queues, one fan-out body stored for two of them, acks and deliveries interleaved with publishes
// across many small segments, a deleted queue, compaction's copies — read back through real AMQP
// clients after a restart: every message still held, in its queue's order, with the right
// redelivered flag and body, whether its body came back into memory or stays on disk.
import fs from 'node:fs';
import path from 'node:path';
import amqp, { type ChannelModel } from 'amqplib';
import { describe, expect, test } from 'vitest';
import { createBroker, type Broker, type BrokerOptions } from '../index';
import { internals } from '../embedded/internals';
import { restartable } from './restarts';

const { tempDir, start: startOn, stop, track } = restartable('warren-recovery-');

/** small segments, so the log rolls over often; a budget that keeps only the first bodies in memory */
const OPTIONS: Partial<BrokerOptions> = { segmentSize: 8 * 1024, memoryBudget: 6 * 1024 };

const start = (dataDir: string) => startOn(dataDir, OPTIONS);

const body = (name: string) => Buffer.from(`${name}:`.padEnd(300, '.'));
const nameOf = (content: Buffer) => content.toString().replace(/:\.*$/, '');

/** Everything in `queue`, as name and redelivered flag, acked as it comes. */
async function drain(conn: ChannelModel, queue: string): Promise<[string, boolean][]> {
  const ch = await conn.createChannel();
  const out: [string, boolean][] = [];
  for (;;) {
    const m = await ch.get(queue, { noAck: true });
    if (m === false) break;
    out.push([nameOf(m.content), m.fields.redelivered]);
  }
  await ch.close();
  return out;
}

function storeStats(b: { broker: Broker }) {
  const stats = internals(b.broker).store?.stats;
  if (stats === undefined) throw new Error('no store');
  return stats;
}

describe('recovery of a lived-in log', () => {
  test('acks and deliveries interleaved with publishes across segments; a fan-out body in two queues; a deleted queue; in order, redelivered where delivered', async () => {
    const dir = tempDir();
    let b = await start(dir);
    const ch = await b.conn.createConfirmChannel();
    await ch.assertExchange('fan', 'fanout', { durable: true });
    for (const q of ['a', 'b', 'c', 'gone']) await ch.assertQueue(q, { durable: true });
    await ch.bindQueue('a', 'fan', '');
    await ch.bindQueue('b', 'fan', '');
    const reader = await b.conn.createChannel();
    const unacked: amqp.GetMessage[] = [];
    // publishes, and between them gets from 'a': every third acked, every third left unacked (delivered), the rest not touched
    for (let i = 0; i < 240; i++) {
      ch.publish('fan', '', body(`f${i}`), { persistent: true });
      if (i % 2 === 0) ch.sendToQueue('c', body(`c${i}`), { persistent: true });
      ch.sendToQueue('gone', body(`g${i}`), { persistent: true });
      if (i % 10 === 9) {
        await ch.waitForConfirms();
        for (let k = 0; k < 4; k++) {
          const m = await reader.get('a');
          if (m === false) throw new Error('a ran dry');
          if (k % 2 === 0) reader.ack(m);
          else unacked.push(m);
        }
      }
    }
    await ch.waitForConfirms();
    await ch.deleteQueue('gone');
    // 'c' loses its messages c0..c38 to a consumer that acks
    for (let i = 0; i < 20; i++) {
      const m = await reader.get('c');
      if (m === false) throw new Error('c ran dry');
      reader.ack(m);
    }
    expect(storeStats(b).segments).toBeGreaterThan(10);
    // what each queue holds now, as a consumer would see it after the restart (the unacked ones come back redelivered)
    const delivered = new Set(unacked.map((m) => nameOf(m.content)));
    const wantA: [string, boolean][] = [];
    for (let i = 0; i < 240; i++) {
      const name = `f${i}`;
      if (i < 96 && !delivered.has(name)) continue;
      wantA.push([name, delivered.has(name)]);
    }
    expect(wantA.length).toBe(240 - 48);
    const wantB = Array.from({ length: 240 }, (_, i): [string, boolean] => [`f${i}`, false]);
    const wantC = Array.from({ length: 100 }, (_, i): [string, boolean] => [`c${(i + 20) * 2}`, false]);
    await reader.close().catch(() => {});
    await stop(b);

    b = await start(dir);
    const vhost = internals(b.broker).core.vhosts.get('/');
    expect(vhost?.queues.has('gone')).toBe(false);
    // the first bodies come back into memory once the broker is up, as far as the budget goes; the
    // rest are read from the log when they are delivered
    const a = vhost?.queues.get('a');
    expect(a?.persisted.messages).toBe(wantA.length);
    await expect.poll(() => storeStats(b).residentBytes).toBeGreaterThan(5 * 1024);
    expect(storeStats(b).residentBytes).toBeLessThanOrEqual(6 * 1024);
    expect(a?.persisted.pagedOut).toBeLessThan(wantA.length);
    expect(a?.persisted.pagedOut).toBeGreaterThan(wantA.length - 6 * 1024 / 300);
    expect(await drain(b.conn, 'a')).toEqual(wantA);
    expect(await drain(b.conn, 'b')).toEqual(wantB);
    expect(await drain(b.conn, 'c')).toEqual(wantC);
    await stop(b);

    // all acked: nothing comes back, and a queue declared now does not take the deleted one's id
    b = await start(dir);
    expect(await drain(b.conn, 'a')).toEqual([]);
    expect(await drain(b.conn, 'c')).toEqual([]);
    await stop(b);
  });

  test('compaction copies an old segment’s last messages to the head of the log: after a restart they keep their place in the queue and their redelivered flag', async () => {
    const dir = tempDir();
    let b = await start(dir);
    const ch = await b.conn.createConfirmChannel();
    await ch.assertQueue('keep', { durable: true });
    await ch.assertQueue('churn', { durable: true });
    for (let i = 0; i < 30; i++) ch.sendToQueue('keep', body(`k${i}`), { persistent: true });
    await ch.waitForConfirms();
    // k0..k4 delivered and given back: their DELIVERED records sit in the first segments too
    const peek = await b.conn.createChannel();
    for (let i = 0; i < 5; i++) expect(await peek.get('keep')).not.toBe(false);
    await peek.close();
    // most of 'keep' acked, a few every so often kept: old segments become mostly dead and are compacted
    const acker = await b.conn.createChannel();
    // at most a quarter of the first 8 KiB segment stays live (four of ~23 records), so compaction moves them
    const kept = new Set([0, 2, 7, 13, 29]);
    for (let i = 0; i < 30; i++) {
      const m = await acker.get('keep');
      if (m === false) throw new Error('keep ran dry');
      const n = Number(nameOf(m.content).slice(1));
      if (kept.has(n)) continue;
      acker.ack(m);
    }
    await acker.close();
    let consumed = 0;
    await ch.consume('churn', (m) => {
      if (m === null) return;
      consumed++;
      ch.ack(m);
    });
    for (let round = 0; round < 10; round++) {
      for (let i = 0; i < 30; i++) ch.sendToQueue('churn', body('x'), { persistent: true });
      await ch.waitForConfirms();
      await expect.poll(() => consumed, { timeout: 5000, interval: 10 }).toBe((round + 1) * 30);
    }
    // the first segments are gone: the kept messages were copied forward
    await expect.poll(async () => {
      ch.sendToQueue('churn', Buffer.from('tick'), { persistent: true });
      await ch.waitForConfirms();
      return fs.readdirSync(path.join(dir, 'messages')).filter((f) => f.endsWith('.seg')).sort()[0];
    }, { timeout: 5000, interval: 50 }).not.toBe('00000001.seg');
    await stop(b);

    b = await start(dir);
    // every kept message was delivered (k0 and k2 twice): all come back redelivered, in their order
    expect(await drain(b.conn, 'keep')).toEqual([...kept].sort((x, y) => x - y).map((n) => [`k${n}`, true]));
    expect(await drain(b.conn, 'churn')).toEqual([]);
    await stop(b);
  });

  test('a consumer that starts at once takes messages while their bodies are still being read back: each body is right, and the counts of paged-out and resident bytes end at zero', async () => {
    const dir = tempDir();
    const opts = { segmentSize: 256 * 1024, memoryBudget: 4 * 1024 * 1024 };
    let broker = await createBroker({ port: 0, host: '127.0.0.1', logLevel: 'silent', dataDir: dir, ...opts });
    track(broker);
    let conn = await amqp.connect(`amqp://guest:guest@127.0.0.1:${broker.port}`);
    const ch = await conn.createConfirmChannel();
    await ch.assertQueue('q', { durable: true });
    const n = 12_000;
    const payload = (i: number) => Buffer.concat([Buffer.from(`${i}:`), Buffer.alloc(1000, i % 251)]);
    for (let i = 0; i < n; i++) ch.sendToQueue('q', payload(i), { persistent: true });
    await ch.waitForConfirms();
    await stop({ broker, conn });

    broker = await createBroker({ port: 0, host: '127.0.0.1', logLevel: 'silent', dataDir: dir, ...opts });
    track(broker);
    const store = () => storeStats({ broker });
    const q = internals(broker).core.vhosts.get('/')?.queues.get('q');
    // 4 MiB of budget is ~4,000 bodies: more than one turn of the event loop reads back
    expect(store().residentBytes).toBe(0);
    expect(q?.persisted.pagedOut).toBe(n);
    conn = await amqp.connect(`amqp://guest:guest@127.0.0.1:${broker.port}`);
    const consumer = await conn.createChannel();
    await consumer.prefetch(100);
    let got = 0;
    const wrong: number[] = [];
    await new Promise<void>((resolve) => {
      void consumer.consume('q', (m) => {
        if (m === null) return;
        if (!m.content.equals(payload(got))) wrong.push(got);
        got++;
        consumer.ack(m);
        if (got === n) resolve();
      });
    });
    expect(wrong).toEqual([]);
    await expect.poll(() => q?.persisted.messages).toBe(0);
    expect(q?.persisted.pagedOut).toBe(0);
    expect(q?.persisted.pagedOutBytes).toBe(0);
    expect(store().residentBytes).toBe(0);
    await stop({ broker, conn });
  });
});

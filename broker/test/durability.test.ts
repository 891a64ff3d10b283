// Warren only: restarts the broker on the same DATA_DIR and checks what came back, as RabbitMQ
// promises: durable entities and persistent messages in durable queues survive; the rest do not.
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import amqp, { type ChannelModel } from 'amqplib';
import { afterEach, describe, expect, test } from 'vitest';
import { createBroker } from '../index';
import { packTable, unpackTable } from '../store/stored-definitions';
import { decodeRecord, RecordType } from '../store/log-records';
import { internals } from '../embedded/internals';
import { parseOperatorPolicy } from '../core/policy-validation';
import { restartable } from './restarts';
import { fillDisk, mountSmallDisk, unmountSmallDisk } from './small-disk';

const { tempDir, start, stop, track } = restartable('warren-durability-');

async function drain(ch: amqp.Channel, queue: string): Promise<amqp.GetMessage[]> {
  const out: amqp.GetMessage[] = [];
  for (;;) {
    const m = await ch.get(queue, { noAck: true });
    if (m === false) return out;
    out.push(m);
  }
}

describe('restart', () => {
  test('durable topology and persistent messages come back; transient ones do not', async () => {
    const dir = tempDir();
    let b = await start(dir);
    let ch = await b.conn.createConfirmChannel();
    await ch.assertExchange('orders', 'topic', { durable: true, arguments: { 'alternate-exchange': 'lost' } });
    await ch.assertExchange('scratch', 'fanout', { durable: false });
    await ch.assertQueue('tasks', { durable: true, arguments: { 'x-max-length': 1000 } });
    await ch.assertQueue('temp', { durable: false });
    await ch.bindQueue('tasks', 'orders', 'order.#');
    await ch.bindQueue('temp', 'orders', 'order.#');
    for (let i = 0; i < 5; i++) ch.publish('orders', 'order.new', Buffer.from(`p${i}`), { persistent: true, headers: { i } });
    ch.publish('orders', 'order.new', Buffer.from('transient'), { persistent: false });
    await ch.waitForConfirms();
    await stop(b);

    b = await start(dir);
    ch = await b.conn.createConfirmChannel();
    await ch.checkExchange('orders');
    const q = await ch.checkQueue('tasks');
    expect(q.messageCount).toBe(5);
    expect(internals(b.broker).core.vhosts.get('/')?.queues.get('tasks')?.persisted.messages).toBe(5);
    for (const check of [(c: amqp.Channel) => c.checkQueue('temp'), (c: amqp.Channel) => c.checkExchange('scratch')]) {
      const probe = await b.conn.createChannel();
      probe.on('error', () => {});
      await expect(check(probe)).rejects.toThrow(/404/);
    }
    // the binding survived: a new persistent message routes to the queue
    ch.publish('orders', 'order.paid', Buffer.from('after'), { persistent: true });
    await ch.waitForConfirms();
    const msgs = await drain(ch, 'tasks');
    expect(msgs.map((m) => m.content.toString())).toEqual(['p0', 'p1', 'p2', 'p3', 'p4', 'after']);
    expect(msgs[2].properties.headers).toEqual({ i: 2 });
    expect(msgs[0].fields.redelivered).toBe(false);
    await stop(b);
  });

  test('delivered but unacked messages come back redelivered; acked ones do not come back', async () => {
    const dir = tempDir();
    let b = await start(dir);
    const ch = await b.conn.createConfirmChannel();
    await ch.assertQueue('work', { durable: true });
    for (const body of ['a', 'b', 'c', 'd']) ch.sendToQueue('work', Buffer.from(body), { persistent: true });
    await ch.waitForConfirms();
    const a = await ch.get('work');
    const bMsg = await ch.get('work');
    if (!a || !bMsg) throw new Error('expected messages');
    ch.ack(a);
    await new Promise((r) => setTimeout(r, 50)); // let the ack reach the log
    await stop(b); // 'b' is unacked at shutdown

    b = await start(dir);
    const ch2 = await b.conn.createChannel();
    const msgs = await drain(ch2, 'work');
    expect(msgs.map((m) => [m.content.toString(), m.fields.redelivered])).toEqual([['b', true], ['c', false], ['d', false]]);
    await stop(b);
  });

  test('after a crash, messages that may have been delivered come back redelivered (the DELIVERED marks were not on disk yet)', async () => {
    const dir = tempDir();
    const b = await start(dir);
    const ch = await b.conn.createConfirmChannel();
    await ch.assertQueue('work', { durable: true });
    for (const body of ['a', 'b', 'c']) ch.sendToQueue('work', Buffer.from(body), { persistent: true });
    await ch.waitForConfirms();
    // the disk as a crash leaves it right after the deliveries below, before their marks were written
    const crashed = tempDir();
    fs.cpSync(dir, crashed, { recursive: true });
    const got = await drain(ch, 'work');
    expect(got.map((m) => [m.content.toString(), m.fields.redelivered])).toEqual([['a', false], ['b', false], ['c', false]]);
    await stop(b);
    // a clean stop leaves the marker
    expect(fs.existsSync(path.join(dir, 'clean-shutdown'))).toBe(true);
    expect(fs.existsSync(path.join(crashed, 'clean-shutdown'))).toBe(false);

    const again = await start(crashed);
    expect(fs.existsSync(path.join(crashed, 'clean-shutdown'))).toBe(false);
    const ch2 = await again.conn.createChannel();
    const back = await drain(ch2, 'work');
    expect(back.map((m) => [m.content.toString(), m.fields.redelivered])).toEqual([['a', true], ['b', true], ['c', true]]);
    await stop(again);
  });

  test('frames sent behind a declare wait for its declare-ok and keep their order; each answer means stored', async () => {
    const dir = tempDir();
    let b = await start(dir);
    const ch = await b.conn.createConfirmChannel();
    // nothing awaited: the publishes reach the broker while the declare is being written, and are
    // held (method, header and body frames) until its declare-ok is out
    const declared = ch.assertQueue('piped', { durable: true });
    for (let i = 0; i < 50; i++) ch.sendToQueue('piped', Buffer.from(String(i)), { persistent: true });
    const exchange = ch.assertExchange('piped-x', 'fanout', { durable: true });
    const bound = ch.bindQueue('piped', 'piped-x', '');
    await Promise.all([declared, exchange, bound, ch.waitForConfirms()]);
    expect((await ch.checkQueue('piped')).messageCount).toBe(50);
    await stop(b);
    b = await start(dir);
    const got = await drain(await b.conn.createChannel(), 'piped');
    expect(got.map((m) => Number(m.content.toString()))).toEqual(Array.from({ length: 50 }, (_, i) => i));
    await stop(b);
  });

  test('users, vhosts and permissions survive', async () => {
    const dir = tempDir();
    let b = await start(dir);
    internals(b.broker).core.addVhost('demo');
    internals(b.broker).core.users.addUser('alice', 'alice-secret', ['management']);
    internals(b.broker).core.users.setPermission('demo', 'alice', { configure: '^$', write: '.*', read: '.*' });
    await stop(b);
    const broker = await createBroker({ port: 0, host: '127.0.0.1', logLevel: 'silent', dataDir: dir });
    track(broker);
    const conn = await amqp.connect(`amqp://alice:alice-secret@127.0.0.1:${broker.port}/demo`);
    const ch = await conn.createChannel();
    ch.on('error', () => {});
    await expect(ch.assertQueue('forbidden')).rejects.toThrow(/403/);
    await conn.close().catch(() => {});
  });
  test('topic permissions survive', async () => {
    const dir = tempDir();
    const b = await start(dir);
    const users = internals(b.broker).core.users;
    users.addUser('tom', 'tom-secret');
    users.setPermission('/', 'tom', { configure: '.*', write: '.*', read: '.*' });
    users.setTopicPermission('/', 'tom', { exchange: 'amq.topic', write: '^{username}\\.', read: '.*' });
    await stop(b);
    const broker = await createBroker({ port: 0, host: '127.0.0.1', logLevel: 'silent', dataDir: dir });
    track(broker);
    expect(internals(broker).core.users.listTopicPermissions()).toEqual([
      { vhost: '/', user: 'tom', permission: { exchange: 'amq.topic', write: '^{username}\\.', read: '.*' } },
    ]);
    const conn = await amqp.connect(`amqp://tom:tom-secret@127.0.0.1:${broker.port}`);
    conn.on('error', () => {});
    const ch = await conn.createConfirmChannel();
    await new Promise<void>((resolve, reject) => ch.publish('amq.topic', 'tom.ok', Buffer.from('x'), {}, (err) => (err ? reject(err) : resolve())));
    const closed = new Promise<string>((resolve) => ch.on('error', (e: Error) => resolve(e.message)));
    ch.publish('amq.topic', 'bob.no', Buffer.from('x'));
    expect(await closed).toContain("access to topic 'bob.no' in exchange 'amq.topic' in vhost '/' refused for user 'tom'");
    await conn.close().catch(() => {});
  });

  test('operator policies survive, and act on the queues recovered with them', async () => {
    const dir = tempDir();
    let b = await start(dir);
    const ch = await b.conn.createConfirmChannel();
    await ch.assertQueue('capped', { durable: true });
    const vh = internals(b.broker).core.vhosts.get('/')!;
    vh.putOperatorPolicy(parseOperatorPolicy('/', 'cap', { pattern: '^capped$', definition: { 'max-length': 2 } }));
    for (let i = 0; i < 3; i++) ch.sendToQueue('capped', Buffer.from(String(i)), { persistent: true });
    await ch.waitForConfirms();
    await stop(b);
    b = await start(dir);
    const again = internals(b.broker).core.vhosts.get('/')!;
    expect([...again.operatorPolicies.keys()]).toEqual(['cap']);
    expect(again.queues.get('capped')?.operatorPolicy?.name).toBe('cap');
    const ch2 = await b.conn.createConfirmChannel();
    ch2.sendToQueue('capped', Buffer.from('3'), { persistent: true });
    await ch2.waitForConfirms();
    expect((await drain(ch2, 'capped')).map((m) => m.content.toString())).toEqual(['2', '3']);
    await stop(b);
  });

  test('a stored queue whose arguments a later release refuses still comes back, with its messages', async () => {
    const dir = tempDir();
    let b = await start(dir);
    const ch = await b.conn.createConfirmChannel();
    await ch.assertQueue('legacy', { durable: true, arguments: { 'x-max-length': 10 } });
    ch.sendToQueue('legacy', Buffer.from('kept'), { persistent: true });
    await ch.waitForConfirms();
    await stop(b);
    // as if stored by an older Warren that accepted an argument classic queues now refuse
    const file = path.join(dir, 'definitions.json');
    const defs = JSON.parse(fs.readFileSync(file, 'utf8')) as { queues: { name: string; arguments: string }[] };
    const stored = defs.queues.find((q) => q.name === 'legacy')!;
    expect(unpackTable(stored.arguments)).toEqual({ 'x-max-length': 10 });
    stored.arguments = packTable({ 'x-delivery-limit': 5 });
    fs.writeFileSync(file, JSON.stringify(defs));

    b = await start(dir);
    const again = await b.conn.createChannel();
    expect((await again.checkQueue('legacy')).messageCount).toBe(1);
    expect(internals(b.broker).core.vhosts.get('/')?.queues.get('legacy')?.arguments).toHaveProperty('x-delivery-limit');
    await stop(b);
  });
});

function runPika(script: string, port: number, args: string[], env: Record<string, string> = {}): Promise<Record<string, unknown>[]> {
  return new Promise((resolve, reject) => {
    execFile('/usr/bin/python3', [path.join(__dirname, 'pika', script), ...args], {
      env: { ...process.env, AMQP_HOST: '127.0.0.1', AMQP_PORT: String(port), ...env },
      timeout: 15_000,
    }, (err, stdout) => {
      if (err) return reject(err);
      resolve(stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>));
    });
  });
}

describe('the pika durability tutorial', () => {
  test('declare durable, publish persistent, restart the broker, consume', async () => {
    const dir = tempDir();
    let b = await start(dir);
    await runPika('durable_send.py', b.broker.port, ['first task', 'second task']);
    await stop(b);
    b = await start(dir);
    const out = await runPika('durable_receive.py', b.broker.port, [], { MAX_MESSAGES: '2', TIMEOUT: '10' });
    const bodies = out.filter((j) => typeof j.body === 'string').map((j) => [j.body, j.redelivered, j.delivery_mode]);
    expect(bodies).toEqual([['first task', false, 2], ['second task', false, 2]]);
    await stop(b);
  });
});

describe('storage', () => {
  test('a backlog far larger than the memory budget pages out and is read back in order', async () => {
    const dir = tempDir();
    const b = await start(dir, { memoryBudget: 64 * 1024, segmentSize: 256 * 1024 });
    const ch = await b.conn.createConfirmChannel();
    await ch.assertQueue('big', { durable: true });
    const n = 3000;
    const body = (i: number) => Buffer.concat([Buffer.from(`${i}:`), Buffer.alloc(1024, i % 251)]);
    for (let i = 0; i < n; i++) ch.sendToQueue('big', body(i), { persistent: true });
    await ch.waitForConfirms();
    const stats = internals(b.broker).store?.stats;
    expect(stats?.residentBytes).toBeLessThanOrEqual(64 * 1024);
    expect(stats?.segments).toBeGreaterThan(5);
    const big = internals(b.broker).core.vhosts.get('/')?.queues.get('big');
    expect(big?.persisted.messages).toBe(n);
    expect(big?.persisted.pagedOut).toBeGreaterThan(n / 2);
    const got: Buffer[] = [];
    await new Promise<void>((resolve) => {
      void ch.consume('big', (m) => {
        if (!m) return;
        got.push(m.content);
        ch.ack(m);
        if (got.length === n) resolve();
      }, { noAck: false });
    });
    for (let i = 0; i < n; i++) expect(got[i].equals(body(i))).toBe(true);
    await expect.poll(() => big?.persisted.messages).toBe(0);
    expect(big?.persisted.pagedOut).toBe(0);
    // everything acked: the old segments are deleted once the acks are written
    await new Promise((r) => setTimeout(r, 100));
    ch.sendToQueue('big', Buffer.from('x'), { persistent: true });
    await ch.waitForConfirms();
    expect(internals(b.broker).store?.stats.segments).toBeLessThanOrEqual(2);
    await stop(b);
  });

  test('a long-lived message does not pin the log: compaction moves it, old segments go; it stays marked delivered', async () => {
    const dir = tempDir();
    let b = await start(dir, { segmentSize: 32 * 1024 });
    const ch = await b.conn.createConfirmChannel();
    await ch.assertQueue('pinned', { durable: true });
    await ch.assertQueue('churn', { durable: true });
    ch.sendToQueue('pinned', Buffer.from('still here'), { persistent: true });
    await ch.waitForConfirms();
    // delivered once and given back: its DELIVERED record is in the first segment, which compaction removes
    const peek = await b.conn.createChannel();
    expect(await peek.get('pinned')).not.toBe(false);
    await peek.close();
    const body = Buffer.alloc(1024, 7);
    // (a consumer, not a basic.get loop: amqplib 2.3 stalls after ~100 get+ack round trips, on RabbitMQ too)
    let consumed = 0;
    await ch.consume('churn', (m) => {
      if (m === null) return;
      consumed++;
      ch.ack(m);
    });
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 50; i++) ch.sendToQueue('churn', body, { persistent: true });
      await ch.waitForConfirms();
      await expect.poll(() => consumed, { timeout: 3000, interval: 10 }).toBe((round + 1) * 50);
    }
    // 1,000 KiB went through 32 KiB segments; without compaction all ~30 would stay behind the pinned one
    await expect.poll(async () => {
      ch.sendToQueue('churn', Buffer.from('tick'), { persistent: true });
      await ch.waitForConfirms();
      return internals(b.broker).store?.stats.segments ?? 0;
    }, { timeout: 5000, interval: 50 }).toBeLessThanOrEqual(4);
    await stop(b);
    b = await start(dir, { segmentSize: 32 * 1024 });
    const ch2 = await b.conn.createChannel();
    expect((await drain(ch2, 'pinned')).map((m) => [m.content.toString(), m.fields.redelivered])).toEqual([['still here', true]]);
    expect(await drain(ch2, 'churn')).toEqual([]);
    await stop(b);
  });

  test('a torn tail record is dropped with a log line; everything before it survives', async () => {
    const dir = tempDir();
    let b = await start(dir);
    const ch = await b.conn.createConfirmChannel();
    await ch.assertQueue('t', { durable: true });
    for (const s of ['one', 'two']) ch.sendToQueue('t', Buffer.from(s), { persistent: true });
    await ch.waitForConfirms();
    await stop(b);
    const segDir = path.join(dir, 'messages');
    const last = fs.readdirSync(segDir).sort().pop() as string;
    // half a record, as a crash in the middle of a write leaves it
    fs.appendFileSync(path.join(segDir, last), Buffer.from([0, 0, 0, 200, 1, 2, 3, 4, 1, 0, 0]));
    b = await start(dir);
    const ch2 = await b.conn.createChannel();
    expect((await drain(ch2, 't')).map((m) => m.content.toString())).toEqual(['one', 'two']);
    await stop(b);
  });
});

/** A tmpfs of `size` at a new directory, or undefined where mounting is not allowed (not root, a container). */
function smallDisk(size: string): string | undefined {
  const d = tempDir();
  if (!mountSmallDisk(d, size)) return undefined;
  mounts.push(d);
  return d;
}
const mounts: string[] = [];
afterEach(() => {
  for (const d of mounts.splice(0)) unmountSmallDisk(d);
});
const fill = fillDisk;

describe('a disk that refuses writes (a full tmpfs)', () => {
  const probe = smallDisk('1m');
  if (probe !== undefined) unmountSmallDisk(mounts.pop() as string);

  test.skipIf(probe === undefined)('a durable declare gets 541, the API 503, publishes are nacked; after a restart every confirmed message is there', async () => {
    const dir = smallDisk('2m') as string;
    // no disk alarm: this is about the writes a full disk refuses, not the block that comes before
    const noAlarm = { diskFreeLimit: 0 };
    let b = await start(dir, noAlarm);
    const ch = await b.conn.createConfirmChannel();
    await ch.assertQueue('kept', { durable: true });
    const confirmed = new Set<number>();
    const publish = (c: amqp.ConfirmChannel, from: number, n: number) =>
      Promise.all(Array.from({ length: n }, (_, k) => new Promise<void>((resolve) => {
        c.sendToQueue('kept', Buffer.from(String(from + k)), { persistent: true }, (err) => {
          if (err === null || err === undefined) confirmed.add(from + k);
          resolve();
        });
      })));
    await publish(ch, 0, 20);
    expect(confirmed.size).toBe(20);
    const filler = fill(dir);

    // declares go on into the journal's last page until it needs a new one: then the disk refuses
    // and the declare is refused too, never acknowledged
    const conn2 = await amqp.connect(`amqp://guest:guest@127.0.0.1:${b.broker.port}`);
    const closed = new Promise<Error>((resolve) => conn2.on('error', resolve));
    const ch2 = await conn2.createChannel();
    ch2.on('error', () => {});
    const acknowledged: string[] = [];
    for (let i = 0; i < 500; i++) {
      const ok = await ch2.assertQueue(`d${i}`, { durable: true }).then(() => true, () => false);
      if (!ok) break;
      acknowledged.push(`d${i}`);
    }
    expect(acknowledged.length).toBeLessThan(500);
    expect((await closed).message).toMatch(new RegExp(`541.*INTERNAL_ERROR.*queue 'd${acknowledged.length}' in vhost '/' could not be written to disk`));
    // so is the management API's
    const admin = { name: 'guest', tags: ['administrator'] as const };
    await expect(b.broker.declareQueue(admin, '/', 'lost-too', { durable: true, autoDelete: false, arguments: {} }))
      .rejects.toMatchObject({ kind: 'unavailable' });
    // and no publish is confirmed while the disk refuses
    await publish(ch, 100, 10);
    expect([...confirmed].filter((i) => i >= 100)).toEqual([]);

    // space again: changes and confirms go through
    fs.rmSync(filler);
    await expect.poll(async () => {
      const c = await amqp.connect(`amqp://guest:guest@127.0.0.1:${b.broker.port}`);
      c.on('error', () => {});
      const stored = await (await c.createChannel()).assertQueue('after', { durable: true }).then(() => true, () => false);
      await c.close().catch(() => {});
      return stored;
    }, { timeout: 5000, interval: 200 }).toBe(true);
    await publish(ch, 200, 5);
    await stop(b);

    b = await start(dir, noAlarm);
    const check = await b.conn.createChannel();
    for (const q of acknowledged) await check.checkQueue(q);
    const got = await drain(check, 'kept');
    const present = new Set(got.map((m) => Number(m.content.toString())));
    expect([...confirmed].filter((i) => !present.has(i))).toEqual([]);
    expect(present.size).toBeGreaterThanOrEqual(25);
    await stop(b);
  });
});

describe('a message log write the disk cuts short (a full tmpfs)', () => {
  const probe = smallDisk('1m');
  if (probe !== undefined) unmountSmallDisk(mounts.pop() as string);

  test.skipIf(probe === undefined)('the half-written message is nacked, not confirmed; later ones land where they are read back; after a restart each confirmed body is intact', async () => {
    const dir = smallDisk('2m') as string;
    const noAlarm = { diskFreeLimit: 0, memoryBudget: 0 };
    let b = await start(dir, noAlarm);
    const ch = await b.conn.createConfirmChannel();
    await ch.assertQueue('kept', { durable: true });
    const outcome = new Map<string, boolean>();
    const body = (name: string, size: number) => Buffer.alloc(size, name);
    const publish = (name: string, size: number) => new Promise<void>((resolve) => {
      ch.sendToQueue('kept', body(name, size), { persistent: true, messageId: name }, (err) => {
        outcome.set(name, err === null || err === undefined);
        resolve();
      });
    });
    await publish('a', 1000);
    const filler = fill(dir);
    // the segment's last page has room for part of it: the write stops short
    await publish('b', 10_000);
    expect(outcome.get('b')).toBe(false);
    fs.rmSync(filler);
    for (const name of ['c', 'd', 'e']) await publish(name, 3000);
    expect([...outcome].filter(([, ok]) => ok).map(([n]) => n)).toEqual(['a', 'c', 'd', 'e']);
    // memoryBudget 0: bodies are read back from the log, at the offsets their refs hold
    const live = await b.conn.createChannel();
    const read: string[] = [];
    for (let i = 0; i < 5; i++) {
      const m = await live.get('kept');
      if (m === false) throw new Error('queue ran dry');
      expect(m.content.equals(body(m.properties.messageId as string, m.content.length))).toBe(true);
      read.push(m.properties.messageId as string);
    }
    // a nacked publish may still be routed (as RabbitMQ's may): only the confirms promise anything
    expect(read).toEqual(['a', 'b', 'c', 'd', 'e']);
    live.nackAll(true);
    await live.close();
    await stop(b);

    b = await start(dir, noAlarm);
    const got = await drain(await b.conn.createChannel(), 'kept');
    for (const m of got) expect(m.content.equals(body(m.properties.messageId as string, m.content.length))).toBe(true);
    const names = got.map((m) => m.properties.messageId as string);
    for (const name of ['a', 'c', 'd', 'e']) expect(names).toContain(name);
    await stop(b);
  });
});

describe('recovery from a corrupt stretch inside the log', () => {
  test('32 corrupt bytes in an older segment lose only the records they touch; the scan resumes after them, logs the range and keeps the segment', async () => {
    const dir = tempDir();
    const segmentSize = 64 * 1024;
    let b = await start(dir, { segmentSize });
    const ch = await b.conn.createConfirmChannel();
    await ch.assertQueue('many', { durable: true });
    const n = 2000;
    for (let i = 0; i < n; i++) ch.sendToQueue('many', Buffer.from(`message ${i}`.padEnd(100, '.')), { persistent: true });
    await ch.waitForConfirms();
    await stop(b);
    const segDir = path.join(dir, 'messages');
    const segs = fs.readdirSync(segDir).filter((f) => f.endsWith('.seg')).sort();
    expect(segs.length).toBeGreaterThan(2);
    // 32 bytes in the middle of the first segment, as a bad sector or a stray write leaves them
    const victim = path.join(segDir, segs[0]);
    const damaged = fs.readFileSync(victim);
    damaged.fill(0xa5, 30_000, 30_032);
    fs.writeFileSync(victim, damaged);

    const lines: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
      lines.push(String(chunk));
      return write(chunk, ...rest);
    }) as typeof process.stderr.write;
    try {
      b = await start(dir, { segmentSize, logLevel: 'warn' });
    } finally {
      process.stderr.write = write;
    }
    const q = await (await b.conn.createChannel()).checkQueue('many');
    // records are ~150 bytes: 32 bytes touch at most two of them
    expect(q.messageCount).toBeGreaterThanOrEqual(n - 2);
    expect(q.messageCount).toBeLessThan(n);
    expect(lines.join('')).toMatch(new RegExp(`${segs[0]}:\\d+; skipped bytes \\d+-\\d+`));
    await stop(b);
    // not deleted while readable records in it are live, and never deleted at all
    expect(fs.existsSync(victim)).toBe(true);
    b = await start(dir, { segmentSize });
    const ch2 = await b.conn.createChannel();
    const got = await drain(ch2, 'many');
    expect(got.length).toBe(q.messageCount);
    // all consumed: the damaged segment goes to quarantine, byte for byte, instead of being deleted
    const ch3 = await b.conn.createConfirmChannel();
    for (let i = 0; i < 3; i++) {
      ch3.sendToQueue('many', Buffer.alloc(40_000), { persistent: true });
      await ch3.waitForConfirms();
    }
    await expect.poll(() => fs.existsSync(path.join(segDir, 'quarantine', segs[0]))).toBe(true);
    expect(fs.readFileSync(path.join(segDir, 'quarantine', segs[0])).equals(damaged)).toBe(true);
    await stop(b);
  });

  test('a corrupt stretch over delivery and ack records errs on the safe side: those messages come back, marked redelivered, and the log says so', async () => {
    const dir = tempDir();
    let b = await start(dir);
    const ch = await b.conn.createConfirmChannel();
    await ch.assertQueue('acks', { durable: true });
    const n = 200;
    for (let i = 0; i < n; i++) ch.sendToQueue('acks', Buffer.from(`m${i}`), { persistent: true });
    await ch.waitForConfirms();
    // the first half is delivered and acked: DELIVERED and REMOVED records after the messages
    for (let i = 0; i < n / 2; i++) {
      const m = await ch.get('acks');
      if (m === false) throw new Error('queue ran dry');
      ch.ack(m);
    }
    // closed on its own first: amqplib may send connection.close ahead of the channel's last acks
    await ch.close();
    await stop(b);

    // where the records of m40..m60 after the messages are: the body names the message, the seq the records
    const segDir = path.join(dir, 'messages');
    const file = path.join(segDir, fs.readdirSync(segDir).filter((f) => f.endsWith('.seg')).sort()[0]);
    const bytes = fs.readFileSync(file);
    const seqOf = new Map<number, number>();
    const marks: { seq: number; off: number; end: number }[] = [];
    for (let off = 0; off < bytes.length;) {
      const r = decodeRecord(bytes, off);
      if (!r.ok) throw new Error(`unreadable record at ${off}`);
      const rec = r.record;
      if (rec.type === RecordType.Message) seqOf.set(Number(bytes.toString('utf8', rec.bodyOffset, rec.bodyOffset + rec.bodyLength).slice(1)), rec.meta.seq);
      else marks.push({ seq: rec.seq, off, end: r.next });
      off = r.next;
    }
    const first = marks.filter((m) => m.seq === seqOf.get(40)).map((m) => m.off);
    const last = marks.filter((m) => m.seq === seqOf.get(60)).map((m) => m.end);
    expect(first.length).toBe(2);
    expect(last.length).toBe(2);
    const [from, to] = [Math.min(...first), Math.max(...last)];
    // gets and acks overlap: the stretch holds every ack from m40's to m60's and maybe a neighbour's
    const ackLost = new Set(marks.filter((m) => m.off >= from && m.end <= to).map((m) => m.seq));
    const expectedBack = [...seqOf].filter(([i, seq]) => i < n / 2 && ackLost.has(seq)).map(([i]) => i);
    expect(expectedBack.length).toBeGreaterThanOrEqual(21);
    bytes.fill(0xa5, from, to);
    fs.writeFileSync(file, bytes);

    const lines: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
      lines.push(String(chunk));
      return write(chunk, ...rest);
    }) as typeof process.stderr.write;
    try {
      b = await start(dir, { logLevel: 'warn' });
    } finally {
      process.stderr.write = write;
    }
    const got = await drain(await b.conn.createChannel(), 'acks');
    const back = got.map((m) => ({ i: Number(m.content.toString().slice(1)), redelivered: m.fields.redelivered }));
    // the acks of m40..m60 were in the stretch: they come back, once more, and say they may have been delivered
    const ids = back.map((m) => m.i);
    for (let i = 40; i <= 60; i++) expect(ids).toContain(i);
    expect(ids.filter((i) => i < n / 2).sort((a, b) => a - b)).toEqual(expectedBack.sort((a, b) => a - b));
    expect(ids.filter((i) => i >= n / 2).length).toBe(n / 2);
    expect(back.filter((m) => m.i < n / 2 && !m.redelivered)).toEqual([]);
    const log = lines.join('');
    expect(log).toMatch(new RegExp(`skipped bytes ${from}-${to - 1}`));
    expect(log).toMatch(/records in the unreadable bytes \d+\.seg:\d+-\d+ are lost: .* \d+ messages recorded before them and still held come back marked redelivered/);
    await stop(b);
  });
});

/** Every entry under `dir` (not following links): kind, size and content hash, to prove nothing changed. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string): void => {
    const full = path.join(dir, rel);
    const st = fs.lstatSync(full);
    if (st.isDirectory()) {
      if (rel !== '') out[rel] = 'dir';
      for (const name of fs.readdirSync(full).sort()) walk(path.join(rel, name));
    } else if (st.isSymbolicLink()) {
      out[rel] = `link -> ${fs.readlinkSync(full)}`;
    } else if (st.isFile()) {
      out[rel] = `file ${st.size} ${createHash('sha256').update(fs.readFileSync(full)).digest('hex')}`;
    } else {
      out[rel] = st.isFIFO() ? 'fifo' : 'other';
    }
  };
  walk('');
  return out;
}

const SEGMENT = 2048;

/** A DATA_DIR as a run leaves it: a durable queue with persistent messages spread over several segments. */
async function seeded(): Promise<string> {
  const dir = tempDir();
  const b = await start(dir, { segmentSize: SEGMENT });
  const ch = await b.conn.createConfirmChannel();
  await ch.assertQueue('keep', { durable: true });
  await ch.assertExchange('orders', 'topic', { durable: true });
  await ch.bindQueue('keep', 'orders', '#');
  for (let i = 0; i < 12; i++) ch.publish('orders', 'k', Buffer.from(`m${i}:`.padEnd(500, '.')), { persistent: true });
  await ch.waitForConfirms();
  await stop(b);
  expect(fs.readdirSync(path.join(dir, 'messages')).length).toBeGreaterThan(2);
  return dir;
}

async function bodiesIn(dir: string, queue: string): Promise<string[]> {
  const b = await start(dir, { segmentSize: SEGMENT });
  const ch = await b.conn.createChannel();
  const got = (await drain(ch, queue)).map((m) => m.content.toString().replace(/:\.*$/, ''));
  await stop(b);
  return got;
}

describe('start-up with a definitions file Warren cannot use', () => {
  const defsOf = (dir: string) => path.join(dir, 'definitions.json');
  const rewrite = (dir: string, change: (defs: Record<string, unknown>) => void) => {
    const defs = JSON.parse(fs.readFileSync(defsOf(dir), 'utf8')) as Record<string, unknown>;
    change(defs);
    fs.writeFileSync(defsOf(dir), JSON.stringify(defs));
  };
  const cases: [string, (dir: string) => void, RegExp][] = [
    ['truncated JSON (a partial file)', (d) => fs.truncateSync(defsOf(d), Math.floor(fs.statSync(defsOf(d)).size / 2)), /not complete, valid JSON/],
    ['an empty file', (d) => fs.truncateSync(defsOf(d), 0), /it is empty/],
    ['a directory (EISDIR)', (d) => { fs.rmSync(defsOf(d)); fs.mkdirSync(defsOf(d)); }, /directory.*EISDIR/],
    ['an unknown version', (d) => rewrite(d, (defs) => { defs.version = 2; }), /unknown version 2/],
    ['another shape', (d) => rewrite(d, (defs) => { defs.queues = {}; }), /'queues' is not a list/],
    ['a binding to a queue it does not list', (d) => rewrite(d, (defs) => { defs.queues = []; }), /cannot apply it: bindings\[0\]: no queue 'keep'/],
    ['not UTF-8', (d) => fs.writeFileSync(defsOf(d), Buffer.from([0x7b, 0xff, 0xfe, 0x7d])), /not UTF-8/],
    // read errors that happen to root as well (permissions do not stop root)
    ['a FIFO (reading would block)', (d) => { fs.rmSync(defsOf(d)); execFileSync('mkfifo', [defsOf(d)]); }, /a FIFO, not a regular file/],
    ['a symbolic link loop (ELOOP)', (d) => { fs.rmSync(defsOf(d)); fs.symlinkSync('definitions.json', defsOf(d)); }, /ELOOP/],
    ['a link to a missing file (an unmounted volume)', (d) => { fs.rmSync(defsOf(d)); fs.symlinkSync('/nonexistent/warren/definitions.json', defsOf(d)); }, /symbolic link to '\/nonexistent\/warren\/definitions.json', which does not exist/],
  ];

  test.each(cases)('%s: createBroker rejects, naming the file and why, and changes nothing on disk', async (_what, damage, why) => {
    const dir = await seeded();
    damage(dir);
    const before = snapshot(dir);
    const started = createBroker({ port: 0, host: '127.0.0.1', logLevel: 'silent', dataDir: dir, segmentSize: SEGMENT });
    const err = await started.then(
      (b) => {
        track(b);
        throw new Error('the broker started');
      },
      (e: unknown) => e as Error,
    );
    expect(err.message).toContain(defsOf(dir));
    expect(err.message).toMatch(why);
    expect(snapshot(dir)).toEqual(before);
  });

  test('with no definitions file at all (a first start) the broker starts empty', async () => {
    const dir = tempDir();
    const b = await start(dir);
    const ch = await b.conn.createChannel();
    ch.on('error', () => {});
    await expect(ch.checkQueue('keep')).rejects.toThrow(/404/);
    await stop(b);
    expect(fs.existsSync(defsOf(dir))).toBe(true);
  });

  test('messages the definitions do not account for are kept, across restarts, until the file they belong with is back', async () => {
    const dir = await seeded();
    const original = fs.readFileSync(defsOf(dir));
    const segDir = path.join(dir, 'messages');
    const segments = () => snapshot(segDir);
    const kept = segments();
    const keptBytes = new Map(Object.keys(kept).map((f) => [f, fs.readFileSync(path.join(segDir, f))]));
    fs.rmSync(defsOf(dir));
    // lost: starts empty, but no segment goes, and the file it writes says which queue ids are kept
    expect(await bodiesIn(dir, 'amq.gen-none').catch(() => [])).toEqual([]);
    expect(segments()).toEqual(kept);
    const written = JSON.parse(fs.readFileSync(defsOf(dir), 'utf8')) as { unattributed?: number[]; nextQueueId: number };
    expect(written.unattributed).toEqual([1]);
    expect(written.nextQueueId).toBeGreaterThan(1);
    // a queue made meanwhile gets a fresh id, not the kept one
    let b = await start(dir, { segmentSize: SEGMENT });
    const ch = await b.conn.createConfirmChannel();
    await ch.assertQueue('meanwhile', { durable: true });
    ch.sendToQueue('meanwhile', Buffer.from('new'), { persistent: true });
    await ch.waitForConfirms();
    await stop(b);
    expect(await bodiesIn(dir, 'meanwhile')).toEqual(['new']);
    // a second restart still keeps them
    b = await start(dir, { segmentSize: SEGMENT });
    await stop(b);
    // (the last one was appended to)
    for (const [f, bytes] of keptBytes) expect(fs.readFileSync(path.join(segDir, f)).subarray(0, bytes.length).equals(bytes), f).toBe(true);
    // the operator puts the right file back: the messages are there again
    fs.writeFileSync(defsOf(dir), original);
    expect(await bodiesIn(dir, 'keep')).toEqual(Array.from({ length: 12 }, (_, i) => `m${i}`));
  });

  test('a deleted queue’s messages still go: ids below nextQueueId that no queue has are reclaimed', async () => {
    const dir = await seeded();
    // the file as written right after the queue was deleted, before its records were reclaimed (a crash)
    rewrite(dir, (defs) => {
      defs.queues = [];
      defs.bindings = [];
    });
    const before = Object.keys(snapshot(path.join(dir, 'messages'))).length;
    const b = await start(dir, { segmentSize: SEGMENT });
    await stop(b);
    expect(Object.keys(snapshot(path.join(dir, 'messages'))).length).toBeLessThan(before);
    expect((JSON.parse(fs.readFileSync(defsOf(dir), 'utf8')) as { unattributed?: number[] }).unattributed).toBeUndefined();
  });
});

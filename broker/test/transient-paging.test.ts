// Transient bodies beyond the memory budget go to page files, with real amqplib clients: order is
// kept, redeliveries and dead-lettered copies carry the bodies, browsing shows them, and the page
// files go when nothing holds their messages any more (acked, purged, shut down, a previous run).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import amqp, { type ChannelModel, type ConsumeMessage } from 'amqplib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createBroker, type Actor, type Broker } from '../index';
import { internals } from '../embedded/internals';
import type { TransientPager } from '../store/transient-pages';

/** Bodies of 100 bytes that say which message they are. */
const body = (i: number) => Buffer.from(`msg-${String(i).padStart(6, '0')}-`.padEnd(100, 'x'));
const BUDGET = 10 * 1024;

let dir = '';
let broker: Broker;
let admin: Actor;
let conn: ChannelModel;

const pager = () => internals(broker).core.bodyPaging as TransientPager;
const pagesDir = () => path.join(dir, 'pages');
const pageFiles = () => fs.readdirSync(pagesDir()).filter((f) => f.endsWith('.page'));
const queue = (name: string) => internals(broker).core.getVhost('/')!.queues.get(name)!;

/** Publishes n bodies and waits until the ones beyond the budget are on disk, not in memory. */
async function fill(name: string, n: number, opts: amqp.Options.AssertQueue = { durable: false }): Promise<void> {
  const ch = await conn.createConfirmChannel();
  await ch.assertQueue(name, opts);
  for (let i = 0; i < n; i++) ch.sendToQueue(name, body(i));
  await ch.waitForConfirms();
  await ch.close();
  const q = queue(name);
  await expect.poll(() => q.readyAt(n - 1)?.msg.isResident).toBe(false);
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warren-paging-'));
  // a previous run's page file: transient messages do not come back, so it goes at start
  fs.mkdirSync(path.join(dir, 'pages'));
  fs.writeFileSync(path.join(dir, 'pages', '00000000.page'), 'left over');
  broker = await createBroker({ port: 0, host: '127.0.0.1', logLevel: 'silent', dataDir: dir, diskFreeLimit: 0, transientMemoryBudget: BUDGET });
  admin = await broker.authenticate('guest', 'guest', '127.0.0.1');
  conn = await amqp.connect(`amqp://guest:guest@127.0.0.1:${broker.port}`);
});
afterAll(async () => {
  await conn?.close().catch(() => {});
  await broker?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test("a previous run's page files are deleted at start", () => {
  expect(fs.existsSync(pagesDir())).toBe(true);
  expect(pageFiles()).toEqual([]);
});

test('a consumer gets paged messages in order with their bodies; acking them all frees the page files', async () => {
  await fill('pg-order', 2000);
  // the budget holds about a hundred 100-byte bodies: the rest are on disk
  expect(pager().residentBytes).toBeLessThanOrEqual(BUDGET);
  expect(pager().pagedMessages).toBe(2000 - Math.floor(BUDGET / 100));
  expect(pageFiles().length).toBeGreaterThan(0);
  const ch = await conn.createChannel();
  await ch.prefetch(100);
  const got: string[] = [];
  await ch.consume('pg-order', (m) => {
    if (m === null) return;
    got.push(m.content.toString());
    ch.ack(m);
  });
  await expect.poll(() => got.length, { timeout: 20_000 }).toBe(2000);
  expect(got).toEqual(Array.from({ length: 2000 }, (_, i) => body(i).toString()));
  await expect.poll(() => pageFiles()).toEqual([]);
  expect(pager().pagedMessages).toBe(0);
  expect(pager().residentBytes).toBe(0);
  await ch.close();
});

test('a consumer that dies leaves its unacked paged messages to the next, redelivered, in place', async () => {
  await fill('pg-redeliver', 500);
  const dying = await amqp.connect(`amqp://guest:guest@127.0.0.1:${broker.port}`);
  const ch1 = await dying.createChannel();
  await ch1.prefetch(50);
  let held = 0;
  // from the end of the queue: these bodies were read back from the page files
  await ch1.consume('pg-redeliver', (m) => m && held++);
  await expect.poll(() => held).toBe(50);
  // the socket goes without a close handshake, as a crashed client's does
  (dying.connection as unknown as { stream: { destroy(): void } }).stream.destroy();
  const ch2 = await conn.createChannel();
  const got: ConsumeMessage[] = [];
  await ch2.consume('pg-redeliver', (m) => m && got.push(m), { noAck: true });
  await expect.poll(() => got.length, { timeout: 20_000 }).toBe(500);
  expect(got.map((m) => m.content.toString())).toEqual(Array.from({ length: 500 }, (_, i) => body(i).toString()));
  expect(got.map((m) => m.fields.redelivered)).toEqual(Array.from({ length: 500 }, (_, i) => i < 50));
  await expect.poll(() => pageFiles()).toEqual([]);
  await ch2.close();
});

test('purging a queue of paged messages frees its page files', async () => {
  await fill('pg-purge', 1500);
  expect(pageFiles().length).toBeGreaterThan(0);
  // the listing says how many are on disk, as RabbitMQ's does
  const listed = await broker.getQueue(admin, '/', 'pg-purge');
  const paged = 1500 - Math.floor(BUDGET / 100);
  expect([listed?.messages_paged_out, listed?.messages_ram, listed?.message_bytes_paged_out]).toEqual([paged, 1500 - paged, paged * 100]);
  const ch = await conn.createChannel();
  expect((await ch.purgeQueue('pg-purge')).messageCount).toBe(1500);
  await expect.poll(() => pageFiles()).toEqual([]);
  const after = await broker.getQueue(admin, '/', 'pg-purge');
  expect([after?.messages_paged_out, after?.message_bytes_paged_out]).toEqual([0, 0]);
  expect(pager().pagedMessages).toBe(0);
  expect(pager().residentBytes).toBe(0);
  await ch.close();
});

test('deleting a queue of paged messages frees its page files', async () => {
  await fill('pg-delete', 1500);
  const ch = await conn.createChannel();
  await ch.deleteQueue('pg-delete');
  await expect.poll(() => pageFiles()).toEqual([]);
  expect(pager().pagedMessages).toBe(0);
  await ch.close();
});

describe('what reads bodies reads paged ones', () => {
  test('browsing shows the bodies of paged messages, and changes nothing', async () => {
    await fill('pg-browse', 1000);
    const page = await broker.browseQueue(admin, '/', 'pg-browse', { state: 'ready', offset: 900, limit: 5, bodyLimit: 1000 });
    expect(page.total).toBe(1000);
    expect(page.messages.map((m) => Buffer.from(m.payload, 'base64').toString())).toEqual([900, 901, 902, 903, 904].map((i) => body(i).toString()));
    const whole = await broker.browseMessage(admin, '/', 'pg-browse', page.messages[2].id, 902);
    expect(Buffer.from(whole.payload, 'base64').toString()).toBe(body(902).toString());
    expect(queue('pg-browse').readyAt(902)?.msg.isResident).toBe(false);
    expect(queue('pg-browse').messagesReady).toBe(1000);
  });

  test('basic.get, with and without ack, returns paged bodies', async () => {
    const ch = await conn.createChannel();
    for (let i = 0; i < 3; i++) {
      const m = await ch.get('pg-browse', { noAck: true });
      expect(m && m.content.toString()).toBe(body(i).toString());
    }
    await ch.purgeQueue('pg-browse');
    await fill('pg-get', 200);
    await ch.get('pg-get', { noAck: true }); // not this one
    const gets: string[] = [];
    for (let i = 1; i < 200; i++) {
      const m = await ch.get('pg-get', { noAck: false });
      if (m === false) break;
      gets.push(m.content.toString());
      ch.ack(m);
    }
    expect(gets).toEqual(Array.from({ length: 199 }, (_, i) => body(i + 1).toString()));
    await expect.poll(() => pageFiles()).toEqual([]);
    await ch.close();
  });

  test('expired paged messages are dead-lettered with their bodies', async () => {
    const ch = await conn.createChannel();
    await ch.assertQueue('pg-dead', { durable: false });
    // the TTL runs out while the messages are on disk
    await fill('pg-ttl', 400, { durable: false, arguments: { 'x-message-ttl': 1500, 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': 'pg-dead' } });
    await expect.poll(async () => (await ch.checkQueue('pg-dead')).messageCount, { timeout: 20_000 }).toBe(400);
    const got: string[] = [];
    await ch.consume('pg-dead', (m) => m && got.push(m.content.toString()), { noAck: true });
    await expect.poll(() => got.length, { timeout: 20_000 }).toBe(400);
    expect(got).toEqual(Array.from({ length: 400 }, (_, i) => body(i).toString()));
    await expect.poll(() => pageFiles()).toEqual([]);
    await ch.close();
  });

  test('moving paged messages to another queue takes their bodies along', async () => {
    await fill('pg-move-from', 600);
    const ch = await conn.createChannel();
    await ch.assertQueue('pg-move-to', { durable: false });
    const job = await broker.startTransfer(admin, '/', 'pg-move-from', { mode: 'move', selection: { kind: 'all' }, target: { exchange: '', routingKey: 'pg-move-to' }, rate: 0 });
    expect(job.id).toBeTruthy();
    await expect.poll(async () => (await ch.checkQueue('pg-move-to')).messageCount, { timeout: 20_000 }).toBe(600);
    expect((await ch.checkQueue('pg-move-from')).messageCount).toBe(0);
    const got: string[] = [];
    await ch.consume('pg-move-to', (m) => m && got.push(m.content.toString()), { noAck: true });
    await expect.poll(() => got.length, { timeout: 20_000 }).toBe(600);
    expect(got).toEqual(Array.from({ length: 600 }, (_, i) => body(i).toString()));
    await expect.poll(() => pageFiles()).toEqual([]);
    await ch.close();
  });
});

test('a broker without DATA_DIR pages to a private temporary directory, removed at shutdown', async () => {
  const b = await createBroker({ port: 0, host: '127.0.0.1', logLevel: 'silent', diskFreeLimit: 0, transientMemoryBudget: 0 });
  const p = internals(b).core.bodyPaging as TransientPager;
  const c = await amqp.connect(`amqp://guest:guest@127.0.0.1:${b.port}`);
  const ch = await c.createConfirmChannel();
  await ch.assertQueue('tmp', { durable: false });
  for (let i = 0; i < 50; i++) ch.sendToQueue('tmp', body(i));
  await ch.waitForConfirms();
  await expect.poll(() => p.fileCount).toBeGreaterThan(0);
  expect(p.directory.startsWith(os.tmpdir())).toBe(true);
  const m = await ch.get('tmp', { noAck: true });
  expect(m && m.content.toString()).toBe(body(0).toString());
  await c.close();
  await b.close();
  expect(fs.existsSync(p.directory)).toBe(false);
});

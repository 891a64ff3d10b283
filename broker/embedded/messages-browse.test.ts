// Browsing through the embedded broker's API with real amqplib clients: a page reads messages where
// they lie — bodies paged out to disk, priority order, requeued ones — and leaves everything the
// clients see as it was: order, `redelivered`, the queue's counters.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import amqp, { type ChannelModel } from 'amqplib';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createBroker, isBrokerError, type Actor, type Broker } from '../index';

let broker: Broker;
let admin: Actor;
let conn: ChannelModel;
let dir = '';

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warren-browse-'));
  // memoryBudget 0: every persistent body is read back from the message log
  broker = await createBroker({ port: 0, host: '127.0.0.1', logLevel: 'silent', dataDir: dir, memoryBudget: 0, diskFreeLimit: 0 });
  admin = await broker.authenticate('guest', 'guest', '127.0.0.1');
  conn = await amqp.connect(`amqp://guest:guest@127.0.0.1:${broker.port}`);
});
afterAll(async () => {
  await conn?.close();
  await broker?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const text = (b64: string) => Buffer.from(b64, 'base64').toString('utf8');

async function queueStats(name: string) {
  const q = await broker.getQueue(admin, '/', name);
  return { ready: q?.messages_ready, unacked: q?.messages_unacknowledged, stats: JSON.stringify(q?.message_stats ?? {}) };
}

test('a page of persistent messages paged out to disk: bodies read from the log, nothing changed', async () => {
  const ch = await conn.createConfirmChannel();
  await ch.assertQueue('br-disk', { durable: true });
  for (let i = 0; i < 20; i++) ch.sendToQueue('br-disk', Buffer.from(`body-${i}-${'x'.repeat(i * 10)}`), { persistent: true, headers: { n: i } });
  await ch.waitForConfirms();
  const before = await queueStats('br-disk');
  const page = await broker.browseQueue(admin, '/', 'br-disk', { state: 'ready', offset: 5, limit: 4, bodyLimit: 8 });
  expect(page.total).toBe(20);
  expect(page.messages.map((m) => m.position)).toEqual([5, 6, 7, 8]);
  expect(page.messages.map((m) => text(m.payload))).toEqual(['body-5-x', 'body-6-x', 'body-7-x', 'body-8-x']);
  expect(page.messages.every((m) => m.truncated && !m.redelivered)).toBe(true);
  expect(page.messages[0].payload_bytes).toBe(`body-5-${'x'.repeat(50)}`.length);
  expect((page.messages[2].properties.headers as { n: number }).n).toBe(7);
  const whole = await broker.browseMessage(admin, '/', 'br-disk', page.messages[0].id, 5);
  expect(text(whole.payload)).toBe(`body-5-${'x'.repeat(50)}`);
  expect(whole.truncated).toBe(false);
  expect(await queueStats('br-disk')).toEqual(before);
  // a consumer gets them all, in order, none redelivered
  const got: { body: string; redelivered: boolean }[] = [];
  await ch.consume('br-disk', (m) => m && got.push({ body: m.content.toString().split('-x')[0], redelivered: m.fields.redelivered }), { noAck: true });
  await expect.poll(() => got.length).toBe(20);
  expect(got.map((g) => g.body)).toEqual(Array.from({ length: 20 }, (_, i) => (i === 0 ? 'body-0-' : `body-${i}`)));
  expect(got.some((g) => g.redelivered)).toBe(false);
  await ch.close();
});

test('unacked messages are listed with their consumer, channel and delivery tag; ready ones apart', async () => {
  const ch = await conn.createChannel();
  await ch.assertQueue('br-held', { durable: false });
  for (let i = 0; i < 5; i++) ch.sendToQueue('br-held', Buffer.from(`m${i}`));
  await ch.prefetch(2);
  const held: number[] = [];
  const { consumerTag } = await ch.consume('br-held', (m) => m && held.push(m.fields.deliveryTag));
  await expect.poll(() => held.length).toBe(2);
  const unacked = await broker.browseQueue(admin, '/', 'br-held', { state: 'unacked', offset: 0, limit: 10, bodyLimit: 100 });
  expect(unacked.total).toBe(2);
  expect(unacked.messages.map((m) => [text(m.payload), m.consumer_tag, m.delivery_tag])).toEqual([
    ['m0', consumerTag, 1],
    ['m1', consumerTag, 2],
  ]);
  expect(unacked.messages[0].channel).toMatch(/ \(\d+\)$/);
  const ready = await broker.browseQueue(admin, '/', 'br-held', { state: 'ready', offset: 0, limit: 10, bodyLimit: 100 });
  expect(ready.messages.map((m) => text(m.payload))).toEqual(['m2', 'm3', 'm4']);
  await ch.close();
  // closing the channel requeued m0 and m1 to the front, marked redelivered: browse shows it as it is
  const after = await broker.browseQueue(admin, '/', 'br-held', { state: 'ready', offset: 0, limit: 10, bodyLimit: 100 });
  expect(after.messages.map((m) => [text(m.payload), m.redelivered])).toEqual([
    ['m0', true],
    ['m1', true],
    ['m2', false],
    ['m3', false],
    ['m4', false],
  ]);
});

test('a priority queue pages in delivery order: highest priority first', async () => {
  const ch = await conn.createChannel();
  await ch.assertQueue('br-prio', { durable: false, arguments: { 'x-max-priority': 5 } });
  [1, 5, 0, 3, 5].forEach((p, i) => ch.sendToQueue('br-prio', Buffer.from(`p${p}-${i}`), { priority: p }));
  await expect.poll(async () => (await broker.getQueue(admin, '/', 'br-prio'))?.messages_ready).toBe(5);
  const page = await broker.browseQueue(admin, '/', 'br-prio', { state: 'ready', offset: 1, limit: 3, bodyLimit: 100 });
  expect(page.messages.map((m) => text(m.payload))).toEqual(['p5-4', 'p3-3', 'p1-0']);
  await ch.close();
});

test('read permission on the queue is needed, as for basic.get; a missing queue is not_found', async () => {
  await broker.putUser(admin, 'browse-writer', { password: 'pw', tags: ['management'] });
  await broker.setPermission(admin, '/', 'browse-writer', { configure: '.*', write: '.*', read: '^nothing$' });
  const writer = await broker.authenticate('browse-writer', 'pw', '127.0.0.1');
  const refused = await broker.browseQueue(writer, '/', 'br-prio', { state: 'ready', offset: 0, limit: 1, bodyLimit: 0 }).catch((e: unknown) => e);
  expect(isBrokerError(refused) && refused.kind).toBe('access_refused');
  const missing = await broker.browseQueue(admin, '/', 'br-none', { state: 'ready', offset: 0, limit: 1, bodyLimit: 0 }).catch((e: unknown) => e);
  expect(isBrokerError(missing) && missing.kind).toBe('not_found');
});

// BrokerApi.watchVhost of the embedded broker: what it costs while nobody watches (nothing), the
// flow tap following the watchers' budgets, the recorded rate history in the snapshot, connection
// rows by the watcher's current tags, and `gone` when the vhost is deleted.
import type { EventEmitter } from 'node:events';
import amqp, { type ChannelModel } from 'amqplib';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createBroker, type Actor, type Broker, type FlowEvent, type StatsTick, type TopologyChange, type VhostListener } from '../index';
import { HISTORY_INCR_MS } from './history';
import { internals } from './internals';

let broker: Broker;
let admin: Actor;
const connections: ChannelModel[] = [];
beforeAll(async () => {
  broker = await createBroker({ port: 0, host: '127.0.0.1', logLevel: 'silent' });
  admin = await broker.authenticate('guest', 'guest', '127.0.0.1');
});
afterAll(async () => {
  await Promise.all(connections.map((c) => c.close().catch(() => {})));
  await broker.close();
});

async function connect(user = 'guest', password = user): Promise<ChannelModel> {
  const c = await amqp.connect(`amqp://${user}:${password}@127.0.0.1:${broker.port}`);
  c.on('error', () => {});
  connections.push(c);
  return c;
}

/** A listener that keeps what it hears. */
function recorder() {
  const heard = { diffs: [] as TopologyChange[][], ticks: [] as StatsTick[], flow: [] as FlowEvent[], gone: [] as string[] };
  const listener: VhostListener = {
    topology: (changes) => heard.diffs.push(changes),
    stats: (tick) => heard.ticks.push(tick),
    flow: (events) => heard.flow.push(...events),
    gone: (reason) => heard.gone.push(reason),
  };
  return { heard, listener };
}

const core = () => internals(broker).core;
const tapped = () => core().getVhost('/')!.tap !== undefined;
/** Listeners on the core's event stream: the management context's own, plus the watches' one while any watch is open. */
const eventListeners = () => (core() as unknown as { events: EventEmitter }).events.listenerCount('event');

test('a watch listens to the broker only while open, and taps message flow only while a watcher has a budget', async () => {
  const idle = eventListeners();
  expect(tapped()).toBe(false);
  const a = await broker.watchVhost(admin, '/', recorder().listener);
  expect(eventListeners()).toBe(idle + 1);
  expect(tapped()).toBe(false); // a watch starts with no flow budget
  a.setFlowBudget(50);
  expect(tapped()).toBe(true);
  a.setFlowBudget(0);
  expect(tapped()).toBe(false);
  const b = await broker.watchVhost(admin, '/', recorder().listener);
  expect(eventListeners()).toBe(idle + 1); // one listener for every watch
  b.setFlowBudget(20);
  a.setFlowBudget(10);
  expect(tapped()).toBe(true);
  b.close();
  expect(tapped()).toBe(true); // a still wants some
  a.close();
  expect(tapped()).toBe(false);
  expect(eventListeners()).toBe(idle);
  // closing twice, or setting a budget on a closed watch, changes nothing
  a.close();
  a.setFlowBudget(50);
  expect(tapped()).toBe(false);
});

test('flow events go to the watcher with a budget, and only for its vhost', async () => {
  await broker.putVhost(admin, 'flow-other', {});
  const here = recorder();
  const there = recorder();
  const w1 = await broker.watchVhost(admin, '/', here.listener);
  const w2 = await broker.watchVhost(admin, 'flow-other', there.listener);
  w1.setFlowBudget(200);
  w2.setFlowBudget(200);
  await broker.declareQueue(admin, '/', 'wf-q', { durable: false, autoDelete: false, arguments: {} });
  for (let i = 0; i < 5; i++) await broker.publish(admin, '/', '', { routingKey: 'wf-q', properties: {}, body: Buffer.from('x') });
  await expect.poll(() => here.heard.flow.some((e) => e.kind === 'published' && e.routingKey === 'wf-q')).toBe(true);
  expect(here.heard.flow[0]).toMatchObject({ kind: 'published', exchange: '', queues: ['wf-q'], ts: expect.any(Number) });
  expect(there.heard.flow).toEqual([]);
  w1.close();
  w2.close();
  await broker.deleteQueue(admin, '/', 'wf-q', { ifUnused: false, ifEmpty: false });
  await broker.deleteVhost(admin, 'flow-other');
});

test("the snapshot carries the vhost's recorded rate history, so charts start with the last minutes", async () => {
  const { mgmt } = internals(broker);
  const conn = await connect();
  const ch = await conn.createConfirmChannel();
  await ch.assertQueue('hist-q', { durable: false });
  while (Date.now() % HISTORY_INCR_MS > 1500) await new Promise((r) => setTimeout(r, 100));
  const b = Math.floor(Date.now() / HISTORY_INCR_MS) * HISTORY_INCR_MS;
  mgmt.sampleHistory(b - 5_000);
  for (let i = 0; i < 25; i++) ch.sendToQueue('hist-q', Buffer.from('h'));
  await ch.waitForConfirms();
  mgmt.sampleHistory(b);
  const watch = await broker.watchVhost(admin, '/', recorder().listener);
  const last = watch.history[watch.history.length - 1];
  expect(last).toEqual({ ts: b, publish_rate: 5, deliver_rate: 0, ack_rate: 0, messages: 25 });
  // only recorded steps: nothing from before the first sample
  expect(watch.history[0].ts).toBeGreaterThanOrEqual(mgmt.history.oldest('/')! + HISTORY_INCR_MS);
  watch.close();
  await ch.deleteQueue('hist-q');
  await conn.close();
});

test("connections in the snapshot and diffs follow the watcher's tags as they are now", async () => {
  await broker.putUser(admin, 'wmgr', { password: 'pw', tags: ['management'] });
  await broker.setPermission(admin, '/', 'wmgr', { configure: '.*', write: '.*', read: '.*' });
  const mine = await connect('wmgr', 'pw');
  await connect(); // guest's
  const wmgr = await broker.authenticate('wmgr', 'pw', '127.0.0.1');
  const { heard, listener } = recorder();
  const watch = await broker.watchVhost(wmgr, '/', listener);
  expect(watch.snapshot.connections.map((c) => c.user)).toEqual(['wmgr']);
  await connect(); // another of guest's: not for wmgr's eyes
  await (await mine.createChannel()).close(); // wmgr's own connection changes: seen
  await expect.poll(() => heard.diffs.flat().some((c) => c.kind === 'connection' && c.item.user === 'wmgr')).toBe(true);
  expect(heard.diffs.flat().some((c) => c.kind === 'connection' && c.item.user === 'guest')).toBe(false);
  // made a monitoring user: from now on every connection
  await broker.putUser(admin, 'wmgr', { password: 'pw', tags: ['monitoring'] });
  await connect();
  await expect.poll(() => heard.diffs.flat().some((c) => c.kind === 'connection' && c.item.user === 'guest')).toBe(true);
  watch.close();
});

test('stats tick every second while watched; a deleted vhost ends its watches with gone', async () => {
  await broker.putVhost(admin, 'short-lived', {});
  await broker.declareQueue(admin, 'short-lived', 'sl-q', { durable: false, autoDelete: false, arguments: {} });
  const { heard, listener } = recorder();
  const watch = await broker.watchVhost(admin, 'short-lived', listener);
  expect(watch.snapshot.queues.map((q) => q.name)).toEqual(['sl-q']);
  await expect.poll(() => heard.ticks.length, { timeout: 2500 }).toBeGreaterThan(0);
  expect(heard.ticks[0].queues['sl-q']).toMatchObject({ messages_ready: 0, consumers: 0 });
  const idle = eventListeners();
  await broker.deleteVhost(admin, 'short-lived');
  expect(heard.gone).toEqual(["vhost 'short-lived' was deleted"]);
  expect(eventListeners()).toBe(idle - 1); // it was the only watch
  const ticks = heard.ticks.length;
  await new Promise((r) => setTimeout(r, 1200));
  expect(heard.ticks.length).toBe(ticks);
  watch.close(); // after gone: nothing to do
  await expect(broker.watchVhost(admin, 'short-lived', listener)).rejects.toMatchObject({ kind: 'not_found' });
});

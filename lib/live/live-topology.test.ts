// Snapshot, topology diffs and stats ticks, driven by a real amqplib client.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { impliedDefaultBinding, type Item } from './protocol';
import { startLive, type LiveClient, type LiveTest, type Msg } from './testing';

let t: LiveTest;
beforeAll(async () => {
  t = await startLive();
});
afterAll(() => t.close());

const named = (items: Item[], name: string) => items.find((i) => i.name === name);

/** The next diff with a change of this kind and op matching `where`; and how long it took since `since`. */
async function change(c: LiveClient, kind: string, op: string, where: (item: Item) => boolean, since: number) {
  const d = await c.take('diff', (m) => m.changes.some((x) => x.kind === kind && x.op === op && where(x.item)));
  const found = d.changes.find((x) => x.kind === kind && x.op === op && where(x.item));
  return { item: found?.item ?? {}, ms: Date.now() - since, diff: d };
}

test('the snapshot holds the vhost\'s exchanges, queues, bindings, consumers and connections', async () => {
  const conn = await t.connect();
  const ch = await conn.createChannel();
  await ch.assertExchange('snap-x', 'topic', { durable: false });
  await ch.assertQueue('snap-q', { durable: false, arguments: { 'x-max-length': 10 } });
  await ch.bindQueue('snap-q', 'snap-x', 'a.*', { extra: 1 });
  const { consumerTag } = await ch.consume('snap-q', () => {});
  const { client, snapshot } = await t.login();
  expect(snapshot.vhost).toBe('/');
  expect(named(snapshot.exchanges, 'snap-x')).toMatchObject({ type: 'topic', durable: false, vhost: '/' });
  expect(snapshot.exchanges.map((e) => e.name)).toEqual(expect.arrayContaining(['', 'amq.direct', 'amq.topic']));
  expect(named(snapshot.queues, 'snap-q')).toMatchObject({ consumers: 1, arguments: { 'x-max-length': 10 }, durable: false });
  expect(snapshot.bindings).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ source: 'snap-x', destination: 'snap-q', destination_type: 'queue', routing_key: 'a.*', arguments: { extra: 1 } }),
    ]),
  );
  // every queue's default-exchange binding is implied, not sent: the browser makes the rows the API lists
  expect(snapshot.defaultBindings).toBe('implied');
  expect(snapshot.bindings.filter((b) => b.source === '')).toEqual([]);
  expect(snapshot.consumers).toEqual([expect.objectContaining({ consumer_tag: consumerTag, queue: { name: 'snap-q', vhost: '/' }, ack_required: true })]);
  expect(snapshot.connections).toHaveLength(1);
  expect(snapshot.connections[0]).toMatchObject({ user: 'guest', vhost: '/', protocol: 'AMQP 0-9-1' });
  // the rate history is the watch's (broker/embedded/vhost-watch.test.ts checks its contents)
  expect(snapshot.history).toEqual(expect.any(Array));
  await ch.deleteQueue('snap-q');
  await ch.deleteExchange('snap-x');
  await conn.close();
  client.ws.close();
});

test('an implied default binding is the row the broker API lists for it, odd queue names included', async () => {
  const names = ['plain.q-1_x', 'with space', 'tilde~and+plus', 'slash/percent%', 'ünïcødé ✓', 'amp&eq=?#'];
  const conn = await t.connect();
  const ch = await conn.createChannel();
  for (const n of names) await ch.assertQueue(n, { durable: false });
  const { client, snapshot } = await t.login();
  const listed = await t.broker.listBindings(t.admin, '/');
  for (const n of names) {
    expect(snapshot.queues.some((q) => q.name === n)).toBe(true);
    expect(listed.find((b) => b.source === '' && b.destination === n)).toEqual(impliedDefaultBinding('/', n));
  }
  for (const n of names) await ch.deleteQueue(n);
  await conn.close();
  client.ws.close();
});

test('declare, bind, consume, cancel, unbind, delete and disconnect arrive as diffs within moments', async () => {
  const { client } = await t.login();
  let t0 = Date.now();
  const conn = await t.connect();
  const opened = await change(client, 'connection', 'add', () => true, t0);
  expect(opened.item).toMatchObject({ user: 'guest', vhost: '/' });
  const connName = opened.item.name;
  const ch = await conn.createChannel();

  const timings: number[] = [];
  t0 = Date.now();
  await ch.assertExchange('d-x', 'direct', { durable: false });
  const ex = await change(client, 'exchange', 'add', (i) => i.name === 'd-x', t0);
  expect(ex.item).toMatchObject({ type: 'direct', vhost: '/' });
  timings.push(ex.ms);

  t0 = Date.now();
  await ch.assertQueue('d-q', { durable: false });
  const q = await change(client, 'queue', 'add', (i) => i.name === 'd-q', t0);
  timings.push(q.ms);
  // the default binding comes in the same diff, after the queue
  const kinds = q.diff.changes.map((c) => `${c.op} ${c.kind} ${String(c.item.name ?? c.item.destination)}`);
  expect(kinds).toEqual(['add queue d-q', 'add binding d-q']);

  t0 = Date.now();
  await ch.bindQueue('d-q', 'd-x', 'k1');
  const b = await change(client, 'binding', 'add', (i) => i.source === 'd-x', t0);
  expect(b.item).toMatchObject({ destination: 'd-q', destination_type: 'queue', routing_key: 'k1', properties_key: 'k1' });
  timings.push(b.ms);

  t0 = Date.now();
  const { consumerTag } = await ch.consume('d-q', () => {}, { noAck: true });
  const added = await change(client, 'consumer', 'add', (i) => i.consumer_tag === consumerTag, t0);
  expect(added.item).toMatchObject({ ack_required: false, channel_details: { connection_name: connName, number: 1 } });
  expect(added.diff.changes).toContainEqual(expect.objectContaining({ op: 'update', kind: 'queue', item: expect.objectContaining({ name: 'd-q', consumers: 1 }) }));
  timings.push(added.ms);

  t0 = Date.now();
  await ch.cancel(consumerTag);
  timings.push((await change(client, 'consumer', 'remove', (i) => i.consumer_tag === consumerTag, t0)).ms);

  t0 = Date.now();
  await ch.unbindQueue('d-q', 'd-x', 'k1');
  timings.push((await change(client, 'binding', 'remove', (i) => i.source === 'd-x' && i.routing_key === 'k1', t0)).ms);

  t0 = Date.now();
  await ch.deleteQueue('d-q');
  const gone = await change(client, 'queue', 'remove', (i) => i.name === 'd-q', t0);
  expect(gone.diff.changes).toContainEqual(expect.objectContaining({ op: 'remove', kind: 'binding', item: expect.objectContaining({ source: '', destination: 'd-q' }) }));
  timings.push(gone.ms);

  t0 = Date.now();
  await ch.deleteExchange('d-x');
  timings.push((await change(client, 'exchange', 'remove', (i) => i.name === 'd-x', t0)).ms);

  t0 = Date.now();
  await conn.close();
  timings.push((await change(client, 'connection', 'remove', (i) => i.name === connName, t0)).ms);
  for (const ms of timings) expect(ms).toBeLessThan(500);
  client.ws.close();
});

test('a burst of changes is coalesced, and a queue made and deleted within the window sends nothing', async () => {
  const { client } = await t.login();
  const conn = await t.connect();
  const ch = await conn.createChannel();
  await ch.assertQueue('blink', { durable: false });
  await ch.deleteQueue('blink');
  for (let i = 0; i < 20; i++) await ch.assertQueue(`burst-${i}`, { durable: false });
  await ch.assertExchange('burst-end', 'fanout', { durable: false });
  const last = await client.take('diff', (m) => m.changes.some((c) => c.item.name === 'burst-end'));
  const diffs = [...client.drain('diff'), last];
  const queues = diffs.flatMap((d) => d.changes).filter((c) => c.kind === 'queue');
  expect(queues.filter((c) => c.op === 'add')).toHaveLength(20);
  expect(queues.some((c) => c.item.name === 'blink')).toBe(false);
  expect(diffs.length).toBeLessThanOrEqual(3);
  for (let i = 0; i < 20; i++) await ch.deleteQueue(`burst-${i}`);
  await ch.deleteExchange('burst-end');
  await conn.close();
  client.ws.close();
});

test('stats ticks carry queue depths, consumers and rates, and totals', async () => {
  const conn = await t.connect();
  const ch = await conn.createChannel();
  await ch.assertQueue('stats-q', { durable: false });
  const { client } = await t.login();
  for (let i = 0; i < 30; i++) ch.sendToQueue('stats-q', Buffer.from(`m${i}`));
  let tick: Msg<'stats'> = await client.take('stats', (m) => m.queues['stats-q']?.messages_ready === 30, 4000);
  expect(tick.queues['stats-q']).toMatchObject({ messages_unacknowledged: 0, consumers: 0 });
  expect(tick.exchanges['']).toBeDefined();
  expect(tick.totals.messages).toBeGreaterThanOrEqual(30);

  // a consumer with prefetch 10 that does not ack holds 10
  await ch.prefetch(10);
  await ch.consume('stats-q', () => {});
  tick = await client.take('stats', (m) => m.queues['stats-q']?.messages_unacknowledged === 10, 4000);
  expect(tick.queues['stats-q']).toMatchObject({ messages_ready: 20, consumers: 1 });

  // rates: a steady trickle through an exchange shows on the next ticks
  await ch.assertExchange('stats-x', 'direct', { durable: false });
  await ch.bindQueue('stats-q', 'stats-x', 'hot');
  await ch.bindQueue('stats-q', 'stats-x', 'cold');
  client.drain('stats');
  const pub = setInterval(() => {
    for (let i = 0; i < 20; i++) ch.publish('stats-x', 'hot', Buffer.from('r'));
  }, 50);
  const hot = 'stats-x|queue|stats-q|hot';
  try {
    tick = await client.take('stats', (m) => (m.exchanges['stats-x']?.publish_in_rate ?? 0) > 0 && (m.queues['stats-q']?.publish_rate ?? 0) > 0 && (m.bindings[hot]?.publish_rate ?? 0) > 0, 4000);
  } finally {
    clearInterval(pub);
  }
  expect(tick.exchanges['stats-x'].publish_out_rate).toBeGreaterThan(0);
  // per binding: the one the messages take, not its sibling to the same queue
  expect(tick.bindings['stats-x|queue|stats-q|cold']).toEqual({ publish_rate: 0 });
  expect(tick.totals.publish_rate).toBeGreaterThan(0);
  await ch.deleteQueue('stats-q');
  await ch.deleteExchange('stats-x');
  await conn.close();
  client.ws.close();
});

test('a monitoring-less management user sees only their own connections', async () => {
  await t.broker.putUser(t.admin, 'mgr', { password: 'pw', tags: ['management'] });
  await t.broker.setPermission(t.admin, '/', 'mgr', { configure: '.*', write: '.*', read: '.*' });
  const conn = await t.connect();
  const c = await t.client();
  c.send({ type: 'auth', username: 'mgr', password: 'pw' });
  await c.take('hello');
  c.send({ type: 'vhost', vhost: '/' });
  const snap = await c.take('snapshot');
  expect(snap.connections).toEqual([]);
  const ch = await conn.createChannel();
  await ch.assertQueue('mgr-q', { durable: false });
  const d = await c.take('diff', (m) => m.changes.some((x) => x.item.name === 'mgr-q'));
  expect(d.changes.every((x) => x.kind !== 'connection')).toBe(true);
  await ch.deleteQueue('mgr-q');
  await conn.close();
  c.ws.close();
});

test('a policy set or cleared updates the queues and exchanges it applies to', async () => {
  const conn = await t.connect();
  const ch = await conn.createChannel();
  await ch.assertQueue('pol-q', { durable: false });
  const { client } = await t.login();
  const t0 = Date.now();
  await t.broker.putPolicy(t.admin, '/', 'pol', { pattern: '^pol-q$', definition: { 'max-length': 3 } });
  const set = await change(client, 'queue', 'update', (q) => q.name === 'pol-q', t0);
  expect(set.item).toMatchObject({ policy: 'pol', effective_policy_definition: { 'max-length': 3 } });
  expect(set.diff.changes.map((x) => x.item.name)).toEqual(['pol-q']);
  await t.broker.deletePolicy(t.admin, '/', 'pol');
  const cleared = await change(client, 'queue', 'update', (q) => q.name === 'pol-q' && q.policy === null, t0);
  expect(cleared.item).toMatchObject({ effective_policy_definition: {} });
  await ch.deleteQueue('pol-q');
  await conn.close();
  client.ws.close();
});

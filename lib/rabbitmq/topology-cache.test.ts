// The topology a remote watch keeps per vhost against a real cluster: it is what RabbitMQ itself
// lists (the default exchange's implicit bindings included), it is read once and shared between
// watchers, it outlives the last watcher while events flow (a reload asks the cluster for no
// listing), and events change it by what they name: a binding by its source and destination, a
// deleted queue taking its bindings and consumers along.
import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Actor, Row, TopologyChange, VhostListener } from '../../broker/index';
import { RemoteBrokerApi } from './remote-broker';
import { findRabbitMq, NO_RABBITMQ } from './testing';

const target = await findRabbitMq();
if (target === undefined) console.warn(NO_RABBITMQ);

async function until<T>(what: string, ms: number, probe: () => T | undefined): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const bindingKey = (b: Row) => [b.source, b.destination_type, b.destination, b.properties_key].join('|');
const byKey = (rows: Row[]) => rows.slice().sort((a, b) => (bindingKey(a) < bindingKey(b) ? -1 : 1));
/** a name RabbitMQ quotes in its default binding's properties_key */
const ODD = 'odd name~ü/%';

describe.skipIf(target === undefined)('the remote topology cache', () => {
  const vhost = `e-cache-${process.pid}`;
  let api: RemoteBrokerApi;
  let admin: Actor;
  const quiet: VhostListener = { topology: () => {}, stats: () => {}, gone: () => {} };

  beforeAll(async () => {
    api = new RemoteBrokerApi(target!.config);
    admin = await api.authenticate('guest', 'guest', '127.0.0.1');
    await api.putVhost(admin, vhost, {});
    await api.setPermission(admin, vhost, 'guest', { configure: '.*', write: '.*', read: '.*' });
    await api.declareExchange(admin, vhost, 'hx', { type: 'headers', durable: false, autoDelete: false, internal: false, arguments: {} });
    await api.declareExchange(admin, vhost, 'tx', { type: 'topic', durable: false, autoDelete: false, internal: false, arguments: {} });
    for (const q of ['a', 'b', 'c', ODD]) await api.declareQueue(admin, vhost, q, { durable: false, autoDelete: false, arguments: {} });
    await api.bind(admin, vhost, { source: 'tx', destination: 'a', destinationType: 'queue', routingKey: 'k.#', arguments: {} });
    await api.bind(admin, vhost, { source: 'tx', destination: 'b', destinationType: 'queue', routingKey: 'k.b', arguments: {} });
    // a key whose properties_key RabbitMQ quotes; the listing leaves properties_key out where there are no arguments
    await api.bind(admin, vhost, { source: 'tx', destination: 'b', destinationType: 'queue', routingKey: ODD, arguments: {} });
    await api.bind(admin, vhost, { source: 'tx', destination: 'b', destinationType: 'queue', routingKey: '', arguments: {} });
    await api.bind(admin, vhost, { source: 'hx', destination: 'b', destinationType: 'queue', routingKey: '', arguments: { 'x-match': 'any', colour: 'red' } });
    await api.bind(admin, vhost, { source: 'tx', destination: 'hx', destinationType: 'exchange', routingKey: 'to.headers', arguments: {} });
  }, 60_000);

  afterAll(async () => {
    await api.deleteVhost(admin, vhost).catch(() => {});
    await api.close();
  });

  it('holds what RabbitMQ lists, read once for every watcher', async () => {
    const first = await api.watchVhost(admin, vhost, quiet);
    const second = await api.watchVhost(admin, vhost, quiet);
    try {
      const listed = await api.listBindings(admin, vhost);
      // row for row as RabbitMQ lists them: the default exchange's made here, the others read per exchange
      expect(byKey(first.snapshot.bindings)).toEqual(byKey(listed));
      expect(first.snapshot.queues.map((q) => q.name).sort()).toEqual(['a', 'b', 'c', ODD]);
      expect(first.snapshot.exchanges.map((e) => e.name)).toEqual(expect.arrayContaining(['', 'amq.topic', 'hx', 'tx']));
      expect(second.snapshot.bindings).toHaveLength(listed.length);
      expect(api.cachedVhosts()).toContainEqual({ vhost, watchers: 2 });
    } finally {
      first.close();
      second.close();
    }
  });

  it('outlives its last watcher while events flow, kept current by them: the next look asks for no listing', async () => {
    const w = await api.watchVhost(admin, vhost, quiet);
    const events = api.liveMode === 'events';
    w.close();
    if (!events) {
      // polling: nobody watching means nothing keeps it current, so it is not kept
      expect(api.cachedVhosts().map((c) => c.vhost)).not.toContain(vhost);
      return;
    }
    expect(api.cachedVhosts()).toContainEqual({ vhost, watchers: 0 });
    const conn = await amqp.connect(`${target!.config.amqpUrl}/${encodeURIComponent(vhost)}`.replace('amqp://', 'amqp://guest:guest@'));
    try {
      const ch = await conn.createChannel();
      await ch.assertQueue('d', { durable: false });
      await ch.bindQueue('d', 'tx', 'k.d');
      await ch.deleteQueue('c');
    } finally {
      await conn.close();
    }
    const listed = await api.listBindings(admin, vhost);
    // events arrive within EVENT_DELAY_MS and a fetch of what they name
    await new Promise((r) => setTimeout(r, 1_500));
    const asked = vi.spyOn(api.http, 'exchange');
    const next = await api.watchVhost(admin, vhost, quiet);
    try {
      // access check and history only: no queue, exchange or binding listing
      const paths = asked.mock.calls.map((c) => String(c[2]));
      asked.mockRestore();
      expect(paths.filter((path) => /^\/api\/(queues|bindings|exchanges)\//.test(path))).toEqual([]);
      expect(next.snapshot.queues.map((q) => q.name).sort()).toEqual(['a', 'b', 'd', ODD]);
      expect(next.snapshot.bindings.map(bindingKey).sort()).toEqual(listed.map(bindingKey).sort());
    } finally {
      next.close();
    }
  }, 30_000);

  it('applies binding events by source and destination, and a deleted queue takes its bindings and consumers along', async () => {
    const changes: TopologyChange[] = [];
    const w = await api.watchVhost(admin, vhost, { topology: (c) => changes.push(...c), stats: () => {}, gone: () => {} });
    const limit = api.liveMode === 'events' ? 2_000 : 7_000;
    const conn = await amqp.connect(`${target!.config.amqpUrl}/${encodeURIComponent(vhost)}`.replace('amqp://', 'amqp://guest:guest@'));
    try {
      const ch = await conn.createChannel();
      await ch.assertQueue('e', { durable: false });
      await ch.bindQueue('e', 'hx', '', { 'x-match': 'all', size: 'xl' });
      const added = await until('headers binding add', limit, () => changes.find((c) => c.op === 'add' && c.kind === 'binding' && c.item.source === 'hx' && c.item.destination === 'e'));
      // the properties_key RabbitMQ makes for arguments (a hash), not one made up here
      const listed = await api.listBindings(admin, vhost);
      expect(listed.map(bindingKey)).toContain(bindingKey(added.item));
      await ch.consume('e', () => {}, { noAck: true });
      // RabbitMQ lists a consumer once its stats have it: a sample (5 s) after the event, two on a loaded cluster
      await until('consumer add', limit + 12_000, () => changes.find((c) => c.op === 'add' && c.kind === 'consumer'));
      await ch.deleteQueue('e');
      await until('queue remove', limit, () => changes.find((c) => c.op === 'remove' && c.kind === 'queue' && c.item.name === 'e'));
      await until('its bindings removed', limit, () => {
        const gone = changes.filter((c) => c.op === 'remove' && c.kind === 'binding' && c.item.destination === 'e').map((c) => c.item.source);
        return gone.includes('hx') && gone.includes('') ? gone : undefined;
      });
      await until('its consumer removed', limit, () => changes.find((c) => c.op === 'remove' && c.kind === 'consumer'));
    } finally {
      await conn.close().catch(() => {});
      w.close();
    }
  }, 30_000);
});

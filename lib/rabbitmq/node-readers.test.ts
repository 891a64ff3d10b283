// Spreading a first listing over the cluster's nodes, against the real local cluster: every running
// node's management API is found through the cluster's listeners and answers as itself; the rows
// read through them are RabbitMQ's own, as the configured node lists them; a node that cannot be
// reached costs nothing but a retry on the configured node, and is left alone afterwards.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor, Row } from '../../broker/index';
import { ManagementClient } from './management-client';
import { RemoteBrokerApi } from './remote-broker';
import { findRabbitMq, NO_RABBITMQ } from './testing';
import { TopologyLists } from './topology-lists';
import { freePort } from '../testing/processes';

const target = await findRabbitMq();
if (target === undefined) console.warn(NO_RABBITMQ);

const key = (b: Row) => [b.source, b.destination_type, b.destination, b.properties_key].join('|');
const sorted = (rows: Row[]) => rows.slice().sort((a, b) => (key(a) < key(b) ? -1 : 1));

describe.skipIf(target === undefined)('reading a vhost through every node', () => {
  const vhost = `e-readers-${process.pid}`;
  let api: RemoteBrokerApi;
  let admin: Actor;

  beforeAll(async () => {
    api = new RemoteBrokerApi(target!.config);
    admin = await api.authenticate('guest', 'guest', '127.0.0.1');
    await api.putVhost(admin, vhost, {});
    await api.setPermission(admin, vhost, 'guest', { configure: '.*', write: '.*', read: '.*' });
    for (const x of ['x1', 'x2', 'x3']) await api.declareExchange(admin, vhost, x, { type: 'topic', durable: false, autoDelete: false, internal: false, arguments: {} });
    await api.declareExchange(admin, vhost, 'hx', { type: 'headers', durable: false, autoDelete: false, internal: false, arguments: {} });
    for (const q of ['q1', 'q2', 'q3']) await api.declareQueue(admin, vhost, q, { durable: false, autoDelete: false, arguments: {} });
    for (const [x, q] of [['x1', 'q1'], ['x2', 'q2'], ['x3', 'q3'], ['x1', 'q3']]) {
      await api.bind(admin, vhost, { source: x, destination: q, destinationType: 'queue', routingKey: `k.${q} ~`, arguments: {} });
    }
    await api.bind(admin, vhost, { source: 'hx', destination: 'q2', destinationType: 'queue', routingKey: '', arguments: { 'x-match': 'all', a: 1 } });
  }, 60_000);

  afterAll(async () => {
    await api.deleteVhost(admin, vhost).catch(() => {});
    await api.close();
  });

  it('finds every running node, and reads through them what the configured node lists', async () => {
    const nodes = await api.readers.all();
    expect(nodes[0]).toBe(api.http);
    expect(nodes).toHaveLength(target!.nodes);
    expect(new Set(nodes.map((n) => n.baseUrl.toString())).size).toBe(target!.nodes);
    const spread = await new TopologyLists(api.http, api.service, api.readers).all(vhost);
    const one = await new TopologyLists(api.http, api.service).all(vhost);
    expect(sorted(spread.binding)).toEqual(sorted(one.binding));
    expect(sorted(spread.binding)).toEqual(sorted(await api.listBindings(admin, vhost)));
    expect(spread.queue.map((q) => q.name).sort()).toEqual(['q1', 'q2', 'q3']);
  });

  it('a node that cannot be reached: its reads go to the configured node, and it is left alone', async () => {
    const dead = new ManagementClient({ baseUrl: `http://127.0.0.1:${await freePort()}`, timeoutMs: 2_000 });
    const benched: ManagementClient[] = [];
    const readers = { all: async () => (benched.includes(dead) ? [api.http] : [api.http, dead]), bench: (c: ManagementClient) => void benched.push(c) };
    try {
      const lists = new TopologyLists(api.http, api.service, readers);
      const got = await lists.all(vhost);
      expect(sorted(got.binding)).toEqual(sorted(await api.listBindings(admin, vhost)));
      expect(got.consumer).toEqual([]);
      expect(benched).toContain(dead);
    } finally {
      dead.close();
    }
  });
});

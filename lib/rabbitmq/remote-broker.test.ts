// The remote implementation against a real RabbitMQ (testing.ts picks the cluster or the single
// node): every call goes over its management API or AMQP, and refusals must come back as RabbitMQ
// words them. Each test works in a vhost of its own, removed afterwards.
import crypto from 'node:crypto';
import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isBrokerError, type Actor, type Delivery, type StatsTick, type TopologyChange, type VhostListener } from '../../broker/index';
import { RemoteBrokerApi } from './remote-broker';
import { findRabbitMq, NO_RABBITMQ, type TestTarget } from './testing';

const target: TestTarget | undefined = await findRabbitMq();
if (target === undefined) console.warn(NO_RABBITMQ);
else console.log(`remote broker tests against ${target.label} (${target.nodes} running nodes)`);

async function refusal(op: Promise<unknown>): Promise<{ kind: string; code: number; detail: string }> {
  try {
    await op;
  } catch (err) {
    if (isBrokerError(err)) return { kind: err.kind, code: err.code, detail: err.detail };
    throw err;
  }
  throw new Error('expected a refusal');
}

function until<T>(what: string, ms: number, probe: () => T | undefined): Promise<T> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const timer = setInterval(() => {
      const v = probe();
      if (v !== undefined) {
        clearInterval(timer);
        resolve(v);
      } else if (Date.now() - started > ms) {
        clearInterval(timer);
        reject(new Error(`${what}: not within ${ms} ms`));
      }
    }, 20);
  });
}

describe.skipIf(target === undefined)('remote RabbitMQ broker API', () => {
  const api = new RemoteBrokerApi(target?.config ?? { name: 'x', managementUrl: 'http://127.0.0.1:1', credentials: { username: 'x', password: 'x' } });
  const vhost = `warren-test-${crypto.randomBytes(4).toString('hex')}`;
  const limitedUser = `warren-limited-${crypto.randomBytes(4).toString('hex')}`;
  let admin: Actor;

  beforeAll(async () => {
    admin = await api.authenticate('guest', 'guest', '127.0.0.1');
    expect(await api.putVhost(admin, vhost, { description: 'warren remote broker test' })).toBe(true);
    await api.setPermission(admin, vhost, 'guest', { configure: '.*', write: '.*', read: '.*' });
  });

  afterAll(async () => {
    await api.deleteVhost(admin, vhost).catch(() => {});
    await api.deleteUsers(admin, [limitedUser]).catch(() => {});
    await api.close();
  });

  it('says not_supported to a restart, which RabbitMQ\'s management API cannot do', async () => {
    const err = await api.restartBroker(admin).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'not_supported' });
    expect(String((err as Error).message)).toContain('rabbitmqctl');
  });

  it('logs users in with their RabbitMQ credentials, and refuses a wrong password as RabbitMQ does', async () => {
    expect(admin).toEqual({ name: 'guest', tags: ['administrator'] });
    expect(await refusal(api.authenticate('guest', 'wrong', '127.0.0.1'))).toMatchObject({ kind: 'not_authorised', detail: 'Login failed' });
    // guest is loopback-only on RabbitMQ; the console's client is the one whose address counts
    expect(await refusal(api.authenticate('guest', 'guest', '10.1.2.3'))).toMatchObject({ kind: 'not_authorised' });
    const info = await api.info();
    expect(info).toMatchObject({ kind: 'rabbitmq', product: 'RabbitMQ' });
    expect(info.rabbitmqVersion).toMatch(/^\d+\.\d+/);
  });

  it('declares, lists and deletes exchanges and queues; an inequivalent redeclare is 406 in RabbitMQ words', async () => {
    const spec = { type: 'direct', durable: true, autoDelete: false, internal: false, arguments: {} };
    expect(await api.declareExchange(admin, vhost, 'orders', spec)).toBe(true);
    expect(await api.declareExchange(admin, vhost, 'orders', spec)).toBe(false);
    expect(await refusal(api.declareExchange(admin, vhost, 'orders', { ...spec, type: 'fanout' }))).toEqual({
      kind: 'precondition_failed', code: 406,
      detail: `inequivalent arg 'type' for exchange 'orders' in vhost '${vhost}': received 'fanout' but current is 'direct'`,
    });
    expect(await refusal(api.declareExchange(admin, vhost, 'amq.mine', spec))).toMatchObject({ kind: 'access_refused', code: 403 });
    expect(await refusal(api.declareExchange(admin, vhost, 'odd', { ...spec, type: 'bogus' }))).toMatchObject({ code: 503, detail: "unknown exchange type 'bogus'" });
    expect(await api.declareQueue(admin, vhost, 'q1', { durable: true, autoDelete: false, arguments: { 'x-queue-type': 'quorum' } })).toBe(true);
    expect((await api.listExchanges(admin, vhost)).map((e) => e.name)).toContain('orders');
    const q = await api.getQueue(admin, vhost, 'q1');
    expect(q).toMatchObject({ name: 'q1', type: 'quorum', durable: true, consumers: 0 });
    expect(await api.getQueue(admin, vhost, 'nope')).toBeUndefined();
    expect(await refusal(api.declareQueue(admin, 'no-such-vhost-here', 'q', { durable: false, autoDelete: false, arguments: {} }))).toMatchObject({ kind: 'not_found' });
    await api.deleteExchange(admin, vhost, 'orders', { ifUnused: false });
    expect(await api.getExchange(admin, vhost, 'orders')).toBeUndefined();
  });

  it('says where each queue lives: a quorum queue\'s leader (as its node), members and online members; a classic queue\'s node', async () => {
    await api.declareQueue(admin, vhost, 'placed-qq', { durable: true, autoDelete: false, arguments: { 'x-queue-type': 'quorum' } });
    await api.declareQueue(admin, vhost, 'placed-cq', { durable: false, autoDelete: false, arguments: {} });
    const nodes = (await api.nodes(admin)).filter((n) => n.running === true).map((n) => String(n.name)).sort();
    const listed = await api.listQueues(admin, vhost);
    const qq = listed.find((q) => q.name === 'placed-qq')!;
    expect(nodes).toContain(qq.leader);
    expect(qq.node).toBe(qq.leader);
    expect([...(qq.members as string[])].sort()).toEqual(nodes);
    expect([...(qq.online as string[])].sort()).toEqual(nodes);
    expect(nodes).toContain(listed.find((q) => q.name === 'placed-cq')!.node);
    expect(await api.getQueue(admin, vhost, 'placed-qq')).toMatchObject({ node: qq.leader, leader: qq.leader, members: qq.members });
    // the watch's snapshot (lists without stats) carries the same
    const watch = await api.watchVhost(admin, vhost, { topology: () => {}, stats: () => {}, gone: () => {} });
    try {
      expect(watch.snapshot.queues.find((q) => q.name === 'placed-qq')).toMatchObject({ node: qq.leader, members: qq.members, online: qq.online });
    } finally {
      watch.close();
    }
    await api.deleteQueue(admin, vhost, 'placed-qq', { ifUnused: false, ifEmpty: false });
    await api.deleteQueue(admin, vhost, 'placed-cq', { ifUnused: false, ifEmpty: false });
  });

  it('binds with the properties_key RabbitMQ makes, unbinds, and publishes and gets through the API', async () => {
    await api.declareQueue(admin, vhost, 'bq', { durable: false, autoDelete: false, arguments: {} });
    const key = await api.bind(admin, vhost, { source: 'amq.topic', destination: 'bq', destinationType: 'queue', routingKey: 'a.*', arguments: {} });
    // RabbitMQ's properties_key quotes the routing key ('*' as %2A)
    expect(key).toBe('a.%2A');
    const bindings = await api.listBindings(admin, vhost);
    expect(bindings).toContainEqual(expect.objectContaining({ source: 'amq.topic', destination: 'bq', properties_key: 'a.%2A' }));
    expect(bindings).toContainEqual(expect.objectContaining({ source: '', destination: 'bq' }));
    expect(await api.publish(admin, vhost, 'amq.topic', { routingKey: 'a.b', properties: { delivery_mode: 2 }, body: Buffer.from('hello') })).toEqual({ routed: true });
    expect(await api.publish(admin, vhost, 'amq.topic', { routingKey: 'z', properties: {}, body: Buffer.from('x') })).toEqual({ routed: false });
    const got = await api.get(admin, vhost, 'bq', { count: 5, ackMode: 'ack_requeue_false', encoding: 'auto' });
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ payload: 'hello', routing_key: 'a.b', exchange: 'amq.topic', redelivered: false });
    expect(await refusal(api.publish(admin, vhost, 'missing-x', { routingKey: '', properties: {}, body: Buffer.from('x') }))).toEqual({
      kind: 'not_found', code: 404, detail: `no exchange 'missing-x' in vhost '${vhost}'`,
    });
    await api.unbind(admin, vhost, { source: 'amq.topic', destination: 'bq', destinationType: 'queue', propertiesKey: key });
    expect((await api.listBindings(admin, vhost)).some((b) => b.source === 'amq.topic')).toBe(false);
  });

  it('answers browse and filter with not_supported and why: RabbitMQ reads a queue only by taking its messages', async () => {
    const page = { state: 'ready' as const, offset: 0, limit: 10, bodyLimit: 100 };
    const browse = await refusal(api.browseQueue(admin, vhost, 'q', page));
    expect(browse.kind).toBe('not_supported');
    expect(browse.detail).toMatch(/redelivered/);
    expect((await refusal(api.filterQueue(admin, vhost, 'q', { expression: 'true', cursor: 0, limit: 1, bodyLimit: 0 }))).kind).toBe('not_supported');
    expect((await refusal(api.browseMessage(admin, vhost, 'q', 0, 0))).kind).toBe('not_supported');
  });

  it('answers move, copy and return with not_supported and why: taking a chosen message out means consuming', async () => {
    const move = await refusal(api.startTransfer(admin, vhost, 'q', { mode: 'move', selection: { kind: 'all' }, target: { exchange: '', routingKey: 'q2' }, rate: 0 }));
    expect(move.kind).toBe('not_supported');
    expect(move.detail).toMatch(/shovel/);
    expect((await refusal(api.startTransfer(admin, vhost, 'q', { mode: 'return', selection: { kind: 'all' }, rate: 0 }))).kind).toBe('not_supported');
    // the jobs a cluster has are imports: no transfer by that id
    expect((await refusal(api.getTransfer(admin, vhost, '1'))).kind).toBe('not_found');
    expect((await refusal(api.cancelTransfer(admin, vhost, '1'))).kind).toBe('not_found');
    expect((await refusal(api.previewReturn(admin, vhost, 'q', { selection: { kind: 'all' }, cursor: 0, limit: 10 }))).kind).toBe('not_supported');
  });

  it('imports as a job through the cluster\'s publish: progress at its rate, cancel mid-way, what arrived is what it published', async () => {
    await api.declareQueue(admin, vhost, 'imported', { durable: false, autoDelete: false, arguments: {} });
    const N = 400;
    const messages = Array.from({ length: N }, (_, i) => ({ routingKey: 'imported', properties: { headers: { i } }, body: Buffer.from(`m-${i}`) }));
    const job = await api.startImport(admin, vhost, { exchange: '', messages, rate: 40 });
    expect(job).toMatchObject({ mode: 'import', state: 'running', total: N, rate_limit: 40 });
    let mid = await api.getTransfer(admin, vhost, job.id);
    for (let t = 0; mid.done < 20 && t < 200; t++) {
      await new Promise((r) => setTimeout(r, 100));
      mid = await api.getTransfer(admin, vhost, job.id);
    }
    expect(mid.state).toBe('running');
    expect(mid.done).toBeGreaterThanOrEqual(20);
    expect(mid.rate).toBeLessThanOrEqual(45);
    await api.cancelTransfer(admin, vhost, job.id);
    let end = await api.getTransfer(admin, vhost, job.id);
    for (let t = 0; end.state === 'running' && t < 100; t++) {
      await new Promise((r) => setTimeout(r, 100));
      end = await api.getTransfer(admin, vhost, job.id);
    }
    expect(end.state).toBe('cancelled');
    expect(end.done).toBeLessThan(N);
    expect(end.failed + end.unroutable).toBe(0);
    // the cluster's counts lag a little: what arrived is read by taking it
    const got = await api.get(admin, vhost, 'imported', { count: N, ackMode: 'ack_requeue_false', encoding: 'auto' });
    expect(got).toHaveLength(end.done);
    expect(got.map((m) => m.payload)).toEqual(Array.from({ length: end.done }, (_, i) => `m-${i}`));
    expect((await refusal(api.startImport(admin, vhost, { exchange: 'no-such-x', messages, rate: 0 }))).kind).toBe('not_found');
  });

  it('runs each call as the console user: the cluster applies that user\'s permissions', async () => {
    await api.putUser(admin, limitedUser, { password: 'pw-limited', tags: ['management'] });
    await api.setPermission(admin, vhost, limitedUser, { configure: '^mine-', write: '^mine-', read: '^mine-' });
    const limited = await api.authenticate(limitedUser, 'pw-limited', '127.0.0.1');
    expect(limited.tags).toEqual(['management']);
    expect(await api.declareQueue(limited, vhost, 'mine-1', { durable: false, autoDelete: false, arguments: {} })).toBe(true);
    expect(await refusal(api.declareQueue(limited, vhost, 'theirs', { durable: false, autoDelete: false, arguments: {} }))).toMatchObject({ kind: 'access_refused', detail: 'Access refused.' });
    expect(await refusal(api.listUsers(limited))).toMatchObject({ kind: 'not_authorised', detail: 'Not administrator user' });
    expect(await api.vhostAccess(limited, vhost)).toBe('allowed');
    expect(await api.vhostAccess(limited, '/')).toBe('refused');
    expect(await api.vhostAccess(limited, 'no-such-vhost-here')).toBe('missing');
    // an actor that never logged in here has no credentials to act with
    expect(await refusal(api.listQueues({ name: 'stranger', tags: ['administrator'] }, vhost))).toMatchObject({ kind: 'not_authorised' });
  });

  it('stamps a password from the cluster’s hash: a new password (or a deleted user) ends the stamp', async () => {
    const user = `warren-stamp-${crypto.randomBytes(4).toString('hex')}`;
    try {
      await api.putUser(admin, user, { password: 'first', tags: [] });
      const first = await api.passwordStamp(user);
      expect(first).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(await api.passwordStamp(user)).toBe(first);
      await api.putUser(admin, user, { password: 'second', tags: [] });
      const second = await api.passwordStamp(user);
      expect(second).toBeDefined();
      expect(second).not.toBe(first);
      await api.deleteUsers(admin, [user]);
      expect(await api.passwordStamp(user)).toBeUndefined();
    } finally {
      await api.deleteUsers(admin, [user]).catch(() => {});
    }
  });

  it('passes topic permissions and operator policies through to the cluster', async () => {
    const spec = { exchange: 'amq.topic', write: '^w\\.', read: '^r\\.' };
    expect(await api.setTopicPermission(admin, vhost, 'guest', spec)).toBe(true);
    expect(await api.setTopicPermission(admin, vhost, 'guest', { ...spec, exchange: 'other' })).toBe(false);
    expect(await api.listTopicPermissions(admin, { vhost, user: 'guest' })).toHaveLength(2);
    expect(await api.listTopicPermissions(admin, { vhost })).toHaveLength(2);
    expect((await api.listTopicPermissions(admin, { user: 'guest' })).filter((r) => r.vhost === vhost)).toHaveLength(2);
    // the cluster refuses the publish with its own words
    expect(await refusal(api.publish(admin, vhost, 'amq.topic', { routingKey: 'x.y', properties: {}, body: Buffer.from('m') }))).toMatchObject({
      detail: expect.stringContaining(`access to topic 'x.y' in exchange 'amq.topic' in vhost '${vhost}' refused for user 'guest'`),
    });
    expect(await refusal(api.clearTopicPermissions(admin, vhost, 'guest', 'other'))).toMatchObject({ kind: 'bad_request' });
    await api.clearTopicPermissions(admin, vhost, 'guest');
    expect(await api.listTopicPermissions(admin, { vhost, user: 'guest' })).toEqual([]);

    expect(await api.putOperatorPolicy(admin, vhost, 'op-cap', { pattern: '^capped', definition: { 'max-length': 3 }, applyTo: 'queues' })).toBe(true);
    expect((await api.listOperatorPolicies(admin, vhost)).map((p) => [p.name, p.definition])).toEqual([['op-cap', { 'max-length': 3 }]]);
    expect(await refusal(api.putOperatorPolicy(admin, vhost, 'bad', { pattern: 'x', definition: { 'ha-mode': 'all' } }))).toMatchObject({ kind: 'bad_request' });
    await api.deleteOperatorPolicy(admin, vhost, 'op-cap');
    expect(await api.listOperatorPolicies(admin, vhost)).toEqual([]);
  });

  it('consumes over AMQP with manual acks: ack, nack with requeue (redelivered), and a 406 for an unknown tag', async () => {
    await api.declareQueue(admin, vhost, 'cq', { durable: false, autoDelete: false, arguments: {} });
    for (const n of [1, 2, 3]) await api.publish(admin, vhost, '', { routingKey: 'cq', properties: { headers: { n } }, body: Buffer.from(`m${n}`) });
    const got: Delivery[] = [];
    let cancelled = '';
    const handle = await api.consume(admin, vhost, 'cq', { prefetch: 10, ack: 'manual', connectionName: 'websocket test' }, {
      canTake: () => true,
      deliver: (d) => got.push(d),
      cancelled: (reason) => (cancelled = reason),
    });
    await until('3 deliveries', 5_000, () => (got.length >= 3 ? true : undefined));
    expect(got.map((d) => d.payload)).toEqual(['m1', 'm2', 'm3']);
    expect(got[0].properties).toMatchObject({ headers: { n: 1 } });
    expect(await refusal(handle.ack(999, false))).toMatchObject({ kind: 'precondition_failed', code: 406 });
    await handle.ack(got[1].deliveryTag, true);
    await handle.nack(got[2].deliveryTag, false, true);
    await until('redelivery', 5_000, () => (got.length >= 4 ? true : undefined));
    expect(got[3]).toMatchObject({ payload: 'm3', redelivered: true });
    await handle.ack(got[3].deliveryTag, false);
    await handle.cancel();
    expect(cancelled).toBe('');
    expect(await refusal(api.consume(admin, vhost, 'no-such-queue', { prefetch: 1, ack: 'manual', connectionName: 'websocket test' }, {
      canTake: () => true, deliver: () => {}, cancelled: () => {},
    }))).toEqual({ kind: 'not_found', code: 404, detail: `no queue 'no-such-queue' in vhost '${vhost}'` });
    // all three were acked: nothing comes back when the consumer is gone
    expect(await api.get(admin, vhost, 'cq', { count: 5, ackMode: 'ack_requeue_true', encoding: 'auto' })).toEqual([]);
  });

  it('watches a vhost: a snapshot, then an AMQP client\'s declare and delete arrive as diffs (within a second in events mode)', async () => {
    await api.declareQueue(admin, vhost, 'w-existing', { durable: false, autoDelete: false, arguments: {} });
    const changes: TopologyChange[] = [];
    const listener: VhostListener = { topology: (c) => changes.push(...c), stats: () => {}, gone: () => {} };
    const watch = await api.watchVhost(admin, vhost, listener);
    try {
      // the snapshot may come from the topology the server keeps for this vhost (an earlier watch
      // made it): a queue declared just before is then in it, or follows as a diff within the event delay
      if (!watch.snapshot.queues.some((q) => q.name === 'w-existing')) {
        await until('w-existing', 6_000, () => changes.find((c) => c.op === 'add' && c.kind === 'queue' && c.item.name === 'w-existing'));
      }
      expect(watch.snapshot.exchanges.map((e) => e.name)).toContain('amq.topic');
      // events when the cluster has rabbitmq_event_exchange (cluster:up enables it), else polling every 5 s
      const events = (await api.getExchange(admin, '/', 'amq.rabbitmq.event')) !== undefined;
      expect(api.liveMode).toBe(events ? 'events' : 'polling');
      const limit = events ? 1_000 : 6_000;
      const conn = await amqp.connect(`${target!.config.amqpUrl}/${encodeURIComponent(vhost)}`.replace('amqp://', 'amqp://guest:guest@'));
      try {
        const ch = await conn.createChannel();
        const started = Date.now();
        await ch.assertQueue('w-new', { durable: false });
        const added = await until('queue add', limit, () => changes.find((c) => c.op === 'add' && c.kind === 'queue' && c.item.name === 'w-new'));
        // RabbitMQ leaves `consumers` out until its first stats; the console's rows always have it
        expect(added.item).toMatchObject({ vhost, durable: false, consumers: 0 });
        await ch.bindQueue('w-new', 'amq.direct', 'k1');
        await until('binding add', limit, () => changes.find((c) => c.op === 'add' && c.kind === 'binding' && c.item.destination === 'w-new' && c.item.source === 'amq.direct'));
        await ch.deleteQueue('w-new');
        await until('queue remove', limit, () => changes.find((c) => c.op === 'remove' && c.kind === 'queue' && c.item.name === 'w-new'));
        console.log(`declare, bind, delete seen as diffs in ${Date.now() - started} ms (${api.liveMode})`);
      } finally {
        await conn.close();
      }
    } finally {
      watch.close();
    }
  });

  it('ticks stats from the cluster\'s own samples: depths, consumers and the vhost totals', async () => {
    await api.declareQueue(admin, vhost, 'deep', { durable: false, autoDelete: false, arguments: {} });
    for (let i = 0; i < 3; i++) await api.publish(admin, vhost, '', { routingKey: 'deep', properties: {}, body: Buffer.from('x') });
    const ticks: StatsTick[] = [];
    const watch = await api.watchVhost(admin, vhost, { topology: () => {}, stats: (t) => ticks.push(t), gone: () => {} });
    try {
      // RabbitMQ refreshes its numbers every 5 s; ticks follow at that pace
      // the vhost's totals are aggregated from the queues' samples and may come a sample later
      const tick = await until('a tick with the depth', 16_000, () => ticks.find((t) => t.queues.deep?.messages_ready === 3 && t.totals.messages >= 3));
      expect(tick.queues.deep).toMatchObject({ messages_unacknowledged: 0, consumers: 0 });
      expect(tick.totals.messages).toBeGreaterThanOrEqual(3);
      expect(tick.exchanges['amq.direct']).toEqual({ publish_in_rate: expect.any(Number), publish_out_rate: expect.any(Number) });
      // nothing is made up: RabbitMQ counts nothing per binding, consumer or producer
      expect(tick.bindings).toEqual({});
    } finally {
      watch.close();
    }
  });

  it('polls every 5 s when it cannot hear events (no AMQP URL), and says so', async () => {
    const polled = new RemoteBrokerApi({ ...target!.config, amqpUrl: undefined });
    try {
      const me = await polled.authenticate('guest', 'guest', '127.0.0.1');
      const changes: TopologyChange[] = [];
      const watch = await polled.watchVhost(me, vhost, { topology: (c) => changes.push(...c), stats: () => {}, gone: () => {} });
      expect(polled.liveMode).toBe('polling');
      await api.declareExchange(admin, vhost, 'polled-x', { type: 'fanout', durable: false, autoDelete: false, internal: false, arguments: {} });
      const started = Date.now();
      await until('exchange add', 7_000, () => changes.find((c) => c.op === 'add' && c.kind === 'exchange' && c.item.name === 'polled-x'));
      console.log(`polling: a declare seen after ${Date.now() - started} ms`);
      watch.close();
      expect(polled.liveMode).toBe('idle');
    } finally {
      await polled.close();
    }
  });

  it('hears user changes from the event exchange, but not the AMQP logins of every client', async () => {
    const events = (await api.getExchange(admin, '/', 'amq.rabbitmq.event')) !== undefined;
    if (!events) return console.warn('rabbitmq_event_exchange is not enabled here: user events not tested');
    const heard: string[] = [];
    const stop = api.onAccessChange((e) => heard.push(e.type));
    const watch = await api.watchVhost(admin, vhost, { topology: () => {}, stats: () => {}, gone: () => {} });
    try {
      // each is an AMQP login (user.authentication.success), which must not read as a change
      for (let i = 0; i < 3; i++) await (await amqp.connect(target!.config.amqpUrl!.replace('amqp://', 'amqp://guest:guest@'))).close();
      await new Promise((r) => setTimeout(r, 700));
      expect(heard).toEqual([]);
      await api.putUser(admin, limitedUser, { password: 'pw-2', tags: ['management'] });
      await until('users.changed', 2_000, () => (heard.includes('users.changed') ? true : undefined));
    } finally {
      watch.close();
      stop();
    }
  });

  it('tells a watcher its vhost is gone when it is deleted', async () => {
    const other = `${vhost}-gone`;
    await api.putVhost(admin, other, {});
    await api.setPermission(admin, other, 'guest', { configure: '.*', write: '.*', read: '.*' });
    let gone = '';
    const watch = await api.watchVhost(admin, other, { topology: () => {}, stats: () => {}, gone: (r) => (gone = r) });
    await api.deleteVhost(admin, other);
    await until('gone', 6_000, () => (gone !== '' ? gone : undefined));
    expect(gone).toContain(other);
    watch.close();
    expect(await refusal(api.watchVhost(admin, other, { topology: () => {}, stats: () => {}, gone: () => {} }))).toMatchObject({ kind: 'not_found' });
  });

  it('reports the cluster\'s nodes', async () => {
    const nodes = await api.nodes(admin);
    expect(nodes.filter((n) => n.running === true)).toHaveLength(target!.nodes);
    expect(await api.alarms()).toEqual([]);
    const m = await api.metrics();
    expect(m.queues.count).toBeGreaterThan(0);
  });
});

// /api/policies end to end: the HTTP answers RabbitMQ 3.10.8 gives (status codes, bodies, error
// texts, who may do what), what a policy does to queues that amqplib clients use, and that it
// survives a restart. Expected values come from the same requests against a real RabbitMQ 3.10.8.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import type { GetMessage } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, list, obj, startApi, type ApiResponse, type Obj, type TestApi } from './testing';

let api: TestApi;
beforeAll(async () => {
  api = await startApi();
  expect((await api.put('/api/vhosts/pv')).status).toBe(201);
});
afterAll(() => api.close());

const put = (vhost: string, name: string, body: unknown, user?: string) =>
  api.put(`/api/policies/${encodeURIComponent(vhost)}/${encodeURIComponent(name)}`, body, user === undefined ? {} : { user });
const reasonOf = async (r: Promise<ApiResponse>) => obj(await r).reason;

describe('PUT, GET and DELETE /api/policies', () => {
  it('creates (201), updates (204, also when nothing changed) and shows a policy in RabbitMQ’s shape', async () => {
    expect((await put('pv', 'p1', { pattern: '^a', definition: { 'max-length': 5 } })).status).toBe(201);
    expect((await put('pv', 'p1', { pattern: '^a', definition: { 'max-length': 5 } })).status).toBe(204);
    const r = await put('pv', 'p1', { pattern: '^a', definition: { 'max-length': 6, 'dead-letter-exchange': 'd' }, priority: 3, 'apply-to': 'queues', extra: 1 });
    expect([r.status, r.text]).toEqual([204, '']);
    const got = await api.get('/api/policies/pv/p1');
    expect(got.text).toBe('{"vhost":"pv","name":"p1","pattern":"^a","apply-to":"queues","definition":{"dead-letter-exchange":"d","max-length":6},"priority":3}');
    expect(obj(await api.get('/api/policies/pv/p1?columns=name,definition.max-length'))).toEqual({ name: 'p1', definition: { 'max-length': 6 } });
  });

  it('lists by priority, then vhost and name; one vhost or all; columns, no pagination', async () => {
    await put('pv', 'z0', { pattern: 'a', definition: { 'message-ttl': 5, 'max-length': 1 }, priority: -2, 'apply-to': 'all' });
    await put('pv', 'm', { pattern: 'a', definition: { 'max-length': 1 }, priority: 3 });
    await put('/', 'm', { pattern: 'a', definition: { 'max-length': 1 }, priority: 3 });
    const all = list(await api.get('/api/policies'));
    expect(all.map((p) => `${String(p.vhost)}/${String(p.name)}`)).toEqual(['pv/z0', '//m', 'pv/m', 'pv/p1']);
    expect(all[0]).toEqual({ vhost: 'pv', name: 'z0', pattern: 'a', 'apply-to': 'all', definition: { 'max-length': 1, 'message-ttl': 5 }, priority: -2 });
    expect(list(await api.get('/api/policies/pv?columns=name&page=1'))).toEqual([{ name: 'z0' }, { name: 'm' }, { name: 'p1' }]);
    expect(list(await api.get('/api/policies/pv?sort=name&columns=name'))).toEqual([{ name: 'm' }, { name: 'p1' }, { name: 'z0' }]);
    expect((await api.del('/api/policies/%2F/m')).status).toBe(204);
  });

  it('deletes (204, then 404); missing policies and vhosts are 404 as in RabbitMQ', async () => {
    await put('pv', 'gone', { pattern: 'x', definition: { 'max-length': 1 } });
    expect((await api.del('/api/policies/pv/gone')).status).toBe(204);
    const notFound = { error: 'Object Not Found', reason: 'Not Found' };
    for (const r of [await api.del('/api/policies/pv/gone'), await api.get('/api/policies/pv/gone'), await api.get('/api/policies/nosuch'), await api.get('/api/policies/nosuch/x'), await api.del('/api/policies/nosuch/x')]) {
      expect([r.status, r.body]).toEqual([404, notFound]);
    }
    const r = await put('nosuch', 'x', { pattern: 'a', definition: { 'max-length': 1 } });
    expect([r.status, r.body]).toEqual([404, { error: 'not_found', reason: 'vhost_not_found' }]);
  });

  it('refuses bad policies with RabbitMQ’s reasons, HTML-escaped as its API sends them', async () => {
    const bad = (body: Obj) => reasonOf(put('pv', 'bad', body));
    expect(await bad({ pattern: '(', definition: { 'max-length': 5 } })).toBe('Validation failed\n\npattern should be regular expression but is invalid: {"missing )",1}\n');
    expect(await bad({ pattern: 'a', definition: { 'max-length': 5 }, 'apply-to': 'foo' })).toBe(
      "Validation failed\n\napply-to 'foo' unrecognised; should be 'queues', 'exchanges' or 'all'\n",
    );
    expect(await bad({ pattern: 'a', definition: { 'max-lengthx': 5 } })).toBe('Validation failed\n\n[{&lt;&lt;"max-lengthx"&gt;&gt;,5}] are not recognised policy settings\n');
    expect(await bad({ pattern: 'a', definition: { 'max-length': '5' } })).toBe('Validation failed\n\n&lt;&lt;"5"&gt;&gt; is not a valid maximum length\n');
    expect(await bad({ pattern: 'a', definition: { 'max-priority': 5 } })).toBe('Validation failed\n\n[{&lt;&lt;"max-priority"&gt;&gt;,5}] are not recognised policy settings\n');
    expect(await bad({ pattern: 'a', definition: {} })).toBe('Validation failed\n\nno policy provided\n');
    expect(await bad({ pattern: '(', definition: { foo: 1 }, 'apply-to': 'x' })).toBe(
      'Validation failed\n\n[{&lt;&lt;"foo"&gt;&gt;,1}] are not recognised policy settings\n' +
        "apply-to 'x' unrecognised; should be 'queues', 'exchanges' or 'all'\n" +
        'pattern should be regular expression but is invalid: {"missing )",1}\n',
    );
    expect(await bad({ pattern: 'a', definition: { 'max-length': 1 }, priority: '5' })).toBe('Validation failed\n\npriority should be a number, actually was &lt;&lt;"5"&gt;&gt;\n');
    expect(await bad({ definition: { 'max-length': 1 } })).toBe('[{key_missing,pattern}]');
    expect(await bad({})).toBe('[{key_missing,pattern},{key_missing,definition}]');
    expect(await reasonOf(api.put('/api/policies/pv/bad', undefined, { raw: 'notjson' }))).toBe('not_json');
    expect((await api.get('/api/policies/pv/bad')).status).toBe(404);
  });
});

describe('who may see and change policies', () => {
  beforeAll(async () => {
    for (const [user, tags, vhosts] of [['mu', 'management', ['pv']], ['pm', 'policymaker', []], ['pm2', 'policymaker', ['pv']], ['mon', 'monitoring', []]] as const) {
      expect((await api.put(`/api/users/${user}`, { password: user, tags })).status).toBe(201);
      for (const vh of vhosts) await api.put(`/api/permissions/${vh}/${user}`, { configure: '', write: '', read: '' });
    }
    await put('pv', 'vis', { pattern: '^zzz', definition: { 'max-length': 5 } });
  });

  const object = { error: 'not_authorised', reason: 'User not authorised to access object' };
  const vhost = { error: 'not_authorised', reason: 'User not authorised to access virtual host' };

  it('a management user lists the policies of its vhosts, and may not read or change one', async () => {
    expect(list(await api.get('/api/policies', { user: 'mu' })).map((p) => p.vhost)).toEqual(['pv', 'pv', 'pv', 'pv']);
    expect((await api.get('/api/policies/pv', { user: 'mu' })).status).toBe(200);
    for (const r of [
      await api.get('/api/policies/pv/vis', { user: 'mu' }),
      await put('pv', 'vis2', { pattern: 'a', definition: { 'max-length': 1 } }, 'mu'),
      await api.del('/api/policies/pv/vis', { user: 'mu' }),
      await api.del('/api/policies/pv/nosuch', { user: 'mu' }),
    ]) {
      expect([r.status, r.body]).toEqual([401, object]);
    }
  });

  it('a policymaker needs access to the vhost; then reads, sets and clears', async () => {
    expect(list(await api.get('/api/policies', { user: 'pm' }))).toEqual([]);
    const r = await api.get('/api/policies/pv', { user: 'pm' });
    expect([r.status, r.body]).toEqual([401, vhost]);
    expect(obj(await api.get('/api/policies/pv/vis', { user: 'pm' }))).toEqual(object);
    expect((await api.get('/api/policies/pv/vis', { user: 'pm2' })).status).toBe(200);
    expect((await put('pv', 'vis2', { pattern: '^zzz', definition: { 'max-length': 5 } }, 'pm2')).status).toBe(201);
    expect((await api.del('/api/policies/pv/vis2', { user: 'pm2' })).status).toBe(204);
    expect((await api.del('/api/policies/pv/nosuch', { user: 'pm2' })).status).toBe(404);
  });

  it('a monitoring user sees only the vhosts it has permissions in', async () => {
    expect(list(await api.get('/api/policies', { user: 'mon' }))).toEqual([]);
    expect(obj(await api.get('/api/policies/pv', { user: 'mon' }))).toEqual(vhost);
  });
});

describe('queues and exchanges show their policy', () => {
  it('`policy` and `effective_policy_definition` on queues; `policy` on exchanges only when they have one', async () => {
    await api.put('/api/queues/pv/aq', { durable: true });
    await api.put('/api/queues/pv/bq', { durable: true });
    await api.put('/api/exchanges/pv/ax', { type: 'fanout' });
    const queues = list(await api.get('/api/queues/pv?columns=name,policy,effective_policy_definition,operator_policy'));
    // p1 and m both have priority 3: RabbitMQ's pick among equals is undefined, Warren's the first name
    expect(queues).toEqual([
      { effective_policy_definition: { 'max-length': 1 }, name: 'aq', operator_policy: null, policy: 'm' },
      { effective_policy_definition: {}, name: 'bq', operator_policy: null, policy: null },
    ]);
    // m (priority 3, all, pattern "a") beats z0 (priority -2) on exchanges; "" has no "a"
    const exchanges = list(await api.get('/api/exchanges/pv?columns=name,policy'));
    expect(exchanges.find((e) => e.name === '')).toEqual({ name: '' });
    expect(exchanges.find((e) => e.name === 'ax')).toEqual({ name: 'ax', policy: 'm' });
    expect(exchanges.find((e) => e.name === 'amq.direct')).toEqual({ name: 'amq.direct', policy: 'm' });
    await put('pv', 'p1', { pattern: '^a', definition: { 'max-length': 6, 'dead-letter-exchange': 'd' }, priority: 4, 'apply-to': 'queues' });
    expect(obj(await api.get('/api/queues/pv/aq'))).toMatchObject({ policy: 'p1', effective_policy_definition: { 'dead-letter-exchange': 'd', 'max-length': 6 } });
    const ax = await api.get('/api/exchanges/pv/ax');
    expect(Object.keys(obj(ax))).toEqual(['arguments', 'auto_delete', 'durable', 'internal', 'name', 'policy', 'type', 'vhost', 'incoming', 'outgoing']);
  });
});

describe('with amqplib clients', () => {
  // a vhost of its own, away from the catch-all policies above
  beforeAll(async () => {
    expect((await api.put('/api/vhosts/pw')).status).toBe(201);
  });
  it('message-ttl, max-length and dead-letter-exchange take effect on an existing queue, and are lifted when the policy goes', async () => {
    const conn = await api.connect({ vhost: 'pw' });
    const ch = await conn.createChannel();
    await ch.assertExchange('dlx', 'fanout', { durable: false });
    await ch.assertQueue('dead', { durable: false });
    await ch.bindQueue('dead', 'dlx', '');
    await ch.assertQueue('work', { durable: false });
    for (let i = 0; i < 5; i++) ch.sendToQueue('work', Buffer.from(`old${i}`));
    await eventually(async () => (await ch.checkQueue('work')).messageCount === 5);

    // max-length: the two oldest go to the policy's dead-letter exchange at once
    const set = await put('pw', 'limits', { pattern: '^work$', definition: { 'max-length': 3, 'dead-letter-exchange': 'dlx', 'message-ttl': 100 }, 'apply-to': 'queues' });
    expect(set.status).toBe(201);
    expect((await ch.checkQueue('work')).messageCount).toBe(3);
    const dropped: GetMessage[] = [];
    for (let m = await ch.get('dead', { noAck: true }); m !== false; m = await ch.get('dead', { noAck: true })) dropped.push(m);
    expect(dropped.map((m) => m.content.toString())).toEqual(['old0', 'old1']);
    expect(dropped[0].properties.headers?.['x-death']?.[0]).toMatchObject({ reason: 'maxlen', queue: 'work', count: 1 });

    // message-ttl: messages published from now on expire into the dead-letter exchange
    await ch.purgeQueue('work');
    ch.sendToQueue('work', Buffer.from('short-lived'));
    await eventually(async () => (await ch.checkQueue('dead')).messageCount === 1, 3000);
    expect((await ch.checkQueue('work')).messageCount).toBe(0);
    const expired = await ch.get('dead', { noAck: true });
    expect(expired !== false && expired.properties.headers?.['x-death']?.[0]).toMatchObject({ reason: 'expired', queue: 'work' });

    // policy gone: no limit, no TTL, no dead-lettering
    expect((await api.del('/api/policies/pw/limits')).status).toBe(204);
    for (let i = 0; i < 5; i++) ch.sendToQueue('work', Buffer.from(`new${i}`));
    await eventually(async () => (await ch.checkQueue('work')).messageCount === 5);
    await new Promise((r) => setTimeout(r, 250));
    expect((await ch.checkQueue('work')).messageCount).toBe(5);
    expect((await ch.checkQueue('dead')).messageCount).toBe(0);
    const m = await ch.get('work', { noAck: false });
    expect(m !== false && m.content.toString()).toBe('new0');
    expect(m !== false && m.properties.expiration).toBeUndefined();
    if (m !== false) ch.reject(m, false);
    await new Promise((r) => setTimeout(r, 50));
    expect((await ch.checkQueue('dead')).messageCount).toBe(0);
    await conn.close();
  });

  it('the queue’s own arguments combine with the policy as in RabbitMQ', async () => {
    const conn = await api.connect({ vhost: 'pw' });
    const ch = await conn.createChannel();
    await ch.assertQueue('capped', { durable: false, arguments: { 'x-max-length': 2 } });
    await ch.assertQueue('loose', { durable: false, arguments: { 'x-max-length': 10, 'x-overflow': 'reject-publish' } });
    for (let i = 0; i < 5; i++) ch.sendToQueue('loose', Buffer.from('x'));
    await eventually(async () => (await ch.checkQueue('loose')).messageCount === 5);
    await put('pw', 'cap', { pattern: '^(capped|loose)$', definition: { 'max-length': 3 } });
    for (let i = 0; i < 5; i++) ch.sendToQueue('capped', Buffer.from('x'));
    await eventually(async () => (await ch.checkQueue('capped')).messageCount === 2);
    // reject-publish (the argument wins over the policy's default) keeps what it has: only new ones are refused
    expect((await ch.checkQueue('loose')).messageCount).toBe(5);
    await api.del('/api/policies/pw/cap');
    await conn.close();
  });
});

describe('definitions', () => {
  const reference = JSON.parse(readFileSync(new URL('./fixtures/rabbitmq-3.10/definitions.json', import.meta.url), 'utf8')) as Obj;

  it('importing RabbitMQ’s export applies its policy (lazy-logs on demo’s all_logs) and exports it again', async () => {
    const other = await startApi();
    try {
      expect((await other.post('/api/definitions', reference)).status).toBe(204);
      expect(list(await other.get('/api/policies/demo'))).toEqual(reference.policies);
      const q = obj(await other.get('/api/queues/demo/all_logs'));
      expect([q.policy, q.effective_policy_definition]).toEqual(['lazy-logs', { 'max-length': 100000 }]);
      expect(obj(await other.get('/api/definitions')).policies).toEqual(reference.policies);
      // a vhost's export keeps each policy's vhost, as RabbitMQ's does
      expect(obj(await other.get('/api/definitions/demo')).policies).toEqual(reference.policies);
    } finally {
      await other.close();
    }
  });

  it('a per-vhost import puts policies in the target vhost', async () => {
    await api.put('/api/vhosts/pcopy');
    const body = { policies: [{ vhost: 'elsewhere', name: 'imp', pattern: '^x', definition: { 'max-length': 1 } }] };
    expect((await api.post('/api/definitions/pcopy', body)).status).toBe(204);
    expect(obj(await api.get('/api/policies/pcopy/imp'))).toMatchObject({ vhost: 'pcopy', priority: 0, 'apply-to': 'all' });
  });

  it('a bad policy fails the whole import with RabbitMQ’s reason, naming vhost and policy', async () => {
    const fresh = (policy: Obj) => ({ vhosts: [{ name: 'half' }], policies: [{ vhost: 'half', ...policy }] });
    const cases: [Obj, unknown][] = [
      [{ name: 'imp1', pattern: '(', definition: { foo: 1 } }, 'Validation failed\n\n[{&lt;&lt;"foo"&gt;&gt;,1}] are not recognised policy settings\npattern should be regular expression but is invalid: {"missing )",1}\n (half/imp1)'],
      [{ name: 'imp5', definition: { 'max-length': 1 } }, 'Validation failed\n\npattern should be a binary but was undefined\n (half/imp5)'],
      [{ name: 'imp6', pattern: 'x' }, 'Validation failed\n\nparse error while reading policy definition: undefined. Validator: policy_validator.\n (half/imp6)'],
      [{ pattern: '^x', definition: { 'max-length': 1 } }, "policy in virtual host 'half' has undefined name"],
    ];
    for (const [policy, reason] of cases) {
      const r = await api.post('/api/definitions', fresh(policy));
      expect([r.status, r.body]).toEqual([400, { error: 'bad_request', reason }]);
      expect((await api.get('/api/vhosts/half')).status).toBe(404);
    }
    const r = await api.post('/api/definitions', { policies: [{ vhost: 'nosuchvh', name: 'i', pattern: '^x', definition: { 'max-length': 1 } }] });
    expect(r.body).toEqual({ error: 'bad_request', reason: ['no_such_vhost', 'nosuchvh'] });
  });
});

describe('restart', () => {
  it('a policy survives, and recovered queues start with its settings', async () => {
    const dataDir = await mkdtemp(`${tmpdir()}/warren-policies-`);
    try {
      const first = await startApi({ dataDir });
      const conn = await first.connect();
      const ch = await conn.createConfirmChannel();
      await ch.assertQueue('kept', { durable: true });
      for (let i = 0; i < 5; i++) ch.sendToQueue('kept', Buffer.from(`m${i}`), { persistent: true });
      await ch.waitForConfirms();
      const body = { pattern: '^kept$', definition: { 'max-length': 3 }, priority: 2, 'apply-to': 'queues' };
      expect((await first.put('/api/policies/%2F/cap', body)).status).toBe(201);
      expect((await ch.checkQueue('kept')).messageCount).toBe(3);
      await first.close();

      const second = await startApi({ dataDir });
      try {
        expect(obj(await second.get('/api/policies/%2F/cap'))).toEqual({ vhost: '/', name: 'cap', pattern: '^kept$', 'apply-to': 'queues', definition: { 'max-length': 3 }, priority: 2 });
        const q = obj(await second.get('/api/queues/%2F/kept'));
        expect([q.messages, q.policy]).toEqual([3, 'cap']);
        const c2 = await second.connect();
        const ch2 = await c2.createConfirmChannel();
        // still capped at 3: m5 pushes out the oldest, m2
        ch2.sendToQueue('kept', Buffer.from('m5'), { persistent: true });
        await ch2.waitForConfirms();
        const bodies: string[] = [];
        for (let m = await ch2.get('kept', { noAck: true }); m !== false; m = await ch2.get('kept', { noAck: true })) bodies.push(m.content.toString());
        expect(bodies).toEqual(['m3', 'm4', 'm5']);
        // and clearing it is remembered too
        expect((await second.del('/api/policies/%2F/cap')).status).toBe(204);
      } finally {
        await second.close();
      }
      const third = await startApi({ dataDir });
      try {
        expect(list(await third.get('/api/policies'))).toEqual([]);
      } finally {
        await third.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { list, obj, startApi, type Obj, type TestApi } from './testing';

const REFERENCE = new URL('./fixtures/rabbitmq-3.10/', import.meta.url);
const readJson = (file: string) => JSON.parse(readFileSync(new URL(file, REFERENCE), 'utf8')) as Obj;
const reference = readJson('definitions.json');
const referenceVhost = readJson('definitions-vhost-demo.json');

/** Entries of a section as comparable strings, order ignored. */
const entries = (defs: Obj, key: string) => (defs[key] as Obj[]).map((e) => JSON.stringify(e, Object.keys(e).sort())).sort();

let api: TestApi;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api.close());

describe('POST /api/definitions', () => {
  it('imports RabbitMQ’s export: vhosts, users with working passwords, permissions, topology', async () => {
    const r = await api.post('/api/definitions', reference);
    expect(r.status).toBe(204);
    expect(list(await api.get('/api/vhosts?columns=name')).map((v) => v.name)).toEqual(['/', 'demo']);
    expect(obj(await api.get('/api/whoami', { user: 'alice', password: 'alice-secret' }))).toEqual({ name: 'alice', tags: ['management'] });
    expect(obj(await api.get('/api/permissions/demo/alice'))).toMatchObject({ configure: '^alice\\..*' });
    const pdf = obj(await api.get('/api/queues/demo/pdf_jobs'));
    expect(pdf.arguments).toEqual({ 'x-dead-letter-exchange': 'dlx', 'x-max-length': 1000, 'x-max-priority': 10, 'x-message-ttl': 60000 });
    expect(obj(await api.get('/api/exchanges/demo/orders')).arguments).toEqual({ 'alternate-exchange': 'unrouted' });
    const hdrs = list(await api.get('/api/bindings/demo/e/hdrs/q/pdf_jobs'));
    expect(hdrs[0].arguments).toEqual({ format: 'pdf', type: 'report', 'x-match': 'all' });
    expect(list(await api.get('/api/bindings/demo/e/orders/e/topic_logs'))[0].routing_key).toBe('order.#');
  });

  it('exports what it imported, in the same format', async () => {
    const exported = obj(await api.get('/api/definitions'));
    expect(Object.keys(exported)).toEqual(Object.keys(reference));
    expect(exported.product_name).toBe('Warren');
    for (const key of ['queues', 'exchanges', 'bindings', 'permissions']) expect(entries(exported, key), key).toEqual(entries(reference, key));
    const alice = (exported.users as Obj[]).find((u) => u.name === 'alice');
    expect(alice).toEqual((reference.users as Obj[]).find((u) => u.name === 'alice'));
    // the reference's one policy (lazy-logs on demo) is applied, not skipped, and exported again
    expect(exported.policies).toEqual(reference.policies);
  });

  it('works through a live topology: messages route as the definitions say', async () => {
    const r = await api.post('/api/exchanges/demo/orders/publish', { properties: {}, routing_key: 'order.critical', payload: 'x', payload_encoding: 'string' });
    expect(r.body).toEqual({ routed: true });
    expect(obj(await api.get('/api/queues/demo/errors')).messages).toBe(1);
    expect(obj(await api.get('/api/queues/demo/all_logs')).messages).toBe(1);
    await api.post('/api/exchanges/demo/orders/publish', { properties: {}, routing_key: 'nothing.matches', payload: 'x', payload_encoding: 'string' });
    expect(obj(await api.get('/api/queues/demo/lost')).messages).toBe(1);
  });

  it('imports again without complaint (everything equivalent)', async () => {
    expect((await api.post('/api/definitions', reference)).status).toBe(204);
  });
});

describe('POST /api/definitions/{vhost}', () => {
  it('imports a vhost export into another vhost and exports it back the same', async () => {
    await api.put('/api/vhosts/copy');
    expect((await api.post('/api/definitions/copy', referenceVhost)).status).toBe(204);
    const exported = obj(await api.get('/api/definitions/copy'));
    expect(Object.keys(exported)).toEqual(Object.keys(referenceVhost));
    for (const key of ['queues', 'exchanges', 'bindings']) expect(entries(exported, key), key).toEqual(entries(referenceVhost, key));
  });

  it('answers 404 for a vhost that does not exist', async () => {
    expect((await api.post('/api/definitions/nosuch', referenceVhost)).status).toBe(404);
  });

  it('leaves exclusive queues and built-in exchanges out of exports', async () => {
    const conn = await api.connect({ vhost: 'copy' });
    const ch = await conn.createChannel();
    const { queue } = await ch.assertQueue('', { exclusive: true });
    await ch.bindQueue(queue, 'logs', '');
    const exported = obj(await api.get('/api/definitions/copy'));
    expect((exported.queues as Obj[]).map((q) => q.name)).not.toContain(queue);
    expect((exported.bindings as Obj[]).map((b) => b.destination)).not.toContain(queue);
    expect((exported.exchanges as Obj[]).some((e) => String(e.name).startsWith('amq.') || e.name === '')).toBe(false);
    await conn.close();
  });
});

describe('a bad import changes nothing', () => {
  const fresh = (extra: Obj) => ({
    vhosts: [{ name: 'half' }],
    users: [{ name: 'half-user', password_hash: '', tags: '' }],
    queues: [{ name: 'hq', vhost: 'half', durable: true, auto_delete: false, arguments: {} }],
    exchanges: [{ name: 'hx', vhost: 'half', type: 'fanout', durable: true, auto_delete: false, internal: false, arguments: {} }],
    bindings: [{ source: 'hx', vhost: 'half', destination: 'hq', destination_type: 'queue', routing_key: '', arguments: {} }],
    ...extra,
  });

  const cases: [string, Obj, unknown][] = [
    ['unknown exchange type', { exchanges: [{ name: 'hx', vhost: 'half', type: 'bogus' }] }, "unknown exchange type 'bogus'"],
    ['binding from a missing exchange', { bindings: [{ source: 'nosuch', vhost: 'half', destination: 'hq', destination_type: 'queue' }] }, "no exchange 'nosuch' in vhost 'half'"],
    ['binding to a missing queue', { bindings: [{ source: 'hx', vhost: 'half', destination: 'nosuch', destination_type: 'queue' }] }, "no queue 'nosuch' in vhost 'half'"],
    ['bad destination type', { bindings: [{ source: 'hx', vhost: 'half', destination: 'hq', destination_type: 'topic' }] }, ['invalid_destination_type', 'topic']],
    ['queue in an unknown vhost', { queues: [{ name: 'q', vhost: 'nowhere' }] }, ['no_such_vhost', 'nowhere']],
    ['bad queue argument', { queues: [{ name: 'hq', vhost: 'half', arguments: { 'x-max-length': -1 } }] }, expect.stringMatching(/^invalid arg 'x-max-length'/)],
    ['bad password hash', { users: [{ name: 'u', password_hash: '!!', tags: '' }] }, ['not_base64', '!!']],
    ['permission for an unknown user', { permissions: [{ user: 'nobody', vhost: 'half', configure: '', write: '', read: '' }] }, ['no_such_user', 'nobody']],
    ['permission with a bad regex', { permissions: [{ user: 'half-user', vhost: 'half', configure: '(', write: '', read: '' }] }, expect.arrayContaining(['invalid_regexp'])],
    ['a section that is not a list', { queues: {} }, ['not_a_list', 'queues']],
    ['a queue defined twice, differently', { queues: [{ name: 'hq', vhost: 'half', durable: true }, { name: 'hq', vhost: 'half', durable: false }] }, "inequivalent definitions of queue 'hq' in vhost 'half'"],
    ['a reserved name', { exchanges: [{ name: 'amq.mine', vhost: 'half', type: 'direct' }] }, "exchange name 'amq.mine' contains reserved prefix 'amq.*'"],
    ['a missing key', { queues: [{ vhost: 'half' }] }, '[{key_missing,name}]'],
  ];

  for (const [what, extra, reason] of cases) {
    it(what, async () => {
      const r = await api.post('/api/definitions', fresh(extra));
      expect(r.status).toBe(400);
      expect(r.body).toEqual({ error: 'bad_request', reason });
      expect((await api.get('/api/vhosts/half')).status).toBe(404);
      expect((await api.get('/api/users/half-user')).status).toBe(404);
    });
  }

  it('refuses redeclaring an existing queue differently', async () => {
    await api.put('/api/queues/%2F/exists', { durable: true });
    const r = await api.post('/api/definitions', { vhosts: [{ name: 'half' }], queues: [{ name: 'exists', vhost: '/', durable: false }] });
    expect(r.status).toBe(400);
    expect(obj(r).reason).toBe("inequivalent arg 'durable' for queue 'exists' in vhost '/': received 'false' but current is 'true'");
    expect((await api.get('/api/vhosts/half')).status).toBe(404);
  });

  it('refuses a body that is not JSON', async () => {
    const r = await api.request('POST', '/api/definitions', undefined, { raw: '{nope' });
    expect(r.body).toEqual({ error: 'bad_request', reason: 'failed_to_parse_json' });
  });

  it('and the good version of the same file imports', async () => {
    expect((await api.post('/api/definitions', fresh({}))).status).toBe(204);
    expect(list(await api.get('/api/bindings/half/e/hx/q/hq'))).toHaveLength(1);
  });
});

describe('round trip between two brokers', () => {
  it('imports one broker’s export into another unchanged', async () => {
    const exported = obj(await api.get('/api/definitions'));
    const other = await startApi();
    try {
      expect((await other.post('/api/definitions', exported)).status).toBe(204);
      const again = obj(await other.get('/api/definitions'));
      for (const key of ['vhosts', 'queues', 'exchanges', 'bindings', 'permissions', 'users', 'policies']) expect(entries(again, key), key).toEqual(entries(exported, key));
    } finally {
      await other.close();
    }
  });
});

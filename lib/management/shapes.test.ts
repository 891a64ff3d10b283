// Warren's answers against RabbitMQ 3.10.8's, recorded in ./fixtures/rabbitmq-3.10/api
// for the same topology (the reference definitions, a worker `worker-1` with prefetch 10 on
// task_queue over a connection named `sample-worker`). Field names, nesting and JSON types must
// match; a few Erlang-runtime fields (garbage collection, reductions, ...) are not Warren's to have.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, list, obj, startApi, type Obj, type TestApi } from './testing';

const API = new URL('./fixtures/rabbitmq-3.10/api/', import.meta.url);
const ref = (file: string): unknown => JSON.parse(readFileSync(new URL(file, API), 'utf8'));

/** Fields RabbitMQ has from its Erlang runtime or features Warren does not have. */
const NOT_WARREN = new Set([
  'garbage_collection', 'reductions', 'reductions_details', 'backing_queue_status', 'idle_since', 'user_who_performed_action',
  'erlang_version', 'erlang_full_version', 'release_series_support_status', 'recv_cnt', 'send_cnt',
  'disk_reads', 'disk_reads_details', 'disk_writes', 'disk_writes_details',
]);

type Json = unknown;
const kind = (v: Json) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/** Every path where `ours` lacks a field of `theirs` or has another JSON type; null in either matches anything. */
function shapeDiff(theirs: Json, ours: Json, path = '$'): string[] {
  if (theirs === null || ours === null) return [];
  if (kind(theirs) !== kind(ours)) return [`${path}: ${kind(theirs)} in RabbitMQ, ${kind(ours)} in Warren`];
  if (Array.isArray(theirs) && Array.isArray(ours)) {
    return theirs.length > 0 && ours.length > 0 ? shapeDiff(theirs[0], ours[0], `${path}[0]`) : [];
  }
  if (kind(theirs) !== 'object') return [];
  const t = theirs as Obj;
  const o = ours as Obj;
  const diffs: string[] = [];
  for (const k of Object.keys(t)) {
    if (NOT_WARREN.has(k)) continue;
    // maps keyed by node name, and RabbitMQ-only free-form tables
    if (path.endsWith('cluster_state') || ['client_properties', 'socket_opts', 'effective_policy_definition'].includes(k)) continue;
    if (!(k in o)) diffs.push(`${path}.${k}: missing in Warren`);
    else diffs.push(...shapeDiff(t[k], o[k], `${path}.${k}`));
  }
  return diffs;
}

/** Lists of named things: compare each reference entry with Warren's entry of the same name. */
function byName(theirs: Json, ours: Json, key = 'name'): string[] {
  const mine = new Map((ours as Obj[]).map((x) => [String(x[key]), x]));
  return (theirs as Obj[]).flatMap((x) => {
    const name = String(x[key]);
    if (NOT_WARREN.has(name)) return [];
    const m = mine.get(name);
    return m === undefined ? [`${name}: missing in Warren`] : shapeDiff(x, m, name);
  });
}

let api: TestApi;
beforeAll(async () => {
  api = await startApi();
  expect((await api.post('/api/definitions', ref('../definitions.json'))).status).toBe(204);
  const worker = await api.connect({ vhost: 'demo', name: 'sample-worker' });
  const ch = await worker.createChannel();
  await ch.prefetch(10);
  await ch.consume('task_queue', (m) => m && ch.ack(m), { consumerTag: 'worker-1' });
  const pub = await worker.createConfirmChannel();
  pub.sendToQueue('task_queue', Buffer.from('job'));
  pub.publish('topic_logs', 'kern.critical', Buffer.from('log'));
  pub.publish('direct_logs', 'error', Buffer.from('err'));
  await pub.waitForConfirms();
  await eventually(async () => (obj(await api.get('/api/queues/demo/task_queue')).message_stats as Obj | undefined)?.ack === 1);
});
afterAll(() => api.close());

describe('shapes match RabbitMQ 3.10.8', () => {
  const cases: [string, string, (theirs: Json, ours: Json) => string[]][] = [
    ['overview.json', '/api/overview', shapeDiff],
    ['whoami.json', '/api/whoami', shapeDiff],
    ['vhosts.json', '/api/vhosts', byName],
    ['exchanges-demo.json', '/api/exchanges/demo', byName],
    ['exchange-topic_logs.json', '/api/exchanges/demo/topic_logs', shapeDiff],
    ['queues-demo.json', '/api/queues/demo', byName],
    ['queue-task_queue.json', '/api/queues/demo/task_queue', shapeDiff],
    ['connections.json', '/api/connections', (t, o) => shapeDiff((t as Json[])[0], (o as Json[])[0])],
    ['channels.json', '/api/channels', (t, o) => shapeDiff((t as Json[])[0], (o as Json[])[0]).concat(shapeDiff((t as Json[])[1], (o as Json[])[1]))],
    ['consumers.json', '/api/consumers', shapeDiff],
    ['users.json', '/api/users', byName],
    ['permissions.json', '/api/permissions', shapeDiff],
    ['health-checks-alarms.json', '/api/health/checks/alarms', shapeDiff],
  ];
  for (const [file, path, compare] of cases) {
    it(`${path} as ${file}`, async () => {
      const r = await api.get(path);
      expect(r.status).toBe(200);
      expect(compare(ref(file), r.body)).toEqual([]);
    });
  }

  it('answers with the same data where the data is the same', async () => {
    // bindings: the same list, except the hash part of a properties_key with arguments
    const bindings = (v: Json) => (v as Obj[]).map((b) => ({ ...b, properties_key: String(b.properties_key).replace(/~.+$/, '~#') }));
    expect(bindings((await api.get('/api/bindings/demo')).body)).toEqual(bindings(ref('bindings-demo.json')));
    expect(list(await api.get('/api/exchanges/demo/orders/bindings/source'))).toEqual(ref('exchange-orders-bindings-source.json'));
    expect(list(await api.get('/api/queues/demo/errors/bindings'))).toEqual(ref('queue-errors-bindings.json'));
    expect(await api.get('/api/aliveness-test/demo').then((r) => r.body)).toEqual(ref('aliveness-test-demo.json'));
    expect(list(await api.get('/api/users'))).toEqual(ref('users.json'));
    const perms = (v: Json) => (v as Obj[]).map((p) => JSON.stringify(p)).sort();
    expect(perms((await api.get('/api/permissions')).body)).toEqual(perms(ref('permissions.json')));
  });

  it('POST publish and get as post-exchange-publish.json and post-queue-get.json', async () => {
    const pub = await api.post('/api/exchanges/demo/direct_logs/publish', {
      properties: { headers: {} }, routing_key: 'error', payload: 'err 0', payload_encoding: 'string',
    });
    expect(pub.body).toEqual(ref('post-exchange-publish.json'));
    const got = await api.post('/api/queues/demo/errors/get', { count: 2, ackmode: 'ack_requeue_true', encoding: 'auto' });
    expect(shapeDiff(ref('post-queue-get.json'), got.body)).toEqual([]);
  });
});

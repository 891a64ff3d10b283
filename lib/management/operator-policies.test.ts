// Operator policies as RabbitMQ 3.10 has them: an administrator's limits (expires, message-ttl,
// max-length, max-length-bytes, max-in-memory-*, delivery-limit) applied together with the user
// policy, the stricter value winning. Checked through the management API and by what queues do.
// The expectations were taken from RabbitMQ 3.10.8; to check them there:
//
//   RABBITMQ_API=http://127.0.0.1:15672 RABBITMQ_AMQP_PORT=5672 npx vitest run lib/management/operator-policies.test.ts
import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, seg, type TestApi } from './testing';

const EXTERNAL = process.env.RABBITMQ_API;
const VH = 'op.vh';
const OP = `/api/operator-policies/${seg(VH)}`;
const MGMT = 'op-mgmt';

let warren: TestApi | undefined;
let base = '';
let amqpPort = 0;

interface Reply {
  status: number;
  body: unknown;
}

async function http(method: string, p: string, body?: unknown, user = 'guest'): Promise<Reply> {
  const headers: Record<string, string> = { authorization: `Basic ${Buffer.from(`${user}:${user}`).toString('base64')}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(base + p, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

async function ok(method: string, p: string, body?: unknown): Promise<void> {
  const r = await http(method, p, body);
  if (r.status >= 300) throw new Error(`${method} ${p}: ${r.status} ${JSON.stringify(r.body)}`);
}

/** RabbitMQ updates a queue's policy fields in its stats, every few seconds. */
async function queueRow(name: string, until: (row: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const row = (await http('GET', `/api/queues/${seg(VH)}/${name}`)).body as Record<string, unknown>;
    if (until(row) || Date.now() > deadline) return row;
    await new Promise((r) => setTimeout(r, 250));
  }
}

beforeAll(async () => {
  if (EXTERNAL !== undefined) {
    base = EXTERNAL;
    amqpPort = Number(process.env.RABBITMQ_AMQP_PORT ?? 5672);
  } else {
    warren = await startApi();
    base = warren.baseUrl;
    amqpPort = warren.broker.port;
  }
  await http('DELETE', `/api/vhosts/${seg(VH)}`);
  await ok('PUT', `/api/vhosts/${seg(VH)}`, {});
  await ok('PUT', `/api/permissions/${seg(VH)}/guest`, { configure: '.*', write: '.*', read: '.*' });
  await ok('PUT', `/api/users/${MGMT}`, { password: MGMT, tags: 'management' });
  await ok('PUT', `/api/permissions/${seg(VH)}/${MGMT}`, { configure: '.*', write: '.*', read: '.*' });
}, 60_000);

afterAll(async () => {
  await http('DELETE', `/api/vhosts/${seg(VH)}`);
  await http('DELETE', `/api/users/${MGMT}`);
  await warren?.close();
});

describe('operator policies in the management API', () => {
  it('creates (201), updates (204), reads, lists by priority and deletes (204, then 404)', async () => {
    const body = { pattern: '^crud', definition: { 'max-length': 5, 'message-ttl': 1000 }, 'apply-to': 'queues', priority: 1 };
    expect((await http('PUT', `${OP}/crud1`, body)).status).toBe(201);
    expect((await http('PUT', `${OP}/crud1`, body)).status).toBe(204);
    expect((await http('PUT', `${OP}/crud0`, { pattern: '^crud', definition: { expires: 60_000 } })).status).toBe(201);
    expect((await http('GET', `${OP}/crud1`)).body).toEqual({ vhost: VH, name: 'crud1', pattern: '^crud', 'apply-to': 'queues', definition: { 'max-length': 5, 'message-ttl': 1000 }, priority: 1 });
    const listed = (await http('GET', OP)).body as { name: string }[];
    expect(listed.map((p) => p.name)).toEqual(['crud0', 'crud1']);
    // management users list those of their vhosts, only administrators read or change one
    expect(((await http('GET', OP, undefined, MGMT)).body as unknown[]).length).toBe(2);
    for (const [method, b] of [['GET', undefined], ['PUT', body], ['DELETE', undefined]] as const) {
      const r = await http(method, `${OP}/crud1`, b, MGMT);
      expect([method, r.status, r.body]).toEqual([method, 401, { error: 'not_authorised', reason: 'Not administrator user' }]);
    }
    expect((await http('DELETE', `${OP}/crud1`)).status).toBe(204);
    expect((await http('DELETE', `${OP}/crud0`)).status).toBe(204);
    expect((await http('GET', `${OP}/crud1`)).status).toBe(404);
    expect((await http('DELETE', `${OP}/crud1`)).status).toBe(404);
  });

  it('refuses what RabbitMQ refuses, in its words (not HTML-escaped, unlike user policies)', async () => {
    const refusal = async (body: unknown, vh = VH) => (await http('PUT', `/api/operator-policies/${seg(vh)}/bad`, body)).body;
    const failed = (line: string) => ({ error: 'bad_request', reason: `Validation failed\n\n${line}\n` });
    expect(await refusal({ pattern: 'a', definition: { 'dead-letter-exchange': 'x' } })).toEqual(failed('[{<<"dead-letter-exchange">>,<<"x">>}] are not recognised policy settings'));
    expect(await refusal({ pattern: 'a', definition: { 'max-length': 5, 'ha-mode': 'all' } })).toEqual(failed('[{<<"ha-mode">>,<<"all">>}] are not recognised policy settings'));
    expect(await refusal({ pattern: 'a', definition: { 'max-length': -1 } })).toEqual(failed('-1 is not a valid maximum length'));
    expect(await refusal({ pattern: 'a', definition: { 'delivery-limit': 'x' } })).toEqual(failed('<<"x">> is not a valid delivery limit'));
    expect(await refusal({ pattern: 'a', definition: { expires: 0 } })).toEqual(failed('0 is not a valid queue expiry'));
    expect(await refusal({ pattern: 'a', definition: {} })).toEqual(failed('no policy provided'));
    expect(await refusal({ pattern: '(', definition: { 'max-length': 5 } })).toEqual(failed('pattern should be regular expression but is invalid: {"missing )",1}'));
    expect(await refusal({ pattern: 'a', definition: { 'max-length': 5 }, 'apply-to': 'bogus' })).toEqual(failed("apply-to 'bogus' unrecognised; should be 'queues', 'exchanges' or 'all'"));
    expect(await refusal({ pattern: 'a', definition: { 'max-length': 5 } }, 'no-such-vh')).toEqual({ error: 'not_found', reason: 'vhost_not_found' });
  });
});

describe('operator policies on queues', () => {
  it('joins the user policy: the smaller limit wins, shown in effective_policy_definition and operator_policy', async () => {
    await ok('PUT', `/api/policies/${seg(VH)}/user-limits`, { pattern: '^lim', definition: { 'max-length': 10, 'message-ttl': 500_000, overflow: 'drop-head' } });
    await ok('PUT', `${OP}/op-limits`, { pattern: '^lim', definition: { 'max-length': 5, 'message-ttl': 900_000 }, 'apply-to': 'queues' });
    const conn = await amqp.connect(`amqp://guest:guest@127.0.0.1:${amqpPort}/${seg(VH)}`);
    try {
      const ch = await conn.createConfirmChannel();
      await ch.assertQueue('lim-q', { durable: false });
      for (let i = 0; i < 8; i++) ch.sendToQueue('lim-q', Buffer.from(String(i)));
      await ch.waitForConfirms();
      expect((await ch.checkQueue('lim-q')).messageCount).toBe(5);
      const row = await queueRow('lim-q', (r) => r.operator_policy === 'op-limits');
      expect({ policy: row.policy, operator_policy: row.operator_policy, effective_policy_definition: row.effective_policy_definition }).toEqual({
        policy: 'user-limits',
        operator_policy: 'op-limits',
        effective_policy_definition: { 'max-length': 5, 'message-ttl': 500_000, overflow: 'drop-head' },
      });
      // a laxer operator limit: the user policy's max-length holds, the queue keeps what it has
      await ok('PUT', `${OP}/op-limits`, { pattern: '^lim', definition: { 'max-length': 50 }, 'apply-to': 'queues' });
      for (let i = 0; i < 8; i++) ch.sendToQueue('lim-q', Buffer.from(String(i)));
      await ch.waitForConfirms();
      expect((await ch.checkQueue('lim-q')).messageCount).toBe(10);
      // gone: the user policy alone
      await ok('DELETE', `${OP}/op-limits`);
      const after = await queueRow('lim-q', (r) => r.operator_policy === null);
      expect([after.operator_policy, after.effective_policy_definition]).toEqual([null, { 'max-length': 10, 'message-ttl': 500_000, overflow: 'drop-head' }]);
    } finally {
      await conn.close().catch(() => {});
    }
  }, 60_000);

  it('applies alone where no user policy matches, and exports as RabbitMQ does (a runtime parameter)', async () => {
    await ok('PUT', `${OP}/solo`, { pattern: '^solo', definition: { 'max-length': 2 }, priority: 3 });
    const conn = await amqp.connect(`amqp://guest:guest@127.0.0.1:${amqpPort}/${seg(VH)}`);
    try {
      const ch = await conn.createConfirmChannel();
      await ch.assertQueue('solo-q', { durable: false });
      for (let i = 0; i < 4; i++) ch.sendToQueue('solo-q', Buffer.from(String(i)));
      await ch.waitForConfirms();
      expect((await ch.checkQueue('solo-q')).messageCount).toBe(2);
    } finally {
      await conn.close().catch(() => {});
    }
    const defs = (await http('GET', '/api/definitions')).body as { parameters: Record<string, unknown>[] };
    expect(defs.parameters.filter((p) => p.vhost === VH)).toEqual([
      { value: { pattern: '^solo', definition: { 'max-length': 2 }, priority: 3, 'apply-to': 'all' }, vhost: VH, component: 'operator_policy', name: 'solo' },
    ]);
    const vhostDefs = (await http('GET', `/api/definitions/${seg(VH)}`)).body as { parameters: unknown[] };
    expect(vhostDefs.parameters).toEqual(defs.parameters.filter((p) => p.vhost === VH));
    if (warren === undefined) return;
    // into a second, empty Warren: the same policy, acting on a new queue there
    const second = await startApi();
    try {
      const imported = await second.post('/api/definitions', defs);
      expect([imported.status, imported.text]).toEqual([204, '']);
      expect((await second.get(`${OP}/solo`)).body).toEqual((await http('GET', `${OP}/solo`)).body);
      const conn2 = await second.connect({ vhost: VH });
      const ch2 = await conn2.createConfirmChannel();
      await ch2.assertQueue('solo-2', { durable: false });
      for (let i = 0; i < 4; i++) ch2.sendToQueue('solo-2', Buffer.from(String(i)));
      await ch2.waitForConfirms();
      expect((await ch2.checkQueue('solo-2')).messageCount).toBe(2);
    } finally {
      await second.close();
    }
  });
});

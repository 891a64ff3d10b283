// Topic authorisation as RabbitMQ 3.10 has it: per user, vhost and exchange, a write pattern for
// the routing keys of publishes and a read pattern for the keys of bindings to a topic exchange.
// Checked from amqplib and pika over real sockets, and through the management API (its answers,
// its publish and bind). The expectations were taken from RabbitMQ 3.10.8; to check them there:
//
//   RABBITMQ_API=http://127.0.0.1:15672 RABBITMQ_AMQP_PORT=5672 npx vitest run lib/management/topic-permissions.test.ts
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, seg, type TestApi } from './testing';

const EXTERNAL = process.env.RABBITMQ_API;
const PIKA = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../broker/test/pika/topic_permissions.py');

const VH = 'tp.vh';
const USER = 'tp-user';
const OTHER = 'tp-other';
const PW = 'tp-secret';
const FULL = { configure: '.*', write: '.*', read: '.*' };

let warren: TestApi | undefined;
let base = '';
let amqpPort = 0;

interface Reply {
  status: number;
  body: unknown;
  text: string;
}

async function http(method: string, p: string, body?: unknown, user = 'guest', password = user): Promise<Reply> {
  const headers: Record<string, string> = { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(base + p, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, body: parsed, text };
}

async function ok(method: string, p: string, body?: unknown): Promise<void> {
  const r = await http(method, p, body);
  if (r.status >= 300) throw new Error(`${method} ${p}: ${r.status} ${r.text}`);
}

const url = (user: string) => `amqp://${user}:${PW}@127.0.0.1:${amqpPort}/${encodeURIComponent(VH)}`;

const refused = (key: string, user = USER, exchange = 'amq.topic') =>
  `ACCESS_REFUSED - access to topic '${key}' in exchange '${exchange}' in vhost '${VH}' refused for user '${user}'`;

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
  for (const u of [USER, OTHER]) {
    await ok('PUT', `/api/users/${u}`, { password: PW, tags: '' });
    await ok('PUT', `/api/permissions/${seg(VH)}/${u}`, FULL);
  }
  await ok('PUT', `/api/permissions/${seg(VH)}/guest`, FULL);
  await ok('PUT', `/api/exchanges/${seg(VH)}/tp.direct`, { type: 'direct' });
  // {vhost} and {username} are the connection's; `.` in them is not escaped (RabbitMQ 3.10 does not)
  await ok('PUT', `/api/topic-permissions/${seg(VH)}/${USER}`, { exchange: 'amq.topic', write: '^{vhost}\\.{username}\\.', read: '^r\\.|^{client_id}$' });
  // a pattern on a direct exchange does not apply: topic authorisation is for topic exchanges
  await ok('PUT', `/api/topic-permissions/${seg(VH)}/${USER}`, { exchange: 'tp.direct', write: '^$', read: '^$' });
}, 60_000);

afterAll(async () => {
  await http('DELETE', `/api/vhosts/${seg(VH)}`);
  for (const u of [USER, OTHER]) await http('DELETE', `/api/users/${u}`);
  await warren?.close();
});

describe('topic authorisation over AMQP (amqplib)', () => {
  /** Runs `op` on a fresh channel; the channel's close reason, or 'ok'. */
  async function attempt(user: string, op: (ch: amqp.ConfirmChannel) => Promise<unknown>): Promise<string> {
    const conn = await amqp.connect(url(user));
    conn.on('error', () => {});
    try {
      const ch = await conn.createConfirmChannel();
      const closed = new Promise<string>((resolve) => {
        ch.on('error', (err: Error) => resolve(err.message.replace(/^Channel closed by server: /, '')));
      });
      const done = op(ch).then(() => 'ok', () => undefined);
      const first = await Promise.race([done, closed]);
      return first ?? (await closed);
    } finally {
      await conn.close().catch(() => {});
    }
  }

  const publish = (key: string, exchange = 'amq.topic') => (ch: amqp.ConfirmChannel) =>
    new Promise<void>((resolve, reject) => ch.publish(exchange, key, Buffer.from('x'), {}, (err) => (err ? reject(err) : resolve())));

  it('publishes with a routing key that matches the write pattern, expanded for the user and vhost', async () => {
    expect(await attempt(USER, publish(`${VH}.${USER}.a`))).toBe('ok');
    // unescaped: `.` of the vhost's name matches any character
    expect(await attempt(USER, publish(`tpXvh.${USER}.a`))).toBe('ok');
  });

  it('refuses another routing key with 403 and RabbitMQ 3.10’s words', async () => {
    expect(await attempt(USER, publish('other.key'))).toBe(`403 (ACCESS-REFUSED) with message "${refused('other.key')}"`);
  });

  // a channel keeps the exchange it last published to: the routing key is still checked per message
  it('refuses a key the pattern does not match after keys it does on the same channel', async () => {
    const both = async (ch: amqp.ConfirmChannel) => {
      await publish(`${VH}.${USER}.a`)(ch);
      await publish(`${VH}.${USER}.b`)(ch);
      await publish('other.key')(ch);
    };
    expect(await attempt(USER, both)).toBe(`403 (ACCESS-REFUSED) with message "${refused('other.key')}"`);
  });

  it('leaves users without topic permissions, and non-topic exchanges, unrestricted', async () => {
    expect(await attempt(OTHER, publish('other.key'))).toBe('ok');
    expect(await attempt(USER, publish('anything', 'tp.direct'))).toBe('ok');
  });

  it('checks queue.bind and queue.unbind keys against the read pattern; {client_id} stays literal for AMQP 0-9-1', async () => {
    const bind = (key: string, unbind = false) => async (ch: amqp.ConfirmChannel) => {
      const q = (await ch.assertQueue('', { exclusive: true })).queue;
      await (unbind ? ch.unbindQueue(q, 'amq.topic', key) : ch.bindQueue(q, 'amq.topic', key));
    };
    expect(await attempt(USER, bind('r.allowed'))).toBe('ok');
    expect(await attempt(USER, bind('{client_id}'))).toBe('ok');
    expect(await attempt(USER, bind('w.other'))).toBe(`403 (ACCESS-REFUSED) with message "${refused('w.other')}"`);
    expect(await attempt(USER, bind('w.other', true))).toBe(`403 (ACCESS-REFUSED) with message "${refused('w.other')}"`);
  });

  it('checks exchange.bind with a topic source too', async () => {
    const ebind = (key: string) => async (ch: amqp.ConfirmChannel) => {
      await ch.assertExchange('tp.dest', 'fanout', { autoDelete: true });
      await ch.bindExchange('tp.dest', 'amq.topic', key);
    };
    expect(await attempt(USER, ebind('q.q'))).toBe(`403 (ACCESS-REFUSED) with message "${refused('q.q')}"`);
    expect(await attempt(USER, ebind('r.q'))).toBe('ok');
  });
});

describe('topic authorisation over AMQP (pika)', () => {
  it('refuses and allows publishes and bindings as RabbitMQ does', async () => {
    const steps = [`publish:${VH}.${USER}.x`, 'publish:nope', 'bind:r.x', 'bind:nope', 'unbind:nope'];
    const env = { ...process.env, AMQP_HOST: '127.0.0.1', AMQP_PORT: String(amqpPort), AMQP_VHOST: VH, AMQP_USER: USER, AMQP_PASSWORD: PW };
    const out = await new Promise<string>((resolve, reject) => {
      const p = spawn('/usr/bin/python3', [PIKA, ...steps], { env });
      let stdout = '';
      let stderr = '';
      p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      p.on('exit', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`pika exited ${code}: ${stderr}`))));
    });
    const lines = out.trim().split('\n').map((l) => JSON.parse(l) as { step: string; ok: boolean; code?: number; text?: string });
    expect(lines).toEqual([
      { step: steps[0], ok: true },
      { step: 'publish:nope', ok: false, code: 403, text: refused('nope') },
      { step: 'bind:r.x', ok: true },
      { step: 'bind:nope', ok: false, code: 403, text: refused('nope') },
      { step: 'unbind:nope', ok: false, code: 403, text: refused('nope') },
    ]);
  }, 30_000);
});

describe('topic permissions in the management API', () => {
  const tp = `/api/topic-permissions/${seg(VH)}`;

  it('lists them per user and vhost, per user, per vhost and all', async () => {
    const mine = await http('GET', `${tp}/${USER}`);
    expect(mine.status).toBe(200);
    const rows = (mine.body as Record<string, unknown>[]).sort((a, b) => String(a.exchange).localeCompare(String(b.exchange)));
    expect(rows).toEqual([
      { user: USER, vhost: VH, exchange: 'amq.topic', write: '^{vhost}\\.{username}\\.', read: '^r\\.|^{client_id}$' },
      { user: USER, vhost: VH, exchange: 'tp.direct', write: '^$', read: '^$' },
    ]);
    expect(((await http('GET', `/api/users/${USER}/topic-permissions`)).body as unknown[]).length).toBe(2);
    const byVhost = (await http('GET', `/api/vhosts/${seg(VH)}/topic-permissions`)).body as Record<string, unknown>[];
    expect(byVhost.length).toBe(2);
    expect(Object.keys(byVhost[0])).toEqual(['vhost', 'user', 'exchange', 'write', 'read']);
    const all = (await http('GET', '/api/topic-permissions')).body as Record<string, unknown>[];
    expect(all.filter((r) => r.vhost === VH).length).toBe(2);
  });

  it('answers 404 where the user has none, or the user or vhost is missing', async () => {
    for (const p of [`${tp}/${OTHER}`, `${tp}/no-such-user`, `/api/topic-permissions/no-such-vh/${USER}`, '/api/users/no-such-user/topic-permissions', '/api/vhosts/no-such-vh/topic-permissions']) {
      const r = await http('GET', p);
      expect([p, r.status, r.body]).toEqual([p, 404, { error: 'Object Not Found', reason: 'Not Found' }]);
    }
  });

  it('refuses bad input with RabbitMQ’s reasons', async () => {
    const put = (body: unknown, who = OTHER, vh = VH) => http('PUT', `/api/topic-permissions/${seg(vh)}/${who}`, body);
    expect((await put({ write: '', read: '' })).body).toEqual({ error: 'bad_request', reason: '[{key_missing,exchange}]' });
    expect((await put({ exchange: 'x', write: 'a' })).body).toEqual({ error: 'bad_request', reason: '[{key_missing,read}]' });
    expect((await put({ exchange: 'x', write: '', read: '(' })).body).toEqual({
      error: 'bad_request',
      reason: ['invalid_regexp', '(', [[...Buffer.from('missing )')], 1]],
    });
    expect((await put({ exchange: 'x', write: 'a', read: 'b' }, 'no-such-user')).body).toEqual({ error: 'bad_request', reason: 'vhost_or_user_not_found' });
    expect((await put({ exchange: 'x', write: 'a', read: 'b' }, OTHER, 'no-such-vh')).body).toEqual({ error: 'bad_request', reason: 'vhost_or_user_not_found' });
  });

  it('is for administrators only', async () => {
    const r = await http('GET', '/api/topic-permissions', undefined, USER, PW);
    expect([r.status, r.body]).toEqual([401, { error: 'not_authorised', reason: 'Not management user' }]);
  });

  it('creates (201), updates (204) and deletes all of a user’s in a vhost (204, then 404)', async () => {
    const p = `${tp}/${OTHER}`;
    expect((await http('PUT', p, { exchange: 'amq.topic', write: '^w$', read: '^r$' })).status).toBe(201);
    expect((await http('PUT', p, { exchange: 'tp.other', write: '', read: '' })).status).toBe(204);
    expect((await http('PUT', p, { exchange: 'amq.topic', write: '^w2$', read: '^r$' })).status).toBe(204);
    expect(((await http('GET', p)).body as unknown[]).length).toBe(2);
    expect((await http('DELETE', p)).status).toBe(204);
    expect((await http('GET', p)).status).toBe(404);
    expect((await http('DELETE', p)).status).toBe(404);
  });

  it('publishes through the API under the same check, refused as RabbitMQ refuses it', async () => {
    await ok('PUT', `${tp}/guest`, { exchange: 'amq.topic', write: '^ok$', read: '^ok$' });
    try {
      const pub = (key: string) => http('POST', `/api/exchanges/${seg(VH)}/amq.topic/publish`, { properties: {}, routing_key: key, payload: 'x', payload_encoding: 'string' });
      expect(await pub('ok').then((r) => [r.status, r.body])).toEqual([200, { routed: false }]);
      const no = await pub('nope');
      expect([no.status, no.body]).toEqual([400, { error: 'bad_request', reason: `403 ${refused('nope', 'guest')}` }]);
      await ok('PUT', `/api/queues/${seg(VH)}/tp-q`, {});
      const bind = (key: string) => http('POST', `/api/bindings/${seg(VH)}/e/amq.topic/q/tp-q`, { routing_key: key });
      expect((await bind('ok')).status).toBe(201);
      const bad = await bind('nope');
      expect([bad.status, bad.body]).toEqual([401, { error: 'not_authorised', reason: 'Access refused.' }]);
      // unbinding checks the binding's key too
      await ok('PUT', `${tp}/guest`, { exchange: 'amq.topic', write: '^ok$', read: '^no$' });
      const unbind = await http('DELETE', `/api/bindings/${seg(VH)}/e/amq.topic/q/tp-q/ok`);
      expect([unbind.status, unbind.body]).toEqual([401, { error: 'not_authorised', reason: 'Access refused.' }]);
    } finally {
      await http('DELETE', `${tp}/guest`);
    }
  });

  it('exports them in the definitions and imports them back', async () => {
    const defs = (await http('GET', '/api/definitions')).body as { topic_permissions: Record<string, unknown>[] };
    const mine = defs.topic_permissions.filter((t) => t.vhost === VH);
    expect(mine).toContainEqual({ user: USER, vhost: VH, exchange: 'amq.topic', write: '^{vhost}\\.{username}\\.', read: '^r\\.|^{client_id}$' });
    if (warren === undefined) return;
    // into a second, empty Warren: the same rows, and the same refusals over AMQP
    const second = await startApi();
    try {
      const imported = await second.post('/api/definitions', defs);
      expect([imported.status, imported.text]).toEqual([204, '']);
      const rows = (await second.get(`/api/topic-permissions/${seg(VH)}/${USER}`)).body as unknown[];
      expect(rows).toEqual((await http('GET', `${tp}/${USER}`)).body);
      const conn = await second.connect({ user: USER, password: PW, vhost: VH });
      const ch = await conn.createChannel();
      const closed = new Promise<string>((resolve) => ch.on('error', (e: Error) => resolve(e.message)));
      ch.publish('amq.topic', 'nope', Buffer.from('x'));
      expect(await closed).toContain(refused('nope'));
    } finally {
      await second.close();
    }
  });
});

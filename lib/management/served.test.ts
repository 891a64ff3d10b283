// The management API as the product serves it: one real `npm start` process (it builds the console
// first when the build is missing or stale), spoken to over HTTP and the /api/ws WebSocket. Error
// answers are RabbitMQ 3.10's, byte for byte where RabbitMQ's are known; an HTTP publish is counted
// once, by the one management instance that the live feed also reads.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveClient, sleep } from '../live/testing';
import { freePort, stopGroup } from '../testing/processes';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** `npm start` runs `next build` first when the console build is missing or older than a source. */
const START_LIMIT_MS = 420_000;
const STOP_LIMIT_MS = 15_000;

let child: ChildProcess | undefined;
let dataDir = '';
let base = '';
let amqpPort = 0;
/** The child's output, for the failure messages. */
const output: string[] = [];

function childEnv(port: number): NodeJS.ProcessEnv {
  // HOST unset: every interface, as by default, so a non-loopback address can be tried below
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), AMQP_PORT: String(amqpPort), DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
  // not vitest's NODE_ENV=test and friends: the product as a user starts it
  for (const k of Object.keys(env)) if (/^(VITEST|NODE_ENV$|TEST$|HOST$)/.test(k)) delete env[k as string];
  return env;
}

function log(): string {
  return output.join('').split('\n').slice(-60).join('\n');
}

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'warren-served-'));
  // HOST unset below: the server listens on every interface
  const port = await freePort(undefined);
  amqpPort = await freePort(undefined);
  base = `http://127.0.0.1:${port}`;
  // its own process group, so that npm, tsx, node and a running `next build` all stop together
  const c = spawn('npm', ['start'], { cwd: ROOT, env: childEnv(port), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  child = c;
  const keep = (chunk: Buffer) => {
    output.push(chunk.toString('utf8'));
    if (output.length > 400) output.splice(0, output.length - 400);
  };
  c.stdout?.on('data', keep);
  c.stderr?.on('data', keep);
  let gone = false;
  c.once('exit', () => {
    gone = true;
  });
  const deadline = Date.now() + START_LIMIT_MS - 10_000;
  for (;;) {
    if (gone) throw new Error(`npm start exited before it served /api/health:\n${log()}`);
    if (Date.now() > deadline) throw new Error(`npm start did not serve /api/health in time:\n${log()}`);
    try {
      const r = await fetch(`${base}/api/health`, { signal: AbortSignal.timeout(2_000) });
      if (r.status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
}, START_LIMIT_MS);

afterAll(async () => {
  const pgid = child?.pid;
  if (pgid !== undefined) {
    const { graceful } = await stopGroup(pgid, STOP_LIMIT_MS);
    if (!graceful) console.warn(`served.test: npm start did not stop within ${STOP_LIMIT_MS} ms of SIGTERM:\n${log()}`);
  }
  // every process that wrote to the data dir is gone now; a temp dir left behind is still no failure
  if (dataDir) {
    try {
      fs.rmSync(dataDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
    } catch (err) {
      console.warn(`served.test: could not remove ${dataDir}: ${String(err)}`);
    }
  }
}, STOP_LIMIT_MS + 20_000);

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  body: unknown;
}

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const GUEST = basic('guest', 'guest');

async function call(
  method: string,
  urlPath: string,
  opts: { body?: unknown; raw?: string; authorization?: string | null; headers?: Record<string, string>; baseUrl?: string } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.authorization !== null) headers.authorization = opts.authorization ?? GUEST;
  let payload = opts.raw;
  if (payload === undefined && opts.body !== undefined) payload = JSON.stringify(opts.body);
  if (payload !== undefined) headers['content-type'] ??= 'application/json';
  const res = await fetch((opts.baseUrl ?? base) + urlPath, { method, headers, body: payload, signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, headers: res.headers, text, body };
}

const message = (routingKey: string, payload: string) => ({ properties: {}, routing_key: routingKey, payload, payload_encoding: 'string' });

/** status, content-type and the body exactly as RabbitMQ writes it (its key order included) */
function expectError(r: Answer, status: number, text: string): void {
  expect({ status: r.status, text: r.text }).toEqual({ status, text });
  expect(r.headers.get('content-type')).toBe('application/json');
}

describe('npm start serves the management API itself', () => {
  it('answers /api/health as before', async () => {
    const r = await call('GET', '/api/health', { authorization: null });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ ok: true, amqpPort });
  });

  it('serves /metrics', async () => {
    const r = await call('GET', '/metrics', { authorization: null });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(r.text).toMatch(/^# (HELP|TYPE) /m);
  });

  it('says where a queue lives as a single node does: its own node name, no replicas', async () => {
    expect((await call('PUT', '/api/queues/%2F/placed', { body: { durable: false } })).status).toBe(201);
    const overview = (await call('GET', '/api/overview')).body as { node: string };
    const q = (await call('GET', '/api/queues/%2F/placed')).body as Record<string, unknown>;
    expect(q.node).toBe(overview.node);
    expect(q).not.toHaveProperty('members');
    expect(q).not.toHaveProperty('leader');
    expect((await call('DELETE', '/api/queues/%2F/placed')).status).toBe(204);
  });

  it('still gives the console pages to Next', async () => {
    const r = await fetch(`${base}/login`, { signal: AbortSignal.timeout(30_000) });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/html/);
  });
});

describe("error answers are RabbitMQ 3.10's", () => {
  it('400 for an inequivalent redeclare', async () => {
    expect((await call('PUT', '/api/queues/%2F/t1', { body: { durable: true } })).status).toBe(201);
    const r = await call('PUT', '/api/queues/%2F/t1', { body: { durable: false } });
    expectError(r, 400, JSON.stringify({
      error: 'bad_request',
      reason: "inequivalent arg 'durable' for queue 't1' in vhost '/': received 'false' but current is 'true'",
    }));
  });

  it('400 for a publish to a missing exchange, quoting the AMQP reply', async () => {
    const r = await call('POST', '/api/exchanges/%2F/nope/publish', { body: message('k', 'x') });
    expectError(r, 400, JSON.stringify({ error: 'bad_request', reason: "404 NOT_FOUND - no exchange 'nope' in vhost '/'" }));
  });

  it('400 for a field of the wrong type (RabbitMQ: error-put-queue-bad-payload.txt)', async () => {
    const r = await call('PUT', '/api/queues/%2F/bad1', { body: { durable: 'yes' } });
    expectError(r, 400, '{"error":"bad_request","reason":["not_boolean","yes"]}');
  });

  it('400 for a body that is not JSON', async () => {
    const r = await call('PUT', '/api/queues/%2F/bad2', { raw: '{"durable": tru' });
    expectError(r, 400, '{"error":"bad_request","reason":"not_json"}');
  });

  it('401 "Access refused." for deleting a built-in exchange (AMQP 403)', async () => {
    const r = await call('DELETE', '/api/exchanges/%2F/amq.direct');
    expectError(r, 401, '{"error":"not_authorised","reason":"Access refused."}');
  });

  it('401 with an empty body and a Basic challenge without credentials (RabbitMQ: error-no-auth.txt)', async () => {
    const r = await call('GET', '/api/overview', { authorization: null });
    expect(r.status).toBe(401);
    expect(r.text).toBe('');
    expect(r.headers.get('www-authenticate')).toBe('Basic realm="RabbitMQ Management"');
  });

  it('401 "Login failed" for a wrong password', async () => {
    const r = await call('GET', '/api/overview', { authorization: basic('guest', 'wrong') });
    expectError(r, 401, '{"error":"not_authorized","reason":"Login failed"}');
    expect(r.headers.get('www-authenticate')).toBe('Basic realm="RabbitMQ Management"');
  });

  it('401 for a user without the management tag, and for a non-administrator (RabbitMQ: error-not-admin.txt)', async () => {
    expect((await call('PUT', '/api/users/served-plain', { body: { password: 'p1', tags: '' } })).status).toBe(201);
    expect((await call('PUT', '/api/users/served-mgmt', { body: { password: 'p2', tags: 'management' } })).status).toBe(201);
    const plain = await call('GET', '/api/overview', { authorization: basic('served-plain', 'p1') });
    expectError(plain, 401, '{"error":"not_authorised","reason":"Not management user"}');
    const mgmt = await call('GET', '/api/users', { authorization: basic('served-mgmt', 'p2') });
    expectError(mgmt, 401, '{"error":"not_authorised","reason":"Not administrator user"}');
  });

  it('404 for a missing queue (RabbitMQ: error-get-missing-queue.txt)', async () => {
    const r = await call('GET', '/api/queues/%2F/no-such-queue');
    expectError(r, 404, '{"error":"Object Not Found","reason":"Not Found"}');
  });

  it('405 with an allow header for a wrong method on a known path', async () => {
    const r = await call('DELETE', '/api/overview');
    expect(r.status).toBe(405);
    expect(r.headers.get('allow')).toBe('GET');
  });

  it('413 for a body over the limit, refused before it is read', async () => {
    const reply = await new Promise<string>((resolve, reject) => {
      const s = net.connect(Number(new URL(base).port), '127.0.0.1');
      let got = '';
      s.setTimeout(10_000, () => {
        s.destroy();
        reject(new Error(`no answer; got ${JSON.stringify(got)}`));
      });
      s.on('data', (d) => {
        got += d.toString('latin1');
      });
      s.on('close', () => resolve(got));
      s.on('error', () => resolve(got));
      s.write(
        'POST /api/definitions HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
          `Authorization: ${GUEST}\r\nContent-Type: application/json\r\nContent-Length: ${200 * 1024 * 1024}\r\n\r\n{"users":[`,
      );
    });
    expect(reply).toMatch(/^HTTP\/1\.1 413 /);
    expect(reply).toMatch(/\r\nconnection: close\r\n/i);
    expect(reply.slice(reply.indexOf('\r\n\r\n') + 4)).toMatch(/^\{"error":"payload_too_large","reason":/);
  });

  it('no 500 anywhere above, and the process is still up', async () => {
    expect((await call('GET', '/api/health', { authorization: null })).status).toBe(200);
    expect(log()).not.toMatch(/internal_error|management API /);
  });
});

/** POST /api/login as the console does it; the answer and the session cookie's `name=value`. */
async function login(user: string, password: string, headers: Record<string, string> = { 'x-warren-csrf': '1' }) {
  const r = await call('POST', '/api/login', { authorization: null, body: { username: user, password }, headers });
  const setCookie = r.headers.get('set-cookie') ?? '';
  return { r, setCookie, cookie: setCookie.split(';')[0] };
}

/** A request with the session cookie and no Authorization header, as the console makes it. */
const withCookie = (cookie: string, headers: Record<string, string> = {}) => ({ authorization: null, headers: { cookie, 'x-warren-csrf': '1', ...headers } });

const wsUrl = () => `${base.replace('http', 'ws')}/api/ws`;

describe('console login: one HttpOnly session cookie instead of a password in the browser', () => {
  it('POST /api/login answers whoami and sets an HttpOnly, SameSite=Strict cookie of a random 256-bit id', async () => {
    const { r, setCookie, cookie } = await login('guest', 'guest');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ name: 'guest', tags: ['administrator'] });
    expect(setCookie).toMatch(/^warren_session=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=86400; HttpOnly; SameSite=Strict$/);
    expect(Buffer.from(cookie.split('=')[1], 'base64url')).toHaveLength(32);
    expect(setCookie).not.toMatch(/guest/);
    expect((await login('guest', 'guest')).cookie).not.toBe(cookie);
  });

  it('the cookie authorises the REST API, and Basic auth keeps working beside it', async () => {
    const { cookie } = await login('guest', 'guest');
    const overview = await call('GET', '/api/overview', withCookie(cookie));
    expect(overview.status).toBe(200);
    expect((overview.body as { rabbitmq_version?: string }).rabbitmq_version).toBeDefined();
    expect((await call('GET', '/api/whoami', withCookie(cookie))).body).toEqual({ name: 'guest', tags: ['administrator'] });
    expect((await call('PUT', '/api/queues/%2F/served-cookie-q', { ...withCookie(cookie), body: { durable: false } })).status).toBe(201);
    expect((await call('GET', '/api/queues/%2F/served-cookie-q')).status).toBe(200);
  });

  it('the cookie authorises /api/ws without an auth message, only from a same-origin page', async () => {
    const { cookie } = await login('guest', 'guest');
    const origin = base;
    const live = await LiveClient.open(wsUrl(), { cookie, origin });
    try {
      expect(await live.take('hello')).toMatchObject({ user: 'guest' });
      live.send({ type: 'vhost', vhost: '/' });
      expect((await live.take('snapshot')).vhost).toBe('/');
    } finally {
      live.ws.terminate();
    }
    // another site's page: the handshake itself is refused
    await expect(LiveClient.open(wsUrl(), { cookie, origin: 'http://evil.example' })).rejects.toThrow(/403/);
    // no Origin (not a browser): the cookie does not count, a password is needed
    const bare = await LiveClient.open(wsUrl(), { cookie });
    try {
      bare.send({ type: 'vhost', vhost: '/' });
      expect(await bare.take('error')).toMatchObject({ error: 'not_authorised', reason: 'the first message must be auth' });
    } finally {
      bare.ws.terminate();
    }
  });

  it('POST /api/logout ends the session: the cookie stops working, an open /api/ws closes', async () => {
    const { cookie } = await login('guest', 'guest');
    const live = await LiveClient.open(wsUrl(), { cookie, origin: base });
    try {
      await live.take('hello');
      const out = await call('POST', '/api/logout', withCookie(cookie));
      expect(out.status).toBe(204);
      expect(out.headers.get('set-cookie')).toBe('warren_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict');
      expect(await live.take('error')).toMatchObject({ error: 'not_authorised', reason: 'Login session ended' });
      expect((await live.closed).code).toBe(4401);
    } finally {
      live.ws.terminate();
    }
    const after = await call('GET', '/api/overview', withCookie(cookie));
    expectError(after, 401, '{"error":"not_authorised","reason":"Login session ended"}');
    expect(after.headers.get('www-authenticate')).toBeNull();
    const ws = await LiveClient.open(wsUrl(), { cookie, origin: base });
    try {
      expect(await ws.take('error')).toMatchObject({ reason: 'Login session ended' });
      expect((await ws.closed).code).toBe(4401);
    } finally {
      ws.ws.terminate();
    }
  });

  it('the console without a login gets a 401 that does not make the browser ask for a password', async () => {
    const r = await call('GET', '/api/whoami', { authorization: null, headers: { 'x-warren-csrf': '1' } });
    expectError(r, 401, '{"error":"not_authorised","reason":"Login required"}');
    expect(r.headers.get('www-authenticate')).toBeNull();
  });

  it('a user without the management tag is refused, as by RabbitMQ\'s UI, and gets no cookie', async () => {
    expect((await call('PUT', '/api/users/served-nomgmt', { body: { password: 'p3', tags: '' } })).status).toBe(201);
    const { r, setCookie } = await login('served-nomgmt', 'p3');
    expectError(r, 401, '{"error":"not_authorised","reason":"Not management user"}');
    expect(setCookie).toBe('');
  });

  it('another site cannot act with the cookie: changes need the CSRF header and a same-origin Origin', async () => {
    const { cookie } = await login('guest', 'guest');
    const body = { durable: false };
    // a cross-site form: no custom header possible
    const form = await call('PUT', '/api/queues/%2F/served-csrf', { authorization: null, headers: { cookie, origin: 'http://evil.example' }, body });
    expectError(form, 403, '{"error":"forbidden","reason":"a request that changes something needs the x-warren-csrf header"}');
    const script = await call('PUT', '/api/queues/%2F/served-csrf', { ...withCookie(cookie, { origin: 'http://evil.example' }), body });
    expectError(script, 403, '{"error":"forbidden","reason":"cross-origin request refused"}');
    expect((await call('DELETE', '/api/queues/%2F/served-cookie-q', { authorization: null, headers: { cookie } })).status).toBe(403);
    expect((await call('GET', '/api/queues/%2F/served-csrf')).status).toBe(404);
    // nor log a browser in or out
    expect((await login('guest', 'guest', { origin: 'http://evil.example', 'x-warren-csrf': '1' })).r.status).toBe(403);
    expect((await login('guest', 'guest', {})).r.status).toBe(403);
    // the console's own page
    const own = await call('PUT', '/api/queues/%2F/served-csrf', { ...withCookie(cookie, { origin: base }), body });
    expect(own.status).toBe(201);
  });

  it('deleting the user or changing the password ends their sessions; changed tags apply at once', async () => {
    expect((await call('PUT', '/api/users/served-sess', { body: { password: 'p4', tags: 'management' } })).status).toBe(201);
    expect((await call('PUT', '/api/permissions/%2F/served-sess', { body: { configure: '.*', write: '.*', read: '.*' } })).status).toBe(201);
    const first = (await login('served-sess', 'p4')).cookie;
    expect((await call('GET', '/api/users', withCookie(first))).status).toBe(401);
    expect((await call('PUT', '/api/users/served-sess', { body: { password: 'p4', tags: 'administrator' } })).status).toBe(204);
    // the password was set again (to the same text): the login made with the old one is over
    expectError(await call('GET', '/api/users', withCookie(first)), 401, '{"error":"not_authorised","reason":"Login session ended"}');
    const second = (await login('served-sess', 'p4')).cookie;
    expect((await call('GET', '/api/users', withCookie(second))).status).toBe(200);
    expect((await call('DELETE', '/api/users/served-sess')).status).toBe(204);
    expectError(await call('GET', '/api/whoami', withCookie(second)), 401, '{"error":"not_authorised","reason":"Login session ended"}');
  });

  it('a wrong password is 401 "Login failed", and /api/login shares the back-off of Basic logins', async () => {
    expect((await call('PUT', '/api/users/served-backoff', { body: { password: 'right', tags: 'management' } })).status).toBe(201);
    for (let i = 0; i < 5; i++) {
      const { r, setCookie } = await login('served-backoff', 'wrong');
      expectError(r, 401, '{"error":"not_authorized","reason":"Login failed"}');
      expect(r.headers.get('www-authenticate')).toBeNull();
      expect(setCookie).toBe('');
    }
    const blocked = (await login('served-backoff', 'right')).r;
    expect(blocked.status).toBe(401);
    expect((blocked.body as { reason: string }).reason).toMatch(/^Too many failed logins from this address; try again in \d+ s$/);
    // Basic logins from the same address wait too
    expect((await call('GET', '/api/whoami')).status).toBe(401);
    await sleep(1_100);
    expect((await login('served-backoff', 'right')).r.status).toBe(200);
    expect((await call('GET', '/api/whoami')).status).toBe(200);
  });
});

/** A non-loopback address of this machine, if it has one. */
function externalAddress(): string | undefined {
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) if (!a.internal && a.family === 'IPv4') return a.address;
  }
  return undefined;
}

describe("the peer address is the socket's", () => {
  const external = externalAddress();
  it.skipIf(external === undefined)('a remote client cannot pass for loopback with x-warren-peer-address', async () => {
    const baseUrl = `http://${external}:${new URL(base).port}`;
    for (const claim of ['127.0.0.1', '::1']) {
      const r = await call('GET', '/api/whoami', { baseUrl, headers: { 'x-warren-peer-address': claim } });
      expectError(r, 401, '{"error":"not_authorized","reason":"User can only log in via localhost"}');
    }
    // and from loopback guest is welcome
    expect((await call('GET', '/api/whoami')).body).toEqual({ name: 'guest', tags: ['administrator'] });
  });
});

async function overviewPublishes(): Promise<number> {
  const r = await call('GET', '/api/overview');
  expect(r.status).toBe(200);
  return (r.body as { message_stats?: { publish?: number } }).message_stats?.publish ?? 0;
}

describe('an HTTP publish is counted by the one management instance', () => {
  it('shows in the live stats and once in the overview', async () => {
    const queue = 'served-live';
    expect((await call('PUT', `/api/queues/%2F/${queue}`, { body: { durable: false } })).status).toBe(201);
    const live = await LiveClient.open(`${base.replace('http', 'ws')}/api/ws`);
    try {
      live.send({ type: 'auth', username: 'guest', password: 'guest' });
      await live.take('hello');
      live.send({ type: 'vhost', vhost: '/' });
      await live.take('snapshot');
      // a first tick, so that the rates of the next ones are changes since it
      await live.take('stats', (m) => m.queues[queue] !== undefined);

      const publishedBefore = await overviewPublishes();
      const n = 3;
      for (let i = 0; i < n; i++) {
        const r = await call('POST', '/api/exchanges/%2F/amq.default/publish', { body: message(queue, `m${i}`) });
        expect([r.status, r.body]).toEqual([200, { routed: true }]);
      }

      const tick = await live.take('stats', (m) => m.totals.publish_rate > 0 && (m.queues[queue]?.publish_rate ?? 0) > 0, 5_000);
      expect(tick.totals.publish_rate).toBeGreaterThan(0);

      const deadline = Date.now() + 5_000;
      let published = await overviewPublishes();
      while (published < publishedBefore + n && Date.now() < deadline) {
        await sleep(100);
        published = await overviewPublishes();
      }
      expect(published - publishedBefore).toBe(n);
      const q = await call('GET', `/api/queues/%2F/${queue}`);
      expect((q.body as { messages_ready: number }).messages_ready).toBe(n);
    } finally {
      live.ws.terminate();
    }
  });
});

describe('topic permissions and operator policies, as npm start serves them', () => {
  it('refuses a publish whose routing key the topic permission does not allow, over HTTP and AMQP alike', async () => {
    const tp = '/api/topic-permissions/%2F/guest';
    expect((await call('PUT', tp, { body: { exchange: 'amq.topic', write: '^ok\\.', read: '.*' } })).status).toBe(201);
    try {
      expect((await call('POST', '/api/exchanges/%2F/amq.topic/publish', { body: message('ok.1', 'x') })).body).toEqual({ routed: false });
      expectError(
        await call('POST', '/api/exchanges/%2F/amq.topic/publish', { body: message('no.1', 'x') }),
        400,
        `{"error":"bad_request","reason":"403 ACCESS_REFUSED - access to topic 'no.1' in exchange 'amq.topic' in vhost '/' refused for user 'guest'"}`,
      );
      const conn = await amqp.connect(`amqp://guest:guest@127.0.0.1:${amqpPort}`);
      try {
        const ch = await conn.createChannel();
        const closed = new Promise<string>((resolve) => ch.on('error', (e: Error) => resolve(e.message)));
        ch.publish('amq.topic', 'no.2', Buffer.from('x'));
        expect(await closed).toContain("access to topic 'no.2' in exchange 'amq.topic' in vhost '/' refused for user 'guest'");
      } finally {
        await conn.close().catch(() => {});
      }
      expect((await call('GET', tp)).body).toEqual([{ user: 'guest', vhost: '/', exchange: 'amq.topic', write: '^ok\\.', read: '.*' }]);
    } finally {
      expect((await call('DELETE', tp)).status).toBe(204);
    }
    expect((await call('POST', '/api/exchanges/%2F/amq.topic/publish', { body: message('no.1', 'x') })).status).toBe(200);
  });

  it('applies an operator policy to a queue and shows it on the queue', async () => {
    expect((await call('PUT', '/api/operator-policies/%2F/served-cap', { body: { pattern: '^served-capped$', definition: { 'max-length': 2 }, 'apply-to': 'queues' } })).status).toBe(201);
    try {
      expect((await call('PUT', '/api/queues/%2F/served-capped', { body: {} })).status).toBe(201);
      for (let i = 0; i < 3; i++) await call('POST', '/api/exchanges/%2F/amq.default/publish', { body: message('served-capped', String(i)) });
      const q = (await call('GET', '/api/queues/%2F/served-capped')).body as Record<string, unknown>;
      expect([q.messages, q.operator_policy, q.effective_policy_definition]).toEqual([2, 'served-cap', { 'max-length': 2 }]);
    } finally {
      await call('DELETE', '/api/queues/%2F/served-capped');
      await call('DELETE', '/api/operator-policies/%2F/served-cap');
    }
  });
});

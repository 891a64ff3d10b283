// /api/ws authentication: the first message is `auth`, within the time limit, with a broker user
// that has a management tag; then `vhost` with access rights.
import WebSocket from 'ws';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startLive, type LiveTest } from './testing';

let t: LiveTest;
beforeAll(async () => {
  t = await startLive({ authTimeoutMs: 300 });
  await t.broker.putUser(t.admin, 'watcher', { password: 'pw', tags: ['monitoring'] });
  await t.broker.putUser(t.admin, 'plain', { password: 'pw', tags: [] });
  await t.broker.putVhost(t.admin, 'other', {});
});
afterAll(() => t.close());

test('a good password gets hello with the user and tags', async () => {
  const c = await t.client();
  c.send({ type: 'auth', username: 'guest', password: 'guest' });
  expect(await c.take('hello')).toMatchObject({ product: 'Warren', user: 'guest', tags: ['administrator'] });
  c.ws.close();
});

test('a wrong password gets an error and close 4401', async () => {
  const c = await t.client();
  c.send({ type: 'auth', username: 'guest', password: 'nope' });
  expect(await c.take('error')).toMatchObject({ error: 'not_authorised', reason: 'Login failed' });
  expect(await c.closed).toMatchObject({ code: 4401 });
});

test('no auth in time: error and close 4401', async () => {
  const c = await t.client();
  expect(await c.take('error')).toMatchObject({ error: 'timeout' });
  expect((await c.closed).code).toBe(4401);
});

test('anything but auth first is refused', async () => {
  const c = await t.client();
  c.send({ type: 'vhost', vhost: '/' });
  expect(await c.take('error')).toMatchObject({ error: 'not_authorised' });
  expect((await c.closed).code).toBe(4401);
});

test('a user without a management tag is refused', async () => {
  const c = await t.client();
  c.send({ type: 'auth', username: 'plain', password: 'pw' });
  expect(await c.take('error')).toMatchObject({ reason: 'Not management user' });
  expect((await c.closed).code).toBe(4401);
});

test('vhost needs permission; a vhost that does not exist is an error, the socket stays', async () => {
  const c = await t.client();
  c.send({ type: 'auth', username: 'watcher', password: 'pw' });
  await c.take('hello');
  c.send({ type: 'vhost', vhost: 'other' });
  expect(await c.take('error')).toMatchObject({ error: 'not_authorised' });
  c.send({ type: 'vhost', vhost: 'missing' });
  expect(await c.take('error')).toMatchObject({ error: 'not_found' });
  await t.broker.setPermission(t.admin, 'other', 'watcher', { configure: '', write: '', read: '.*' });
  c.send({ type: 'vhost', vhost: 'other' });
  expect(await c.take('snapshot')).toMatchObject({ vhost: 'other' });
  // withdrawn while watching: told, and no longer watching
  await t.broker.clearPermission(t.admin, 'other', 'watcher');
  expect(await c.take('error')).toMatchObject({ error: 'not_authorised' });
  expect(c.ws.readyState).toBe(WebSocket.OPEN);
  c.ws.close();
});

test('an upgrade from another site is refused', async () => {
  const ws = new WebSocket(t.wsUrl, { headers: { origin: 'http://evil.example' } });
  const status = await new Promise<number>((resolve) => {
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('error', () => resolve(-1));
  });
  expect(status).toBe(403);
});

test('malformed messages after auth are errors, not disconnections', async () => {
  const { client } = await t.login();
  client.ws.send('{not json');
  expect(await client.take('error')).toMatchObject({ error: 'bad_request' });
  client.send({ type: 'ack', id: 'x', deliveryTag: -1 });
  expect(await client.take('error')).toMatchObject({ error: 'bad_request', id: 'x' });
  client.send({ type: 'cancel', id: 'nobody' });
  expect(await client.take('error')).toMatchObject({ error: 'not_found', id: 'nobody' });
  expect(client.ws.readyState).toBe(WebSocket.OPEN);
});

test('auth and vhost sent back to back are answered in order', async () => {
  const c = await t.client();
  c.send({ type: 'auth', username: 'guest', password: 'guest' });
  c.send({ type: 'vhost', vhost: '/' });
  await c.take('snapshot');
  expect(c.inbox.some((m) => m.type === 'error')).toBe(false);
  c.ws.close();
});

test('a user deleted while connected is cut off; one who loses the management tags too', async () => {
  await t.broker.putUser(t.admin, 'brief', { password: 'pw', tags: ['management'] });
  await t.broker.putUser(t.admin, 'demoted', { password: 'pw', tags: ['management'] });
  const login = async (user: string) => {
    const c = await t.client();
    c.send({ type: 'auth', username: user, password: 'pw' });
    await c.take('hello');
    return c;
  };
  const brief = await login('brief');
  const demoted = await login('demoted');
  await t.broker.deleteUsers(t.admin, ['brief']);
  expect(await brief.take('error')).toMatchObject({ error: 'not_authorised', reason: "user 'brief' was deleted" });
  expect((await brief.closed).code).toBe(4401);
  await t.broker.putUser(t.admin, 'demoted', { password: 'pw', tags: [] });
  expect(await demoted.take('error')).toMatchObject({ error: 'not_authorised', reason: 'Not management user' });
  expect((await demoted.closed).code).toBe(4401);
});

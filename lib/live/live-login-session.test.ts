// /api/ws with the console's login cookie: no `auth` message, and the socket lives only as long as
// the login — a changed password, a deleted user or the end of the login's lifetime close it.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { LoginSessions } from '../management/sessions';
import { startLive, type LiveTest } from './testing';

const sessions = new LoginSessions({ lifetimeMs: 60_000 });
let t: LiveTest;
let origin = '';
beforeAll(async () => {
  t = await startLive({ authTimeoutMs: 2_000, sessions });
  origin = t.wsUrl.replace('ws://', 'http://').replace('/api/ws', '');
  await t.broker.putUser(t.admin, 'ann', { password: 'pw', tags: ['management'] });
  await t.broker.putUser(t.admin, 'bob', { password: 'pw', tags: ['management'] });
});
afterAll(() => t.close());

async function loginAs(user: string): Promise<string> {
  return sessions.open(user, await t.broker.passwordStamp?.(user)).id;
}

test('a changed password ends the login and closes its socket', async () => {
  const id = await loginAs('ann');
  const c = await t.client({ cookie: `warren_session=${id}`, origin });
  expect(await c.take('hello')).toMatchObject({ user: 'ann' });
  await t.broker.putUser(t.admin, 'ann', { password: 'pw2', tags: ['management'] });
  expect(await c.take('error')).toMatchObject({ error: 'not_authorised', reason: 'Login session ended' });
  expect((await c.closed).code).toBe(4401);
  expect(sessions.use(id)).toBeUndefined();
});

test('a deleted user is cut off', async () => {
  const c = await t.client({ cookie: `warren_session=${await loginAs('bob')}`, origin });
  await c.take('hello');
  await t.broker.deleteUsers(t.admin, ['bob']);
  expect(await c.take('error')).toMatchObject({ error: 'not_authorised' });
  expect((await c.closed).code).toBe(4401);
});

test('the socket closes when the login has lived its lifetime', async () => {
  const short = new LoginSessions({ lifetimeMs: 300 });
  const live = await startLive({ sessions: short });
  try {
    const id = short.open('guest', await live.broker.passwordStamp?.('guest')).id;
    const c = await live.client({ cookie: `warren_session=${id}`, origin: live.wsUrl.replace('ws://', 'http://').replace('/api/ws', '') });
    await c.take('hello');
    expect(await c.take('error', () => true, 2_000)).toMatchObject({ reason: 'Login session ended' });
    expect((await c.closed).code).toBe(4401);
  } finally {
    await live.close();
  }
});

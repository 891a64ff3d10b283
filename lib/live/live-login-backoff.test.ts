// /api/ws logins share the broker API's back-off on failed logins per address.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startLive, type LiveTest } from './testing';

let t: LiveTest;
beforeAll(async () => {
  t = await startLive({ authTimeoutMs: 2000 });
});
afterAll(() => t.close());

test('after five wrong passwords the address waits, even with the right one', async () => {
  for (let i = 0; i < 5; i++) {
    const c = await t.client();
    c.send({ type: 'auth', username: 'guest', password: 'nope' });
    expect(await c.take('error')).toMatchObject({ error: 'not_authorised', reason: 'Login failed' });
    await c.closed;
  }
  const c = await t.client();
  c.send({ type: 'auth', username: 'guest', password: 'guest' });
  expect(await c.take('error')).toMatchObject({ error: 'not_authorised', reason: expect.stringMatching(/^Too many failed logins/) });
  expect((await c.closed).code).toBe(4401);
});

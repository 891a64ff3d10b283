// Repeated failed logins from one address are slowed down: after five in a row, that address is
// refused (even with the right password) until its wait is over; other addresses are not.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleManagement } from './router';
import { startApi, type TestApi } from './testing';

let api: TestApi;
beforeAll(async () => {
  api = await startApi();
  await api.put('/api/users/ann', { password: 'right', tags: 'management' });
});
afterAll(() => api.close());

const whoami = (password: string, remoteAddress: string) =>
  handleManagement(api.broker, {
    method: 'GET',
    path: '/api/whoami',
    query: new URLSearchParams(),
    headers: { authorization: `Basic ${Buffer.from(`ann:${password}`).toString('base64')}` },
    body: undefined,
    remoteAddress,
  });

describe('back-off on failed logins', () => {
  it('refuses an address after five failures in a row, right password or not, and not others', async () => {
    expect((await whoami('right', '10.9.9.9')).status).toBe(200);
    for (let i = 0; i < 5; i++) {
      const r = await whoami('wrong', '10.9.9.9');
      expect(r.status).toBe(401);
      expect(JSON.parse(String(r.body)).reason).toBe('Login failed');
    }
    const blocked = await whoami('right', '10.9.9.9');
    expect(blocked.status).toBe(401);
    expect(JSON.parse(String(blocked.body)).reason).toMatch(/^Too many failed logins from this address; try again in \d+ s$/);
    expect((await whoami('right', '10.9.9.10')).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1100));
    expect((await whoami('right', '10.9.9.9')).status).toBe(200);
  });
});

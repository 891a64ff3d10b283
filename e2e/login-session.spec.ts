// One login per browser: the password goes to /api/login once and the browser keeps only an HttpOnly
// session cookie. A second tab opens the console without asking again, nothing of the password is
// in sessionStorage or localStorage, and logging out in one tab logs out every tab.
import { expect, test, type Page } from '@playwright/test';
import { AUTH, uniqueVhost } from './console-helpers';

const PASSWORD = `pw-${Date.now().toString(36)}-secret`;

async function storageOf(page: Page): Promise<string> {
  return page.evaluate(() => {
    const dump = (s: Storage) => Array.from({ length: s.length }, (_, i) => `${s.key(i)}=${s.getItem(s.key(i) ?? '')}`).join('\n');
    return `${dump(sessionStorage)}\n${dump(localStorage)}\n${document.cookie}`;
  });
}

test('log in once: a new tab needs no login, no password is stored, logout ends every tab', async ({ page, context, request }) => {
  const user = uniqueVhost('e2e-login');
  expect((await request.put(`/api/users/${user}`, { headers: AUTH, data: { password: PASSWORD, tags: 'management' } })).status()).toBe(201);
  expect((await request.put(`/api/permissions/%2F/${user}`, { headers: AUTH, data: { configure: '.*', write: '.*', read: '.*' } })).status()).toBe(201);

  await page.goto('/queues');
  await expect(page).toHaveURL(/\/login\?next=%2Fqueues/);
  await page.getByLabel('Username').fill(user);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page).toHaveURL(/\/queues$/);
  await expect(page.getByRole('heading', { name: 'Warren' })).toBeVisible();
  await expect(page.locator('.user-name')).toHaveText(user);
  await expect(page.locator('.live-badge')).toHaveClass(/live-open/);

  const cookies = await context.cookies();
  const session = cookies.find((c) => c.name === 'warren_session');
  expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/', secure: false });
  expect(session?.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
  const stored = await storageOf(page);
  expect(stored).not.toContain(PASSWORD);
  // HttpOnly: the page's scripts cannot read the session id
  expect(stored).not.toContain(session?.value ?? '-');

  // a second tab of the same browser: straight in
  const second = await context.newPage();
  await second.goto('/exchanges');
  await expect(second.getByRole('cell', { name: 'amq.topic', exact: true })).toBeVisible();
  await expect(second).toHaveURL(/\/exchanges$/);
  await expect(second.locator('.user-name')).toHaveText(user);
  await expect(second.locator('.live-badge')).toHaveClass(/live-open/);
  expect(await storageOf(second)).not.toContain(PASSWORD);

  await second.getByRole('button', { name: 'Log out' }).click();
  await expect(second).toHaveURL(/\/login/);
  // the first tab hears it over /api/ws and goes to the login page by itself
  await expect(page).toHaveURL(/\/login/, { timeout: 10_000 });
  expect((await context.cookies()).find((c) => c.name === 'warren_session')).toBeUndefined();
  // and the old cookie is dead on the server too
  const replay = await request.get('/api/whoami', { headers: { cookie: `warren_session=${session?.value}`, 'x-warren-csrf': '1' } });
  expect(replay.status()).toBe(401);
  await page.goto('/overview');
  await expect(page).toHaveURL(/\/login\?next=%2Foverview/);
});

// After logging in, the console follows ?next= only to a path of its own: `/\evil.example/x`
// (which browsers read as //evil.example/x) lands on the console's home page instead.
import { expect, test } from '@playwright/test';

for (const next of ['/%5Cevil.example/x', '//evil.example/x', '/%09/evil.example/x']) {
  test(`login with ?next=${next} stays on this site`, async ({ page, baseURL }) => {
    await page.goto(`/login?next=${next}`);
    await page.getByLabel('Username').fill('guest');
    await page.getByLabel('Password').fill('guest');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect(page.getByRole('heading', { name: 'Warren' })).toBeVisible();
    await expect(page).toHaveURL(`${baseURL}/`);
  });
}

test('login with ?next= a console page goes there', async ({ page, baseURL }) => {
  await page.goto('/login?next=%2Fqueues');
  await page.getByLabel('Username').fill('guest');
  await page.getByLabel('Password').fill('guest');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page).toHaveURL(`${baseURL}/queues`);
});

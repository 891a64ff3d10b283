// The scenario player in the browser: each built-in scenario played from the Scenarios page to its
// end, every checkpoint shown as passed (the broker's state, read by the server), the code beside
// the actors filled in with the scenario vhost's URL, and reset removing the vhost.
import { expect, test } from '@playwright/test';
import { AUTH, login, watchPage } from './console-helpers';

const BUILTIN = [
  { title: '1. Hello World', vhost: 'scenario-hello-world', checkpoints: 6 },
  { title: '2. Work queues', vhost: 'scenario-work-queues', checkpoints: 9 },
  { title: '3. Publish/subscribe', vhost: 'scenario-publish-subscribe', checkpoints: 5 },
];

for (const s of BUILTIN) {
  test(`scenario ${s.title} plays to its end with every checkpoint passed`, async ({ page, request }) => {
    test.setTimeout(90_000);
    const watch = watchPage(page);
    await login(page);
    await page.getByRole('link', { name: 'Scenarios' }).click();
    await page.getByRole('navigation', { name: 'Scenarios' }).getByRole('button', { name: s.title }).click();
    const status = page.getByTestId('scenario-status');
    await expect(status).toHaveText('idle');
    await page.getByRole('button', { name: 'Play', exact: true }).click();
    await expect(status).toHaveText('finished', { timeout: 60_000 });

    const checkpoints = page.locator('[aria-label^="Checkpoints of step"] li');
    await expect(checkpoints).toHaveCount(s.checkpoints);
    for (const cp of await checkpoints.all()) await expect(cp).toHaveAttribute('data-state', 'passed');
    await expect(page.getByTestId('actor-code')).toContainText(`/${s.vhost}'`);
    await page.screenshot({ path: `e2e/screenshots/${s.vhost}.png`, fullPage: true });
    expect((await request.get(`/api/vhosts/${s.vhost}`, { headers: AUTH })).status()).toBe(200);

    await page.getByRole('button', { name: 'Reset' }).click();
    await expect(status).toHaveText('idle');
    expect((await request.get(`/api/vhosts/${s.vhost}`, { headers: AUTH })).status()).toBe(404);
    expect(watch.errors).toEqual([]);
  });
}

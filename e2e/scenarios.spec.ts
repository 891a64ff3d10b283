// The scenario player in the browser: every built-in scenario played at 10x from the Scenarios
// page to its end, every checkpoint shown as passed (the broker's state, read by the server), the
// code beside the actors filled in with the scenario vhost's URL, and reset removing the vhost.
// Then a shared link opens a scenario at a step in presenter mode, and a loaded file with
// mistakes is refused with the validator's errors shown.
import { expect, test, type Page } from '@playwright/test';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ScenarioFile } from '../lib/scenarios/scenario-format';
import { AUTH, login, watchPage } from './console-helpers';

// read as files: Playwright's loader does not import JSON modules
const BUILTIN_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../lib/scenarios/builtin');
const BUILTIN_SCENARIOS: ScenarioFile[] = readdirSync(BUILTIN_DIR).filter((f) => f.endsWith('.json')).sort()
  .map((f) => JSON.parse(readFileSync(path.join(BUILTIN_DIR, f), 'utf8')) as ScenarioFile);

/** light and dark screenshots of these, once finished */
const PICTURED = new Set(['work-queues', 'topics', 'dead-letters']);

// one page, logged in once, plays them all in turn: the spec stays short on a loaded machine
test.describe.configure({ mode: 'serial' });
let page: Page;
let watch: ReturnType<typeof watchPage>;

test.beforeAll(async ({ browser }) => {
  page = await browser.newPage();
  watch = watchPage(page);
  await login(page);
  await page.getByRole('link', { name: 'Scenarios' }).click();
});

test.afterAll(async () => {
  await page.close();
});

for (const s of BUILTIN_SCENARIOS) {
  const title = `${s.tutorial === undefined ? '' : `${s.tutorial}. `}${s.title}`;
  const vhost = `scenario-${s.id}`;
  const checkpoints = s.steps.reduce((n, st) => n + st.checkpoints.length, 0);
  test(`scenario ${title} plays to its end at 10x with every checkpoint passed`, async ({ request }) => {
    test.setTimeout(60_000);
    await page.getByRole('navigation', { name: 'Scenarios' }).getByRole('button', { name: title }).click();
    await expect(page.getByRole('heading', { name: s.title, exact: true })).toBeVisible();
    const status = page.getByTestId('scenario-status');
    await expect(status).toHaveText('idle');
    await page.getByRole('toolbar', { name: 'Player controls' }).getByLabel('Speed').selectOption('10');
    await page.getByRole('button', { name: 'Play', exact: true }).click();
    await expect(status).toHaveText('finished', { timeout: 45_000 });

    const shown = page.locator('[aria-label^="Checkpoints of step"] li');
    await expect(shown).toHaveCount(checkpoints);
    for (const cp of await shown.all()) await expect(cp).toHaveAttribute('data-state', 'passed');
    await expect(page.getByTestId('actor-code')).toContainText(`/${vhost}'`);
    if (PICTURED.has(s.id)) {
      await page.screenshot({ path: `e2e/screenshots/scenario-${s.id}.png`, fullPage: true });
      await page.emulateMedia({ colorScheme: 'dark' });
      await page.screenshot({ path: `e2e/screenshots/scenario-${s.id}-dark.png`, fullPage: true });
      await page.emulateMedia({ colorScheme: 'light' });
    }
    expect((await request.get(`/api/vhosts/${vhost}`, { headers: AUTH })).status()).toBe(200);

    await page.getByRole('button', { name: 'Reset' }).click();
    await expect(status).toHaveText('idle');
    expect((await request.get(`/api/vhosts/${vhost}`, { headers: AUTH })).status()).toBe(404);
    expect(watch.errors).toEqual([]);
  });
}

test('a shared link opens a scenario at a step in presenter mode, and plays from there', async () => {
  test.setTimeout(60_000);
  await page.goto('/scenarios/routing?step=2&present=1');
  const presenter = page.getByTestId('presenter');
  await expect(presenter).toBeVisible();
  await expect(presenter.getByText('step 2 of 3')).toBeVisible();
  await expect(page.getByTestId('presenter-caption')).toContainText('emit_log_direct publishes info, warning and error messages');
  await presenter.getByLabel('Speed').selectOption('10');
  await presenter.getByRole('button', { name: 'Play from step 2' }).click();
  await expect(presenter.getByTestId('scenario-status')).toHaveText('finished', { timeout: 45_000 });
  await page.screenshot({ path: 'e2e/screenshots/scenario-presenter.png' });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: 'e2e/screenshots/scenario-presenter-dark.png' });
  await page.emulateMedia({ colorScheme: 'light' });
  await presenter.getByRole('button', { name: 'Reset' }).click();
  await expect(presenter.getByTestId('scenario-status')).toHaveText('idle');
  await page.keyboard.press('Escape');
  await expect(presenter).toHaveCount(0);
  await expect(page.getByRole('heading', { name: 'Routing' })).toBeVisible();
  expect(watch.errors).toEqual([]);
});

test('a scenario file with mistakes is refused and the validator says which fields', async () => {
  await page.goto('/scenarios');
  const bad = { ...BUILTIN_SCENARIOS[0], id: 'my-hello', actors: [{ ...BUILTIN_SCENARIOS[0].actors[0], rate: -1 }], steps: [{ ...BUILTIN_SCENARIOS[0].steps[0], start: ['nobody'] }] };
  await page.getByLabel('Scenario file').setInputFiles({ name: 'mine.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(bad)) });
  const why = page.getByRole('list', { name: 'Why the scenario was not loaded' });
  await expect(why).toContainText('$.actors[0].rate: must be between 0.01 and 500');
  await expect(why).toContainText('$.steps[0].start[0]: must name an actor');
  const good = { ...BUILTIN_SCENARIOS[0], id: 'my-hello', title: 'My hello' };
  await page.getByLabel('Scenario file').setInputFiles({ name: 'mine.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(good)) });
  await expect(page.getByRole('navigation', { name: 'Scenarios' }).getByRole('button', { name: /My hello/ })).toBeVisible();
  await expect(why).toHaveCount(0);
});

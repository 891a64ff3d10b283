// A first-time user's rough edges (issue 10): drag-to-bind onto the whole card, dialogs that open on
// their first field, a publish body that is text unless it is JSON, a narrow window that still
// reaches every page and row menu, graph elements read out by name, and a light/dark switch.
import { expect, test, type Page } from '@playwright/test';
import { AUTH, exchangeNode, freshVhost, login, queueNode, uniqueVhost, unusedVhost, watchPage } from './console-helpers';

const SHOTS = process.env.USABILITY_SHOTS ?? 'test-results/usability';

async function shop(request: Parameters<typeof freshVhost>[0], prefix: string) {
  const vhost = uniqueVhost(prefix);
  const connection = await freshVhost(request, vhost);
  const ch = await connection.createChannel();
  await ch.assertExchange('shop.events', 'topic', { durable: true });
  await ch.assertQueue('orders', { durable: true });
  await ch.assertQueue('audit', { durable: true });
  await ch.bindQueue('orders', 'shop.events', 'order.*');
  return { vhost, connection, ch };
}

async function shoot(page: Page, name: string) {
  await page.waitForTimeout(300);
  await page.screenshot({ path: `${SHOTS}/${name}.png` });
}

test('a binding dropped anywhere on the queue card binds; dialogs open on their first field', async ({ page, request }) => {
  const watch = watchPage(page);
  const { vhost, connection } = await shop(request, 'e2e-drop');
  try {
    await login(page, vhost);
    const exchange = exchangeNode(page, 'shop.events');
    const queue = queueNode(page, 'audit');
    await expect(exchange).toBeVisible();
    await expect(queue).toBeVisible();

    // from the exchange's right edge to the right half of the card, far from its left dot
    const from = await exchange.locator('.react-flow__handle.source').boundingBox();
    const card = await queue.boundingBox();
    if (!from || !card) throw new Error('not on screen');
    await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
    await page.mouse.down();
    await page.mouse.move(card.x + card.width * 0.4, card.y - 30, { steps: 6 });
    await page.mouse.move(card.x + card.width * 0.75, card.y + card.height * 0.65, { steps: 6 });
    // the card says it takes the drop while the pointer is over it
    await expect(queue.locator('.react-flow__handle.target.valid')).toHaveCount(1);
    await page.mouse.up();
    const bind = page.getByRole('dialog', { name: 'New binding' });
    await expect(bind).toBeVisible();
    await expect(bind.getByLabel('Routing pattern')).toBeFocused();
    await page.keyboard.type('audit.#');
    await page.keyboard.press('Enter');
    await expect(bind).toBeHidden();
    await expect(page.locator('.edge-key', { hasText: 'audit.#' })).toBeVisible();
    const bindings = await request.get(`/api/bindings/${vhost}/e/shop.events/q/audit`, { headers: AUTH });
    expect(((await bindings.json()) as { routing_key: string }[]).map((b) => b.routing_key)).toEqual(['audit.#']);

    // the create forms: typing goes into the name, not onto the Close button
    for (const [button, title] of [
      ['Exchange', 'New exchange'],
      ['Queue', 'New queue'],
    ] as const) {
      await page.getByRole('button', { name: button, exact: true }).click();
      const dialog = page.getByRole('dialog', { name: title });
      await expect(dialog.getByLabel('Name')).toBeFocused();
      await page.keyboard.press('Escape');
      await expect(dialog).toBeHidden();
    }
    expect(watch.errors).toEqual([]);
  } finally {
    await connection.close();
  }
});

test('publishing a plain word sends it as text', async ({ page, request }) => {
  const { vhost, connection } = await shop(request, 'e2e-text');
  try {
    await login(page, vhost);
    await exchangeNode(page, 'shop.events').click();
    await page.getByRole('toolbar', { name: 'Graph' }).getByRole('button', { name: 'Publish' }).click();
    const form = page.getByRole('form', { name: 'Publish message' });
    await form.getByLabel('Routing key').fill('order.created');
    await form.getByRole('textbox', { name: 'Body' }).fill('hello');
    await expect(form.getByTestId('body-sent-as')).toHaveText('Sent as plain text.');
    await form.getByRole('button', { name: /^Publish/ }).click();
    await expect(page.getByTestId('publish-outcome')).toContainText('Routed');
    const got = await request.post(`/api/queues/${vhost}/orders/get`, { headers: AUTH, data: { count: 1, ackmode: 'ack_requeue_false', encoding: 'auto' } });
    const [m] = (await got.json()) as { payload: string; properties: { content_type?: string } }[];
    expect(m.payload).toBe('hello');
    expect(m.properties.content_type).toBeUndefined();
  } finally {
    await connection.close();
  }
});

test('at 800 px every page link and row menu is in reach; the graph reads out names', async ({ page, request }) => {
  const { vhost, connection, ch } = await shop(request, 'e2e-narrow');
  try {
    await ch.consume('orders', () => undefined, { consumerTag: 'orders-worker' });
    await page.setViewportSize({ width: 800, height: 700 });
    await login(page, vhost);
    await expect(queueNode(page, 'orders')).toBeVisible();
    const nav = page.getByRole('navigation', { name: 'Console' });
    for (const width of [1280, 1200, 1100, 1000, 800]) {
      await page.setViewportSize({ width, height: 700 });
      for (const name of ['Graph', 'Overview', 'Queues', 'Exchanges', 'Bindings', 'Connections', 'Channels', 'Consumers', 'Users']) {
        await expect(nav.getByRole('link', { name, exact: true }), `${name} at ${width} px`).toBeInViewport({ ratio: 1 });
      }
      await expect(page.getByRole('button', { name: 'Log out' }), `Log out at ${width} px`).toBeInViewport({ ratio: 1 });
    }

    // lines and nodes are named for a screen reader, not by their React Flow ids
    await expect(page.getByRole('group', { name: 'binding from shop.events to orders, key order.*' })).toHaveCount(1);
    await expect(page.getByRole('group', { name: 'Queue orders', exact: true })).toHaveCount(1);
    await expect(page.getByRole('group', { name: 'Exchange shop.events, topic' })).toHaveCount(1);
    await expect(page.locator('[aria-label^="Edge from"]')).toHaveCount(0);

    await nav.getByRole('link', { name: 'Channels', exact: true }).click();
    await expect(page.getByRole('heading', { name: 'Channels' })).toBeVisible();
    for (const [path, row] of [
      ['/queues', 'orders'],
      ['/exchanges', 'shop.events'],
    ] as const) {
      await page.goto(path);
      const menu = page.getByRole('row').filter({ hasText: row }).getByRole('button', { name: /^Actions for/ });
      await expect(menu).toBeInViewport({ ratio: 1 });
      await menu.click();
      await expect(page.getByRole('menu')).toBeInViewport();
      await page.keyboard.press('Escape');
    }
    await page.goto('/bindings');
    await expect(page.getByRole('button', { name: 'Remove binding shop.events to orders' })).toBeInViewport({ ratio: 1 });
    // the live snapshot leaves the default exchange's bindings out (implied): the table lists them all the same
    const defaultRow = page.getByRole('row').filter({ has: page.locator('a.default') }).filter({ hasText: 'orders' });
    await expect(defaultRow).toHaveCount(1);
    await expect(defaultRow.getByRole('button', { name: /^Remove binding/ })).toHaveCount(0);
  } finally {
    await connection.close();
  }
});

test('a light/dark switch: the system by default, remembered, applied before the first paint', async ({ page, request }) => {
  const html = await (await request.get('/login')).text();
  // the theme is set by a script in <head>, before the body is painted
  expect(html.indexOf('warren.theme')).toBeGreaterThan(-1);
  expect(html.indexOf('warren.theme')).toBeLessThan(html.indexOf('<body'));

  await page.emulateMedia({ colorScheme: 'dark' });
  await login(page);
  const root = page.locator('html');
  await expect(root).toHaveAttribute('data-theme', 'dark');
  const toggle = page.getByRole('button', { name: /^Theme: system/ });
  await toggle.click();
  await expect(root).toHaveAttribute('data-theme', 'light');
  await expect(page.getByRole('button', { name: /^Theme: light/ })).toBeVisible();
  const bg = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const lightBg = await bg();

  // remembered: a reload on a dark system stays light, from the first frame
  await page.addInitScript(() => {
    new MutationObserver(() => {
      if (document.body && !(window as unknown as { firstTheme?: string }).firstTheme) {
        (window as unknown as { firstTheme?: string }).firstTheme = document.documentElement.dataset.theme ?? 'none';
      }
    }).observe(document, { childList: true, subtree: true });
  });
  await page.reload();
  await expect(root).toHaveAttribute('data-theme', 'light');
  expect(await page.evaluate(() => (window as unknown as { firstTheme?: string }).firstTheme)).toBe('light');
  expect(await bg()).toBe(lightBg);

  await page.getByRole('button', { name: /^Theme: light/ }).click();
  await expect(root).toHaveAttribute('data-theme', 'dark');
  expect(await bg()).not.toBe(lightBg);
  await page.getByRole('button', { name: /^Theme: dark/ }).click();
  // back to the system's, which follows it when it changes
  await page.emulateMedia({ colorScheme: 'light' });
  await expect(root).toHaveAttribute('data-theme', 'light');
  expect(await page.evaluate(() => localStorage.getItem('warren.theme'))).toBeNull();
});

test('administrators add a user with access to the vhost, and delete it', async ({ page, request }) => {
  const vhost = await unusedVhost(request, 'e2e-users');
  const connection = await freshVhost(request, vhost);
  const user = `alice-${Date.now().toString(36)}`;
  try {
    await login(page, vhost);
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Users' }).click();
    await expect(page.getByRole('heading', { name: 'Users' })).toBeVisible();
    await expect(page.getByRole('row').filter({ hasText: 'guest' })).toContainText('administrator');
    await page.getByRole('button', { name: 'Add user' }).click();
    const form = page.getByRole('dialog', { name: 'New user' });
    await expect(form.getByLabel('Name')).toBeFocused();
    await page.keyboard.type(user);
    await form.getByLabel('Password').fill('s3cret-pass');
    await form.getByLabel('monitoring').check();
    await form.getByRole('button', { name: 'Add user' }).click();
    await expect(form).toBeHidden();
    const row = page.getByRole('row').filter({ hasText: user });
    await expect(row).toContainText('monitoring');
    await expect(row).toContainText('full');
    const perm = await request.get(`/api/permissions/${encodeURIComponent(vhost)}/${user}`, { headers: AUTH });
    expect(((await perm.json()) as { read: string }).read).toBe('.*');
    // the new user's password works
    const whoami = await request.get('/api/whoami', { headers: { Authorization: `Basic ${Buffer.from(`${user}:s3cret-pass`).toString('base64')}` } });
    expect(((await whoami.json()) as { tags: string[] }).tags).toEqual(['monitoring']);

    await row.getByRole('button', { name: `Actions for user ${user}` }).click();
    await page.getByRole('menuitem', { name: 'Delete user…' }).click();
    await page.getByRole('dialog', { name: 'Delete user?' }).getByRole('button', { name: 'Delete user' }).click();
    await expect(row).toHaveCount(0);
    expect((await request.get(`/api/users/${user}`, { headers: AUTH })).status()).toBe(404);
  } finally {
    await connection.close();
  }
});

test('screens at 1280 and 800 px, light and dark', async ({ page, request }) => {
  test.skip(!process.env.USABILITY_SHOTS, 'pictures for people to look at: set USABILITY_SHOTS to a folder');
  const { vhost, connection, ch } = await shop(request, 'e2e-look');
  try {
    await ch.consume('orders', () => undefined, { consumerTag: 'orders-worker' });
    await login(page, vhost);
    await expect(queueNode(page, 'orders')).toBeVisible();
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      for (const width of [1280, 800]) {
        await page.setViewportSize({ width, height: 800 });
        await page.goto('/');
        await expect(queueNode(page, 'orders')).toBeVisible();
        await shoot(page, `graph-${width}-${scheme}`);
        await page.goto('/channels');
        await shoot(page, `channels-${width}-${scheme}`);
        await page.goto('/queues');
        await shoot(page, `queues-${width}-${scheme}`);
        await page.goto('/users');
        await shoot(page, `users-${width}-${scheme}`);
      }
    }
    // a binding dragged over a card, and the dialog it opens
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto('/');
    const from = await exchangeNode(page, 'shop.events').locator('.react-flow__handle.source').boundingBox();
    const card = await queueNode(page, 'audit').boundingBox();
    if (!from || !card) throw new Error('not on screen');
    await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
    await page.mouse.down();
    await page.mouse.move(card.x + card.width * 0.7, card.y + card.height * 0.6, { steps: 10 });
    await shoot(page, 'drag-over-card-dark');
    await page.mouse.up();
    await shoot(page, 'bind-dialog-dark');
    await page.keyboard.press('Escape');
    // the switch picks light on a dark system
    await page.getByRole('button', { name: /^Theme: system/ }).click();
    await shoot(page, 'graph-1280-forced-light');
    await page.getByRole('button', { name: /^Theme: light/ }).click();
    await page.getByRole('button', { name: /^Theme: dark/ }).click();
  } finally {
    await connection.close();
  }
});

// Routing explained in the Publish panel: as the routing key and headers are typed, the broker's
// dry run lists the destination queues, each binding with why it matched, the alternate exchange
// and what mandatory would do; the graph highlights the matching bindings and rings the queues.
// Nothing is published by explaining.
import { expect, test } from '@playwright/test';
import { exchangeNode, freshVhost, login, queueNode, unusedVhost, watchPage } from './console-helpers';

test('the route a key would take is explained and highlighted as it is typed', async ({ page, request }) => {
  test.setTimeout(180_000);
  const problems = watchPage(page);
  const vhost = await unusedVhost(request, 'explain');
  const conn = await freshVhost(request, vhost);
  const ch = await conn.createChannel();
  await ch.assertExchange('unrouted', 'fanout', { durable: false });
  await ch.assertExchange('logs', 'topic', { durable: false, arguments: { 'alternate-exchange': 'unrouted' } });
  await ch.assertExchange('by-format', 'headers', { durable: false });
  for (const q of ['errors', 'all-logs', 'lost', 'pdf']) await ch.assertQueue(q, { durable: false });
  await ch.bindQueue('errors', 'logs', '*.error.#');
  await ch.bindQueue('all-logs', 'logs', 'app.#');
  await ch.bindQueue('lost', 'unrouted', '');
  await ch.bindExchange('by-format', 'logs', 'report.#');
  await ch.bindQueue('pdf', 'by-format', '', { 'x-match': 'all', format: 'pdf' });

  await login(page, vhost);
  await expect(exchangeNode(page, 'logs')).toBeVisible();
  await exchangeNode(page, 'logs').click();
  await page.getByRole('toolbar', { name: 'Graph' }).getByRole('button', { name: 'Publish' }).click();
  const form = page.getByRole('form', { name: 'Publish message' });
  await expect(form.getByLabel('Exchange')).toHaveValue('logs');

  // a topic key: word by word
  await form.getByLabel('Routing key').fill('app.error.db');
  const explained = page.getByTestId('route-explanation');
  await expect(explained.getByTestId('route-outcome')).toHaveText(/Reaches 2 queues: all-logs, errors|Reaches 2 queues: errors, all-logs/);
  await expect(explained).toContainText("pattern '*.error.#' matches: '*' = 'app', 'error' = 'error', '#' = 'db'");
  await expect(explained).toContainText("pattern word 1 'report' does not match key word 1 'app'");
  await expect(explained).toContainText('Alternate exchange unrouted of logs: not needed, a binding matched');
  // on the graph: the matching bindings in green, the others dashed, the queues ringed
  await expect(page.locator('[data-testid="route-edge"][data-matched="true"]')).toHaveCount(2);
  await expect(page.locator('[data-testid="route-edge"][data-matched="false"]')).toHaveCount(1);
  await expect(page.locator('[data-testid="route-ring"]')).toHaveCount(2);
  await expect(page.locator('[data-testid="route-ring"][data-queue="errors"]')).toHaveCount(1);
  await page.setViewportSize({ width: 1600, height: 940 });
  await page.getByRole('button', { name: 'Fit', exact: true }).click();
  await page.waitForTimeout(600);
  await page.screenshot({ path: 'e2e/screenshots/routing-explain.png' });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.waitForTimeout(500);
  await page.screenshot({ path: 'e2e/screenshots/routing-explain-dark.png' });
  await page.emulateMedia({ colorScheme: 'light' });

  // nothing matches: the alternate exchange takes it; with mandatory off and on
  await form.getByLabel('Routing key').fill('audit.login');
  await expect(explained.getByTestId('route-outcome')).toHaveText('Reaches 1 queue: lost');
  await expect(explained).toContainText('Alternate exchange unrouted of logs: used, since none of its bindings matched');

  // headers through an exchange-to-exchange binding, x-match evaluated per argument
  await form.getByLabel('Routing key').fill('report.weekly');
  await page.getByText('Properties and headers').click();
  await form.getByRole('button', { name: /Add header/ }).click();
  await form.getByLabel('Header 1 name').fill('format');
  await form.getByLabel('Header 1 value').fill('pdf');
  await expect(explained.getByTestId('route-outcome')).toHaveText('Reaches 1 queue: pdf');
  await expect(explained).toContainText('x-match all: all 1 arguments match');
  await expect(explained).toContainText('via logs');
  await form.getByLabel('Header 1 value').fill('csv');
  await expect(explained).toContainText('x-match all: 1 of 1 arguments do not match (format)');
  // as in RabbitMQ: logs' binding matched (to by-format), so logs' alternate exchange is not used
  await expect(explained.getByTestId('route-outcome')).toHaveText('Unroutable: dropped silently (not mandatory)');
  await expect(explained).toContainText('Alternate exchange unrouted of logs: not needed');

  // mandatory, and nothing at all: a direct exchange without bindings
  await form.getByLabel('Exchange').selectOption('amq.direct');
  await form.getByLabel(/^Mandatory/).check();
  await form.getByLabel('Routing key').fill('nobody');
  await expect(explained.getByTestId('route-outcome')).toHaveText('Unroutable: returned to the publisher (basic.return 312 NO_ROUTE)');
  await form.getByLabel(/^Mandatory/).uncheck();
  await expect(explained.getByTestId('route-outcome')).toHaveText('Unroutable: dropped silently (not mandatory)');

  // explaining published nothing
  for (const q of ['errors', 'all-logs', 'lost', 'pdf']) expect((await ch.checkQueue(q)).messageCount).toBe(0);
  await expect(queueNode(page, 'errors').getByTestId('queue-ready')).toHaveText('0');
  expect(problems.errors).toEqual([]);
  await conn.close();
});

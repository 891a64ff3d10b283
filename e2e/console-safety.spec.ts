// Names and bodies come from whoever talks AMQP to the broker: the console shows them as text,
// never as markup. A queue called <script>alert(1)</script> is a queue with a strange name.
import { expect, test } from '@playwright/test';
import { exchangeNode, freshVhost, login, queueNode, uniqueVhost, watchPage } from './console-helpers';

const QUEUE = '<script>alert(1)</script>';
const EXCHANGE = '<img src=x onerror=alert(2)>';
const BODY = '<script>alert(3)</script><b>bold?</b>';

test('user-provided names and bodies render as text', async ({ page, request }) => {
  const watch = watchPage(page);
  const vhost = uniqueVhost('e2e-safety');
  const connection = await freshVhost(request, vhost);
  try {
    const ch = await connection.createConfirmChannel();
    await ch.assertExchange(EXCHANGE, 'direct', { durable: false });
    await ch.assertQueue(QUEUE, { durable: false });
    await ch.bindQueue(QUEUE, EXCHANGE, '<i>key</i>');
    ch.publish(EXCHANGE, '<i>key</i>', Buffer.from(BODY), { headers: { '<u>h</u>': '<img src=y onerror=alert(4)>' }, contentType: 'text/html' });
    await ch.waitForConfirms();

    await login(page, vhost);
    // on the graph
    await expect(queueNode(page, QUEUE)).toBeVisible();
    await expect(queueNode(page, QUEUE).getByText(QUEUE, { exact: true })).toBeVisible();
    await expect(exchangeNode(page, EXCHANGE).getByText(EXCHANGE, { exact: true })).toBeVisible();
    await expect(page.locator('.edge-key', { hasText: '<i>key</i>' })).toBeVisible();
    await expect(page.locator('.react-flow script, .react-flow img, .react-flow i, .react-flow b')).toHaveCount(0);

    // in the inspector and the consume panel, body and headers included
    await queueNode(page, QUEUE).click();
    await expect(page.getByRole('heading', { name: QUEUE })).toBeVisible();
    await page.getByRole('tab', { name: 'Consume' }).click();
    const panel = page.getByRole('tabpanel');
    await panel.getByRole('button', { name: 'Peek' }).click();
    await expect(panel.getByTestId('message-body')).toHaveText(BODY);
    await panel.getByRole('button', { name: /^Properties/ }).click();
    await expect(panel.getByText('<img src=y onerror=alert(4)>', { exact: true })).toBeVisible();
    await expect(panel.locator('.msg-body b, .props img, .msg-view script')).toHaveCount(0);

    // in the tables
    await page.getByRole('link', { name: 'Queues', exact: true }).click();
    await expect(page.getByRole('cell', { name: QUEUE, exact: true })).toBeVisible();
    await page.getByRole('link', { name: 'Bindings', exact: true }).click();
    await expect(page.getByRole('cell', { name: '<i>key</i>', exact: true })).toBeVisible();
    await expect(page.locator('main script, table img, table i, table b')).toHaveCount(0);
    await page.screenshot({ path: 'e2e/screenshots/console-safety.png' });

    expect(watch.dialogs).toEqual([]);
    expect(watch.errors).toEqual([]);
  } finally {
    await connection.close();
  }
});

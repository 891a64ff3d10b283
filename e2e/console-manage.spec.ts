// Creating and deleting from the console: the toolbar's exchange and queue forms, the topic
// preview of the bind dialog, purge and delete from a node's menu, Delete on a selected node.
import { expect, test } from '@playwright/test';
import { AUTH, dragBinding, exchangeNode, freshVhost, login, queueNode, uniqueVhost, watchPage } from './console-helpers';

test('create, bind with a topic preview, purge and delete from the graph', async ({ page, request }) => {
  const watch = watchPage(page);
  const vhost = uniqueVhost('e2e-manage');
  const connection = await freshVhost(request, vhost);
  const api = (path: string) => request.get(`/api${path}`, { headers: AUTH });
  try {
    const ch = await connection.createChannel();
    await ch.assertExchange('lost+found', 'fanout', { durable: true });
    await login(page, vhost);
    await expect(exchangeNode(page, 'lost+found')).toBeVisible();

    // an exchange from the toolbar: topic, durable, with an alternate exchange
    await page.getByRole('button', { name: 'Exchange', exact: true }).click();
    const exForm = page.getByRole('dialog', { name: 'New exchange' });
    await exForm.getByLabel('Name').fill('telemetry');
    await exForm.getByText('topic', { exact: true }).click();
    await exForm.getByLabel('Alternate exchange').fill('lost+found');
    await exForm.getByRole('button', { name: 'Create exchange' }).click();
    await expect(exForm).toBeHidden();
    await expect(exchangeNode(page, 'telemetry')).toBeVisible();
    await expect(exchangeNode(page, 'telemetry').locator('.badge-d')).toHaveText('D');
    const ex = (await (await api(`/exchanges/${vhost}/telemetry`)).json()) as { type: string; durable: boolean; arguments: Record<string, unknown> };
    expect(ex.type).toBe('topic');
    expect(ex.durable).toBe(true);
    expect(ex.arguments['alternate-exchange']).toBe('lost+found');
    await expect(page.locator('.edge-label-link', { hasText: 'alternate' })).toBeVisible();

    // a queue with TTL, dead-lettering, a length limit and priorities
    await page.getByRole('button', { name: 'Queue', exact: true }).click();
    const qForm = page.getByRole('dialog', { name: 'New queue' });
    await qForm.getByLabel('Name').fill('readings');
    await qForm.getByLabel('Message TTL (ms)').fill('30000');
    await qForm.getByLabel('Dead-letter exchange').fill('lost+found');
    await qForm.getByLabel('Dead-letter routing key').fill('expired');
    await qForm.getByLabel('Max length (messages)').fill('1000');
    await qForm.getByLabel('Max priority').fill('5');
    await qForm.getByRole('button', { name: 'Create queue' }).click();
    await expect(qForm).toBeHidden();
    const queue = queueNode(page, 'readings');
    await expect(queue).toBeVisible();
    await expect(queue.locator('.q-features')).toContainText('TTL 30 s');
    const q = (await (await api(`/queues/${vhost}/readings`)).json()) as { arguments: Record<string, unknown>; durable: boolean };
    expect(q.durable).toBe(true);
    expect(q.arguments).toEqual({
      'x-message-ttl': 30000,
      'x-dead-letter-exchange': 'lost+found',
      'x-dead-letter-routing-key': 'expired',
      'x-max-length': 1000,
      'x-max-priority': 5,
    });
    await expect(page.locator('.edge-label-link', { hasText: 'dead letters → expired' })).toBeVisible();

    // bind by dragging; the topic dialog previews which keys the pattern matches
    await page.waitForTimeout(800); // the view centres on a new queue; let that finish
    await page.getByRole('button', { name: 'Fit', exact: true }).click();
    await page.waitForTimeout(500);
    await dragBinding(page, exchangeNode(page, 'telemetry'), queue);
    const bind = page.getByRole('dialog', { name: 'New binding' });
    await bind.getByLabel('Routing pattern').fill('sensor.*.temperature');
    await bind.getByLabel('Try a routing key').fill('sensor.kitchen.temperature');
    await expect(bind.locator('.topic-preview li.match', { hasText: 'sensor.kitchen.temperature' })).toBeVisible();
    await bind.getByLabel('Try a routing key').fill('sensor.kitchen.humidity');
    await expect(bind.locator('.topic-preview li.miss', { hasText: 'sensor.kitchen.humidity' })).toBeVisible();
    await bind.getByRole('button', { name: 'Bind' }).click();
    await expect(bind).toBeHidden();
    await expect(page.locator('.edge-key', { hasText: 'sensor.*.temperature' })).toBeVisible();

    // and without a mouse: from the exchange's inspector, keyboard only
    await exchangeNode(page, 'lost+found').focus();
    await page.keyboard.press('Enter'); // selects the focused node
    await expect(page.getByRole('heading', { name: 'lost+found' })).toBeVisible();
    await page.getByLabel('Bind to').selectOption('q|readings');
    await page.getByRole('button', { name: 'Bind…' }).focus();
    await page.keyboard.press('Enter');
    const fanoutBind = page.getByRole('dialog', { name: 'New binding' });
    await expect(fanoutBind).toContainText('Fanout exchanges send every message to every binding');
    await fanoutBind.getByRole('button', { name: 'Bind' }).focus();
    await page.keyboard.press('Enter');
    await expect(fanoutBind).toBeHidden();
    await expect
      .poll(async () => ((await (await api(`/bindings/${vhost}/e/lost%2Bfound/q/readings`)).json()) as unknown[]).length)
      .toBe(1);

    // messages in, then purge from the queue's menu
    for (let i = 0; i < 4; i++) ch.publish('telemetry', 'sensor.hall.temperature', Buffer.from(String(20 + i)));
    await expect(queue.getByTestId('queue-ready')).toHaveText('4');
    await queue.hover();
    await queue.getByRole('button', { name: 'Actions for queue readings' }).click();
    await page.getByRole('menuitem', { name: 'Purge…' }).click();
    const purge = page.getByRole('dialog', { name: 'Purge queue?' });
    await expect(purge).toContainText('4 ready messages');
    await purge.getByRole('button', { name: 'Purge' }).click();
    await expect(queue.getByTestId('queue-ready')).toHaveText('0');

    // delete the queue from its menu
    await queue.hover();
    await queue.getByRole('button', { name: 'Actions for queue readings' }).click();
    await page.getByRole('menuitem', { name: 'Delete queue…' }).click();
    await page.getByRole('dialog', { name: 'Delete queue?' }).getByRole('button', { name: 'Delete queue' }).click();
    await expect(queueNode(page, 'readings')).toHaveCount(0);
    expect((await api(`/queues/${vhost}/readings`)).status()).toBe(404);

    // select the exchange and press Delete
    await exchangeNode(page, 'telemetry').click();
    await page.keyboard.press('Delete');
    const del = page.getByRole('dialog', { name: 'Delete exchange?' });
    await del.getByRole('button', { name: 'Cancel' }).click();
    await expect(exchangeNode(page, 'telemetry')).toBeVisible();
    await exchangeNode(page, 'telemetry').click();
    await page.keyboard.press('Delete');
    await del.getByRole('button', { name: 'Delete exchange' }).click();
    await expect(exchangeNode(page, 'telemetry')).toHaveCount(0);

    expect(watch.errors).toEqual([]);
    expect(watch.dialogs).toEqual([]);
  } finally {
    await connection.close();
  }
});

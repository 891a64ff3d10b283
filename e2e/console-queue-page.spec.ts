// The page of one queue against the real `npm start`, with real amqplib clients: its details, the
// charts drawn from the queue's own samples (?lengths_age=&msg_rates_age=), its consumers by the
// connection name their client gave, bindings added and removed, get (peek and take), purge and
// delete after typing the name; reached from the queues table and from the graph's inspector.
import { expect, test, type Page } from '@playwright/test';
import amqp from 'amqplib';
import { AUTH, amqpPort, login, queueNode, uniqueVhost, watchPage } from './console-helpers';

/** The whole page in both themes: the window made as tall as the page (the console scrolls inside). */
async function shoot(page: Page, name: string, width: number) {
  await page.setViewportSize({ width, height: 900 });
  const main = page.locator('.app-main');
  await main.evaluate((e) => e.scrollTo(0, 0));
  const height = await main.evaluate((e) => e.scrollHeight + e.getBoundingClientRect().top);
  await page.setViewportSize({ width, height: Math.min(2600, Math.ceil(height)) });
  await page.emulateMedia({ colorScheme: 'light' });
  await page.waitForTimeout(400);
  await page.screenshot({ path: `e2e/screenshots/${name}.png` });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.waitForTimeout(400);
  await page.screenshot({ path: `e2e/screenshots/${name}-dark.png` });
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize({ width: 1280, height: 800 });
}

test('queue page: details, sample charts, consumers by connection name, bindings, get, purge, delete', async ({ page, request }) => {
  test.setTimeout(120_000);
  const seen = watchPage(page);
  const vhost = uniqueVhost('e2e-qpage');
  expect((await request.put(`/api/vhosts/${vhost}`, { headers: AUTH, data: {} })).status()).toBe(201);
  const port = await amqpPort(request);
  const conn = await amqp.connect(`amqp://guest:guest@127.0.0.1:${port}/${vhost}`, { clientProperties: { connection_name: 'billing-worker' } });
  const publisher = await amqp.connect(`amqp://guest:guest@127.0.0.1:${port}/${vhost}`);
  try {
    const ch = await conn.createChannel();
    await ch.assertQueue('invoices', { durable: true, arguments: { 'x-max-length': 1000 } });
    await ch.bindQueue('invoices', 'amq.topic', 'invoice.#');
    await ch.prefetch(3);
    // holds three unacknowledged, never acks
    await ch.consume('invoices', () => undefined, { consumerTag: 'inv-worker' });
    const pub = await publisher.createConfirmChannel();
    const send = async (n: number) => {
      for (let i = 0; i < n; i++) pub.publish('amq.topic', 'invoice.eu', Buffer.from(JSON.stringify({ invoice: i })), { contentType: 'application/json' });
      await pub.waitForConfirms();
    };
    await send(10);

    await login(page, vhost);
    await page.goto('/queues');
    await page.getByRole('row').filter({ hasText: 'invoices' }).getByRole('link', { name: 'Queue page' }).click();
    await expect(page).toHaveURL(new RegExp(`/queues/${vhost}/invoices$`));
    await expect(page.getByRole('heading', { name: /invoices/ })).toBeVisible();

    const details = page.getByRole('region', { name: 'Details' });
    await expect(details).toContainText('classic');
    await expect(details).toContainText('durable');
    await expect(details).toContainText('x-max-length');
    await expect(details).toContainText('1000');
    const counts = page.getByRole('region', { name: 'Counts' });
    await expect(counts.locator('.stat').filter({ hasText: 'Ready' }).locator('.value')).toHaveText('7');
    await expect(counts.locator('.stat').filter({ hasText: 'Unacked' }).locator('.value')).toHaveText('3');

    const consumers = page.getByRole('region', { name: 'Consumers' });
    const worker = consumers.getByRole('row').filter({ hasText: 'inv-worker' });
    await expect(worker).toContainText('billing-worker');
    await expect(worker).toContainText('manual');
    await expect(worker.locator('td.num')).toHaveText('3');

    // the queue is sampled every 5 s from the first request: two samples draw the lines
    const queued = page.getByRole('region', { name: 'Queued messages' });
    await expect(queued.getByRole('img')).toBeVisible({ timeout: 20_000 });
    await send(5);
    const rates = page.getByRole('region', { name: 'Message rates' });
    await expect(rates.getByRole('img')).toBeVisible({ timeout: 20_000 });
    await expect(queued.locator('.chart-legend li').filter({ hasText: 'Ready' }).locator('strong')).toHaveText('12', { timeout: 15_000 });
    const history = (await (await request.get(`/api/queues/${vhost}/invoices?lengths_age=60&lengths_incr=5`, { headers: AUTH })).json()) as {
      messages_ready_details: { samples: { sample: number }[] };
    };
    expect(history.messages_ready_details.samples.length).toBeGreaterThanOrEqual(2);
    expect(history.messages_ready_details.samples.length).toBeLessThan(13);

    // bindings: the topic one, then one added from amq.direct and removed again
    const bindings = page.getByRole('region', { name: 'Bindings' });
    await expect(bindings.getByRole('row').filter({ hasText: 'amq.topic' })).toContainText('invoice.#');
    await bindings.getByLabel('Exchange to bind from').selectOption('amq.direct');
    await bindings.getByRole('button', { name: 'Add binding…' }).click();
    const bind = page.getByRole('form', { name: 'New binding' });
    await bind.getByLabel('Routing key').fill('invoice-direct');
    await bind.getByRole('button', { name: 'Bind' }).click();
    await expect(bindings.getByRole('row').filter({ hasText: 'amq.direct' })).toContainText('invoice-direct');
    pub.publish('amq.direct', 'invoice-direct', Buffer.from('direct one'));
    await pub.waitForConfirms();
    await expect(counts.locator('.stat').filter({ hasText: 'Ready' }).locator('.value')).toHaveText('13', { timeout: 10_000 });
    await shoot(page, 'console-queue-page', 1280);
    await shoot(page, 'console-queue-page-800', 800);
    await bindings.getByRole('button', { name: `Remove binding amq.direct to invoices` }).click();
    await page.getByRole('dialog', { name: 'Remove binding?' }).getByRole('button', { name: 'Remove binding' }).click();
    await expect(bindings.getByRole('row').filter({ hasText: 'amq.direct' })).toHaveCount(0);

    // get: peeking requeues (the messages come back redelivered), automatic ack takes
    const get = page.getByRole('region', { name: 'Get messages' });
    await get.getByLabel('Ack mode').selectOption('ack_requeue_true');
    await get.getByLabel('Messages', { exact: true }).fill('2');
    await get.getByRole('button', { name: 'Peek' }).click();
    const got = get.getByRole('list', { name: 'Messages got' }).getByRole('listitem');
    await expect(got).toHaveCount(2);
    await expect(got.first().getByTestId('message-body')).toContainText('"invoice": 3');
    const ready = async () => ((await (await request.get(`/api/queues/${vhost}/invoices`, { headers: AUTH })).json()) as { messages_ready: number }).messages_ready;
    await expect.poll(ready).toBe(13);
    await get.getByLabel('Ack mode').selectOption('ack_requeue_false');
    await get.getByLabel('Messages', { exact: true }).fill('1');
    await get.getByRole('button', { name: 'Get', exact: true }).click();
    await expect(got).toHaveCount(1);
    await expect(got.first()).toContainText('redelivered');
    await expect.poll(ready).toBe(12);

    // the consumer's connection, by its client-given name
    await worker.getByRole('link', { name: 'billing-worker' }).click();
    await expect(page).toHaveURL(/\/connections\?name=/);
    const connections = page.getByRole('region', { name: 'Connections' });
    await expect(connections.locator('tbody tr')).toHaveCount(1);
    await expect(connections.locator('tbody tr')).toContainText('billing-worker');
    // channels name their connection the same way
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Channels', exact: true }).click();
    await expect(page.getByRole('region', { name: 'Channels' }).getByRole('link', { name: 'billing-worker' })).toBeVisible();
    await page.goto(`/queues/${vhost}/invoices`);

    // purge and delete ask for the queue's name
    await page.getByRole('button', { name: 'Purge…' }).click();
    const purge = page.getByRole('dialog', { name: 'Purge queue?' });
    await expect(purge.getByRole('button', { name: 'Purge' })).toBeDisabled();
    await purge.getByLabel(/Type .* to confirm/).fill('invoices');
    await purge.getByRole('button', { name: 'Purge' }).click();
    await expect.poll(ready).toBe(0);

    await page.getByRole('button', { name: 'Delete…' }).click();
    const del = page.getByRole('dialog', { name: 'Delete queue?' });
    await del.getByLabel(/Type .* to confirm/).fill('invoices');
    await del.getByRole('button', { name: 'Delete queue' }).click();
    await expect(page).toHaveURL(/\/queues$/);
    expect((await request.get(`/api/queues/${vhost}/invoices`, { headers: AUTH })).status()).toBe(404);
    expect(seen.errors).toEqual([]);
  } finally {
    await conn.close().catch(() => undefined);
    await publisher.close().catch(() => undefined);
    await request.delete(`/api/vhosts/${vhost}`, { headers: AUTH });
  }
});

test('queue page of the default vhost and an odd name, from the graph inspector', async ({ page, request }) => {
  const name = `odd name %41 ${Date.now().toString(36)}`;
  expect((await request.put(`/api/queues/%2F/${encodeURIComponent(name)}`, { headers: AUTH, data: {} })).status()).toBe(201);
  try {
    await login(page, '/');
    await page.goto(`/?focus=${encodeURIComponent(`q|${name}`)}`);
    await expect(queueNode(page, name)).toBeVisible();
    await page.getByRole('link', { name: /Queue page: charts/ }).click();
    await expect(page).toHaveURL(`/queues/%2F/${encodeURIComponent(name)}`);
    // decoded once: `%41` stays as typed, not an `A`
    await expect(page.getByRole('heading', { name })).toBeVisible();
    await expect(page.getByText('vhost /', { exact: true })).toBeVisible();
    await expect(page.getByRole('region', { name: 'Consumers' })).toContainText('No consumer.');

    // a queue that is not there says so
    await page.goto('/queues/%2F/no-such-queue-here');
    await expect(page.getByText(/There is no queue/)).toBeVisible();
  } finally {
    await request.delete(`/api/queues/%2F/${encodeURIComponent(name)}`, { headers: AUTH });
  }
});

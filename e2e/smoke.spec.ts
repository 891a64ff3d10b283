// Smoke: the console renders the running broker, and what an AMQP client declares shows up, as
// text, without a reload. Also takes a screenshot of the queues table.
import { expect, test } from '@playwright/test';
import amqp from 'amqplib';

const HOSTILE_QUEUE = '<script>alert(1)</script>-smoke';

test('console lists what an AMQP client declares', async ({ page, request }) => {
  const health = await request.get('/api/health');
  expect(health.ok()).toBe(true);
  const { amqpPort } = (await health.json()) as { ok: boolean; amqpPort: number };

  const dialogs: string[] = [];
  const pageErrors: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on('pageerror', (err) => pageErrors.push(err.message));

  // the console asks for a broker user first
  await page.goto('/overview');
  await expect(page).toHaveURL(/\/login/);
  await page.getByLabel('Username').fill('guest');
  await page.getByLabel('Password').fill('guest');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('heading', { name: 'Warren' })).toBeVisible();
  await expect(page.getByTestId('amqp-url')).toHaveText(`amqp://guest:guest@127.0.0.1:${amqpPort}`);
  await page.getByRole('link', { name: 'Exchanges', exact: true }).click();
  await expect(page.getByRole('cell', { name: 'amq.topic', exact: true })).toBeVisible();
  await page.getByRole('link', { name: 'Queues', exact: true }).click();

  const connection = await amqp.connect(`amqp://guest:guest@127.0.0.1:${amqpPort}`);
  try {
    const channel = await connection.createConfirmChannel();
    // A small topology, so the screenshot shows something real.
    await channel.assertExchange('shop.events', 'topic', { durable: true });
    await channel.assertQueue('orders', { durable: true });
    await channel.bindQueue('orders', 'shop.events', 'order.*');
    for (const id of [1, 2, 3]) channel.publish('shop.events', 'order.created', Buffer.from(`order ${id}`));
    await channel.assertQueue(HOSTILE_QUEUE, { durable: false });
    channel.sendToQueue(HOSTILE_QUEUE, Buffer.from('hello from the smoke test'));
    await channel.waitForConfirms();

    const consumer = await connection.createChannel();
    await consumer.prefetch(1);
    await consumer.consume('orders', () => {}); // holds one message unacknowledged

    // No reload: the live stream (or polling, without it) keeps the table fresh.
    const row = page.getByRole('row').filter({ has: page.getByRole('cell', { name: HOSTILE_QUEUE, exact: true }) });
    await expect(row).toBeVisible({ timeout: 10_000 });
    await expect(row.getByRole('cell').nth(1)).toHaveText('1'); // ready
    const orders = page.getByRole('row').filter({ has: page.getByRole('cell', { name: 'orders', exact: true }) });
    await expect(orders.getByRole('cell').nth(1)).toHaveText('2', { timeout: 10_000 }); // ready
    await expect(orders.getByRole('cell').nth(2)).toHaveText('1'); // unacked
    await expect(orders.getByRole('cell').nth(3)).toHaveText('1'); // consumers

    // And after a full reload, still text: the name is shown, never run.
    await page.reload();
    await expect(row).toBeVisible();
    await expect(page.locator('table script')).toHaveCount(0);
    expect(dialogs).toEqual([]);
    expect(pageErrors).toEqual([]);

    await page.screenshot({ path: 'e2e/screenshots/console.png', fullPage: true });
  } finally {
    await connection.close();
  }
});

test('unknown WebSocket paths are refused and /api/ws serves a vhost snapshot after auth', async ({ baseURL }) => {
  const { WebSocket } = await import('ws');
  const wsUrl = baseURL!.replace(/^http/, 'ws');
  const received = await new Promise<{ type: string; queues?: { name: string }[] }[]>((resolve, reject) => {
    const ws = new WebSocket(`${wsUrl}/api/ws`);
    const got: { type: string; queues?: { name: string }[] }[] = [];
    ws.on('open', () => ws.send(JSON.stringify({ type: 'auth', username: 'guest', password: 'guest' })));
    ws.on('message', (data) => {
      const m = JSON.parse(String(data)) as { type: string; queues?: { name: string }[] };
      got.push(m);
      if (m.type === 'hello') ws.send(JSON.stringify({ type: 'vhost', vhost: '/' }));
      if (m.type === 'snapshot') {
        ws.close();
        resolve(got);
      }
    });
    ws.on('error', reject);
  });
  expect(received.map((m) => m.type)).toEqual(['hello', 'snapshot']);
  expect(Array.isArray(received[1].queues)).toBe(true);

  const status = await new Promise<number>((resolve) => {
    const ws = new WebSocket(`${wsUrl}/not-a-socket`);
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('error', () => resolve(-1));
  });
  expect(status).toBe(404);
});

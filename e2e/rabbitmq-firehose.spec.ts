// Measured flow on the cluster of `npm run cluster:up`: the graph toolbar's firehose switch asks
// first (tracing costs the cluster per message), then the vhost is traced, measured dots replace the
// estimated ones and the legend says so; switched off, tracing is off again on the cluster.
// Skipped, saying so, when the cluster does not answer.
import { expect, test } from '@playwright/test';
import amqp from 'amqplib';
import { findRabbitMq, type TestTarget } from '../lib/rabbitmq/testing';
import { startServed, type Served } from '../lib/testing/npm-start';
import { uniqueVhost } from './console-helpers';

const GUEST = `Basic ${Buffer.from('guest:guest').toString('base64')}`;
let target: TestTarget | undefined;
let served: Served | undefined;

async function rabbit(method: string, urlPath: string, body?: unknown): Promise<Response> {
  return fetch(`http://127.0.0.1:15701${urlPath}`, {
    method,
    headers: { authorization: GUEST, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

const tracing = async (vhost: string) => ((await (await rabbit('GET', `/api/vhosts/${encodeURIComponent(vhost)}`)).json()) as { tracing: boolean }).tracing;

test.beforeAll(async () => {
  test.setTimeout(420_000);
  target = await findRabbitMq();
  if (target === undefined || !target.config.managementUrl.endsWith(':15701')) {
    target = undefined;
    return;
  }
  served = await startServed('e2e-firehose', { args: ['--no-embedded', '--rabbitmq', 'cluster=http://guest:guest@127.0.0.1:15701,amqp://127.0.0.1:5701'] });
});

test.afterAll(async () => {
  await served?.stop();
});

test('the firehose switch warns, traces the vhost, draws measured dots, and turns tracing off again', async ({ page }) => {
  test.skip(target === undefined, 'needs the cluster of npm run cluster:up (management 127.0.0.1:15701)');
  test.setTimeout(120_000);
  const vhost = uniqueVhost('j-firehose');
  expect((await rabbit('PUT', `/api/vhosts/${vhost}`)).ok).toBe(true);
  expect((await rabbit('PUT', `/api/permissions/${vhost}/guest`, { configure: '.*', write: '.*', read: '.*' })).ok).toBe(true);
  const conn = await amqp.connect(`amqp://guest:guest@127.0.0.1:5701/${encodeURIComponent(vhost)}`);
  let publishing: NodeJS.Timeout | undefined;
  try {
    const ch = await conn.createChannel();
    await ch.assertExchange('orders', 'direct', { durable: false });
    await ch.assertQueue('invoices', { durable: false });
    await ch.bindQueue('invoices', 'orders', 'new');
    await ch.consume('invoices', () => {}, { noAck: true });
    publishing = setInterval(() => ch.publish('orders', 'new', Buffer.from('order')), 100);

    await page.emulateMedia({ colorScheme: 'light' });
    await page.addInitScript((v) => localStorage.setItem('warren.vhost', v), vhost);
    await page.goto(`${served!.base}/`);
    await page.getByLabel('Username').fill('guest');
    await page.getByLabel('Password').fill('guest');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect(page.getByLabel('vhost', { exact: true })).toHaveValue(vhost);
    await expect(page.getByText('Dots estimated from 5 s samples')).toBeVisible({ timeout: 30_000 });

    const toggle = page.getByRole('switch', { name: 'Measured flow (firehose)' });
    await toggle.click({ force: true });
    const dialog = page.getByRole('dialog', { name: 'Turn on the firehose?' });
    await expect(dialog).toContainText('CPU');
    await page.screenshot({ path: 'test-results/firehose-confirm-light.png' });
    await dialog.getByRole('button', { name: 'Turn on tracing' }).click();
    await expect(page.getByText('Dots measured (firehose)')).toBeVisible({ timeout: 20_000 });
    await expect(toggle).toBeChecked();
    expect(await tracing(vhost)).toBe(true);
    // measured dots travel the binding
    await expect(page.locator('.flow-layer:not(.estimated) .flow-dot').first()).toBeAttached({ timeout: 20_000 });
    await page.screenshot({ path: 'test-results/firehose-on-light.png' });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: 'test-results/firehose-on-dark.png' });

    await toggle.click({ force: true });
    await expect(page.getByText('Dots estimated from 5 s samples')).toBeVisible({ timeout: 20_000 });
    await expect.poll(() => tracing(vhost), { timeout: 20_000 }).toBe(false);
  } finally {
    clearInterval(publishing);
    await conn.close().catch(() => {});
    await rabbit('DELETE', `/api/vhosts/${vhost}`);
  }
});

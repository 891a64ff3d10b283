// The console on a big or busy RabbitMQ vhost, through a real `npm start -- --no-embedded
// --rabbitmq cluster=...` and the shared cluster: a vhost with more queues than the graph draws one
// by one opens grouped (queues bound from the same exchanges as one node, the toolbar counting them
// all) and a filter draws a few of them one by one; on a cluster that samples rates every 5 s,
// message flow is drawn as estimated dots, hollow and labelled as estimates.
// Skipped, saying so, when no RabbitMQ answers (npm run cluster:up, or one on 15672).
import { expect, test, type Page } from '@playwright/test';
import amqp from 'amqplib';
import { findRabbitMq, NO_RABBITMQ, type TestTarget } from '../lib/rabbitmq/testing';
import { startServed, type Served } from '../lib/testing/npm-start';
import { watchPage } from './console-helpers';

const GUEST = `Basic ${Buffer.from('guest:guest').toString('base64')}`;
let target: TestTarget | undefined;
let served: Served | undefined;
let base = '';

async function rabbit(method: string, urlPath: string, body?: unknown): Promise<Response> {
  return fetch(`${target!.config.managementUrl}${urlPath}`, {
    method,
    headers: { authorization: GUEST, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function freshVhost(name: string): Promise<void> {
  expect((await rabbit('PUT', `/api/vhosts/${name}`)).ok).toBe(true);
  expect((await rabbit('PUT', `/api/permissions/${name}/guest`, { configure: '.*', write: '.*', read: '.*' })).ok).toBe(true);
}

/** Deletes a vhost; one with many queues can outlast the API's idle timeout, so it is then waited for. */
async function dropVhost(name: string): Promise<void> {
  try {
    await rabbit('DELETE', `/api/vhosts/${name}`);
  } catch {
    for (let i = 0; i < 240; i++) {
      const res = await rabbit('GET', `/api/vhosts/${name}`).catch(() => undefined);
      if (res?.status === 404) return;
      await new Promise((r) => setTimeout(r, 1_000));
    }
  }
}

const amqpUrl = (vhost: string) => `${target!.config.amqpUrl!.replace('://', '://guest:guest@')}/${encodeURIComponent(vhost)}`;

async function openGraph(page: Page, vhost: string): Promise<void> {
  await page.addInitScript((v) => localStorage.setItem('warren.vhost', v), vhost);
  await page.goto(`${base}/`);
  await page.getByLabel('Username').fill('guest');
  await page.getByLabel('Password').fill('guest');
  await page.getByRole('button', { name: 'Log in' }).click();
}

test.beforeAll(async () => {
  test.setTimeout(360_000);
  target = await findRabbitMq();
  if (target === undefined) return;
  const spec = `cluster=${target.config.managementUrl.replace('://', '://guest:guest@')},${target.config.amqpUrl}`;
  served = await startServed('e2e-scale', { args: ['--no-embedded', '--rabbitmq', spec] });
  base = served.base;
});

test.afterAll(async () => {
  await served?.stop();
});

test('a vhost with more queues than the graph draws one by one opens grouped, and a filter draws a few one by one', async ({ page }) => {
  test.skip(target === undefined, NO_RABBITMQ);
  // seeding and deleting a thousand queues on the shared, loaded cluster takes minutes
  test.setTimeout(420_000);
  const watch = watchPage(page);
  const vhost = `e-group-${process.pid}`;
  await freshVhost(vhost);
  try {
    const conn = await amqp.connect(amqpUrl(vhost));
    try {
      const channels = await Promise.all(Array.from({ length: 12 }, () => conn.createChannel()));
      await channels[0].assertExchange('fan', 'topic', { durable: false });
      const name = (i: number) => `q${String(i).padStart(5, '0')}`;
      let next = 0;
      // 1,010 queues (the graph draws up to 1,000 one by one); the even ones bound from `fan`
      await Promise.all(
        channels.map(async (ch) => {
          for (let i = next++; i < 1010; i = next++) {
            await ch.assertQueue(name(i), { durable: false });
            if (i % 2 === 0) await ch.bindQueue(name(i), 'fan', `k.${i}`);
          }
        }),
      );
    } finally {
      await conn.close();
    }
    await openGraph(page, vhost);
    const stat = page.locator('.toolbar-stat');
    await expect(stat).toContainText('1,010 queues', { timeout: 30_000 });
    await expect(stat).toContainText('(grouped)');
    const groups = page.locator('.gnode-queues');
    await expect(groups).toHaveCount(2);
    await expect(groups.and(page.locator('[aria-label^="505 queues bound from fan:"]'))).toBeVisible();
    await expect(groups.and(page.locator('[aria-label^="505 queues with no bindings"]'))).toBeVisible();
    await expect(page.locator('.gedge-link.link-bindings')).toHaveCount(1);
    await page.screenshot({ path: 'test-results/rabbitmq-grouped.png' });
    // a filter leaving few enough queues draws them one by one
    await page.getByLabel('Filter the graph by name').fill('q0001');
    await expect(page.locator('.gnode-queue')).toHaveCount(10);
    await expect(stat).not.toContainText('(grouped)');
    await expect(page.locator('.gnode-queues')).toHaveCount(0);
    await page.getByLabel('Filter the graph by name').fill('');
    await expect(groups).toHaveCount(2);
    expect(watch.errors).toEqual([]);
  } finally {
    await dropVhost(vhost);
  }
});

test('message flow on a cluster is drawn as estimated dots, hollow and labelled as estimated from 5 s samples', async ({ page }) => {
  test.skip(target === undefined, NO_RABBITMQ);
  test.setTimeout(120_000);
  const watch = watchPage(page);
  const vhost = `e-flow-${process.pid}`;
  await freshVhost(vhost);
  const conn = await amqp.connect(amqpUrl(vhost));
  let timer: NodeJS.Timeout | undefined;
  try {
    const ch = await conn.createChannel();
    await ch.assertExchange('orders', 'direct', { durable: false });
    await ch.assertQueue('work', { durable: false });
    await ch.bindQueue('work', 'orders', 'new');
    await ch.consume('work', () => {}, { noAck: true });
    // 20 msg/s, for RabbitMQ's next 5 s samples
    timer = setInterval(() => ch.publish('orders', 'new', Buffer.from('order')), 50);
    await openGraph(page, vhost);
    await expect(page.getByLabel('Queue work', { exact: false }).first()).toBeVisible({ timeout: 30_000 });
    const legend = page.getByRole('note').filter({ hasText: 'Dots estimated from 5 s samples' });
    await expect(legend).toBeVisible();
    await expect(legend).toHaveAttribute('title', /samples message rates every 5 s/);
    // the first samples with the rates: up to two 5 s samples and a tick
    const dots = page.locator('.flow-layer.estimated .flow-dot.estimated');
    await expect.poll(() => dots.count(), { timeout: 40_000, intervals: [250] }).toBeGreaterThan(0);
    // no measured dot: the cluster sampled no single message
    expect(await page.locator('.flow-layer:not(.estimated) .flow-dot').count()).toBe(0);
    await page.screenshot({ path: 'test-results/rabbitmq-estimated-dots.png' });
    expect(watch.errors).toEqual([]);
  } finally {
    clearInterval(timer);
    await conn.close().catch(() => {});
    await dropVhost(vhost);
  }
});

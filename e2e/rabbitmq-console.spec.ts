// The console on a remote RabbitMQ: a second `npm start -- --rabbitmq cluster=...` (the same build,
// ports of its own) beside Playwright's server. A real browser switches from the embedded broker to
// the cluster with the header's broker switcher, sees the cluster's queues, and a queue an AMQP
// client declares there appears without a reload; with the 3-node cluster of `npm run cluster:up`,
// a node stopped shows as down on the overview within 10 s, and as running again once restarted.
// Skipped, saying so, when no RabbitMQ answers (npm run cluster:up, or one on 15672).
import { spawnSync } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import amqp from 'amqplib';
import { findRabbitMq, NO_RABBITMQ, type TestTarget } from '../lib/rabbitmq/testing';
import { startServed, type Served } from '../lib/testing/npm-start';
import { uniqueVhost, watchPage } from './console-helpers';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
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

test.beforeAll(async () => {
  test.setTimeout(360_000);
  target = await findRabbitMq();
  if (target === undefined) return;
  const spec = `cluster=${target.config.managementUrl.replace('://', '://guest:guest@')},${target.config.amqpUrl}`;
  served = await startServed('e2e-remote', { args: ['--rabbitmq', spec] });
  base = served.base;
});

test.afterAll(async () => {
  await served?.stop();
});

test('the broker switcher takes the console to a RabbitMQ cluster, whose topology then arrives live', async ({ page }) => {
  test.skip(target === undefined, NO_RABBITMQ);
  const watch = watchPage(page);
  const vhost = uniqueVhost('e2e-remote');
  expect((await rabbit('PUT', `/api/vhosts/${vhost}`)).ok).toBe(true);
  expect((await rabbit('PUT', `/api/permissions/${vhost}/guest`, { configure: '.*', write: '.*', read: '.*' })).ok).toBe(true);
  expect((await rabbit('PUT', `/api/queues/${vhost}/on-the-cluster`, { durable: true, arguments: { 'x-queue-type': 'quorum' } })).ok).toBe(true);
  try {
    await page.addInitScript((v) => localStorage.setItem('warren.vhost', v), vhost);
    await page.goto(`${base}/`);
    await page.getByLabel('Username').fill('guest');
    await page.getByLabel('Password').fill('guest');
    await page.getByRole('button', { name: 'Log in' }).click();
    const broker = page.getByLabel('broker', { exact: true });
    await expect(broker).toHaveValue('warren');
    await broker.selectOption('cluster');
    // each broker keeps its own logins: the cluster asks for one of its users (guest/guest is one)
    await expect(page.getByText('Log in to the broker cluster')).toBeVisible();
    // one may turn back: the default broker's login still stands
    await page.getByRole('button', { name: 'Back to the default broker' }).click();
    await expect(page.getByLabel('broker', { exact: true })).toHaveValue('warren');
    await page.getByLabel('broker', { exact: true }).selectOption('cluster');
    await expect(page.getByText('Log in to the broker cluster')).toBeVisible();
    await page.getByLabel('Username').fill('guest');
    await page.getByLabel('Password').fill('guest');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect(page.getByLabel('broker', { exact: true })).toHaveValue('cluster');
    await expect(page.locator('.broker-mode')).toHaveText(/live: events|polled every 5 s|not watched yet/);
    await expect(page.getByLabel('vhost', { exact: true })).toHaveValue(vhost);
    await page.getByRole('link', { name: 'Queues', exact: true }).click();
    const names = page.getByRole('region', { name: 'Queues' }).locator('tbody tr td:first-child');
    await expect(names).toHaveText(['on-the-cluster']);

    const conn = await amqp.connect(`${target!.config.amqpUrl!.replace('://', '://guest:guest@')}/${encodeURIComponent(vhost)}`);
    try {
      const ch = await conn.createChannel();
      await ch.assertQueue('declared-over-amqp', { durable: false });
      await expect(names).toHaveText(['declared-over-amqp', 'on-the-cluster'], { timeout: 7_000 });
    } finally {
      await conn.close();
    }
    await expect(page.locator('.broker-mode')).toHaveText(/live: events|polled every 5 s/);
    expect(watch.errors).toEqual([]);
  } finally {
    await rabbit('DELETE', `/api/vhosts/${vhost}`);
  }
});

function cluster(...args: string[]): void {
  const r = spawnSync('npx', ['tsx', 'scripts/cluster.ts', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 150_000 });
  if (r.status !== 0) throw new Error(`cluster ${args.join(' ')} failed: ${r.stderr}${r.stdout}`);
}

test('the overview lists the cluster\'s nodes; a node stopped shows as down within 10 s, and comes back', async ({ page }) => {
  test.skip(target === undefined || target.nodes < 3 || !target.config.managementUrl.endsWith(':15701'), 'needs the 3-node cluster of npm run cluster:up');
  test.setTimeout(240_000);
  const watch = watchPage(page);
  await page.addInitScript(() => localStorage.setItem('warren.broker', 'cluster'));
  await page.goto(`${base}/`);
  await page.getByLabel('Username').fill('guest');
  await page.getByLabel('Password').fill('guest');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByLabel('broker', { exact: true })).toHaveValue('cluster');
  await page.getByRole('link', { name: 'Overview', exact: true }).click();
  const nodes = page.getByRole('region', { name: 'Nodes' });
  const row = (n: number) => nodes.locator('tbody tr').filter({ hasText: `warren-c${n}@localhost` });
  await expect(nodes.locator('tbody tr')).toHaveCount(3);
  for (const n of [1, 2, 3]) await expect(row(n)).toContainText('running');
  await expect(row(1)).toContainText(/3\.\d+\.\d+/);
  try {
    cluster('stop-node', '3');
    const stopped = Date.now();
    await expect(row(3)).toContainText('down', { timeout: 10_000 });
    console.log(`node down shown ${Date.now() - stopped} ms after rabbitmqctl stop returned`);
    await expect(row(1)).toContainText('running');
  } finally {
    cluster('start-node', '3');
  }
  await expect(row(3)).toContainText('running', { timeout: 15_000 });
  expect(watch.errors).toEqual([]);
});

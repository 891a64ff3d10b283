// The console on the 3-node cluster of `npm run cluster:up`, as a team that moved to RabbitMQ runs it:
// `npm start -- --no-embedded --rabbitmq cluster=...` (the same build, ports of its own). A real
// browser binds by dragging (the binding checked over the cluster's own API), publishes, consumes and
// acks; a quorum queue is drawn with its three members; node 3 stopped shows as down on the overview
// and in the queue's members badge while the queue keeps accepting and delivering; restarted, it
// shows up again. Node 3 only, and always started again: other work shares this cluster.
// Skipped, saying so, when the cluster does not answer.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test, type Page } from '@playwright/test';
import amqp from 'amqplib';
import { findRabbitMq, type TestTarget } from '../lib/rabbitmq/testing';
import { startServed, type Served } from '../lib/testing/npm-start';
import { dragBinding, exchangeNode, queueNode, uniqueVhost, watchPage } from './console-helpers';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const GUEST = `Basic ${Buffer.from('guest:guest').toString('base64')}`;
const NEEDS_CLUSTER = 'needs the 3-node cluster of npm run cluster:up (management 127.0.0.1:15701)';
// a remote queue's counts come from RabbitMQ's 5 s samples: a change shows within two of them
const SAMPLED = { timeout: 15_000 };
let target: TestTarget | undefined;
let served: Served | undefined;
let base = '';

test.describe.configure({ mode: 'serial' });

async function rabbit(method: string, urlPath: string, body?: unknown): Promise<Response> {
  return fetch(`http://127.0.0.1:15701${urlPath}`, {
    method,
    headers: { authorization: GUEST, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function rabbitJson<T>(urlPath: string): Promise<T> {
  const res = await rabbit('GET', urlPath);
  expect(res.ok, `GET ${urlPath}: ${res.status}`).toBe(true);
  return (await res.json()) as T;
}

async function clusterVhost(prefix: string): Promise<string> {
  const vhost = uniqueVhost(prefix);
  expect((await rabbit('PUT', `/api/vhosts/${vhost}`)).ok).toBe(true);
  expect((await rabbit('PUT', `/api/permissions/${vhost}/guest`, { configure: '.*', write: '.*', read: '.*' })).ok).toBe(true);
  return vhost;
}

function cluster(...args: string[]): void {
  const r = spawnSync('npx', ['tsx', 'scripts/cluster.ts', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 150_000 });
  if (r.status !== 0) throw new Error(`cluster ${args.join(' ')} failed: ${r.stderr}${r.stdout}`);
}

async function openConsole(page: Page, vhost: string): Promise<void> {
  await page.addInitScript((v) => localStorage.setItem('warren.vhost', v), vhost);
  await page.goto(`${base}/`);
  await page.getByLabel('Username').fill('guest');
  await page.getByLabel('Password').fill('guest');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByLabel('vhost', { exact: true })).toHaveValue(vhost);
}

test.beforeAll(async () => {
  test.setTimeout(360_000);
  target = await findRabbitMq();
  if (target === undefined || target.nodes < 3 || !target.config.managementUrl.endsWith(':15701')) {
    target = undefined;
    return;
  }
  const spec = 'cluster=http://guest:guest@127.0.0.1:15701,amqp://127.0.0.1:5701';
  served = await startServed('e2e-cluster', { args: ['--no-embedded', '--rabbitmq', spec] });
  base = served.base;
});

test.afterAll(async () => {
  await served?.stop();
});

test('on the cluster: drag to bind makes a real binding, then publish, consume and ack from the console', async ({ page }) => {
  test.skip(target === undefined, NEEDS_CLUSTER);
  test.setTimeout(180_000);
  const watch = watchPage(page);
  const vhost = await clusterVhost('e2e-cluster-flow');
  try {
    expect((await rabbit('PUT', `/api/exchanges/${vhost}/jobs`, { type: 'direct', durable: true })).ok).toBe(true);
    expect((await rabbit('PUT', `/api/queues/${vhost}/work`, { durable: true, arguments: { 'x-queue-type': 'quorum' } })).ok).toBe(true);
    await openConsole(page, vhost);
    const exchange = exchangeNode(page, 'jobs');
    const queue = queueNode(page, 'work');
    await expect(exchange).toBeVisible();
    await expect(queue).toBeVisible();
    await expect(queue.getByTestId('queue-placement')).toContainText('3/3');

    await dragBinding(page, exchange, queue);
    const bindDialog = page.getByRole('dialog', { name: 'New binding' });
    await expect(bindDialog).toBeVisible();
    await bindDialog.getByLabel('Routing key').fill('job.run');
    await bindDialog.getByRole('button', { name: 'Bind' }).click();
    await expect(bindDialog).toBeHidden();
    await expect(page.locator('.edge-key', { hasText: 'job.run' })).toBeVisible();
    // the cluster itself has it, not only the console
    const bound = await rabbitJson<{ routing_key: string }[]>(`/api/bindings/${vhost}/e/jobs/q/work`);
    expect(bound.map((b) => b.routing_key)).toEqual(['job.run']);

    await exchange.click();
    await page.getByRole('toolbar', { name: 'Graph' }).getByRole('button', { name: 'Publish' }).click();
    const form = page.getByRole('form', { name: 'Publish message' });
    await expect(form.getByLabel('Exchange')).toHaveValue('jobs');
    await form.getByLabel('Routing key').fill('job.run');
    await form.getByRole('textbox', { name: 'Body' }).fill('{"job": 1}');
    await form.getByRole('button', { name: /^Publish/ }).click();
    await expect(page.getByTestId('publish-outcome')).toContainText('Routed');
    await expect(queue.getByTestId('queue-ready')).toHaveText('1', SAMPLED);

    await queue.click();
    await page.getByRole('tab', { name: 'Consume' }).click();
    const panel = page.getByRole('tabpanel');
    await expect(panel.getByLabel('Queue')).toHaveValue('work');
    await panel.getByRole('button', { name: 'Start consuming' }).click();
    await expect(panel.getByRole('article')).toHaveCount(1);
    await expect(panel.getByTestId('message-body').filter({ hasText: '"job": 1' })).toBeVisible();
    await expect(queue.getByTestId('queue-unacked')).toHaveText('1', SAMPLED);
    await panel.getByRole('button', { name: 'Ack message 1', exact: true }).click();
    await expect(queue.getByTestId('queue-unacked')).toHaveText('0', SAMPLED);
    await expect(queue.getByTestId('queue-ready')).toHaveText('0');
    // acked on the cluster: nothing left in the queue, ready or unacknowledged
    await expect
      .poll(async () => {
        const q = await rabbitJson<{ messages?: number; message_stats?: { ack?: number } }>(`/api/queues/${vhost}/work`);
        return [q.messages, q.message_stats?.ack];
      }, SAMPLED)
      .toEqual([0, 1]);
    await panel.getByRole('button', { name: 'Stop' }).click();
    expect(watch.errors).toEqual([]);
    expect(watch.dialogs).toEqual([]);
  } finally {
    await rabbit('DELETE', `/api/vhosts/${vhost}`);
  }
});

test('a quorum queue is drawn with its three members; node 3 stopped shows down, the queue keeps working, and node 3 comes back', async ({ page }) => {
  test.skip(target === undefined, NEEDS_CLUSTER);
  test.setTimeout(300_000);
  const watch = watchPage(page);
  const vhost = await clusterVhost('e2e-cluster-nodes');
  const conn = await amqp.connect(`amqp://guest:guest@127.0.0.1:5701/${encodeURIComponent(vhost)}`);
  try {
    // a small shop on three nodes: the picture of the README
    const ch = await conn.createConfirmChannel();
    await ch.assertExchange('orders', 'topic', { durable: true });
    await ch.assertExchange('payments', 'direct', { durable: true });
    const quorum = { durable: true, arguments: { 'x-queue-type': 'quorum' } };
    for (const q of ['orders.created', 'orders.shipped', 'payments.settled']) await ch.assertQueue(q, quorum);
    await ch.assertQueue('audit', { durable: true });
    await ch.bindQueue('orders.created', 'orders', 'order.created');
    await ch.bindQueue('orders.shipped', 'orders', 'order.shipped');
    await ch.bindQueue('audit', 'orders', '#');
    await ch.bindQueue('payments.settled', 'payments', 'settled');
    for (let i = 0; i < 3; i++) ch.publish('orders', 'order.created', Buffer.from(`order ${i}`), { persistent: true });
    await ch.waitForConfirms();

    await openConsole(page, vhost);
    const qq = queueNode(page, 'orders.created');
    const badge = qq.getByTestId('queue-placement');
    await expect(badge).toHaveText(/warren-c[123]\s*3\/3/);
    await expect(badge).toHaveAttribute('title', /warren-c1@localhost.*warren-c2@localhost.*warren-c3@localhost|members online 3\/3/);
    await expect(queueNode(page, 'payments.settled').getByTestId('queue-placement')).toContainText('3/3');
    // a classic queue on a healthy node has no badge: the graph marks only what replicates or is down
    await expect(queueNode(page, 'audit').getByTestId('queue-placement')).toHaveCount(0);
    await expect(qq.getByTestId('queue-ready')).toHaveText('3', SAMPLED);
    // framed again now that the cards have their placement rows (the first fit came before them)
    await page.getByRole('button', { name: 'Fit', exact: true }).click();
    await page.waitForTimeout(400);
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: 'test-results/rabbitmq-cluster-graph-dark.png' });
    await page.emulateMedia({ colorScheme: 'light' });
    await page.screenshot({ path: 'e2e/screenshots/rabbitmq-cluster-graph.png' });

    // the queues table says the same
    await page.getByRole('link', { name: 'Queues', exact: true }).click();
    const row = page.getByRole('region', { name: 'Queues' }).locator('tbody tr').filter({ hasText: 'orders.created' });
    await expect(row.getByTestId('queue-placement-cell')).toContainText('3/3');
    await page.screenshot({ path: 'test-results/rabbitmq-cluster-queues.png' });
    // and the queue's own page, naming every member
    await row.getByRole('link', { name: 'Queue page' }).click();
    for (const n of [1, 2, 3]) await expect(page.getByTestId('queue-members')).toContainText(`warren-c${n}@localhost`);
    await expect(page.getByTestId('queue-members')).not.toContainText('down');
    await page.screenshot({ path: 'test-results/rabbitmq-cluster-queue-page.png' });

    const nodes = page.getByRole('region', { name: 'Nodes' });
    const nodeRow = (n: number) => nodes.locator('tbody tr').filter({ hasText: `warren-c${n}@localhost` });
    await page.getByRole('link', { name: 'Graph', exact: true }).click();
    await expect(badge).toHaveClass(/placement-ok/);
    // the cluster's nodes over the graph, each running
    const chip = (n: number) => page.getByTestId(`cluster-node-warren-c${n}@localhost`);
    for (const n of [1, 2, 3]) await expect(chip(n)).toHaveClass(/node-ok/);
    await expect(chip(3)).toHaveText('warren-c3');
    try {
      cluster('stop-node', '3');
      const stopped = Date.now();
      // the graph stays open: the badge and the node's chip change live
      await expect(chip(3)).toContainText('down', { timeout: 10_000 });
      await expect(chip(3)).toHaveClass(/node-down/);
      console.log(`graph: node 3 chip down ${Date.now() - stopped} ms after rabbitmqctl stop returned`);
      await expect(chip(1)).toHaveClass(/node-ok/);
      await expect(badge).toContainText('2/3', { timeout: 10_000 });
      console.log(`graph: members badge 2/3 shown ${Date.now() - stopped} ms after rabbitmqctl stop returned`);
      await expect(badge).toHaveClass(/placement-warn/);
      await expect(badge).toHaveAttribute('title', /warren-c3@localhost \(down\)/);
      await page.screenshot({ path: 'test-results/rabbitmq-cluster-node-down.png' });
      await page.getByRole('link', { name: 'Overview', exact: true }).click();
      await expect(nodeRow(3)).toContainText('down', { timeout: 10_000 });
      console.log(`overview: node 3 down shown ${Date.now() - stopped} ms after the stop`);
      await expect(nodeRow(1)).toContainText('running');

      // two of three members are a majority: the queue still takes and hands out messages
      await ch.publish('orders', 'order.created', Buffer.from('while node 3 is down'), { persistent: true });
      await ch.waitForConfirms();
      const reader = await conn.createChannel();
      const got: string[] = [];
      for (let i = 0; i < 4; i++) {
        const m = await reader.get('orders.created', { noAck: false });
        if (m === false) break;
        got.push(m.content.toString());
        reader.ack(m);
      }
      expect(got).toEqual(['order 0', 'order 1', 'order 2', 'while node 3 is down']);
      await reader.close();
      await page.getByRole('link', { name: 'Graph', exact: true }).click();
      await expect(qq.getByTestId('queue-ready')).toHaveText('0', SAMPLED);
      await expect(badge).toContainText('2/3');
    } finally {
      cluster('start-node', '3');
    }
    const started = Date.now();
    await expect(badge).toContainText('3/3', { timeout: 15_000 });
    await expect(badge).toHaveClass(/placement-ok/);
    await expect(chip(3)).toHaveClass(/node-ok/, { timeout: 15_000 });
    console.log(`graph: members badge back to 3/3 ${Date.now() - started} ms after node 3 answered`);
    await page.getByRole('link', { name: 'Overview', exact: true }).click();
    await expect(nodeRow(3)).toContainText('running', { timeout: 15_000 });
    expect(watch.errors).toEqual([]);
  } finally {
    await conn.close().catch(() => {});
    await rabbit('DELETE', `/api/vhosts/${vhost}`);
  }
});

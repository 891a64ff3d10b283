// The console shows only what was measured: two workers at prefetch 1, one fast and one slow, get
// consumer edges with their own rates (the fast one's several times the slow one's), nodes named
// by their connection_name with their delivered totals and prefetch windows; a Hello World
// producer appears with its path through the default exchange; the connections table's byte
// rates move without a reload.
import { execFile } from 'node:child_process';
import { expect, test, type Page } from '@playwright/test';
import amqp, { type ChannelModel } from 'amqplib';
import { AUTH, amqpPort, freshVhost, login, queueNode, unusedVhost, watchPage } from './console-helpers';

async function named(port: number, vhost: string, name: string): Promise<ChannelModel> {
  const c = await amqp.connect(`amqp://guest:guest@127.0.0.1:${port}/${encodeURIComponent(vhost)}`, { clientProperties: { connection_name: name } });
  c.on('error', () => {});
  return c;
}

/** The measured delivery rate on a consumer's edge label (its data attribute), by connection name. */
async function edgeRate(page: Page, name: string): Promise<number> {
  const tag = await page.locator(`[data-consumer-name="${name}"]`).getAttribute('data-consumer-tag');
  const label = page.locator(`[data-consume-edge$="|${tag}"]`);
  if ((await label.count()) === 0) return 0;
  return Number(await label.getAttribute('data-deliver-rate'));
}

test('per-consumer rates: a fast and a slow worker at prefetch 1', async ({ page, request }) => {
  const watch = watchPage(page);
  const vhost = await unusedVhost(request, 'work-queues');
  const setup = await freshVhost(request, vhost);
  const port = await amqpPort(request);
  const conns: ChannelModel[] = [setup];
  try {
    const ch = await setup.createChannel();
    await ch.assertQueue('task_queue', { durable: true });
    const worker = async (name: string, ms: number) => {
      const c = await named(port, vhost, name);
      conns.push(c);
      const wch = await c.createChannel();
      await wch.prefetch(1);
      // the work ends with the test: an ack due after the connections closed is dropped, not thrown
      // into whichever test runs next
      await wch.consume('task_queue', (m) => m && setTimeout(() => {
        try {
          wch.ack(m);
        } catch {
          // channel closed
        }
      }, ms));
    };
    await worker('fast-worker', 200);
    await worker('slow-worker', 1500);
    await login(page, vhost);
    await expect(queueNode(page, 'task_queue')).toBeVisible({ timeout: 5000 });
    // named by connection_name, not by amq.ctag-…
    await expect(page.locator('[data-consumer-name="fast-worker"] .gnode-name')).toHaveText('fast-worker');
    await expect(page.locator('[data-consumer-name="slow-worker"] .gnode-name')).toHaveText('slow-worker');
    for (let i = 0; i < 30; i++) ch.sendToQueue('task_queue', Buffer.from(`task ${i}`), { persistent: true });
    // the labels' measured rates over a few seconds: the fast worker's edge carries several times more
    let fast = 0;
    let slow = 0;
    for (let i = 0; i < 8; i++) {
      await page.waitForTimeout(500);
      fast += await edgeRate(page, 'fast-worker');
      slow += await edgeRate(page, 'slow-worker');
    }
    expect(slow).toBeGreaterThan(0);
    expect(fast / slow).toBeGreaterThan(3);
    // each node shows its own delivered total and its prefetch window
    await expect(page.locator('[data-consumer-name="fast-worker"] .gnode-meta')).toContainText(/\d\/1 prefetch/);
    const delivered = async (name: string) => Number((await page.locator(`[data-consumer-name="${name}"] .gnode-meta`).innerText()).match(/(\d+) delivered/)?.[1] ?? 0);
    await expect.poll(() => delivered('fast-worker'), { timeout: 10_000 }).toBeGreaterThan(15);
    expect(await delivered('slow-worker')).toBeLessThan(10);
    // the inspector names the connection and the tag
    await page.locator('[data-consumer-name="slow-worker"]').click();
    const insp = page.locator('.inspector');
    await expect(insp.locator('h2')).toHaveText('slow-worker');
    await expect(insp.locator('dd.mono')).toHaveText(/^amq\.ctag-/);
    expect(watch.errors).toEqual([]);
  } finally {
    for (const c of conns) await c.close().catch(() => {});
  }
});

test('a Hello World producer is drawn: producer → (default exchange) → queue → consumer', async ({ page, request }) => {
  const watch = watchPage(page);
  const vhost = await unusedVhost(request, 'hello-world');
  const setup = await freshVhost(request, vhost);
  const port = await amqpPort(request);
  const sender = await named(port, vhost, 'hello-sender');
  const receiver = await named(port, vhost, 'hello-receiver');
  let timer: NodeJS.Timeout | undefined;
  try {
    const sch = await setup.createChannel();
    await sch.assertQueue('hello', { durable: false });
    const rch = await receiver.createChannel();
    await rch.consume('hello', () => {}, { noAck: true });
    const ch = await sender.createChannel();
    timer = setInterval(() => ch.sendToQueue('hello', Buffer.from('Hello World!')), 200);
    await login(page, vhost);
    const producer = page.locator('[data-producer="hello-sender"]');
    await expect(producer).toBeVisible({ timeout: 8000 });
    // the default exchange is hidden: the line goes straight to the queue, saying through what
    const edge = page.locator('[data-publish-edge$="||hello"]');
    await expect(edge).toContainText('via (AMQP default)');
    await expect.poll(async () => Number(await edge.getAttribute('data-publish-rate')), { timeout: 5000 }).toBeGreaterThan(2);
    // a receiving queue reports traffic
    await expect(queueNode(page, 'hello').getByTestId('queue-traffic')).toContainText('in');
    // with built-ins shown, the producer's line goes to the default exchange
    await page.getByRole('switch', { name: 'Built-in exchanges' }).check();
    await expect(page.locator('[data-publish-edge$="||hello"]')).toBeVisible();
    await expect(page.locator('[data-publish-edge$="||hello"]')).not.toContainText('via');
    await page.getByRole('switch', { name: 'Built-in exchanges' }).uncheck();
    // stopped publishing: the producer goes, and the queue stays said to be recently busy, not idle
    clearInterval(timer);
    timer = undefined;
    await expect(producer).toHaveCount(0, { timeout: 10_000 });
    await expect(queueNode(page, 'hello').getByTestId('queue-traffic')).toContainText('last message');
    expect(watch.errors).toEqual([]);
  } finally {
    if (timer) clearInterval(timer);
    for (const c of [sender, receiver, setup]) await c.close().catch(() => {});
  }
});

test('the connections table shows byte rates without a reload', async ({ page, request }) => {
  const vhost = await unusedVhost(request, 'conn-rates');
  const setup = await freshVhost(request, vhost);
  const port = await amqpPort(request);
  const busy = await named(port, vhost, 'busy-publisher');
  let timer: NodeJS.Timeout | undefined;
  try {
    await login(page, vhost);
    const ch = await busy.createChannel();
    await ch.assertQueue('sink', { durable: false });
    timer = setInterval(() => ch.sendToQueue('sink', Buffer.alloc(2000)), 50);
    await page.getByRole('link', { name: 'Connections' }).first().click();
    const row = page.getByRole('row').filter({ hasText: 'busy-publisher' });
    await expect(row).toBeVisible();
    await expect.poll(async () => /[1-9][\d.]* (B|KiB)\/s/.test(await row.innerText()), { timeout: 15_000 }).toBe(true);
  } finally {
    if (timer) clearInterval(timer);
    for (const c of [busy, setup]) await c.close().catch(() => {});
  }
});

test('dots stop with a deleted queue; the legend tells acked, expired, requeued and returned apart', async ({ page, request }) => {
  const watch = watchPage(page);
  const vhost = await unusedVhost(request, 'doomed');
  const setup = await freshVhost(request, vhost);
  let timer: NodeJS.Timeout | undefined;
  try {
    const ch = await setup.createChannel();
    await ch.assertExchange('doomed-x', 'fanout', { durable: false });
    await ch.assertQueue('doomed', { durable: false });
    await ch.bindQueue('doomed', 'doomed-x', '');
    await ch.consume('doomed', () => {}, { noAck: true });
    await login(page, vhost);
    await expect(queueNode(page, 'doomed')).toBeVisible({ timeout: 5000 });
    timer = setInterval(() => ch.publish('doomed-x', '', Buffer.from('x')), 40);
    await expect(page.locator('.flow-dot[data-edge^="k|"]').first()).toBeAttached({ timeout: 5000 });
    clearInterval(timer);
    timer = undefined;
    const res = await request.delete(`/api/queues/${encodeURIComponent(vhost)}/doomed`, { headers: AUTH });
    expect(res.status()).toBe(204);
    await expect(queueNode(page, 'doomed')).toHaveCount(0, { timeout: 2000 });
    // gone with the queue, not finishing their trip over where it was (the producer's line to the
    // exchange, which is still there, may still carry the last ones)
    await expect(page.locator('.flow-dot:not([data-edge^="w|"])')).toHaveCount(0, { timeout: 300 });

    const legend = page.locator('.inspector.legend');
    await expect(legend.getByText('acked', { exact: true })).toBeVisible();
    await expect(legend.getByText('expired / dropped')).toBeVisible();
    const colour = (cls: string) => legend.locator(`.dot.${cls}`).evaluate((el) => getComputedStyle(el).backgroundColor);
    const rgb = (c: string) => (c.match(/\d+/g) ?? []).slice(0, 3).map(Number);
    const [a, b] = [rgb(await colour('requeued')), rgb(await colour('returned'))];
    const distance = Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
    expect(distance).toBeGreaterThan(120);
    expect(watch.errors).toEqual([]);
  } finally {
    if (timer) clearInterval(timer);
    await setup.close().catch(() => {});
  }
});

/** The first tutorial's send.py, as written there: one message, then the connection closes. */
const SEND_PY = `
import pika, sys
connection = pika.BlockingConnection(pika.ConnectionParameters(host='127.0.0.1', port=int(sys.argv[1]), virtual_host=sys.argv[2], client_properties={'connection_name': 'send.py'}))
channel = connection.channel()
channel.queue_declare(queue='hello')
channel.basic_publish(exchange='', routing_key='hello', body='Hello World!')
connection.close()
`;

test('a one-shot Hello World sender is drawn, greyed once gone, with what it published', async ({ page, request }) => {
  const watch = watchPage(page);
  const vhost = await unusedVhost(request, 'hello-once');
  const setup = await freshVhost(request, vhost);
  const port = await amqpPort(request);
  const receiver = await named(port, vhost, 'receive.py');
  try {
    const sch = await setup.createChannel();
    await sch.assertQueue('hello', { durable: false });
    const rch = await receiver.createChannel();
    await rch.consume('hello', () => {}, { noAck: true });
    await login(page, vhost);
    await expect(queueNode(page, 'hello')).toBeVisible({ timeout: 5000 });
    // publishes once and exits well before the next stats tick
    await new Promise<void>((resolve, reject) =>
      execFile('/usr/bin/python3', ['-c', SEND_PY, String(port), vhost], { timeout: 10_000 }, (err, _o, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve())),
    );
    const producer = page.locator('[data-producer="send.py"]');
    await expect(producer).toBeVisible({ timeout: 4000 });
    await expect(producer).toHaveAttribute('data-gone', 'true');
    await expect(producer.locator('.gnode-sub')).toHaveText('producer · closed');
    const edge = page.locator('[data-publish-edge$="||hello"]');
    await expect(edge).toContainText('1 msg');
    await expect(edge).toHaveAttribute('data-published', '1');
    await page.screenshot({ path: 'e2e/screenshots/console-hello-world.png' });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.waitForTimeout(400);
    await page.screenshot({ path: 'e2e/screenshots/console-hello-world-dark.png' });
    await page.emulateMedia({ colorScheme: 'light' });
    // the HTTP API's publishes (the Publish panel's) are a producer of their own, per user
    const published = await request.post(`/api/exchanges/${encodeURIComponent(vhost)}/amq.default/publish`, {
      headers: AUTH,
      data: { properties: {}, routing_key: 'hello', payload: 'from the API', payload_encoding: 'string' },
    });
    expect(await published.json()).toEqual({ routed: true });
    const api = page.locator('[data-producer="HTTP API (guest)"]');
    await expect(api).toBeVisible({ timeout: 4000 });
    await expect(api).not.toHaveAttribute('data-gone', 'true');
    // a few seconds later the one-shot sender is gone from the graph too
    await expect(producer).toHaveCount(0, { timeout: 10_000 });
    expect(watch.errors).toEqual([]);
  } finally {
    for (const c of [receiver, setup]) await c.close().catch(() => {});
  }
});

test("a slow consumer's rate holds still: an average over 5 s of measured rates, not 1/s, 0/s, 1/s", async ({ page, request }) => {
  const watch = watchPage(page);
  const vhost = await unusedVhost(request, 'slow-rate');
  const setup = await freshVhost(request, vhost);
  const port = await amqpPort(request);
  const conn = await named(port, vhost, 'slow-worker');
  try {
    const ch = await setup.createChannel();
    await ch.assertQueue('slow', { durable: false });
    for (let i = 0; i < 40; i++) ch.sendToQueue('slow', Buffer.from(`task ${i}`));
    await login(page, vhost);
    await expect(queueNode(page, 'slow')).toBeVisible({ timeout: 5000 });
    // one message every 1.6 s: most one-second ticks measure 1/s, the others 0/s
    const wch = await conn.createChannel();
    await wch.prefetch(1);
    await wch.consume('slow', (m) => m && setTimeout(() => {
      try {
        wch.ack(m);
      } catch {
        // channel closed
      }
    }, 1600));
    const label = page.locator('[data-consume-edge^="slow|"]');
    await expect(label).toBeVisible({ timeout: 5000 });
    await expect(label).toHaveAttribute('title', /average over 5 s/);
    // past the first window, the label never drops to 0/s between two deliveries
    await page.waitForTimeout(5500);
    const seen: number[] = [];
    for (let i = 0; i < 16; i++) {
      seen.push(Number(await label.getAttribute('data-deliver-rate')));
      await page.waitForTimeout(350);
    }
    expect(Math.min(...seen), `rates seen: ${seen.join(' ')}`).toBeGreaterThan(0);
    // and it is what was measured: about one in 1.6 s
    expect(Math.max(...seen)).toBeLessThanOrEqual(1);
    expect(watch.errors).toEqual([]);
  } finally {
    for (const c of [conn, setup]) await c.close().catch(() => {});
  }
});

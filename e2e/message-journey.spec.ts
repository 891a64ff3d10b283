// A message's journey: "Trace next message" on an exchange follows the next message published
// there end to end while another exchange carries a flood — who published it, the queue, the
// consumer with its delivery tag, the reject that dead-letters it with its x-death, the next hop
// through the DLX and the ack — listed with times and pinned on the graph. A message in the
// Consume list is followed from where it is.
import { expect, test } from '@playwright/test';
import amqp from 'amqplib';
import { amqpPort, exchangeNode, freshVhost, login, queueNode, unusedVhost, watchPage } from './console-helpers';

test('trace next message: every hop, pinned on the graph; and a consumed message followed', async ({ page, request }) => {
  test.setTimeout(300_000);
  const problems = watchPage(page);
  const vhost = await unusedVhost(request, 'journey');
  const setup = await freshVhost(request, vhost);
  const sch = await setup.createChannel();
  await sch.assertExchange('orders', 'topic', { durable: false });
  await sch.assertExchange('dlx', 'fanout', { durable: false });
  await sch.assertExchange('metrics', 'fanout', { durable: false });
  await sch.assertQueue('work', { durable: false, deadLetterExchange: 'dlx' });
  await sch.assertQueue('dead', { durable: false });
  await sch.assertQueue('metric-sink', { durable: false, maxLength: 1000 });
  await sch.assertQueue('held', { durable: false });
  await sch.bindQueue('work', 'orders', 'order.#');
  await sch.bindQueue('dead', 'dlx', '');
  await sch.bindQueue('metric-sink', 'metrics', '');

  const port = await amqpPort(request);
  const url = `amqp://guest:guest@127.0.0.1:${port}/${encodeURIComponent(vhost)}`;
  // named clients, so the graph and the journey name them
  const worker = await amqp.connect(url, { clientProperties: { connection_name: 'order-worker' } });
  const wch = await worker.createChannel();
  await wch.consume('work', (m) => {
    if (m === null) return;
    if (m.content.toString() === 'poison') wch.nack(m, false, false);
    else wch.ack(m);
  });
  await wch.consume('dead', (m) => m && wch.ack(m));
  const shop = await amqp.connect(url, { clientProperties: { connection_name: 'order-shop' } });
  const pch = await shop.createChannel();
  // the flood around it: a thousand messages a second to another exchange
  const flood = setInterval(() => {
    for (let i = 0; i < 100; i++) pch.publish('metrics', '', Buffer.from('m'));
  }, 100);

  try {
    await login(page, vhost);
    await expect(exchangeNode(page, 'orders')).toBeVisible();
    await exchangeNode(page, 'orders').getByRole('button', { name: 'Actions for exchange orders' }).click();
    await page.getByRole('menuitem', { name: 'Trace next message' }).click();
    const panel = page.getByTestId('journey-panel');
    await expect(panel).toContainText('Waiting for the next message published to this exchange');
    await page.waitForTimeout(300);
    pch.publish('orders', 'order.created', Buffer.from('poison'));

    const hops = panel.getByTestId('journey-hop');
    await expect(hops).toHaveCount(7, { timeout: 15_000 });
    expect(await hops.evaluateAll((els) => els.map((e) => e.getAttribute('data-kind')))).toEqual([
      'published', 'delivered', 'rejected', 'dead-lettered', 'published', 'delivered', 'acked',
    ]);
    await expect(hops.nth(0)).toContainText('Published to orders with key “order.created”');
    await expect(hops.nth(0)).toContainText('by order-shop, channel 1 (user guest); entered work');
    await expect(hops.nth(1)).toContainText(/Delivered from work to consumer amq\.ctag-.*delivery tag \d+, redelivered: no/s);
    await expect(hops.nth(3)).toContainText('Dead-lettered from work (rejected) to dlx');
    await expect(hops.nth(3)).toContainText('x-death: count 1, reason rejected, queue work, exchange orders');
    await expect(hops.nth(4)).toContainText('Published to dlx');
    await expect(hops.nth(6)).toContainText('Acknowledged (dead)');
    // pinned on the graph: the producer's line, the binding, the consumer's, the dead-letter link and the DLX's binding
    await expect(page.getByTestId('journey-overlay')).toBeVisible();
    expect(await page.getByTestId('journey-edge').count()).toBeGreaterThanOrEqual(4);
    await expect(page.locator('[data-testid="journey-node"][data-node="q|dead"]')).toHaveCount(1);
    await expect(page.getByTestId('journey-dot')).toHaveCount(1);

    await page.setViewportSize({ width: 1600, height: 940 });
    await page.getByRole('button', { name: 'Fit', exact: true }).click();
    await page.waitForTimeout(1200);
    await page.screenshot({ path: 'e2e/screenshots/message-journey.png' });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.waitForTimeout(600);
    await page.screenshot({ path: 'e2e/screenshots/message-journey-dark.png' });
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 1280, height: 800 });

    // a message in the Consume list: followed from where it is
    await sch.sendToQueue('held', Buffer.from('keep me'));
    await expect(queueNode(page, 'held').getByTestId('queue-ready')).toHaveText('1');
    await queueNode(page, 'held').click();
    await page.getByRole('tab', { name: 'Consume' }).click();
    await page.getByRole('button', { name: /^Start consuming/ }).click();
    await page.getByRole('button', { name: 'Follow message 1' }).click();
    await expect(panel).toContainText('Waiting for what happens to this message next');
    await page.getByRole('tab', { name: 'Consume' }).click();
    await page.getByRole('button', { name: 'Nack message 1 and requeue' }).click();
    await page.getByRole('tab', { name: 'Journey' }).click();
    await expect(hops).toHaveCount(2, { timeout: 10_000 });
    await expect(hops.nth(0)).toContainText('Requeued to held');
    await expect(hops.nth(1)).toContainText(/delivery tag 2, redelivered: yes/);
    expect(problems.errors).toEqual([]);
  } finally {
    clearInterval(flood);
    await shop.close().catch(() => {});
    await worker.close().catch(() => {});
    await setup.close().catch(() => {});
  }
});

test('a dot frozen by Pause, clicked, is followed from where it was', async ({ page, request }) => {
  test.setTimeout(120_000);
  const problems = watchPage(page);
  const vhost = await unusedVhost(request, 'journey-dot');
  const setup = await freshVhost(request, vhost);
  const sch = await setup.createChannel();
  await sch.assertExchange('clicks', 'fanout', { durable: false });
  await sch.assertQueue('clicked', { durable: false });
  await sch.bindQueue('clicked', 'clicks', '');
  const url = `amqp://guest:guest@127.0.0.1:${await amqpPort(request)}/${encodeURIComponent(vhost)}`;
  // a worker that takes a while over each message, so its ack comes after the click
  const worker = await amqp.connect(url, { clientProperties: { connection_name: 'slow-clicker' } });
  const wch = await worker.createChannel();
  await wch.prefetch(1);
  const acks = new Set<NodeJS.Timeout>();
  await wch.consume('clicked', (m) => {
    if (m === null) return;
    const t = setTimeout(() => {
      acks.delete(t);
      wch.ack(m);
    }, 1500);
    acks.add(t);
  });
  const producer = await amqp.connect(url, { clientProperties: { connection_name: 'ticker' } });
  const pch = await producer.createChannel();
  const ticks = setInterval(() => pch.publish('clicks', '', Buffer.from('tick')), 250);
  try {
    await login(page, vhost);
    await expect(queueNode(page, 'clicked')).toBeVisible();
    const dot = page.locator('.flow-dot[data-flow]').first();
    await expect(dot).toBeAttached({ timeout: 15_000 });
    await page.getByRole('button', { name: 'Pause', exact: true }).click();
    // the dots in flight stay where they were; one of them is clicked
    const frozen = page.locator('.flow-layer[data-paused] .flow-dot[data-flow]').first();
    await expect(frozen).toBeAttached();
    const flow = await frozen.getAttribute('data-flow');
    await frozen.click({ force: true });
    const panel = page.getByTestId('journey-panel');
    await expect(panel).toContainText(`Message #${flow}, clicked on the graph`);
    // what happens to it next comes in full, whatever was sampled: at least its ack by the slow worker
    const hops = panel.getByTestId('journey-hop');
    await expect(hops.last()).toHaveAttribute('data-kind', 'acked', { timeout: 15_000 });
    expect(problems.errors).toEqual([]);
  } finally {
    clearInterval(ticks);
    // acks still due would land on a closed channel after the test, failing whichever test runs then
    for (const t of acks) clearTimeout(t);
    await producer.close().catch(() => {});
    await worker.close().catch(() => {});
    await setup.close().catch(() => {});
  }
});

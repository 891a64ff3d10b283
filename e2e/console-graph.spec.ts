// The console end to end: log in, see what an AMQP client declares on the graph, bind by dragging,
// publish from the UI, consume and settle in the browser, unbind.
import { expect, test } from '@playwright/test';
import { AUTH, dragBinding, exchangeNode, freshVhost, login, queueNode, uniqueVhost, unusedVhost, watchPage } from './console-helpers';

test('the graph shows what an amqplib client declares, live', async ({ page, request }) => {
  const watch = watchPage(page);
  // the README picture shows this vhost's name
  const vhost = await unusedVhost(request, 'shop');
  const connection = await freshVhost(request, vhost);
  try {
    await login(page, vhost);
    const ch = await connection.createConfirmChannel();
    // declared after the page is open: the graph must pick it up without a reload
    await ch.assertExchange('shop.events', 'topic', { durable: true, alternateExchange: 'shop.unrouted' });
    await ch.assertExchange('shop.unrouted', 'fanout', { durable: true });
    await ch.assertExchange('billing', 'direct', { durable: true });
    await ch.assertExchange('documents', 'headers', { durable: false });
    await ch.assertExchange('dead-letter', 'fanout', { durable: true });
    await ch.assertQueue('orders', { durable: true, deadLetterExchange: 'dead-letter', messageTtl: 60_000 });
    await ch.assertQueue('orders.audit', { durable: true });
    await ch.assertQueue('invoices', { durable: true, maxLength: 10_000 });
    await ch.assertQueue('pdf-renderer', { durable: false });
    await ch.assertQueue('unrouted', { durable: true });
    await ch.assertQueue('dead-letters', { durable: true });
    await ch.bindQueue('orders', 'shop.events', 'order.*');
    await ch.bindQueue('orders.audit', 'shop.events', '#');
    await ch.bindExchange('billing', 'shop.events', 'order.paid');
    await ch.bindQueue('invoices', 'billing', 'order.paid');
    await ch.bindQueue('pdf-renderer', 'documents', '', { 'x-match': 'all', format: 'pdf' });
    await ch.bindQueue('unrouted', 'shop.unrouted', '');
    await ch.bindQueue('dead-letters', 'dead-letter', '');
    for (let i = 0; i < 40; i++) ch.publish('shop.events', i % 3 === 0 ? 'order.paid' : 'order.created', Buffer.from(JSON.stringify({ id: i })));
    ch.publish('shop.events', 'user.signup', Buffer.from('{}'));
    await ch.waitForConfirms();
    const worker = await connection.createChannel();
    await worker.prefetch(5);
    await worker.consume('orders', () => {}, { consumerTag: 'order-worker-1' });
    const mailer = await connection.createChannel();
    await mailer.prefetch(20);
    await mailer.consume('invoices', (m) => m && mailer.ack(m), { consumerTag: 'invoice-mailer' });

    await expect(exchangeNode(page, 'shop.events')).toBeVisible({ timeout: 5000 });
    await expect(queueNode(page, 'orders')).toBeVisible();
    await expect(queueNode(page, 'pdf-renderer')).toBeVisible();
    // the view stays where it was while things arrive (they may come after the first look was
    // framed, placed beside their neighbours); Fit frames them all — on the README picture's
    // screen size, where this five-column topology fits with its labels readable
    await expect(page.locator('[data-consumer-tag="invoice-mailer"]')).toBeVisible();
    await page.setViewportSize({ width: 1600, height: 940 });
    await page.getByRole('button', { name: 'Fit', exact: true }).click();
    // routing keys and header arguments label the bindings; durable entities carry a D
    await expect(page.locator('.edge-key', { hasText: 'order.*' })).toBeVisible();
    await expect(page.locator('.edge-key', { hasText: 'all: format=pdf' })).toBeVisible();
    await expect(exchangeNode(page, 'shop.events').locator('.badge-d')).toHaveText('D');
    await expect(queueNode(page, 'pdf-renderer').locator('.badge-d')).toHaveCount(0);
    // alternate-exchange and dead-letter links are drawn, dashed
    await expect(page.locator('.edge-label-link', { hasText: 'alternate' })).toBeVisible();
    await expect(page.locator('.edge-label-link', { hasText: 'dead letters' })).toBeVisible();
    // consumers sit on their queues
    await expect(page.locator('[data-consumer-tag="order-worker-1"]')).toBeVisible();
    await expect(queueNode(page, 'orders').getByTestId('queue-unacked')).toHaveText('5');
    // built-in exchanges are hidden until asked for
    await expect(exchangeNode(page, 'amq.topic')).toHaveCount(0);
    await page.getByRole('switch', { name: 'Built-in exchanges' }).check();
    await expect(exchangeNode(page, 'amq.topic')).toBeVisible();
    await page.getByRole('switch', { name: 'Built-in exchanges' }).uncheck();
    await expect(exchangeNode(page, 'amq.topic')).toHaveCount(0);

    // a topology change shows up within a second, without a reload
    await ch.assertQueue('late-arrival', { durable: false });
    await expect(queueNode(page, 'late-arrival')).toBeVisible({ timeout: 1500 });
    await ch.deleteQueue('late-arrival');
    await expect(queueNode(page, 'late-arrival')).toHaveCount(0, { timeout: 1500 });

    // the README picture: let the rates settle and a few messages travel
    const ticker = setInterval(() => ch.publish('shop.events', Math.random() < 0.3 ? 'order.paid' : 'order.created', Buffer.from('{"tick":true}')), 150);
    try {
      await page.setViewportSize({ width: 1600, height: 940 });
      await page.getByRole('button', { name: 'Fit', exact: true }).click();
      await page.waitForTimeout(2500);
      await exchangeNode(page, 'shop.events').click();
      await page.waitForTimeout(700);
      await page.screenshot({ path: 'e2e/screenshots/console-graph.png' });
      // the same, following a dark system theme
      await page.emulateMedia({ colorScheme: 'dark' });
      await page.waitForTimeout(700);
      await page.screenshot({ path: 'e2e/screenshots/console-graph-dark.png' });
      await page.emulateMedia({ colorScheme: 'light' });
    } finally {
      clearInterval(ticker);
      await page.setViewportSize({ width: 1280, height: 800 });
    }

    // filtering keeps the matches and their neighbours
    await page.getByLabel('Filter the graph by name').fill('invoices');
    await expect(queueNode(page, 'orders.audit')).toHaveCount(0);
    await expect(queueNode(page, 'invoices')).toBeVisible();
    await expect(exchangeNode(page, 'billing')).toBeVisible();
    await page.getByLabel('Filter the graph by name').fill('');
    await expect(queueNode(page, 'orders.audit')).toBeVisible();

    // pause freezes the picture
    await page.getByRole('button', { name: 'Pause', exact: true }).click();
    await ch.assertQueue('while-paused', { durable: false });
    await page.waitForTimeout(1200);
    await expect(queueNode(page, 'while-paused')).toHaveCount(0);
    await page.getByRole('button', { name: 'Resume', exact: true }).click();
    await expect(queueNode(page, 'while-paused')).toBeVisible();

    expect(watch.errors).toEqual([]);
    expect(watch.dialogs).toEqual([]);
  } finally {
    await connection.close();
  }
});

test('drag to bind, publish, consume with ack and nack, unbind', async ({ page, request }) => {
  const watch = watchPage(page);
  const vhost = uniqueVhost('e2e-flow');
  const connection = await freshVhost(request, vhost);
  try {
    const ch = await connection.createChannel();
    await ch.assertExchange('jobs', 'direct', { durable: true });
    await ch.assertQueue('work', { durable: true });
    await login(page, vhost);

    const exchange = exchangeNode(page, 'jobs');
    const queue = queueNode(page, 'work');
    await expect(exchange).toBeVisible();
    await expect(queue).toBeVisible();

    // 1. drag a binding from the exchange to the queue; direct asks for a routing key
    await dragBinding(page, exchange, queue);
    const bindDialog = page.getByRole('dialog', { name: 'New binding' });
    await expect(bindDialog).toBeVisible();
    await bindDialog.getByLabel('Routing key').fill('job.run');
    await bindDialog.getByRole('button', { name: 'Bind' }).click();
    await expect(bindDialog).toBeHidden();
    await expect(page.locator('.edge-key', { hasText: 'job.run' })).toBeVisible();
    const bindings = await request.get(`/api/bindings/${vhost}/e/jobs/q/work`, { headers: AUTH });
    expect(((await bindings.json()) as { routing_key: string }[]).map((b) => b.routing_key)).toEqual(['job.run']);

    // 2. publish from the UI, the exchange preselected from the selection: the count rises
    await exchange.click();
    await page.getByRole('toolbar', { name: 'Graph' }).getByRole('button', { name: 'Publish' }).click();
    const form = page.getByRole('form', { name: 'Publish message' });
    await expect(form.getByLabel('Exchange')).toHaveValue('jobs');
    await form.getByLabel('Routing key').fill('job.run');
    await form.getByRole('textbox', { name: 'Body' }).fill('{"job": 1}');
    await form.getByRole('button', { name: /^Publish/ }).click();
    await expect(page.getByTestId('publish-outcome')).toContainText('Routed');
    await expect(queue.getByTestId('queue-ready')).toHaveText('1');
    // a saved template brings the form back
    await form.getByLabel('Template name').fill('run a job');
    await form.getByRole('button', { name: 'Save as template' }).click();
    await form.getByLabel('Routing key').fill('something.else');
    await form.getByLabel('Load a saved template').selectOption('run a job');
    await expect(form.getByLabel('Routing key')).toHaveValue('job.run');
    await form.getByLabel('Repeat').fill('2');
    await form.getByRole('button', { name: /^Publish 2×/ }).click();
    await expect(page.getByTestId('publish-outcome')).toContainText('2 routed');
    await expect(queue.getByTestId('queue-ready')).toHaveText('3');
    // a key nothing is bound with is reported unroutable
    await form.getByLabel('Repeat').fill('1');
    await form.getByLabel('Routing key').fill('nobody.listens');
    await form.getByRole('button', { name: /^Publish/ }).click();
    await expect(page.getByTestId('publish-outcome')).toContainText('Unroutable');

    // 3. consume in the browser with manual acks
    await queue.click();
    await page.getByRole('tab', { name: 'Consume' }).click();
    const panel = page.getByRole('tabpanel');
    await expect(panel.getByLabel('Queue')).toHaveValue('work');
    await panel.getByRole('button', { name: 'Start consuming' }).click();
    const messages = panel.getByRole('article');
    await expect(messages).toHaveCount(3);
    await expect(queue.getByTestId('queue-ready')).toHaveText('0');
    await expect(queue.getByTestId('queue-unacked')).toHaveText('3');
    await expect(page.locator('[data-consumer-tag^="amq.ctag"], [data-consumer-tag]').filter({ has: page.locator('.flag', { hasText: 'browser' }) })).toBeVisible();

    // ack one: the count falls
    await panel.getByRole('button', { name: 'Ack message 1', exact: true }).click();
    await expect(queue.getByTestId('queue-unacked')).toHaveText('2');

    // nack with requeue: it comes back, marked redelivered
    await panel.getByRole('button', { name: 'Nack message 2 and requeue' }).click();
    await expect(panel.getByRole('article').filter({ hasText: 'redelivered' })).toHaveCount(1);
    await expect(messages).toHaveCount(4);
    await page.screenshot({ path: 'e2e/screenshots/console-consume.png' });

    // ack everything still pending: nothing left
    await panel.getByRole('button', { name: /^Ack all/ }).click();
    await expect(queue.getByTestId('queue-unacked')).toHaveText('0');
    await expect(queue.getByTestId('queue-ready')).toHaveText('0');
    await panel.getByRole('button', { name: 'Stop' }).click();

    // 4. get and peek over REST
    await ch.sendToQueue('work', Buffer.from('peek me'));
    await expect(queue.getByTestId('queue-ready')).toHaveText('1');
    await panel.getByRole('button', { name: 'Peek' }).click();
    await expect(panel.getByTestId('message-body').filter({ hasText: 'peek me' })).toBeVisible();
    await expect(queue.getByTestId('queue-ready')).toHaveText('1');
    await panel.getByRole('button', { name: 'Get one' }).click();
    await expect(queue.getByTestId('queue-ready')).toHaveText('0');

    // 5. select the binding and press Delete: confirm, and it is gone
    await page.locator('.edge-key', { hasText: 'job.run' }).click();
    await page.keyboard.press('Delete');
    const confirm = page.getByRole('dialog', { name: 'Remove binding?' });
    await expect(confirm).toBeVisible();
    await confirm.getByRole('button', { name: 'Remove binding' }).click();
    await expect(page.locator('.edge-key', { hasText: 'job.run' })).toHaveCount(0);
    const after = await request.get(`/api/bindings/${vhost}/e/jobs/q/work`, { headers: AUTH });
    expect(await after.json()).toEqual([]);

    expect(watch.errors).toEqual([]);
    expect(watch.dialogs).toEqual([]);
  } finally {
    await connection.close();
  }
});

test('the first look frames a tutorial-sized vhost under traffic whole on a laptop screen, rather than cutting its last column', async ({ page, request }) => {
  const watch = watchPage(page);
  const vhost = await unusedVhost(request, 'first-look-wide');
  const connection = await freshVhost(request, vhost);
  const timers: NodeJS.Timeout[] = [];
  try {
    // five columns: a producer, a work queue, its consumer, two exchanges, their queues; too wide
    // for the pane beside the inspector with the fit's margins, narrow enough to read without them
    const ch = await connection.createChannel();
    await ch.assertExchange('logs', 'fanout', { durable: false });
    await ch.assertExchange('topic_logs', 'topic', { durable: false });
    await ch.assertQueue('task_queue', { durable: false });
    await ch.assertQueue('log_copy', { durable: false });
    await ch.bindQueue('log_copy', 'logs', '');
    await ch.assertQueue('kern.critical', { durable: false });
    await ch.bindQueue('kern.critical', 'topic_logs', 'kern.*');
    await ch.prefetch(1);
    await ch.consume('task_queue', (m) => {
      if (m) timers.push(setTimeout(() => ch.ack(m), 20));
    });
    timers.push(
      setInterval(() => {
        ch.sendToQueue('task_queue', Buffer.from('work'));
        ch.publish('logs', '', Buffer.from('hi'));
        ch.publish('topic_logs', 'kern.critical', Buffer.from('x'));
      }, 50),
    );
    await page.setViewportSize({ width: 1440, height: 900 });
    await login(page, vhost);
    await expect(page.locator('.react-flow__node')).toHaveCount(7, { timeout: 5000 });
    const pane = await page.locator('.react-flow').boundingBox();
    if (!pane) throw new Error('no canvas');
    const allInView = async () => {
      const boxes = await page.locator('.react-flow__node').evaluateAll((els) => els.map((el) => el.getBoundingClientRect().toJSON() as DOMRect));
      return boxes.length === 7 && boxes.every((b) => b.x >= pane.x - 1 && b.x + b.width <= pane.x + pane.width + 1);
    };
    await expect.poll(allInView, { timeout: 4000 }).toBe(true);
    // and readable: not zoomed out past the point where labels drop
    const zoom = await page.locator('.react-flow__viewport').evaluate((el) => Number(/scale\(([\d.]+)\)/.exec((el as HTMLElement).style.transform)?.[1]));
    expect(zoom).toBeGreaterThanOrEqual(0.55);
    expect(watch.errors).toEqual([]);
  } finally {
    for (const t of timers) clearTimeout(t);
    await connection.close();
  }
});

test('the first look follows a topology declared just after the page opened, until the user pans', async ({ page, request }) => {
  const watch = watchPage(page);
  const vhost = await unusedVhost(request, 'first-look');
  const connection = await freshVhost(request, vhost);
  try {
    const ch = await connection.createChannel();
    await ch.assertQueue('seed', { durable: false });
    await login(page, vhost);
    await expect(queueNode(page, 'seed')).toBeVisible();
    // a script started with the page: its declarations arrive over the next seconds
    await page.waitForTimeout(2200);
    await ch.assertExchange('orders', 'topic', { durable: false });
    for (const q of ['created', 'paid', 'shipped', 'cancelled', 'refunded']) {
      await ch.assertQueue(`orders.${q}`, { durable: false });
      await ch.bindQueue(`orders.${q}`, 'orders', `order.${q}`);
    }
    const pane = await page.locator('.react-flow').boundingBox();
    if (!pane) throw new Error('no canvas');
    // every node is framed, without the user asking
    const allInView = async () => {
      const boxes = await page.locator('.react-flow__node').evaluateAll((els) => els.map((el) => el.getBoundingClientRect().toJSON() as DOMRect));
      return (
        boxes.length === 7 &&
        boxes.every((b) => b.x >= pane.x - 1 && b.y >= pane.y - 1 && b.x + b.width <= pane.x + pane.width + 1 && b.y + b.height <= pane.y + pane.height + 1)
      );
    };
    await expect.poll(allInView, { timeout: 3000 }).toBe(true);

    // the user pans: from then on the view is theirs, even within the first seconds
    await page.mouse.move(pane.x + pane.width - 40, pane.y + 40);
    await page.mouse.down();
    await page.mouse.move(pane.x + pane.width - 140, pane.y + 90, { steps: 5 });
    await page.mouse.up();
    const transform = await page.locator('.react-flow__viewport').evaluate((el) => (el as HTMLElement).style.transform);
    await ch.assertQueue('orders.late', { durable: false });
    await ch.bindQueue('orders.late', 'orders', 'order.late');
    await expect(page.locator('.react-flow__node')).toHaveCount(8);
    await page.waitForTimeout(600);
    expect(await page.locator('.react-flow__viewport').evaluate((el) => (el as HTMLElement).style.transform)).toBe(transform);
    expect(watch.errors).toEqual([]);
  } finally {
    await connection.close();
  }
});

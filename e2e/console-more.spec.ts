// More of the console end to end: a headers binding made in the bind dialog and matched by a
// message published from the Publish panel; the panel's repeat-at-a-rate mode; the live
// WebSocket reconnecting after the server side closes it.
import { expect, test, type WebSocketRoute } from '@playwright/test';
import { AUTH, dragBinding, exchangeNode, freshVhost, login, queueNode, uniqueVhost, watchPage } from './console-helpers';

test('bind to a headers exchange with x-match and header rows, publish matching headers', async ({ page, request }) => {
  const watch = watchPage(page);
  const vhost = uniqueVhost('e2e-headers');
  const connection = await freshVhost(request, vhost);
  try {
    const ch = await connection.createChannel();
    await ch.assertExchange('docs', 'headers', { durable: true });
    await ch.assertQueue('pdfs', { durable: true });
    await login(page, vhost);
    const exchange = exchangeNode(page, 'docs');
    const queue = queueNode(page, 'pdfs');
    await expect(exchange).toBeVisible();
    await expect(queue).toBeVisible();

    // drag: the headers dialog asks for x-match and header rows, no routing key
    await dragBinding(page, exchange, queue);
    const bind = page.getByRole('dialog', { name: 'New binding' });
    await expect(bind).toBeVisible();
    await expect(bind.getByLabel('Routing key')).toHaveCount(0);
    await bind.getByText('any header (x-match=any)').click();
    await expect(bind.getByLabel('any header (x-match=any)')).toBeChecked();
    await bind.getByLabel('Header 1 name').fill('format');
    await bind.getByLabel('Header 1 value').fill('pdf');
    await bind.getByRole('button', { name: 'Add header' }).click();
    await bind.getByLabel('Header 2 name').fill('pages');
    await bind.getByLabel('Header 2 value').fill('3');
    await bind.getByLabel('Header 2 type').selectOption('number');
    await bind.getByRole('button', { name: 'Bind' }).click();
    await expect(bind).toBeHidden();
    await expect(page.locator('.edge-key', { hasText: 'format=pdf' })).toBeVisible();
    await expect
      .poll(async () => (await request.get(`/api/bindings/${vhost}/e/docs/q/pdfs`, { headers: AUTH })).json())
      .toEqual([expect.objectContaining({ routing_key: '', arguments: { 'x-match': 'any', format: 'pdf', pages: 3 } })]);

    // publish from the panel with a matching header: routed, the count rises
    await exchange.click();
    await page.getByRole('toolbar', { name: 'Graph' }).getByRole('button', { name: 'Publish' }).click();
    const form = page.getByRole('form', { name: 'Publish message' });
    await expect(form.getByLabel('Exchange')).toHaveValue('docs');
    await form.getByRole('textbox', { name: 'Body' }).fill('{"doc": "report.pdf"}');
    await form.getByText('Properties and headers').click();
    await form.getByRole('button', { name: 'Add header' }).click();
    await form.getByLabel('Header 1 name').fill('format');
    await form.getByLabel('Header 1 value').fill('pdf');
    await form.getByRole('button', { name: /^Publish/ }).click();
    await expect(page.getByTestId('publish-outcome')).toContainText('Routed');
    await expect(queue.getByTestId('queue-ready')).toHaveText('1');

    // a header value that matches no binding argument is unroutable, and nothing arrives
    await form.getByLabel('Header 1 value').fill('docx');
    await form.getByRole('button', { name: /^Publish/ }).click();
    await expect(page.getByTestId('publish-outcome')).toContainText('Unroutable');
    // the other argument alone, typed as a number, matches too (x-match=any)
    await form.getByLabel('Header 1 name').fill('pages');
    await form.getByLabel('Header 1 value').fill('3');
    await form.getByLabel('Header 1 type').selectOption('number');
    await form.getByRole('button', { name: /^Publish/ }).click();
    await expect(page.getByTestId('publish-outcome')).toContainText('Routed');
    await expect(queue.getByTestId('queue-ready')).toHaveText('2');
    expect((await ch.checkQueue('pdfs')).messageCount).toBe(2);

    expect(watch.errors).toEqual([]);
    expect(watch.dialogs).toEqual([]);
  } finally {
    await connection.close();
  }
});

test('the Publish panel repeats a message N times at a rate', async ({ page, request }) => {
  const watch = watchPage(page);
  const vhost = uniqueVhost('e2e-repeat');
  const connection = await freshVhost(request, vhost);
  try {
    const ch = await connection.createChannel();
    await ch.assertExchange('ticks', 'fanout', { durable: false });
    await ch.assertQueue('tick-log', { durable: false });
    await ch.bindQueue('tick-log', 'ticks', '');
    await login(page, vhost);
    const exchange = exchangeNode(page, 'ticks');
    const queue = queueNode(page, 'tick-log');
    await expect(queue).toBeVisible();

    await exchange.click();
    await page.getByRole('toolbar', { name: 'Graph' }).getByRole('button', { name: 'Publish' }).click();
    const form = page.getByRole('form', { name: 'Publish message' });
    await expect(form.getByLabel('Exchange')).toHaveValue('ticks');
    await form.getByRole('textbox', { name: 'Body' }).fill('{"tick": true}');

    // as fast as possible, N times
    await form.getByLabel('Repeat').fill('7');
    await form.getByRole('button', { name: /^Publish 7×/ }).click();
    await expect(page.getByTestId('publish-outcome')).toHaveText('7 published · 7 routed');
    await expect(queue.getByTestId('queue-ready')).toHaveText('7');

    // at 10 msg/s: 12 messages take at least 1.1 s, the button counts them while it runs
    await form.getByLabel('Repeat').fill('12');
    await form.getByLabel('Rate (msg/s)').fill('10');
    const started = Date.now();
    await form.getByRole('button', { name: /^Publish 12×/ }).click();
    await expect(form.getByRole('button', { name: /^Stop \(\d+\/12\)$/ })).toBeVisible();
    await expect(page.getByTestId('publish-outcome')).toHaveText('12 published · 12 routed', { timeout: 10_000 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1050);
    await expect(queue.getByTestId('queue-ready')).toHaveText('19');
    expect((await ch.checkQueue('tick-log')).messageCount).toBe(19);

    // Stop ends a run early: fewer than asked are sent, and exactly those arrive
    await form.getByLabel('Repeat').fill('50');
    await form.getByLabel('Rate (msg/s)').fill('5');
    await form.getByRole('button', { name: /^Publish 50×/ }).click();
    await expect(form.getByRole('button', { name: /^Stop \([1-9]\d*\/50\)$/ })).toBeVisible();
    await form.getByRole('button', { name: /^Stop/ }).click();
    await expect(form.getByRole('button', { name: /^Publish 50×/ })).toBeVisible();
    const outcome = (await page.getByTestId('publish-outcome').textContent()) ?? '';
    const sent = Number(/^(\d+) published/.exec(outcome)?.[1]);
    expect(sent).toBeGreaterThan(0);
    expect(sent).toBeLessThan(50);
    await expect.poll(async () => (await ch.checkQueue('tick-log')).messageCount).toBe(19 + sent);
    await expect(queue.getByTestId('queue-ready')).toHaveText(String(19 + sent));

    expect(watch.errors).toEqual([]);
    expect(watch.dialogs).toEqual([]);
  } finally {
    await connection.close();
  }
});

test('the live connection reconnects after the server side closes it', async ({ page, request }) => {
  const watch = watchPage(page);
  const vhost = uniqueVhost('e2e-live');
  const connection = await freshVhost(request, vhost);
  // every /api/ws the page opens goes through here, to the real server
  // while `blocked`, a new socket is refused at once, as if the server were still away
  const sockets: { page: WebSocketRoute; server: WebSocketRoute }[] = [];
  let blocked = false;
  let refused = 0;
  await page.routeWebSocket(/\/api\/ws$/, (ws) => {
    if (blocked) {
      refused++;
      void ws.close({ code: 4000, reason: 'server unreachable' });
      return;
    }
    sockets.push({ page: ws, server: ws.connectToServer() });
  });
  try {
    const ch = await connection.createChannel();
    await ch.assertQueue('before', { durable: false });
    await login(page, vhost);
    const badge = page.locator('.live-badge');
    await expect(badge).toHaveAccessibleName(/^Live$/);
    await expect(queueNode(page, 'before')).toBeVisible();
    expect(sockets).toHaveLength(1);

    // the server drops the socket: the badge says so, then the client opens a new one
    blocked = true;
    // drop both halves: the broker's end of the socket and what the page sees of it
    await sockets[0].server.close({ code: 1012, reason: 'server restarting' });
    await sockets[0].page.close({ code: 1012, reason: 'server restarting' });
    await expect(badge).toHaveAccessibleName(/^Reconnecting: polling$/);
    await expect(badge).toHaveAttribute('title', /server (restarting|unreachable)/);
    await expect.poll(() => refused, { timeout: 5000 }).toBeGreaterThanOrEqual(2);
    await expect(badge).toHaveAccessibleName(/^Reconnecting: polling$/);
    blocked = false;
    await expect(badge).toHaveAccessibleName(/^Live$/, { timeout: 8000 });
    expect(sockets).toHaveLength(2);

    // a change by an amqplib client after reconnecting arrives over the new socket, no reload
    // (well inside the 3 s the console would take to poll)
    await ch.assertQueue('after-reconnect', { durable: false });
    await expect(queueNode(page, 'after-reconnect')).toBeVisible({ timeout: 1500 });
    await ch.sendToQueue('after-reconnect', Buffer.from('hello'));
    await expect(queueNode(page, 'after-reconnect').getByTestId('queue-ready')).toHaveText('1', { timeout: 1500 });
    await ch.deleteQueue('before');
    await expect(queueNode(page, 'before')).toHaveCount(0, { timeout: 1500 });
    await expect(badge).toHaveAccessibleName(/^Live$/);
    expect(sockets).toHaveLength(2);

    expect(watch.errors).toEqual([]);
    expect(watch.dialogs).toEqual([]);
  } finally {
    await connection.close();
  }
});

// Message tools through the console against the real `npm start`, with real amqplib clients: the
// queue page's Messages tab browses ready messages in a virtual list (only rows in view are in the
// page), shows a body as foldable JSON, text and hex, loads a truncated body whole, lists the
// unacked ones with their consumer — and leaves the queue exactly as it was: no get, no
// redelivery, a consumer afterwards gets every message in order.
import { expect, test, type Page } from '@playwright/test';
import amqp from 'amqplib';
import { AUTH, amqpPort, login, uniqueVhost, watchPage } from './console-helpers';

async function shoot(page: Page, name: string) {
  await page.setViewportSize({ width: 1280, height: 1000 });
  await page.emulateMedia({ colorScheme: 'light' });
  await page.waitForTimeout(400);
  await page.screenshot({ path: `e2e/screenshots/${name}.png` });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.waitForTimeout(400);
  await page.screenshot({ path: `e2e/screenshots/${name}-dark.png` });
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize({ width: 1280, height: 800 });
}

test('browse a queue without consuming: virtual list, JSON/text/hex, load all, unacked apart', async ({ page, request }) => {
  test.setTimeout(120_000);
  const seen = watchPage(page);
  const vhost = uniqueVhost('e2e-browse');
  expect((await request.put(`/api/vhosts/${vhost}`, { headers: AUTH, data: {} })).status()).toBe(201);
  const port = await amqpPort(request);
  const conn = await amqp.connect(`amqp://guest:guest@127.0.0.1:${port}/${vhost}`);
  const ch = await conn.createConfirmChannel();
  await ch.assertQueue('orders', { durable: true });
  await ch.bindQueue('orders', 'amq.topic', 'order.#');
  const N = 2000;
  for (let i = 0; i < N; i++) {
    const body =
      i === 2
        ? Buffer.from('L'.repeat(10_000))
        : i === 3
          ? Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00, 0x01])
          : Buffer.from(JSON.stringify({ order: i, customer: { name: `c${i}`, tier: i % 3 === 0 ? 'gold' : 'std' }, lines: [{ sku: 'A-1', qty: 2 }] }));
    ch.publish('amq.topic', `order.${i % 2 === 0 ? 'eu' : 'us'}.created`, body, { persistent: true, contentType: 'application/json', headers: { attempt: 1, trace: { id: `t-${i}` } } });
  }
  await ch.waitForConfirms();
  // a second queue, held by a consumer that never acks
  await ch.assertQueue('held', { durable: false });
  for (let i = 0; i < 3; i++) ch.sendToQueue('held', Buffer.from(`held-${i}`));
  await ch.waitForConfirms();
  const holder = await conn.createChannel();
  await holder.prefetch(2);
  const { consumerTag } = await holder.consume('held', () => undefined, { consumerTag: 'slow-worker' });
  try {
    await login(page, vhost);
    await page.goto(`/queues/${vhost}/orders`);
    await page.getByRole('tab', { name: 'Messages' }).click();
    await expect(page).toHaveURL(/#messages$/);
    const list = page.getByRole('listbox', { name: 'Ready messages' });
    await expect(list.getByRole('option').first()).toContainText('order.eu.created');
    // virtual: a couple of thousand messages, a few dozen rows in the page
    expect(await list.getByRole('option').count()).toBeLessThan(60);
    await expect(page.getByRole('region', { name: 'Browse messages' })).toContainText(`${N.toLocaleString('en-US')} ready as of`);

    // a JSON body as a tree that folds
    await list.getByRole('option').nth(1).click();
    const body = page.getByTestId('browse-body');
    await expect(body).toContainText('"customer"');
    await expect(body).toContainText('"c1"');
    const customer = body.locator('details').filter({ hasText: '"customer"' }).last();
    await customer.locator('summary').first().click();
    await expect(customer.locator('summary').first()).toContainText('2 keys');
    await page.getByRole('radiogroup', { name: 'Show body as' }).getByText('Hex').click();
    await expect(body).toContainText('00000000  7b 22 6f 72');
    await page.getByRole('radiogroup', { name: 'Show body as' }).getByText('Text').click();
    await expect(body).toContainText('{"order":1,');
    const detail = page.getByLabel('Message', { exact: true });
    await expect(detail).toContainText('trace');
    await expect(detail).toContainText('"id": "t-1"');
    await expect(detail).toContainText('delivery_mode');

    // binary: hex only
    await list.getByRole('option').nth(3).click();
    await expect(body).toContainText('de ad be ef 00 01');

    // a truncated body, loaded whole
    await list.getByRole('option').nth(2).click();
    await expect(detail).toContainText('First 4,096 of 10,000 bytes shown.');
    await shoot(page, 'message-browse');
    await detail.getByRole('button', { name: 'Load all' }).click();
    await expect(detail).not.toContainText('bytes shown');
    expect(((await body.textContent()) ?? '').length).toBe(10_000);

    // the end of the list: its page is fetched when scrolled to
    await list.evaluate((e) => e.scrollTo(0, e.scrollHeight));
    await expect(list.getByRole('option').filter({ hasText: `#${N.toLocaleString('en-US')}` })).toContainText('order.us.created');

    // a filter, run on the broker in stretches: gold customers in the eu
    await list.evaluate((e) => e.scrollTo(0, 0));
    await page.getByLabel('Filter expression').fill('routing_key == "order.eu.created" && json.customer.tier == "gold"');
    await page.getByRole('button', { name: 'Filter', exact: true }).click();
    const matching = page.getByRole('listbox', { name: 'Matching messages' });
    // i even and a multiple of 3, the binary and the long body aside: every 6th order
    const expected = [...Array(N).keys()].filter((i) => i % 6 === 0 && i !== 2 && i !== 3);
    await expect(page.getByRole('status', { name: 'Filter progress' })).toContainText(`${expected.length} matches in ${N.toLocaleString('en-US')} scanned · whole queue scanned`);
    await expect(matching.getByRole('option')).toHaveCount(expected.length);
    await expect(matching.getByRole('option').nth(1)).toContainText('#7');
    await matching.getByRole('option').nth(1).click();
    await expect(body).toContainText('"c6"');
    await shoot(page, 'message-filter');
    await page.getByLabel('Filter expression').fill('json.customer.tier == ');
    await page.getByRole('button', { name: 'Filter', exact: true }).click();
    await expect(page.getByRole('alert').filter({ hasText: 'filter expression:' })).toContainText('at position');
    await page.getByLabel('Filter expression').fill('');
    await page.getByRole('button', { name: 'Filter', exact: true }).click();
    await expect(list.getByRole('option').first()).toContainText('order.eu.created');

    // export the filter's matches as JSON Lines, import them into another exchange
    await ch.assertExchange('copies-x', 'fanout', { durable: false });
    await ch.assertQueue('copies', { durable: false });
    await ch.bindQueue('copies', 'copies-x', '');
    await page.getByLabel('Filter expression').fill('json.customer.tier == "gold" && json.order < 600');
    await page.getByRole('button', { name: 'Filter', exact: true }).click();
    await expect(page.getByRole('status', { name: 'Filter progress' })).toContainText('whole queue scanned');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export matches (.jsonl)' }).click()]);
    const file = `${test.info().outputDir}/gold.jsonl`;
    await download.saveAs(file);
    const golds = [...Array(600).keys()].filter((i) => i % 3 === 0 && i !== 3);
    expect((await import('node:fs')).readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(golds.length);
    await page.getByRole('button', { name: 'Import…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Import messages' });
    await dialog.getByLabel('Exchange').selectOption('copies-x');
    await dialog.getByLabel(/^File/).setInputFiles(file);
    await dialog.getByLabel('At most, messages a second').fill('5000');
    await dialog.getByRole('button', { name: 'Import' }).click();
    await expect(dialog.getByRole('status', { name: 'Import progress' })).toContainText(`done · ${golds.length} of ${golds.length} published`);
    await dialog.getByRole('button', { name: 'Done', exact: true }).click();
    await expect.poll(async () => (await (await request.get(`/api/queues/${vhost}/copies`, { headers: AUTH })).json()).messages_ready, { timeout: 15_000 }).toBe(golds.length);

    // a slow import shows its progress as the broker counts it and stops when cancelled
    await ch.assertExchange('slow-x', 'fanout', { durable: false });
    await ch.assertQueue('slow', { durable: false });
    await ch.bindQueue('slow', 'slow-x', '');
    const M = 3000;
    const slowFile = `${test.info().outputDir}/slow.jsonl`;
    (await import('node:fs')).writeFileSync(slowFile, Array.from({ length: M }, (_, i) => JSON.stringify({ routing_key: 'k', properties: { headers: { i } }, payload: Buffer.from(`slow-${i}`).toString('base64') })).join('\n'));
    await page.getByRole('button', { name: 'Import…' }).click();
    await dialog.getByLabel('Exchange').selectOption('slow-x');
    await dialog.getByLabel(/^File/).setInputFiles(slowFile);
    await dialog.getByLabel('At most, messages a second').fill('100');
    await dialog.getByRole('button', { name: 'Import' }).click();
    const importing = dialog.getByRole('status', { name: 'Import progress' });
    await expect(importing).toContainText('running');
    await expect(importing).toContainText(`of ${M.toLocaleString('en-US')} published`);
    await expect.poll(async () => Number((await importing.getByRole('progressbar').getAttribute('value')) ?? 0), { timeout: 20_000 }).toBeGreaterThan(2);
    await expect(importing).toContainText('a second (limit 100)');
    await shoot(page, 'message-import');
    await dialog.getByRole('button', { name: 'Cancel import' }).click();
    await expect(importing).toContainText('cancelled');
    const said = /cancelled · ([\d,]+) of 3,000 published/.exec((await importing.textContent()) ?? '');
    expect(said).not.toBeNull();
    const published = Number((said as RegExpExecArray)[1].replace(/,/g, ''));
    expect(published).toBeGreaterThan(0);
    expect(published).toBeLessThan(M);
    await dialog.getByRole('button', { name: 'Done', exact: true }).click();
    // what arrived is what the job says it published, and no more comes
    await expect.poll(async () => (await (await request.get(`/api/queues/${vhost}/slow`, { headers: AUTH })).json()).messages_ready, { timeout: 15_000 }).toBe(published);
    await page.waitForTimeout(1000);
    expect((await (await request.get(`/api/queues/${vhost}/slow`, { headers: AUTH })).json()).messages_ready).toBe(published);
    await page.getByRole('button', { name: 'Clear' }).click();

    // unacked messages, with who holds them
    await page.goto(`/queues/${vhost}/held#messages`);
    await page.getByRole('radiogroup', { name: 'Which messages' }).getByText('Unacked').click();
    const unacked = page.getByRole('listbox', { name: 'Unacked messages' });
    await expect(unacked.getByRole('option')).toHaveCount(2);
    await expect(unacked.getByRole('option').first()).toContainText(consumerTag);
    await unacked.getByRole('option').first().click();
    await expect(page.getByLabel('Message', { exact: true })).toContainText('Delivery tag');

    // nothing was consumed or redelivered by all that reading
    const q = await (await request.get(`/api/queues/${vhost}/orders`, { headers: AUTH })).json();
    expect(q.messages_ready).toBe(N);
    expect(q.message_stats?.get ?? 0).toBe(0);
    expect(q.message_stats?.redeliver ?? 0).toBe(0);
    const got: { order: number; redelivered: boolean }[] = [];
    await ch.consume(
      'orders',
      (m) => {
        if (!m) return;
        let order = -1;
        try {
          order = (JSON.parse(m.content.toString()) as { order: number }).order;
        } catch {
          order = got.length;
        }
        got.push({ order, redelivered: m.fields.redelivered });
      },
      { noAck: true },
    );
    await expect.poll(() => got.length, { timeout: 20_000 }).toBe(N);
    expect(got.every((g, i) => g.order === i && !g.redelivered)).toBe(true);
    expect(seen.errors).toEqual([]);
  } finally {
    await conn.close();
    await request.delete(`/api/vhosts/${vhost}`, { headers: AUTH });
  }
});

test('move, copy and return to origin through the console: checked rows, a filter, all with the name typed, progress and cancel', async ({ page, request }) => {
  test.setTimeout(180_000);
  const seen = watchPage(page);
  const vhost = uniqueVhost('e2e-move');
  expect((await request.put(`/api/vhosts/${vhost}`, { headers: AUTH, data: {} })).status()).toBe(201);
  const port = await amqpPort(request);
  const conn = await amqp.connect(`amqp://guest:guest@127.0.0.1:${port}/${vhost}`);
  const ch = await conn.createConfirmChannel();
  const ready = async (q: string): Promise<number> => (await (await request.get(`/api/queues/${vhost}/${q}`, { headers: AUTH })).json()).messages_ready;
  try {
    for (const q of ['inbox', 'archive']) await ch.assertQueue(q, { durable: true });
    for (let i = 0; i < 400; i++) ch.sendToQueue('inbox', Buffer.from(JSON.stringify({ i })), { persistent: true, headers: { i } });
    await ch.waitForConfirms();
    await login(page, vhost);
    await page.goto(`/queues/${vhost}/inbox#messages`);
    const list = page.getByRole('listbox', { name: 'Ready messages' });
    await expect(list.getByRole('option').first()).toBeVisible();

    // two checked rows, moved to another queue
    await page.getByLabel('Check message #2', { exact: true }).check();
    await page.getByLabel('Check message #5', { exact: true }).check();
    await expect(page.getByRole('toolbar', { name: 'Move, copy or return messages' })).toContainText('2 checked');
    await page.getByRole('button', { name: 'Move…' }).click();
    let dialog = page.getByRole('dialog', { name: 'Move messages' });
    await expect(dialog.getByRole('radiogroup', { name: 'Messages to take' }).getByLabel(/Checked/)).toBeChecked();
    await dialog.getByLabel('Target queue').fill('archive');
    await dialog.getByRole('button', { name: 'Move', exact: true }).click();
    await expect(dialog.getByRole('status', { name: 'Transfer progress' })).toContainText('done · 2 moved');
    await dialog.getByRole('button', { name: 'Done', exact: true }).click();
    expect(await ready('archive')).toBe(2);
    expect(await ready('inbox')).toBe(398);

    // a filter's matches, copied
    await page.getByLabel('Filter expression').fill('headers.i >= 390');
    await page.getByRole('button', { name: 'Filter', exact: true }).click();
    await page.getByRole('button', { name: 'Copy…' }).click();
    dialog = page.getByRole('dialog', { name: 'Copy messages' });
    await expect(dialog.getByRole('radiogroup', { name: 'Messages to take' }).getByLabel('Filter matches')).toBeChecked();
    await dialog.getByLabel('Target queue').fill('archive');
    await dialog.getByRole('button', { name: 'Copy', exact: true }).click();
    await expect(dialog.getByRole('status', { name: 'Transfer progress' })).toContainText('done · 10 copied');
    await dialog.getByRole('button', { name: 'Done', exact: true }).click();
    expect(await ready('archive')).toBe(12);
    expect(await ready('inbox')).toBe(398);
    await page.getByRole('button', { name: 'Clear' }).click();

    // all of them, slowly: the queue's name typed first, then cancelled midway
    await page.getByRole('button', { name: 'Move…' }).click();
    dialog = page.getByRole('dialog', { name: 'Move messages' });
    await dialog.getByLabel('Target queue').fill('archive');
    await dialog.getByLabel(/At most, messages a second/).fill('40');
    const go = dialog.getByRole('button', { name: 'Move', exact: true });
    await expect(go).toBeDisabled();
    await dialog.getByLabel(/to move every ready message/).fill('inbo');
    await expect(go).toBeDisabled();
    await dialog.getByLabel(/to move every ready message/).fill('inbox');
    await go.click();
    const progress = dialog.getByRole('status', { name: 'Transfer progress' });
    await expect(progress).toContainText('running');
    await expect.poll(async () => Number((await progress.getByRole('progressbar').getAttribute('value')) ?? 0), { timeout: 20_000 }).toBeGreaterThan(2);
    await shoot(page, 'message-move');
    await dialog.getByRole('button', { name: 'Cancel transfer' }).click();
    await expect(progress).toContainText('cancelled');
    await dialog.getByRole('button', { name: 'Done', exact: true }).click();
    const [left, archived] = [await ready('inbox'), await ready('archive')];
    expect(left).toBeGreaterThan(0);
    expect(left + archived).toBe(398 + 12);

    // dead letters home: a preview of where each goes; one whose exchange is gone stays
    await ch.assertExchange('orders', 'direct', { durable: true });
    await ch.assertExchange('old-orders', 'direct', { durable: true });
    await ch.assertExchange('dlx', 'fanout', { durable: true });
    await ch.assertQueue('dead', { durable: true });
    await ch.bindQueue('dead', 'dlx', '');
    await ch.assertQueue('work', { durable: true, arguments: { 'x-dead-letter-exchange': 'dlx' } });
    await ch.bindQueue('work', 'orders', 'order.created');
    await ch.bindQueue('work', 'old-orders', 'order.old');
    for (let i = 0; i < 3; i++) ch.publish('orders', 'order.created', Buffer.from(`o-${i}`), { persistent: true });
    ch.publish('old-orders', 'order.old', Buffer.from('old-0'), { persistent: true });
    await ch.waitForConfirms();
    const worker = await conn.createChannel();
    const { consumerTag } = await worker.consume('work', (m) => m && worker.nack(m, false, false));
    await expect.poll(() => ready('dead'), { timeout: 10_000 }).toBe(4);
    await worker.cancel(consumerTag);
    await ch.deleteExchange('old-orders');
    await page.goto(`/queues/${vhost}/dead#messages`);
    await expect(page.getByRole('listbox', { name: 'Ready messages' }).getByRole('option').first()).toBeVisible();
    await page.getByRole('button', { name: 'Return to origin…' }).click();
    dialog = page.getByRole('dialog', { name: 'Return to origin' });
    const table = dialog.getByRole('table', { name: 'Destinations' });
    await expect(table.getByRole('row')).toHaveCount(4);
    await expect(table.getByRole('row').first()).toContainText('orders');
    await expect(table.getByRole('row').first()).toContainText('order.created');
    await expect(table).toContainText("exchange 'old-orders' no longer exists");
    await shoot(page, 'message-return');
    await dialog.getByLabel(/to return every ready message/).fill('dead');
    await dialog.getByRole('button', { name: 'Return', exact: true }).click();
    await expect(dialog.getByRole('status', { name: 'Transfer progress' })).toContainText('done · 3 returned');
    await expect(dialog.getByRole('status', { name: 'Transfer progress' })).toContainText('1 without origin');
    expect(await ready('work')).toBe(3);
    expect(await ready('dead')).toBe(1);
    expect(seen.errors).toEqual([]);
  } finally {
    await conn.close();
    await request.delete(`/api/vhosts/${vhost}`, { headers: AUTH });
  }
});

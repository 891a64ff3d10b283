// Masking through the console: a second `npm start` of its own with --mask-rules (the shared one
// runs without rules), messages published by amqplib, and the queue page's Messages tab showing
// the listed header, the JSON path and the pattern match as *** with a "masked" mark — while an
// amqplib consumer afterwards receives the originals.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import amqp from 'amqplib';
import { NPM_START_LIMIT_MS, startServed, type Served } from '../lib/testing/npm-start';

let served: Served | undefined;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warren-e2e-mask-'));

test.afterAll(async () => {
  await served?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('the Messages tab shows masked values and says so; consumers get the originals', async ({ page }) => {
  test.setTimeout(NPM_START_LIMIT_MS + 120_000);
  const rules = path.join(dir, 'mask.json');
  fs.writeFileSync(rules, JSON.stringify({ headers: ['authorization'], jsonPaths: ['$.card.number', '$.user.email'], bodyPatterns: ['\\d{4}-\\d{4}-\\d{4}-\\d{4}'] }));
  served = await startServed('e2e-mask', { args: ['--mask-rules', rules] });
  const base = served.base;

  const conn = await amqp.connect(served.amqpUrl());
  const ch = await conn.createConfirmChannel();
  await ch.assertQueue('payments', { durable: true });
  const body = JSON.stringify({ card: { number: '4111111111111111', exp: '12/30' }, user: { email: 'ann@example.com', name: 'Ann' }, note: 'backup card 1234-5678-9012-3456' });
  ch.sendToQueue('payments', Buffer.from(body), { persistent: true, contentType: 'application/json', headers: { authorization: 'Bearer s3cret', 'x-trace': 'abc' } });
  ch.sendToQueue('payments', Buffer.from('plain text, nothing hidden'), { persistent: true });
  await ch.waitForConfirms();

  await page.goto(`${base}/`);
  await expect(page).toHaveURL(/\/login/);
  await page.getByLabel('Username').fill('guest');
  await page.getByLabel('Password').fill('guest');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('heading', { name: 'Warren' })).toBeVisible();
  await page.goto(`${base}/queues/%2F/payments`);
  await page.getByRole('tab', { name: 'Messages' }).click();
  const list = page.getByRole('listbox', { name: 'Ready messages' });
  await expect(list.getByRole('option')).toHaveCount(2);
  await expect(list.getByRole('option').first().getByText('masked', { exact: true })).toBeVisible();
  await expect(list.getByRole('option').nth(1).getByText('masked', { exact: true })).toHaveCount(0);
  await list.getByRole('option').first().click();
  const detail = page.getByRole('group', { name: 'Message' });
  await page.getByRole('radiogroup', { name: 'Show body as' }).getByText('Text').click();
  await expect(detail).toContainText('"number":"***"');
  await expect(detail).toContainText('backup card ***');
  await expect(detail).toContainText('Ann');
  for (const secret of ['s3cret', '4111111111111111', 'ann@example.com', '1234-5678-9012-3456']) await expect(page.locator('body')).not.toContainText(secret);

  await page.setViewportSize({ width: 1280, height: 1000 });
  await page.emulateMedia({ colorScheme: 'light' });
  await page.waitForTimeout(400);
  await page.screenshot({ path: 'e2e/screenshots/message-masking.png' });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.waitForTimeout(400);
  await page.screenshot({ path: 'e2e/screenshots/message-masking-dark.png' });

  const received: string[] = [];
  await ch.consume('payments', (m) => m && received.push(m.content.toString('utf8')), { noAck: true });
  await expect.poll(() => received.length, { timeout: 10_000 }).toBe(2);
  expect(received[0]).toBe(body);
  await conn.close();
});

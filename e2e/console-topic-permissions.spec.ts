// Topic permissions and operator policies on the administration pages, against the real `npm
// start`: a topic permission set in a user's permissions dialog refuses an amqplib publish with
// another routing key; an operator policy added on the policies page caps a queue, and the queue
// page names it. Screenshots in both themes.
import { expect, test, type Page } from '@playwright/test';
import amqp from 'amqplib';
import { AUTH, amqpPort, login, uniqueVhost } from './console-helpers';

async function shoot(page: Page, name: string) {
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.waitForTimeout(300);
    await page.screenshot({ path: `e2e/screenshots/${name}${scheme === 'dark' ? '-dark' : ''}.png` });
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

test('a topic permission set on the users page refuses publishes with other routing keys', async ({ page, request }) => {
  const vhost = uniqueVhost('e2e-topic');
  const user = `e2e-tom-${Date.now().toString(36)}`;
  expect((await request.put(`/api/vhosts/${vhost}`, { headers: AUTH, data: {} })).status()).toBe(201);
  expect((await request.put(`/api/users/${user}`, { headers: AUTH, data: { password: 'pw', tags: '' } })).status()).toBe(201);
  expect((await request.put(`/api/permissions/${vhost}/${user}`, { headers: AUTH, data: { configure: '.*', write: '.*', read: '.*' } })).status()).toBe(201);

  await login(page);
  await page.goto('/users');
  await page.getByRole('button', { name: `Actions for user ${user}` }).click();
  await page.getByRole('menuitem', { name: 'Permissions…' }).click();
  const dialog = page.getByRole('dialog', { name: `Permissions of ${user}` });
  await expect(dialog.getByText('No topic permissions')).toBeVisible();
  const form = dialog.getByRole('form', { name: 'Set topic permission' });
  await form.getByLabel('Vhost').selectOption(vhost);
  await form.getByLabel('Write').fill('(');
  await form.getByRole('button', { name: 'Set', exact: true }).click();
  await expect(form.getByRole('alert')).toContainText('invalid_regexp');
  await form.getByLabel('Write').fill('^{username}\\.');
  await form.getByRole('button', { name: 'Set', exact: true }).click();
  const row = dialog.getByRole('table', { name: 'Topic permissions' }).getByRole('row').filter({ hasText: 'amq.topic' });
  await expect(row).toContainText('^{username}\\.');
  await shoot(page, 'console-topic-permissions');

  const conn = await amqp.connect(`amqp://${user}:pw@127.0.0.1:${await amqpPort(request)}/${vhost}`);
  try {
    const ok = await conn.createConfirmChannel();
    await new Promise<void>((resolve, reject) => ok.publish('amq.topic', `${user}.news`, Buffer.from('x'), {}, (err) => (err ? reject(err) : resolve())));
    const ch = await conn.createChannel();
    const closed = new Promise<Error>((resolve) => ch.on('error', resolve));
    ch.publish('amq.topic', 'someone-else.news', Buffer.from('x'));
    expect(String(await closed)).toContain(`access to topic 'someone-else.news' in exchange 'amq.topic' in vhost '${vhost}' refused for user '${user}'`);
  } finally {
    await conn.close().catch(() => undefined);
  }

  await row.getByRole('button', { name: /Clear topic permission/ }).click();
  await page.getByRole('dialog', { name: 'Clear topic permission?' }).getByRole('button', { name: 'Clear topic permission' }).click();
  await expect(dialog.getByText('No topic permissions')).toBeVisible();
  await request.delete(`/api/vhosts/${vhost}`, { headers: AUTH });
  await request.delete(`/api/users/${user}`, { headers: AUTH });
});

test('an operator policy added on the policies page caps a queue, and the queue page names it', async ({ page, request }) => {
  const vhost = uniqueVhost('e2e-oppol');
  expect((await request.put(`/api/vhosts/${vhost}`, { headers: AUTH, data: {} })).status()).toBe(201);
  expect((await request.put(`/api/queues/${vhost}/orders.eu`, { headers: AUTH, data: { durable: true } })).status()).toBe(201);
  await login(page, vhost);
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Policies', exact: true }).click();
  await expect(page.getByText(`No operator policies in vhost ${vhost}.`)).toBeVisible();
  await page.getByRole('button', { name: 'Add operator policy' }).click();
  const form = page.getByRole('form', { name: 'New operator policy' });
  await form.getByLabel('Name', { exact: true }).fill('cap-all');
  await form.getByLabel('Pattern').fill('^orders\\.');
  // only limits: a dead-letter exchange is refused in RabbitMQ's words
  await form.getByLabel('Definition 1 name').fill('dead-letter-exchange');
  await form.getByLabel('Definition 1 value').fill('dlx');
  await form.getByRole('button', { name: 'Add operator policy' }).click();
  await expect(form.getByRole('alert')).toContainText('are not recognised policy settings');
  await form.getByRole('button', { name: 'Remove definition 1' }).click();
  await form.getByRole('button', { name: 'max-length', exact: true }).click();
  await form.getByLabel('Definition 1 value').fill('2');
  await form.getByRole('button', { name: 'Add operator policy' }).click();
  await expect(form).toHaveCount(0);
  await expect(page.getByRole('row').filter({ hasText: 'cap-all' })).toContainText('max-length=2');
  await shoot(page, 'console-operator-policies');

  for (let i = 0; i < 3; i++) {
    await request.post(`/api/exchanges/${vhost}/amq.default/publish`, { headers: AUTH, data: { properties: {}, routing_key: 'orders.eu', payload: String(i), payload_encoding: 'string' } });
  }
  await page.goto(`/queues/${vhost}/orders.eu`);
  await expect(page.getByRole('link', { name: 'cap-all' })).toBeVisible();
  await expect(page.getByText('effective max-length')).toBeVisible();
  const q = (await (await request.get(`/api/queues/${vhost}/orders.eu`, { headers: AUTH })).json()) as { messages: number; operator_policy: string };
  expect([q.messages, q.operator_policy]).toEqual([2, 'cap-all']);
  await request.delete(`/api/vhosts/${vhost}`, { headers: AUTH });
});

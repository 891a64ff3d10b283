// Shared by the console specs: log in, make a vhost of one's own (so specs do not see each
// other's topology), connect amqplib to it, find graph nodes.
import { expect, type APIRequestContext, type Locator, type Page } from '@playwright/test';
import amqp from 'amqplib';

export const AUTH = { Authorization: `Basic ${Buffer.from('guest:guest').toString('base64')}` };

export async function amqpPort(request: APIRequestContext): Promise<number> {
  const health = await request.get('/api/health');
  expect(health.ok()).toBe(true);
  return ((await health.json()) as { amqpPort: number }).amqpPort;
}

/** A vhost name of this run's own, so a spec never meets what an earlier run left behind. */
export const uniqueVhost = (prefix: string): string => `${prefix}-${Date.now().toString(36)}`;

/** `name` itself when the broker has no such vhost yet (a fresh e2e run), else a unique variant. */
export async function unusedVhost(request: APIRequestContext, name: string): Promise<string> {
  const res = await request.get(`/api/vhosts/${encodeURIComponent(name)}`, { headers: AUTH });
  return res.status() === 404 ? name : uniqueVhost(name);
}

/** A fresh vhost (guest gets full permissions on it) and an amqplib connection to it. */
export async function freshVhost(request: APIRequestContext, name: string) {
  const res = await request.put(`/api/vhosts/${encodeURIComponent(name)}`, { headers: AUTH, data: {} });
  expect([201, 204]).toContain(res.status());
  const port = await amqpPort(request);
  const connection = await amqp.connect(`amqp://guest:guest@127.0.0.1:${port}/${encodeURIComponent(name)}`);
  return connection;
}

export async function login(page: Page, vhost?: string): Promise<void> {
  if (vhost !== undefined) {
    // the console opens on the vhost it was last showing
    await page.addInitScript((v) => localStorage.setItem('warren.vhost', v), vhost);
  }
  await page.goto('/');
  await expect(page).toHaveURL(/\/login/);
  await page.getByLabel('Username').fill('guest');
  await page.getByLabel('Password').fill('guest');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('heading', { name: 'Warren' })).toBeVisible();
}

export function exchangeNode(page: Page, name: string): Locator {
  return page.locator('.react-flow__node').filter({ has: page.locator(`[aria-label^="Exchange ${name},"]`) });
}

export function queueNode(page: Page, name: string): Locator {
  return page.locator('.react-flow__node').filter({ has: page.locator(`[aria-label^="Queue ${name}:"]`) });
}

/** Drags from the exchange's binding handle onto the target node's input handle. */
export async function dragBinding(page: Page, from: Locator, to: Locator): Promise<void> {
  const source = from.locator('.react-flow__handle.source');
  const target = to.locator('.react-flow__handle.target');
  const a = await source.boundingBox();
  const b = await target.boundingBox();
  if (!a || !b) throw new Error('handles not visible');
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2 + 20, { steps: 8 });
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 8 });
  await page.mouse.up();
}

/** Collects page errors and dialogs (alert() must never run). */
export function watchPage(page: Page): { errors: string[]; dialogs: string[] } {
  const out = { errors: [] as string[], dialogs: [] as string[] };
  page.on('pageerror', (e) => out.errors.push(e.message));
  page.on('dialog', (d) => {
    out.dialogs.push(d.message());
    void d.dismiss();
  });
  return out;
}

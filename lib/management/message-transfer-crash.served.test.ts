// A move killed halfway loses nothing: `npm start` with a DATA_DIR, a durable queue of persistent
// messages, a rate-limited move of all of them to another durable queue over the HTTP API, SIGKILL
// to the whole process group while the job runs, and `npm start` again on the same DATA_DIR. Every
// original body must be in the source or the target afterwards; a body in both is a duplicate,
// which at-least-once allows (its copy was on disk, its source not yet removed).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import amqp from 'amqplib';
import { afterAll, expect, test } from 'vitest';
import { NPM_START_LIMIT_MS, startServed, type Served } from '../testing/npm-start';

const COUNT = 5000;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'warren-move-crash-'));
let served: Served | undefined;

afterAll(async () => {
  await served?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true, maxRetries: 20, retryDelay: 100 });
}, 30_000);

const auth = `Basic ${Buffer.from('guest:guest').toString('base64')}`;

async function call(s: Served, method: string, p: string, body?: unknown) {
  const res = await fetch(s.base + p, {
    method,
    headers: { authorization: auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>) };
}

test(
  'SIGKILL during a move of a durable queue: after the restart every message is in the source or the target',
  async () => {
    served = await startServed('move-crash', { dataDir });
    const conn = await amqp.connect(served.amqpUrl());
    conn.on('error', () => {});
    const ch = await conn.createConfirmChannel();
    for (const q of ['crash-src', 'crash-dst']) await ch.assertQueue(q, { durable: true });
    for (let i = 0; i < COUNT; i++) ch.sendToQueue('crash-src', Buffer.from(`c-${i}`), { persistent: true });
    await ch.waitForConfirms();

    const r = await call(served, 'POST', '/api/queues/%2F/crash-src/messages/move', { all: true, target: { queue: 'crash-dst' }, rate: 1000 });
    expect(r.status).toBe(202);
    const id = String(r.body?.id);
    let done = 0;
    await expect
      .poll(async () => (done = Number((await call(served as Served, 'GET', `/api/message-transfers/%2F/${id}`)).body?.done)), { timeout: 60_000, interval: 50 })
      .toBeGreaterThan(COUNT / 5);
    await served.kill();
    served = undefined;
    expect(done).toBeLessThan(COUNT);

    served = await startServed('move-crash', { dataDir });
    const conn2 = await amqp.connect(served.amqpUrl());
    const ch2 = await conn2.createChannel();
    const seen = new Map<string, number>();
    for (const q of ['crash-src', 'crash-dst']) {
      for (;;) {
        const m = await ch2.get(q, { noAck: true });
        if (m === false) break;
        const b = m.content.toString();
        seen.set(b, (seen.get(b) ?? 0) + 1);
      }
    }
    await conn2.close();
    const missing = [...Array(COUNT).keys()].map((i) => `c-${i}`).filter((b) => !seen.has(b));
    expect(missing).toEqual([]);
    const duplicates = [...seen.values()].filter((n) => n > 1).length;
    // for the report: how far the move got and what the crash cost
    console.log(`move crash: ${done} of ${COUNT} moved when killed, ${duplicates} duplicates after the restart`);
  },
  3 * NPM_START_LIMIT_MS,
);

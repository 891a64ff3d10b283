// Masking through the HTTP port of a real `npm start --mask-rules <file>`: browse, "load all", get
// and export show the masked values and say so; an amqplib consumer afterwards receives every
// message as it was published — masking changes what is shown, never the message.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import amqp, { type ChannelModel } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NPM_START_LIMIT_MS, startServed, type Served } from '../testing/npm-start';

let served: Served;
let conn: ChannelModel;
const rulesFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'warren-mask-rules-')), 'mask.json');

beforeAll(async () => {
  fs.writeFileSync(rulesFile, JSON.stringify({
    headers: ['authorization', 'x-card'],
    jsonPaths: ['$.card.number', '$.user.email'],
    bodyPatterns: ['\\d{4}-\\d{4}-\\d{4}-\\d{4}'],
  }));
  served = await startServed('mask', { args: ['--mask-rules', rulesFile] });
  conn = await amqp.connect(served.amqpUrl());
}, NPM_START_LIMIT_MS);

afterAll(async () => {
  await conn?.close().catch(() => undefined);
  await served?.stop();
  fs.rmSync(path.dirname(rulesFile), { recursive: true, force: true });
}, 30_000);

const guest = `Basic ${Buffer.from('guest:guest').toString('base64')}`;

async function call(method: string, urlPath: string, body?: unknown): Promise<{ status: number; text: string }> {
  const res = await fetch(served.base + urlPath, {
    method,
    headers: { authorization: guest, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  return { status: res.status, text: await res.text() };
}

interface Shown {
  id: number;
  position: number;
  payload: string;
  properties: { headers?: Record<string, unknown> };
  properties_raw?: string;
  masked?: boolean;
}

const decoded = (b64: string) => Buffer.from(b64, 'base64').toString('utf8');
const JSON_BODY = JSON.stringify({ card: { number: '4111111111111111', exp: '12/30' }, user: { email: 'ann@example.com', name: 'Ann' } });
const TEXT_BODY = 'paid with 1234-5678-9012-3456 today';

describe('MASK_RULES on npm start', () => {
  it('browse, load all, get and export show masked values; the consumer gets the originals', async () => {
    const ch = await conn.createConfirmChannel();
    await ch.assertQueue('served-mask', { durable: true });
    ch.sendToQueue('served-mask', Buffer.from(JSON_BODY), { persistent: true, contentType: 'application/json', headers: { Authorization: 'Bearer s3cret', 'x-trace': 't1' } });
    ch.sendToQueue('served-mask', Buffer.from(TEXT_BODY), { persistent: true, headers: { 'x-card': '4111' } });
    ch.sendToQueue('served-mask', Buffer.from('nothing to hide'), { persistent: true, headers: { 'x-trace': 't3' } });
    await ch.waitForConfirms();

    const page = await call('GET', '/api/queues/%2F/served-mask/messages?offset=0&limit=10&body_limit=1000');
    expect(page.status).toBe(200);
    const rows = (JSON.parse(page.text) as { messages: Shown[] }).messages;
    expect(rows).toHaveLength(3);
    expect(rows[0].masked).toBe(true);
    expect(rows[0].properties.headers).toEqual({ Authorization: '***', 'x-trace': 't1' });
    expect(JSON.parse(decoded(rows[0].payload))).toEqual({ card: { number: '***', exp: '12/30' }, user: { email: '***', name: 'Ann' } });
    expect(decoded(rows[1].payload)).toBe('paid with *** today');
    expect(rows[1].properties.headers).toEqual({ 'x-card': '***' });
    expect(rows[2].masked).toBeUndefined();
    expect(decoded(rows[2].payload)).toBe('nothing to hide');
    expect(page.text).not.toContain('s3cret');

    const whole = await call('GET', `/api/queues/%2F/served-mask/messages/${rows[1].id}?position=${rows[1].position}`);
    expect(whole.status).toBe(200);
    expect(decoded((JSON.parse(whole.text) as Shown).payload)).toBe('paid with *** today');

    const filtered = await call('POST', '/api/queues/%2F/served-mask/messages/filter', { expression: 'json.user.email == "ann@example.com"', cursor: 0, limit: 10, body_limit: 1000 });
    expect(filtered.status).toBe(200);
    // the filter sees the original; the match it shows is masked
    const matches = (JSON.parse(filtered.text) as { matches: Shown[] }).matches;
    expect(matches).toHaveLength(1);
    expect(matches[0].masked).toBe(true);
    expect(filtered.text).not.toContain('ann@example.com');

    const exported = await call('GET', '/api/queues/%2F/served-mask/messages/export');
    expect(exported.status).toBe(200);
    const lines = exported.text.trim().split('\n').map((l) => JSON.parse(l) as Shown);
    expect(lines).toHaveLength(3);
    expect(decoded(lines[1].payload)).toBe('paid with *** today');
    expect(lines[0].properties.headers).toMatchObject({ Authorization: '***' });
    // the AMQP encoding of masked headers would carry the originals: it is left out
    expect(lines[0].properties_raw).toBeUndefined();
    expect(typeof lines[2].properties_raw).toBe('string');
    for (const secret of ['s3cret', '4111111111111111', 'ann@example.com', '1234-5678-9012-3456']) {
      expect(exported.text).not.toContain(secret);
      expect(exported.text).not.toContain(Buffer.from(secret).toString('base64').slice(0, 8));
    }

    // get with requeue: masked as shown, and back in the queue unchanged
    const got = await call('POST', '/api/queues/%2F/served-mask/get', { count: 3, ackmode: 'ack_requeue_true', encoding: 'auto' });
    expect(got.status).toBe(200);
    const gotRows = JSON.parse(got.text) as { payload: string; masked?: boolean; properties: { headers?: Record<string, unknown> } }[];
    expect(gotRows.map((g) => g.masked)).toEqual([true, true, undefined]);
    expect(gotRows[1].payload).toBe('paid with *** today');
    expect(gotRows[1].properties.headers).toEqual({ 'x-card': '***' });

    const received: { body: string; headers: Record<string, unknown> | undefined }[] = [];
    await ch.consume('served-mask', (m) => m && received.push({ body: m.content.toString('utf8'), headers: m.properties.headers }), { noAck: true });
    await expect.poll(() => received.length, { timeout: 10_000 }).toBe(3);
    expect(received.map((r) => r.body)).toEqual([JSON_BODY, TEXT_BODY, 'nothing to hide']);
    expect(received[0].headers).toMatchObject({ Authorization: 'Bearer s3cret' });
    expect(received[1].headers).toMatchObject({ 'x-card': '4111' });
    await ch.close();
  });
});

describe('MASK_RULES on big bodies', () => {
  it('a 2 MiB JSON body: its secrets near the start and the end never show, cut or whole', async () => {
    const ch = await conn.createConfirmChannel();
    await ch.assertQueue('served-mask-big', { durable: true });
    const head = 'HEADSECRET4111111111111111';
    const tail = 'tailsecret@example.com';
    const body = JSON.stringify({ card: { number: head, exp: '12/30' }, filler: 'f'.repeat(2 * 1024 * 1024), user: { email: tail, name: 'Ann' } });
    expect(body.length).toBeGreaterThan(2 * 1024 * 1024);
    ch.sendToQueue('served-mask-big', Buffer.from(body), { persistent: true, contentType: 'application/json' });
    await ch.waitForConfirms();
    const secrets = [head, tail, Buffer.from(head).toString('base64').slice(0, 12), Buffer.from(tail).toString('base64').slice(0, 12)];
    const clean = (text: string) => {
      for (const s of secrets) expect(text).not.toContain(s);
    };

    // browsed cut short, as the console lists it
    const page = await call('GET', '/api/queues/%2F/served-mask-big/messages?offset=0&limit=10&body_limit=4096');
    expect(page.status).toBe(200);
    clean(page.text);
    const [row] = (JSON.parse(page.text) as { messages: (Shown & { truncated: boolean })[] }).messages;
    expect(row.masked).toBe(true);
    expect(row.truncated).toBe(true);
    expect(decoded(row.payload).startsWith('{"card":{"number":"***","exp":"12/30"},"filler":"fff')).toBe(true);
    // with the cut at the end of the body, where the second secret lies
    const wide = await call('GET', '/api/queues/%2F/served-mask-big/messages?offset=0&limit=10&body_limit=1048576');
    clean(wide.text);

    // loaded whole: both values masked, the rest as written
    const whole = await call('GET', `/api/queues/%2F/served-mask-big/messages/${row.id}?position=${row.position}`);
    expect(whole.status).toBe(200);
    clean(whole.text);
    const doc = JSON.parse(decoded((JSON.parse(whole.text) as Shown).payload)) as { card: { number: string }; user: { email: string; name: string } };
    expect(doc.card.number).toBe('***');
    expect(doc.user).toEqual({ email: '***', name: 'Ann' });

    const filtered = await call('POST', '/api/queues/%2F/served-mask-big/messages/filter', { expression: 'size > 1000', cursor: 0, limit: 10, body_limit: 4096 });
    expect(filtered.status).toBe(200);
    clean(filtered.text);
    const exported = await call('GET', '/api/queues/%2F/served-mask-big/messages/export');
    expect(exported.status).toBe(200);
    clean(exported.text);
    const got = await call('POST', '/api/queues/%2F/served-mask-big/get', { count: 1, ackmode: 'ack_requeue_true', encoding: 'auto', truncate: 5000 });
    expect(got.status).toBe(200);
    clean(got.text);
    expect((JSON.parse(got.text) as { payload: string }[])[0].payload.startsWith('{"card":{"number":"***"')).toBe(true);

    // the message itself is whole
    const m = await ch.get('served-mask-big', { noAck: true });
    expect(m && m.content.toString()).toBe(body);
    await ch.close();
  });

  it('browsing big bodies through a body pattern leaves AMQP round trips flowing', async () => {
    const ch = await conn.createConfirmChannel();
    await ch.assertQueue('served-mask-pages', { durable: false });
    const MiB = 1024 * 1024;
    const line = 'a log line of a big body, nothing secret in it. ';
    // just under the page's 1 MiB a body: shown whole, the pattern runs through all of it
    const text = (i: number) => `${i} ${line.repeat(Math.floor((MiB - 100) / line.length))} paid with 1234-5678-9012-${String(1000 + i)}`;
    for (let i = 0; i < 8; i++) ch.sendToQueue('served-mask-pages', Buffer.from(text(i)));
    await ch.waitForConfirms();

    // an AMQP client publishing and consuming its own messages, one at a time, all along
    const echo = await conn.createChannel();
    const { queue } = await echo.assertQueue('', { exclusive: true });
    const gaps: number[] = [];
    let running = true;
    let resolveEcho: (() => void) | undefined;
    await echo.consume(queue, () => resolveEcho?.(), { noAck: true });
    const pinger = (async () => {
      while (running) {
        const sent = performance.now();
        await new Promise<void>((resolve) => {
          resolveEcho = resolve;
          echo.sendToQueue(queue, Buffer.from('ping'));
        });
        gaps.push(performance.now() - sent);
        await new Promise((r) => setTimeout(r, 5));
      }
    })();

    const started = performance.now();
    let pages = 0;
    while (performance.now() - started < 6_000 || pages < 3) {
      const page = await call('GET', '/api/queues/%2F/served-mask-pages/messages?offset=0&limit=8&body_limit=1048576');
      expect(page.status).toBe(200);
      const rows = (JSON.parse(page.text) as { messages: Shown[] }).messages;
      expect(rows).toHaveLength(8);
      // each shown part ends where the pattern's match was: masked, never the number
      expect(page.text).not.toContain(Buffer.from('1234-5678-9012').toString('base64').slice(0, 12));
      for (const r of rows) expect(decoded(r.payload)).not.toContain('1234-5678-9012');
      expect(rows.every((r) => r.masked === true && decoded(r.payload).endsWith('paid with ***'))).toBe(true);
      pages++;
    }
    running = false;
    await pinger;
    const sorted = [...gaps].sort((a, b) => a - b);
    const max = sorted[sorted.length - 1];
    console.log(`masked pages of 8 x 1 MiB: ${pages} in ${((performance.now() - started) / 1000).toFixed(1)} s; AMQP round trips meanwhile: ${gaps.length}, median ${sorted[Math.floor(sorted.length / 2)].toFixed(1)} ms, max ${max.toFixed(1)} ms`);
    expect(gaps.length).toBeGreaterThan(10);
    expect(max).toBeLessThan(500);
    await echo.close();
    await ch.close();
  }, 120_000);
});

// Filtering through the embedded broker's API with real amqplib publishers: CEL over routing key,
// headers, properties and JSON bodies; bad expressions refused with what and where; a budget that
// stops a request part way with a cursor to go on from, the pieces adding up to the whole.
import amqp, { type ChannelModel } from 'amqplib';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createBroker, isBrokerError, type Actor, type Broker, type FilterOptions } from '../index';

let broker: Broker;
let admin: Actor;
let conn: ChannelModel;
const N = 3000;

beforeAll(async () => {
  broker = await createBroker({ port: 0, host: '127.0.0.1', logLevel: 'silent' });
  admin = await broker.authenticate('guest', 'guest', '127.0.0.1');
  conn = await amqp.connect(`amqp://guest:guest@127.0.0.1:${broker.port}`);
  const ch = await conn.createConfirmChannel();
  await ch.assertQueue('flt', { durable: false });
  for (let i = 0; i < N; i++) {
    const body = i % 10 === 9 ? Buffer.from([0xff, 0xfe, i & 0xff]) : Buffer.from(JSON.stringify({ n: i, tier: i % 3 === 0 ? 'gold' : 'std', price: i / 4 }));
    ch.publish('', 'flt', body, { headers: { attempt: i % 5, region: i % 2 === 0 ? 'eu' : 'us' }, messageId: `m-${i}`, priority: i % 4 });
  }
  await ch.waitForConfirms();
  await ch.close();
});
afterAll(async () => {
  await conn?.close();
  await broker?.close();
});

const run = (expression: string, o: Partial<FilterOptions> = {}) => broker.filterQueue(admin, '/', 'flt', { expression, cursor: 0, limit: 500, bodyLimit: 64, ...o });
const body = (b64: string) => JSON.parse(Buffer.from(b64, 'base64').toString('utf8')) as { n: number; tier: string };

test('headers, properties and JSON body together', async () => {
  const page = await run('headers.region == "eu" && headers.attempt >= 3 && json.tier == "gold" && properties.message_id.startsWith("m-")');
  const expected = [...Array(N).keys()].filter((i) => i % 10 !== 9 && i % 2 === 0 && i % 5 >= 3 && i % 3 === 0);
  expect(page.stopped).toBe('end');
  expect(page.next_cursor).toBeNull();
  expect(page.scanned).toBe(N);
  expect(page.matches.map((m) => body(m.payload).n)).toEqual(expected.slice(0, 500));
  expect(page.matches.every((m) => m.position === body(m.payload).n)).toBe(true);
  // binary bodies have no json: the expression fails on them, counted, never a match
  expect(page.errors).toBe(0);
  const withErrors = await run('json.n > 2900');
  expect(withErrors.errors).toBe(N / 10);
  expect(withErrors.first_error).toMatch(/^message 9: /);
});

test('the body as text, routing key and size', async () => {
  const page = await run('body.contains("\\"n\\":42,") && routing_key == "flt" && size > 10 && !redelivered');
  expect(page.matches.map((m) => body(m.payload).n)).toEqual([42]);
});

test('a budget of messages stops the scan with a cursor; going on from it finds the rest', async () => {
  const expr = 'headers.attempt == 0 && headers.region == "eu"';
  const all = (await run(expr)).matches.map((m) => m.id);
  const seen: number[] = [];
  let cursor: number | null = 0;
  let requests = 0;
  while (cursor !== null) {
    const p = await run(expr, { cursor, maxScanned: 700 });
    requests++;
    expect(p.scanned).toBeLessThanOrEqual(700);
    if (p.next_cursor !== null) expect(p.stopped === 'scan_budget' || p.stopped === 'limit').toBe(true);
    seen.push(...p.matches.map((m) => m.id));
    cursor = p.next_cursor;
  }
  expect(requests).toBe(Math.ceil(N / 700));
  expect(seen).toEqual(all);
  // a limit of matches stops too
  const few = await run(expr, { limit: 3 });
  expect(few.stopped).toBe('limit');
  expect(few.matches).toHaveLength(3);
  expect(few.next_cursor).toBe(few.matches[2].position + 1);
});

test('bad expressions are bad_request with what and where; non-bool results are errors, not matches', async () => {
  const cases: [string, RegExp][] = [
    ['routing_key ==  && true', /^filter expression: Unexpected token: AND at position 16$/],
    ['nope == 1', /^filter expression: .*nope.* at position 0$/],
    ['size + "x"', /^filter expression: no such overload: int \+ string at position 0$/],
    ['', /^filter expression: empty$/],
    ['x'.repeat(2001), /longer than 2000 characters/],
  ];
  for (const [expr, reason] of cases) {
    const err = await run(expr).catch((e: unknown) => e);
    expect(isBrokerError(err) && err.kind, expr).toBe('bad_request');
    expect(isBrokerError(err) ? String(err.reason) : '', expr).toMatch(reason);
  }
  const notBool = await run('size');
  expect(notBool.matches).toEqual([]);
  expect(notBool.first_error).toMatch(/not a bool/);
});

test('a deeply nested expression is refused at parse time, not run', async () => {
  const deep = `${'('.repeat(200)}true${')'.repeat(200)}`;
  const err = await run(deep).catch((e: unknown) => e);
  expect(isBrokerError(err) && err.kind).toBe('bad_request');
});

test('a time budget stops a request part way, with a cursor', async () => {
  // thousands of JSON bodies parsed and tested cannot fit in 1 ms on any machine
  const p = await run('json.n >= 0 && json.tier == "none"', { maxMs: 1 });
  expect(p.stopped).toBe('time_budget');
  expect(p.next_cursor).toBe(p.scanned);
  expect(p.scanned).toBeLessThan(N);
});

test('CEL matches() (backtracking RegExp) is refused; regex() runs on the bounded engine', async () => {
  const err = await run('body.matches("^(a+)+$")').catch((e: unknown) => e);
  expect(isBrokerError(err) && String(err.reason)).toMatch(/matches\(\) is not available/);
  // the word inside a string literal is only text
  expect((await run('body.contains("matches(")')).matches).toEqual([]);
  const hit = await run('properties.message_id.regex("^m-(12|345)$")');
  expect(hit.matches.map((m) => m.properties.message_id)).toEqual(['m-12', 'm-345']);
  // a pattern that makes a backtracking engine take minutes on these bodies answers at once here
  const evil = await run('body.regex("^(\\"|n|:|[0-9]|,|\\\\{)+(\\"|n|:|[0-9]|,|\\\\{)+$")', { limit: 1 });
  expect(evil.stopped === 'end' || evil.stopped === 'limit').toBe(true);
});

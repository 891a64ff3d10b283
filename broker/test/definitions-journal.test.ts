// Warren only: durable definitions as a snapshot (definitions.json) plus an append-only journal
// (definitions.journal). A declare appends a record; the snapshot is rewritten only by compaction.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { AMQP_PROPERTIES } from '../amqp/properties-codec';
import { BrokerCore } from '../core/broker-core';
import type { Logger } from '../logger';
import { DurableStore, type StoreOptions } from '../store/durable-store';
import { packTable } from '../store/stored-definitions';

const dirs: string[] = [];
const stores: DurableStore[] = [];

afterEach(async () => {
  for (const s of stores.splice(0)) await s.close().catch(() => {});
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'warren-journal-'));
  dirs.push(d);
  return d;
}

const lines: string[] = [];
const logger: Logger = { debug: () => {}, info: () => {}, warn: (m) => lines.push(m), error: (m) => lines.push(m) };

/** A core and its store on `dir`, recovered. `crash()` drops it without close(): no marker, no compaction. */
function open(dir: string, options: Partial<StoreOptions> = {}) {
  const core = new BrokerCore(AMQP_PROPERTIES, {});
  const store = new DurableStore(core, dir, logger, { memoryBudget: 1 << 20, segmentSize: 1 << 20, ...options });
  store.recover();
  stores.push(store);
  const vh = core.vhosts.get('/');
  if (vh === undefined) throw new Error('no default vhost');
  const durable = () => new Promise<boolean>((resolve) => store.whenChangesDurable(resolve));
  return { core, store, vh, durable };
}

const declare = (vh: ReturnType<typeof open>['vh'], name: string) =>
  vh.declareQueue(name, { durable: true, exclusiveOwner: null, autoDelete: false, arguments: { 'x-max-length': 7 } });

describe('definitions journal', () => {
  test('a declare appends to the journal instead of rewriting definitions.json; a crash keeps every acknowledged change', async () => {
    const dir = tempDir();
    const a = open(dir);
    const snapshot = path.join(dir, 'definitions.json');
    const before = fs.statSync(snapshot);
    for (let i = 0; i < 500; i++) {
      declare(a.vh, `q${i}`);
      if (i % 50 === 49) expect(await a.durable()).toBe(true);
    }
    a.vh.declareExchange('orders', 'topic', { durable: true, autoDelete: false, internal: false, arguments: {} });
    a.vh.bind(a.vh.getExchange('orders'), a.vh.getQueue('q1'), 'a.#', { 'x-k': 1 });
    a.vh.bind(a.vh.getExchange('orders'), a.vh.getQueue('q2'), 'a.#', {});
    a.vh.deleteQueue(a.vh.getQueue('q3'), false, false);
    a.vh.unbind(a.vh.getExchange('orders'), a.vh.getQueue('q2'), 'a.#', {});
    expect(a.store.changesPending()).toBe(true);
    expect(await a.durable()).toBe(true);
    expect(a.store.changesPending()).toBe(false);
    // the same file, never replaced: 500 declares cost 500 appends, not 500 rewrites of every queue
    const after = fs.statSync(snapshot);
    expect([after.ino, after.size, after.mtimeMs]).toEqual([before.ino, before.size, before.mtimeMs]);
    expect(fs.statSync(path.join(dir, 'definitions.journal')).size).toBeGreaterThan(500 * 50);

    // no close(): the state a SIGKILL leaves
    stores.splice(stores.indexOf(a.store), 1);
    const b = open(dir);
    expect(b.vh.queues.size).toBe(499);
    expect(b.vh.queues.get('q3')).toBeUndefined();
    expect(b.vh.getQueue('q499').arguments).toEqual({ 'x-max-length': 7 });
    const bindings = [...b.vh.getExchange('orders').bindings.values()].map((x) => [x.destination.name, x.routingKey, x.arguments]);
    expect(bindings).toEqual([['q1', 'a.#', { 'x-k': 1 }]]);
    // ids go on after the journal's, never reused
    const q = declare(b.vh, 'fresh').queue;
    expect(q.storeId).toBeGreaterThan(b.vh.getQueue('q499').storeId);
  });

  test('compaction: past the limit the journal becomes a new snapshot, atomically, and recovery reads both', async () => {
    const dir = tempDir();
    const a = open(dir, { journalCompactBytes: 8 * 1024 });
    const journal = path.join(dir, 'definitions.journal');
    let compactions = 0;
    let last = fs.statSync(journal).ino;
    for (let i = 0; i < 600; i++) {
      declare(a.vh, `q${i}`);
      if (i % 20 === 19) {
        expect(await a.durable()).toBe(true);
        const ino = fs.statSync(journal).ino;
        if (ino !== last) compactions++;
        last = ino;
      }
    }
    expect(compactions).toBeGreaterThan(0);
    const snap = JSON.parse(fs.readFileSync(path.join(dir, 'definitions.json'), 'utf8')) as { journal: number; queues: unknown[] };
    expect(snap.journal).toBeGreaterThan(1);
    expect(snap.queues.length).toBeGreaterThan(100);
    stores.splice(stores.indexOf(a.store), 1);
    const b = open(dir);
    expect(b.vh.queues.size).toBe(600);
  });

  test('a torn last record (a crash in the middle of an append) is left out with a log line; definitions.json of the old format still loads', async () => {
    const dir = tempDir();
    // as written by Warren before the journal: no 'journal' field, no journal file
    fs.writeFileSync(path.join(dir, 'definitions.json'), JSON.stringify({
      version: 1, nextQueueId: 3, vhosts: ['/'], users: [], permissions: [], exchanges: [],
      queues: [{ vhost: '/', name: 'old', id: 2, auto_delete: false, arguments: packTable({}) }], bindings: [],
    }));
    const a = open(dir);
    expect(a.vh.getQueue('old').storeId).toBe(2);
    declare(a.vh, 'new');
    expect(await a.durable()).toBe(true);
    stores.splice(stores.indexOf(a.store), 1);
    const journal = path.join(dir, 'definitions.journal');
    fs.appendFileSync(journal, Buffer.from([0, 0, 0, 90, 1, 2, 3, 4, 0x7b, 0x22]));
    lines.length = 0;
    const b = open(dir);
    expect([...b.vh.queues.keys()].sort()).toEqual(['new', 'old']);
    expect(lines.join('\n')).toMatch(/definitions\.journal: bytes \d+-\d+ are an append a crash interrupted/);
  });

  test('a damaged record with intact records after it stops start-up and changes nothing', async () => {
    const dir = tempDir();
    const a = open(dir);
    for (let i = 0; i < 5; i++) declare(a.vh, `q${i}`);
    expect(await a.durable()).toBe(true);
    stores.splice(stores.indexOf(a.store), 1);
    const journal = path.join(dir, 'definitions.journal');
    const bytes = fs.readFileSync(journal);
    bytes[Math.floor(bytes.length / 3)] ^= 0xff;
    fs.writeFileSync(journal, bytes);
    expect(() => open(dir)).toThrow(/definitions\.journal.*damaged and intact records follow it/);
    expect(fs.readFileSync(journal).equals(bytes)).toBe(true);
  });
});

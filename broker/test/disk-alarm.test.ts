// The disk free-space alarm on a real small disk (a tmpfs): publishers that fill DATA_DIR to the
// limit get connection.blocked "low on disk" before the disk refuses writes, /api/nodes says so, and
// they resume once consumers free the space; no confirmed message is lost across a restart.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import amqp from 'amqplib';
import { afterAll, describe, expect, test } from 'vitest';
import { startApi, type TestApi } from '../../lib/management/testing';
import { canMountSmallDisk, mountSmallDisk, unmountSmallDisk } from './small-disk';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warren-disk-alarm-'));
const mountable = canMountSmallDisk(dir);
let mounted = false;
afterAll(() => {
  if (mounted) unmountSmallDisk(dir);
  fs.rmSync(dir, { recursive: true, force: true });
});

const DISK = 48 * 1024 * 1024;
const LIMIT = 24_000_000;
const BODY = 64 * 1024;

function once<T>(emitter: { once(ev: string, f: (v: T) => void): unknown }, ev: string, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no ${ev} within ${ms} ms`)), ms);
    emitter.once(ev, (v: T) => {
      clearTimeout(t);
      resolve(v);
    });
  });
}

async function node(api: TestApi): Promise<Record<string, unknown>> {
  const r = await api.get('/api/nodes');
  expect(r.status).toBe(200);
  return (r.body as Record<string, unknown>[])[0];
}

describe('disk free-space alarm', () => {
  test.skipIf(!mountable)('publishers filling DATA_DIR are blocked at the limit and resume when consumers free it; nothing confirmed is lost', async () => {
    mounted = mountSmallDisk(dir, String(DISK));
    const options = { dataDir: dir, diskFreeLimit: LIMIT, segmentSize: 1024 * 1024 };
    let api = await startApi(options);
    const before = await node(api);
    expect(before).toMatchObject({ disk_free_alarm: false, disk_free_limit: LIMIT });
    expect(before.disk_free).toBeGreaterThan(LIMIT);

    const pubConn = await api.connect();
    const pub = await pubConn.createConfirmChannel();
    await pub.assertQueue('fill', { durable: true });
    const blocked = once<string>(pubConn, 'blocked', 60_000);
    let isBlocked = false;
    void blocked.then(() => (isBlocked = true), () => {});
    const confirmed = new Set<number>();
    const nacked = new Set<number>();
    let inFlight = 0;
    let sent = 0;
    const acked = () => new Promise<void>((resolve) => setImmediate(resolve));
    // a publisher that keeps eight messages unconfirmed, as a careful one does, until it is told to stop
    while (!isBlocked && sent < DISK / BODY) {
      if (inFlight >= 8) {
        await acked();
        continue;
      }
      const id = sent++;
      inFlight++;
      pub.sendToQueue('fill', Buffer.alloc(BODY, id % 251), { persistent: true, messageId: String(id) }, (err) => {
        inFlight--;
        (err === null || err === undefined ? confirmed : nacked).add(id);
      });
    }
    expect(await blocked).toBe('low on disk');
    // what was read before the block is stored and confirmed; nothing was refused by a full disk
    await expect.poll(() => inFlight, { timeout: 5000 }).toBeLessThanOrEqual(8);
    const during = await node(api);
    expect(during).toMatchObject({ disk_free_alarm: true, disk_free_limit: LIMIT });
    expect(during.disk_free).toBeLessThan(LIMIT);
    expect(during.disk_free).toBeGreaterThan(0);
    expect((await api.get('/api/health/checks/alarms')).status).toBe(503);

    // the blocked publisher goes on sending: held in its socket, not lost
    for (let k = 0; k < 4; k++) {
      const id = sent++;
      inFlight++;
      pub.sendToQueue('fill', Buffer.alloc(BODY, 7), { persistent: true, messageId: String(id) }, (err) => {
        inFlight--;
        (err === null || err === undefined ? confirmed : nacked).add(id);
      });
    }

    // a consumer frees the space: old segments go, the alarm clears, the held messages are taken
    const unblocked = once<void>(pubConn, 'unblocked', 20_000);
    const subConn = await api.connect();
    const sub = await subConn.createChannel();
    await sub.prefetch(50);
    const consumed = new Set<number>();
    const stored = confirmed.size;
    await sub.consume('fill', (m) => {
      if (m === null) return;
      consumed.add(Number(m.properties.messageId));
      sub.ack(m);
    });
    await expect.poll(() => consumed.size, { timeout: 20_000 }).toBeGreaterThanOrEqual(stored);
    await unblocked;
    await pub.waitForConfirms();
    expect(nacked.size).toBe(0);
    await expect.poll(async () => (await node(api)).disk_free_alarm, { timeout: 5000 }).toBe(false);
    await subConn.close();
    await pubConn.close();
    await api.close();

    api = await startApi(options);
    const check = await (await api.connect()).createChannel();
    const present = new Set<number>();
    for (;;) {
      const m = await check.get('fill', { noAck: true });
      if (m === false) break;
      present.add(Number(m.properties.messageId));
    }
    expect([...confirmed].filter((id) => !consumed.has(id) && !present.has(id))).toEqual([]);
    expect(confirmed.size).toBe(sent);
    await api.close();
  }, 90_000);
});

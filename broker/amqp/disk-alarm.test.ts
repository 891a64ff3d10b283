import fs from 'node:fs';
import os from 'node:os';
import { describe, expect, test } from 'vitest';
import type { Logger } from '../logger';
import { DiskAlarm, type StatFs } from './disk-alarm';

function recorder(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const put = (m: string) => lines.push(m);
  return { log: { debug: put, info: put, warn: put, error: put }, lines };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('DiskAlarm', () => {
  test('samples the real file system at once and reports what statfs says is free', async () => {
    const changes: boolean[] = [];
    const alarm = new DiskAlarm(os.tmpdir(), 1, (on) => changes.push(on));
    alarm.start();
    await expect.poll(() => alarm.free).toBeGreaterThan(0);
    alarm.stop();
    const s = fs.statfsSync(os.tmpdir());
    expect(Math.abs(alarm.free - s.bavail * s.bsize)).toBeLessThan(64 * 1024 * 1024);
    expect(changes).toEqual([]);
    // a limit above what any disk here has: on at the first sample
    const over = new DiskAlarm(os.tmpdir(), Number.MAX_SAFE_INTEGER, (on) => changes.push(on));
    over.start();
    await expect.poll(() => over.active).toBe(true);
    over.stop();
    expect(changes).toEqual([true]);
  });

  test('samples more often the nearer free space is to the limit: 200 ms near it, 5 s far above', () => {
    const alarm = new DiskAlarm('/', 50_000_000, () => {});
    expect(alarm.check(10_000_000)).toBe(200);
    expect(alarm.check(60_000_000)).toBe(200);
    expect(alarm.check(550_000_000)).toBe(2000);
    expect(alarm.check(100_000_000_000)).toBe(5000);
  });

  test('a statfs that fails or throws keeps the last state, is logged once, and sampling goes on', async () => {
    const { log, lines } = recorder();
    let calls = 0;
    let mode: 'ok' | 'error' | 'throw' = 'ok';
    const statfs: StatFs = (_dir, cb) => {
      calls++;
      if (mode === 'throw') throw new Error('EMFILE: too many open files');
      if (mode === 'error') return cb(Object.assign(new Error('EIO'), { code: 'EIO' }), { bavail: 0, bsize: 0 });
      cb(null, { bavail: 10, bsize: 4096 });
    };
    const alarm = new DiskAlarm('/data', 1_000_000, () => {}, { log, statfs });
    alarm.start();
    expect(alarm.active).toBe(true);
    mode = 'error';
    await sleep(450);
    mode = 'throw';
    const before = calls;
    await sleep(500);
    alarm.stop();
    expect(calls).toBeGreaterThan(before);
    expect(alarm.active).toBe(true);
    expect(lines.filter((l) => l.includes('cannot read the free space of /data'))).toHaveLength(1);
  });

  test('bytes written count at once: the estimate reaching the limit brings the next sample forward, and the sample decides', async () => {
    // a disk whose statfs answers what the test says, asynchronously like the real one
    let free = 100_000_000;
    let calls = 0;
    const statfs: StatFs = (_dir, cb) => {
      calls++;
      setImmediate(() => cb(null, { bavail: free, bsize: 1 }));
    };
    const changes: boolean[] = [];
    const alarm = new DiskAlarm('/data', 10_000_000, (on) => changes.push(on), { statfs });
    alarm.start();
    await expect.poll(() => alarm.free).toBe(100_000_000);
    // 90 MB above the limit: the next sample is 360 ms away
    const sampled = calls;
    const t0 = Date.now();
    free = 60_000_000;
    alarm.noteWritten(40_000_000);
    await sleep(50);
    expect(calls).toBe(sampled);
    // the estimate (100 MB sampled, 91 MB written since) is below the limit: sampled within ms
    free = 9_000_000;
    alarm.noteWritten(51_000_000);
    await expect.poll(() => alarm.active, { timeout: 300 }).toBe(true);
    expect(Date.now() - t0).toBeLessThan(300);
    expect(alarm.free).toBe(9_000_000);
    expect(changes).toEqual([true]);
    // an estimate that errs low does not set the alarm: the sample does not agree
    free = 90_000_000;
    await expect.poll(() => alarm.active, { timeout: 2000 }).toBe(false);
    const before = calls;
    alarm.noteWritten(85_000_000);
    await expect.poll(() => calls).toBe(before + 1);
    await sleep(30);
    expect(alarm.active).toBe(false);
    alarm.stop();
    expect(changes).toEqual([true, false]);
  });
});

import { getHeapStatistics } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { MemoryAlarm, availableMemory, heapLimit } from './memory-alarm';

describe('the memory alarm', () => {
  it('goes off above the heap watermark as well as above the resident one, and says which', () => {
    const changes: boolean[] = [];
    const alarm = new MemoryAlarm(1e12, (a) => changes.push(a), { heapWatermark: 0.8 });
    expect(alarm.heapLimitBytes).toBe(Math.floor(heapLimit() * 0.8));
    alarm.check(0, alarm.heapLimitBytes + 1);
    expect([alarm.active, alarm.reason]).toEqual([true, `JavaScript heap ${alarm.heapLimitBytes + 1} bytes above ${alarm.heapLimitBytes}`]);
    alarm.check(0, 0);
    alarm.check(1e12 + 1, 0);
    expect(alarm.reason).toMatch(/^resident memory/);
    alarm.check(0, 0);
    expect(changes).toEqual([true, false, true, false]);
  });

  it('takes the heap limit from V8, or from --max-old-space-size when given', () => {
    expect(heapLimit()).toBeLessThanOrEqual(getHeapStatistics().heap_size_limit);
    expect(availableMemory()).toBeGreaterThan(0);
  });

  it('never throws from its sample, and tells once that it could not read resident memory', () => {
    const warnings: string[] = [];
    const log = { debug() {}, info() {}, warn: (m: string) => warnings.push(m), error: (m: string) => warnings.push(m) };
    const alarm = new MemoryAlarm(0.4, () => {}, { log });
    const rss = process.memoryUsage.rss;
    process.memoryUsage.rss = () => {
      throw Object.assign(new Error('EMFILE: too many open files, uv_resident_set_memory'), { code: 'EMFILE' });
    };
    try {
      for (let i = 0; i < 5; i++) expect(() => alarm.sample()).not.toThrow();
    } finally {
      process.memoryUsage.rss = rss;
    }
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('cannot read resident memory');
  });

  it('samples when clients have sent half the room left under the watermark, not only on its timer', () => {
    const room = 32 * 1024 * 1024;
    const heapWatermark = (getHeapStatistics().used_heap_size + room) / heapLimit();
    const changes: boolean[] = [];
    // never started: no timer samples, only what clients send does
    const alarm = new MemoryAlarm(1e12, (a) => changes.push(a), { heapWatermark });
    alarm.noteRead(300 * 1024);
    expect(changes).toEqual([]);
    const held = new Array<number>(9_000_000).fill(1.5); // 72 MB of heap, past the watermark
    alarm.noteRead(1024 * 1024);
    expect(alarm.active).toBe(false); // 1 MiB is well inside the allowance of the last sample
    alarm.noteRead(room / 2);
    expect(alarm.active).toBe(true);
    expect(alarm.reason).toMatch(/^JavaScript heap/);
    expect(held.length).toBe(9_000_000);
  });
});

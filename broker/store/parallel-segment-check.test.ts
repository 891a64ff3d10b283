// Recovery's segments read and checked on a second thread must come out exactly as the main
// thread would read and check them itself: the same bytes, the same walk through intact, corrupt
// and torn records.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { createLogger } from '../logger';
import { encodeMark, encodeMessageHead, RecordType } from './log-records';
import { SegmentChecks } from './parallel-segment-check';
import { checkSegment } from './segment-check';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** `count` segment files of messages and marks; some with a flipped body byte, a garbage stretch or a torn tail. */
function writeSegments(count: number): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warren-segcheck-'));
  dirs.push(dir);
  const files: string[] = [];
  let seq = 0;
  for (let s = 0; s < count; s++) {
    const parts: Buffer[] = [];
    for (let i = 0; i < 200; i++) {
      const body = Buffer.alloc(10 + ((s * 7 + i * 13) % 300), s + i);
      parts.push(encodeMessageHead({ queue: 1 + (i % 3), seq: seq++, expiresAt: 0, exchange: 'x', routingKey: `k${i % 5}`, properties: Buffer.from([0x10, 0, 2]) }, body), body);
      if (i % 4 === 3) parts.push(encodeMark(i % 8 === 3 ? RecordType.Delivered : RecordType.Removed, 1 + (i % 3), seq - 2));
      if (s % 3 === 1 && i === 50) parts.push(Buffer.from('not a record at all'));
    }
    const bytes = Buffer.concat(parts);
    if (s % 3 === 2) bytes[Math.floor(bytes.length / 2)] ^= 0xff;
    const file = path.join(dir, `${String(s).padStart(8, '0')}.seg`);
    fs.writeFileSync(file, s === count - 1 ? bytes.subarray(0, bytes.length - 37) : bytes);
    files.push(file);
  }
  return files;
}

async function until(ok: () => boolean, ms: number): Promise<void> {
  for (const end = Date.now() + ms; !ok(); ) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

function takeAll(checks: SegmentChecks, files: string[]): void {
  files.forEach((file, i) => {
    const own = fs.readFileSync(file);
    const got = checks.take(i, own.length, () => Buffer.from(own));
    expect(Buffer.compare(got.bytes, own), `segment ${i}'s bytes`).toBe(0);
    expect([...got.verdicts], `segment ${i}'s walk`).toEqual([...checkSegment(own)]);
  });
}

describe('SegmentChecks', () => {
  test('segments the second thread read and checked are the bytes and walk the main thread finds itself', async () => {
    const files = writeSegments(10);
    // the walk covers every kind of step: intact records, a skip to the next intact one, a torn end
    const walks = files.map((f) => [...checkSegment(fs.readFileSync(f))]);
    expect(walks.some((w) => w.some((v) => v < 0) && w[w.length - 1] >= 0)).toBe(true);
    expect(walks[walks.length - 1][walks[walks.length - 1].length - 1]).toBe(-1);
    const checks = new SegmentChecks(files, createLogger('silent'));
    try {
      // before the replay starts the worker may take segments 1 and 2 (never 0, which the replay takes first)
      await until(() => checks.doneByWorker(1) && checks.doneByWorker(2), 20_000);
      expect(checks.doneByWorker(0)).toBe(false);
      takeAll(checks, files);
      expect(checks.byWorker).toBeGreaterThanOrEqual(2);
    } finally {
      checks.close();
    }
  });

  test('a log of a few segments is read on the main thread alone, the same way', () => {
    const files = writeSegments(3);
    const checks = new SegmentChecks(files, createLogger('silent'));
    try {
      takeAll(checks, files);
      expect(checks.byWorker).toBe(0);
    } finally {
      checks.close();
    }
  });
});

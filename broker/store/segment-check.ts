import { checkRecord, resync } from './log-records';

/**
 * The walk over one segment's bytes that recovery follows, as numbers: for each step checkRecord's
 * result (the offset after an intact record, or a Refusal) and, after a refusal, where resync found
 * the next intact record (or -1, and the walk ends). Nearly all its cost is the records' checksums,
 * which is why it is a step of its own: recovery has it done on a second core (see
 * parallel-segment-check.ts) while it replays the segment before.
 */
export function checkSegment(bytes: Buffer): Int32Array {
  let out = new Int32Array(1024);
  let n = 0;
  const push = (v: number): void => {
    if (n === out.length) {
      const bigger = new Int32Array(out.length * 2);
      bigger.set(out);
      out = bigger;
    }
    out[n++] = v;
  };
  let off = 0;
  while (off < bytes.length) {
    const next = checkRecord(bytes, off);
    push(next);
    if (next >= 0) {
      off = next;
      continue;
    }
    const resumeAt = resync(bytes, off + 1);
    push(resumeAt);
    if (resumeAt < 0) break;
    off = resumeAt;
  }
  return out.slice(0, n);
}

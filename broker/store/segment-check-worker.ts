// The second core's part of recovery (see parallel-segment-check.ts): reads segments ahead of the
// replay and checks their records, handing both over to the main thread.
import fs from 'node:fs';
import { receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { checkSegment } from './segment-check';
import { AHEAD, PROGRESS_SLOT, SlotState, type CheckedMessage } from './parallel-segment-check';

const { files, sync, port } = workerData as { files: string[]; sync: SharedArrayBuffer; port: MessagePort };
const state = new Int32Array(sync);
const progress = PROGRESS_SLOT(files.length);
/** buffers the main thread is done with and sent back: reused, so no segment costs fresh pages */
const pool: ArrayBuffer[] = [];

for (let j = 0; j < files.length; j++) {
  // never the segment the replay takes next: it would rather read that one itself than wait for it
  j = Math.max(j, Atomics.load(state, progress) + 2);
  if (j >= files.length) break;
  if (Atomics.load(state, j) !== SlotState.Free) continue;
  // no further ahead of the replay than AHEAD segments: each one waiting is a segment's bytes in memory
  for (;;) {
    const p = Atomics.load(state, progress);
    if (j <= p + AHEAD) break;
    Atomics.wait(state, progress, p, 1000);
  }
  if (Atomics.compareExchange(state, j, SlotState.Free, SlotState.Worker) !== SlotState.Free) continue;
  let message: CheckedMessage;
  const transfer: ArrayBuffer[] = [];
  try {
    const bytes = readWhole(files[j]);
    const verdicts = checkSegment(bytes);
    message = { index: j, bytes, verdicts };
    transfer.push(bytes.buffer as ArrayBuffer, verdicts.buffer as ArrayBuffer);
  } catch (err) {
    message = { index: j, error: err instanceof Error ? err.message : String(err) };
  }
  port.postMessage(message, transfer);
  Atomics.store(state, j, SlotState.Done);
  Atomics.notify(state, j);
}
port.close();

/** The whole file, in a buffer that is handed over to the main thread with it. */
function readWhole(file: string): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const buf = Buffer.from(bufferOf(size), 0, size);
    let done = 0;
    while (done < size) {
      const n = fs.readSync(fd, buf, done, size - done, done);
      if (n === 0) break;
      done += n;
    }
    return buf.subarray(0, done);
  } finally {
    fs.closeSync(fd);
  }
}

function bufferOf(size: number): ArrayBuffer {
  for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port)) pool.push(m.message as ArrayBuffer);
  const i = pool.findIndex((b) => b.byteLength >= size);
  return i >= 0 ? pool.splice(i, 1)[0] : new ArrayBuffer(size);
}

import { receiveMessageOnPort, MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import type { Logger } from '../logger';
import { checkSegment } from './segment-check';

/** Each segment's slot in the shared state: who reads and checks it. */
export const enum SlotState {
  Free = 0,
  Worker = 1,
  /** the worker posted it */
  Done = 2,
  Main = 3,
}

/** After the segments' slots, the index of the segment the replay is at (-1 before the first). */
export const PROGRESS_SLOT = (segments: number): number => segments;
/** How many segments the worker may have read beyond the one being replayed. */
export const AHEAD = 3;
/** Fewer segments than this are all read on the main thread: a thread costs more than it saves. */
const MIN_SEGMENTS = 4;
/** A worker that holds a segment this long has failed: the main thread reads it itself. */
const WORKER_STALL_MS = 30_000;

export type CheckedMessage = { index: number; bytes: Uint8Array; verdicts: Int32Array } | { index: number; error: string };

/** A segment's bytes and checkSegment's verdicts on them. */
export interface CheckedSegment {
  bytes: Buffer;
  verdicts: Int32Array;
}

/**
 * Recovery's reading and checksumming of segments, shared with a second thread. The replay takes
 * segments in order; the worker claims the next free one, at most AHEAD ahead, and hands over its
 * bytes and verdicts; the replay does any segment it reaches unclaimed itself. Most of recovery's
 * time is checksums and reads, so the replay on one core and those on the other about halve it.
 * The worker is a help, never a need: if it cannot start (no TypeScript loader in the process, as
 * under a test runner), fails or stalls, the replay reads and checks every segment itself, and gets
 * the same verdicts from the same code (checkSegment).
 */
export class SegmentChecks {
  private readonly state: Int32Array;
  private worker: Worker | undefined;
  private port: MessagePort | undefined;
  /** posted by the worker, not yet taken */
  private readonly received = new Map<number, CheckedMessage>();
  /** the buffer of the segment the worker handed over last, in use until the next take() */
  private lent: ArrayBuffer | undefined;
  /** segments the worker did, for the log line */
  byWorker = 0;

  constructor(
    private readonly files: readonly string[],
    private readonly log: Logger,
  ) {
    this.state = new Int32Array(new SharedArrayBuffer(4 * (files.length + 1)));
    this.state[PROGRESS_SLOT(files.length)] = -1;
    if (files.length < MIN_SEGMENTS) return;
    try {
      const { port1, port2 } = new MessageChannel();
      const worker = new Worker(workerScript(), {
        eval: true,
        workerData: { files, sync: this.state.buffer, port: port2 },
        transferList: [port2],
      });
      worker.on('error', (err) => this.log.debug(`recovery's segment-check thread: ${err.message}; the main thread checks the segments`));
      worker.unref();
      this.worker = worker;
      this.port = port1;
    } catch (err) {
      this.log.debug(`recovery's segment-check thread did not start: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /**
   * Segment `index`'s bytes (`size` of them) and verdicts, from the worker or else from `read`
   * (which may reuse its buffer) and checkSegment here. Segments are taken in order.
   */
  take(index: number, size: number, read: () => Buffer): CheckedSegment {
    const progress = PROGRESS_SLOT(this.files.length);
    Atomics.store(this.state, progress, index);
    Atomics.notify(this.state, progress);
    // the worker's last buffer goes back to it, to be read into again
    if (this.lent !== undefined && this.port !== undefined) this.port.postMessage(this.lent, [this.lent]);
    this.lent = undefined;
    const fromWorker = Atomics.compareExchange(this.state, index, SlotState.Free, SlotState.Main) !== SlotState.Free ? this.fromWorker(index) : undefined;
    if (fromWorker !== undefined && 'bytes' in fromWorker && fromWorker.bytes.length === size) {
      this.byWorker++;
      const b = fromWorker.bytes;
      this.lent = b.buffer as ArrayBuffer;
      return { bytes: Buffer.from(b.buffer, b.byteOffset, b.length), verdicts: fromWorker.verdicts };
    }
    if (fromWorker !== undefined && 'error' in fromWorker) this.log.debug(`recovery's segment-check thread could not read segment ${index}: ${fromWorker.error}`);
    const bytes = read();
    return { bytes, verdicts: checkSegment(bytes) };
  }

  /** Whether the worker has read and checked segment `index` (tests wait for it). */
  doneByWorker(index: number): boolean {
    return Atomics.load(this.state, index) === SlotState.Done;
  }

  /** Recovery read every segment: the worker ends. */
  close(): void {
    this.port?.close();
    void this.worker?.terminate();
    this.worker = undefined;
    this.port = undefined;
    this.received.clear();
    this.lent = undefined;
  }

  /** What the worker posted for segment `index`, once it is done; undefined if it failed to. */
  private fromWorker(index: number): CheckedMessage | undefined {
    const port = this.port;
    if (port === undefined) return undefined;
    if (Atomics.wait(this.state, index, SlotState.Worker, WORKER_STALL_MS) === 'timed-out') {
      this.log.warn(`recovery's segment-check thread held segment ${index} for ${WORKER_STALL_MS / 1000} s: the main thread checks the rest`);
      this.close();
      return undefined;
    }
    for (;;) {
      const got = this.received.get(index);
      if (got !== undefined) {
        this.received.delete(index);
        return got;
      }
      const m = receiveMessageOnPort(port);
      if (m === undefined) return undefined;
      const checked = m.message as CheckedMessage;
      this.received.set(checked.index, checked);
    }
  }
}

/**
 * The worker's bootstrap: a worker thread does not inherit the TypeScript loader the process was
 * started with (tsx), so it loads segment-check-worker.ts through tsx's API, found from here.
 */
function workerScript(): string {
  // its ES module entry: the CommonJS one fails to load its own parts under tsx's loader
  const tsx = typeof import.meta.resolve === 'function' ? import.meta.resolve('tsx/esm/api') : 'tsx/esm/api';
  const worker = new URL('./segment-check-worker.ts', import.meta.url).href;
  return `import(${JSON.stringify(tsx)}).then(({ tsImport }) => tsImport(${JSON.stringify(worker)}, ${JSON.stringify(worker)}));`;
}

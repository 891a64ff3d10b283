// Long work done on the event loop a slice at a time: the work is a generator that yields where it
// may stop, and the driver lets other callbacks (AMQP reads and writes, timers) run once a slice has
// taken its few milliseconds. One piece of work, written once, runs either way: all in one go for a
// small input, or sliced for a page of big bodies.

/** Milliseconds a slice runs before the loop gets a turn. */
export const SLICE_MS = 8;

/** Work that yields where it may pause and returns its result. */
export type Sliced<T> = Generator<void, T, void>;

/** A clock shared by all the work one request does, so the slices add up across its messages. */
export class LoopSlices {
  private started = performance.now();
  /** the longest time the work held the loop at once, for benchmarks and tests */
  longestMs = 0;

  constructor(private readonly sliceMs = SLICE_MS) {}

  /** Gives the loop a turn when this slice has run its time. */
  async pause(): Promise<void> {
    const now = performance.now();
    if (now - this.started < this.sliceMs) return;
    this.longestMs = Math.max(this.longestMs, now - this.started);
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.started = performance.now();
  }

  async run<T>(work: Sliced<T>): Promise<T> {
    for (;;) {
      const step = work.next();
      if (step.done === true) {
        this.longestMs = Math.max(this.longestMs, performance.now() - this.started);
        return step.value;
      }
      await this.pause();
    }
  }
}

/** The work run through in one go (small inputs, tests). */
export function runWhole<T>(work: Sliced<T>): T {
  for (;;) {
    const step = work.next();
    if (step.done === true) return step.value;
  }
}

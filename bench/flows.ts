// The message loops the scenarios are built from. These run per message, so they are plain loops
// and counters driven by amqplib's events: no promise, closure or timer per message.

import type { Channel, ConsumeMessage, Options } from 'amqplib';
import { abortError, nowMs } from './resources';

/**
 * How many messages one synchronous burst hands to amqplib before yielding to the event loop.
 * amqplib's per-channel buffer holds 1,024 frames; publish() returns false once it is full and the
 * channel emits 'drain' when the socket has taken it, so a burst normally ends on back-pressure.
 */
const BURST = 1000;

/**
 * Publish `body` to `queue` as fast as the broker takes it for `ms` milliseconds (or until `limit`
 * messages), respecting
 * amqplib's back-pressure (publish() === false → wait for 'drain'). Resolves with the number of
 * messages handed to amqplib; some of them may still be in its buffer or in flight, so callers that
 * measure what the broker accepted must follow with waitUntilQueued() (or, on a confirm channel,
 * waitForConfirms()). `options` are passed to every publish, e.g. { persistent: true }.
 */
export function publishFor(
  ch: Channel,
  queue: string,
  body: Buffer,
  ms: number,
  signal: AbortSignal,
  options?: Options.Publish,
  limit = Infinity,
): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const deadline = nowMs() + ms;
    let sent = 0;
    let done = false;
    const finish = (err?: Error): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      ch.removeListener('drain', pump);
      signal.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve(sent);
    };
    const onAbort = (): void => finish(abortError(signal));
    const pump = (): void => {
      if (done) return;
      if (nowMs() >= deadline || sent >= limit) {
        finish();
        return;
      }
      for (let i = 0; i < BURST && sent < limit; i++) {
        sent++;
        if (!ch.sendToQueue(queue, body, options)) return; // resumed by 'drain' (or ended by the timer)
      }
      setImmediate(pump);
    };
    // Publishing stops at the deadline even while waiting for 'drain'.
    const timer = setTimeout(() => finish(), ms);
    ch.on('drain', pump);
    signal.addEventListener('abort', onAbort, { once: true });
    pump();
  });
}

/**
 * Poll queue.declare(passive) on `ch` until the queue's message_count reaches `expected`.
 *
 * Why this marks "accepted by the broker", fairly for any broker: the first declare is queued in the
 * same amqplib channel buffer behind every publish, so it cannot leave the client before they all
 * did, and a broker processes a channel's frames in order, so its reply comes after it has read
 * every publish. A broker that routes asynchronously (RabbitMQ hands messages from the channel
 * process to the queue process) may not count the last ones yet, hence the polling: the clock stops
 * at the first reply whose message_count shows all of them in the queue. No confirms are involved,
 * so neither broker pays for confirm bookkeeping that plain publishing does not do.
 */
export async function waitUntilQueued(
  ch: Channel,
  queue: string,
  expected: number,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<{ polls: number; messageCount: number }> {
  const deadline = nowMs() + timeoutMs;
  for (let polls = 1; ; polls++) {
    const { messageCount } = await ch.checkQueue(queue);
    if (messageCount >= expected) return { polls, messageCount };
    if (signal.aborted) throw abortError(signal);
    if (nowMs() > deadline) {
      throw new Error(
        `broker holds ${messageCount} of ${expected} published messages ${(timeoutMs / 1000).toFixed(0)} s after publishing stopped`,
      );
    }
  }
}

type PumpState = 'idle' | 'scheduled' | 'drain' | 'cap' | 'stopped';

/**
 * One publisher channel and one consumer channel on one queue, running at the same time.
 *
 * The publisher is bounded by back-pressure from amqplib (→ the socket → the broker's TCP window)
 * and by an in-flight cap: it pauses when published − consumed reaches `maxInFlight` and resumes
 * at half of it. Without the cap a broker whose publishers outrun its consumers would build an
 * ever-growing queue, and the figure would measure how it copes with a backlog (memory alarms,
 * paging) rather than its delivery throughput. The cap is far above the prefetch window, so the
 * consumer is never starved by it.
 *
 * The consumer uses manual acks, acking with multiple=true on every `ackEvery`-th delivery tag.
 */
export class PublisherConsumerPair {
  published = 0;
  consumed = 0;
  private state: PumpState = 'idle';
  private readonly resumeAt: number;

  constructor(
    private readonly pub: Channel,
    private readonly con: Channel,
    private readonly queue: string,
    private readonly body: Buffer,
    private readonly maxInFlight: number,
    private readonly ackEvery: number,
    private readonly fail: (err: Error) => void,
  ) {
    this.resumeAt = maxInFlight >> 1;
    pub.on('drain', this.onDrain);
  }

  async startConsumer(prefetch: number): Promise<void> {
    await this.con.prefetch(prefetch);
    await this.con.consume(this.queue, this.onMessage, { noAck: false });
  }

  start(): void {
    this.pump();
  }

  stop(): void {
    this.state = 'stopped';
    this.pub.removeListener('drain', this.onDrain);
  }

  private readonly onMessage = (msg: ConsumeMessage | null): void => {
    if (msg === null) {
      this.fail(new Error('consumer cancelled by the broker'));
      return;
    }
    this.consumed++;
    if (msg.fields.deliveryTag % this.ackEvery === 0) this.con.ack(msg, true);
    if (this.state === 'cap' && this.published - this.consumed <= this.resumeAt) this.pump();
  };

  private readonly onDrain = (): void => {
    if (this.state === 'drain') this.pump();
  };

  private readonly pump = (): void => {
    if (this.state === 'stopped') return;
    const { pub, queue, body, maxInFlight } = this;
    for (let i = 0; i < BURST; i++) {
      if (this.published - this.consumed >= maxInFlight) {
        this.state = 'cap';
        return;
      }
      this.published++;
      if (!pub.sendToQueue(queue, body)) {
        this.state = 'drain';
        return;
      }
    }
    this.state = 'scheduled';
    setImmediate(this.pump);
  };
}

/** Nearest-rank percentile of an ascending-sorted array; p in (0, 1]. */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil(p * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))];
}

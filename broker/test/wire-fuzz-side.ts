// The healthy side connection of a fuzz run: an ordinary amqplib client that publishes with
// publisher confirms and consumes its own messages the whole time the fuzzer attacks the broker.
// It measures the round trip of every message and, at the end, says whether any confirmed message
// was lost.
import { randomUUID } from 'node:crypto';
import amqp, { type ChannelModel, type ConfirmChannel } from 'amqplib';

export interface SideReport {
  published: number;
  confirmed: number;
  received: number;
  /** confirmed by the broker and never delivered */
  lost: number;
  nacked: number;
  /** publish-to-delivery round trips, ms */
  p50: number;
  p99: number;
  max: number;
  /** what broke the connection, if it broke */
  failure: string | undefined;
}

export class SideClient {
  readonly queue = `wire-fuzz-side-${randomUUID()}`;
  failure: string | undefined;
  private conn!: ChannelModel;
  private ch!: ConfirmChannel;
  private timer: NodeJS.Timeout | undefined;
  private seq = 0;
  private nacked = 0;
  private readonly confirmed = new Set<number>();
  private readonly received = new Set<number>();
  private readonly sentAt = new Map<number, number>();
  private readonly latencies: number[] = [];

  /** Connects to `url` and publishes one message every `everyMs`. */
  async start(url: string, everyMs: number): Promise<void> {
    this.conn = await amqp.connect(url);
    this.conn.on('error', (err: Error) => (this.failure ??= `side connection error: ${err.message}`));
    this.conn.on('close', () => (this.failure ??= 'side connection closed'));
    this.ch = await this.conn.createConfirmChannel();
    this.ch.on('error', (err: Error) => (this.failure ??= `side channel error: ${err.message}`));
    await this.ch.assertQueue(this.queue, { exclusive: true });
    await this.ch.consume(this.queue, (m) => {
      if (m === null) {
        this.failure ??= 'side consumer cancelled by the broker';
        return;
      }
      const id = Number(m.content.toString());
      const t = this.sentAt.get(id);
      if (t !== undefined) this.latencies.push(performance.now() - t);
      this.received.add(id);
    }, { noAck: true });
    this.timer = setInterval(() => this.publishOne(), everyMs);
  }

  private publishOne(): void {
    if (this.failure !== undefined) return;
    const id = ++this.seq;
    this.sentAt.set(id, performance.now());
    try {
      this.ch.sendToQueue(this.queue, Buffer.from(String(id)), {}, (err: unknown) => {
        if (err) this.nacked++;
        else this.confirmed.add(id);
      });
    } catch (err) {
      this.failure ??= `side publish failed: ${(err as Error).message}`;
    }
  }

  /** Round trips of the last `n` messages (ms), for progress lines. */
  recentMax(n = 100): number {
    return Math.max(0, ...this.latencies.slice(-n));
  }

  /** Stops publishing, waits (up to `ms`) for every confirmed message to come back, and closes. */
  async stop(ms = 5000): Promise<SideReport> {
    clearInterval(this.timer);
    if (this.failure === undefined) {
      try {
        await Promise.race([this.ch.waitForConfirms(), new Promise((r) => setTimeout(r, ms))]);
      } catch {
        // a nack is counted by its callback
      }
      const deadline = Date.now() + ms;
      while ([...this.confirmed].some((id) => !this.received.has(id)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    }
    const failure = this.failure;
    await this.conn.close().catch(() => {});
    const sorted = [...this.latencies].sort((a, b) => a - b);
    const at = (q: number) => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]);
    return {
      published: this.seq,
      confirmed: this.confirmed.size,
      received: this.received.size,
      lost: [...this.confirmed].filter((id) => !this.received.has(id)).length,
      nacked: this.nacked,
      p50: at(0.5),
      p99: at(0.99),
      max: sorted.length === 0 ? 0 : sorted[sorted.length - 1],
      failure,
    };
  }
}

// A scenario's actors: each one a real amqplib connection over TCP, named by its connection_name
// so the broker (and the console's graph) shows it as a named producer or consumer. They are
// clients of the broker like any program, never a shortcut into it; their errors are recorded on
// their state, never thrown out of the process.
import amqp, { type Channel, type ChannelModel, type ConsumeMessage } from 'amqplib';
import type { Socket } from 'node:net';
import type { ConsumerSpec, ProducerSpec } from './scenario-format';

export type ActorPhase = 'idle' | 'running' | 'paused' | 'stopped' | 'crashed' | 'failed';

export interface ActorState {
  name: string;
  kind: 'producer' | 'consumer';
  phase: ActorPhase;
  /** producer: messages published */
  published: number;
  /** consumer: deliveries the client received, and how many of those it settled */
  received: number;
  settled: number;
  /** consumer: its queue (the server-named one when queue was '') */
  queue?: string;
  /** what went wrong: a refused login, a channel error, a connection the broker closed */
  error?: string;
  /** what the scenario made happen to it (a crash it was told to have) */
  note?: string;
}

const CONNECT_TIMEOUT_MS = 5_000;
/** a consumer without a prefetch window gets messages as fast as the broker sends; it holds at most this many */
const MAX_HELD = 10_000;

async function open(url: string, name: string): Promise<ChannelModel> {
  return amqp.connect(url, { clientProperties: { connection_name: name }, timeout: CONNECT_TIMEOUT_MS });
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

abstract class ScenarioActor {
  protected model: ChannelModel | undefined;
  protected channel: Channel | undefined;
  protected speed = 1;
  protected playing = false;
  protected closing = false;
  readonly state: ActorState;

  constructor(readonly name: string, kind: 'producer' | 'consumer', protected readonly url: string) {
    this.state = { name, kind, phase: 'idle', published: 0, received: 0, settled: 0 };
  }

  protected async connect(): Promise<Channel> {
    const model = await open(this.url, this.name);
    this.model = model;
    // an 'error' with no listener would be thrown by the emitter and end the process
    model.on('error', (err: Error) => this.fail(err));
    model.on('close', () => this.lost());
    const channel = await model.createChannel();
    channel.on('error', (err: Error) => this.fail(err));
    this.channel = channel;
    return channel;
  }

  protected fail(err: unknown): void {
    if (this.closing) return;
    this.state.error = message(err);
    this.state.phase = 'failed';
    this.halt();
  }

  private lost(): void {
    if (this.closing || this.state.phase === 'crashed' || this.state.phase === 'failed') return;
    this.state.phase = 'failed';
    this.state.error ??= 'the broker closed the connection';
    this.halt();
  }

  /** Stops its timers; the connection is already gone or being closed. */
  protected abstract halt(): void;

  /** Connects, declares what it needs and starts playing at `speed`. */
  async start(speed: number): Promise<void> {
    this.speed = speed;
    try {
      await this.begin();
      // closed while it was connecting: the connection it just made must not outlive it
      if (this.closing) {
        await this.close();
        return;
      }
      this.state.phase = 'paused';
      this.play();
    } catch (err) {
      this.fail(err);
      await this.close();
    }
  }

  protected abstract begin(): Promise<void>;
  abstract play(): void;
  abstract pause(): void;
  /** While paused: one message (publish one, or handle one). */
  abstract step(): void;

  setSpeed(speed: number): void {
    this.speed = speed;
  }

  protected get live(): boolean {
    return this.state.phase === 'running' || this.state.phase === 'paused';
  }

  /** Closes the connection (the broker requeues what a consumer held unacked). */
  async close(): Promise<void> {
    this.closing = true;
    this.halt();
    if (this.live || this.state.phase === 'idle') this.state.phase = 'stopped';
    const model = this.model;
    this.model = undefined;
    this.channel = undefined;
    if (model === undefined) return;
    try {
      await model.close();
    } catch {
      // already closed by the broker or a crash: nothing left to release
    }
  }
}

export class ProducerActor extends ScenarioActor {
  private timer: NodeJS.Timeout | undefined;
  private credit = 0;
  private last = 0;
  private blocked = false;

  constructor(private readonly spec: ProducerSpec, url: string) {
    super(spec.name, 'producer', url);
  }

  protected async begin(): Promise<void> {
    const ch = await this.connect();
    ch.on('drain', () => {
      this.blocked = false;
    });
  }

  private get done(): boolean {
    return this.spec.count !== undefined && this.state.published >= this.spec.count;
  }

  private publishOne(): boolean {
    const ch = this.channel;
    if (ch === undefined || this.done) return false;
    const n = this.state.published + 1;
    const body = Buffer.from(this.spec.message.replaceAll('{n}', String(n)).replaceAll('{actor}', this.name));
    this.state.published = n;
    // false: the socket's buffer is full; wait for 'drain' rather than buffer without bound
    if (!ch.publish(this.spec.exchange, this.spec.routingKey, body, { persistent: this.spec.persistent === true })) this.blocked = true;
    return true;
  }

  play(): void {
    if (!this.live || this.done) return;
    this.state.phase = 'running';
    this.last = Date.now();
    this.credit = 1; // the first message goes out at once, as a program's first publish does
    this.schedule();
  }

  private schedule(): void {
    clearTimeout(this.timer);
    const rate = this.spec.rate * this.speed;
    // at high rates several messages go per tick, so timers stay at most 50 a second
    this.timer = setTimeout(() => this.tick(), Math.max(20, Math.min(1000 / rate, 1000)));
  }

  private tick(): void {
    if (this.state.phase !== 'running') return;
    const now = Date.now();
    this.credit += ((now - this.last) / 1000) * this.spec.rate * this.speed;
    this.last = now;
    // a tick that came late (a busy machine) catches up by at most one second's worth
    this.credit = Math.min(this.credit, Math.max(1, this.spec.rate * this.speed));
    while (this.credit >= 1 && !this.blocked && this.publishOne()) this.credit -= 1;
    if (this.done) {
      this.state.phase = 'paused';
      return;
    }
    this.schedule();
  }

  pause(): void {
    if (this.state.phase === 'running') this.state.phase = 'paused';
    clearTimeout(this.timer);
  }

  step(): void {
    if (this.state.phase === 'paused') this.publishOne();
  }

  protected halt(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}

export class ConsumerActor extends ScenarioActor {
  private readonly held: ConsumeMessage[] = [];
  private busy: NodeJS.Timeout | undefined;
  private consumerTag: string | undefined;
  /** every consumer tag it has had (auto-ack consumers cancel on pause and consume again on play) */
  readonly tags: string[] = [];
  private queue = '';

  constructor(private readonly spec: ConsumerSpec, url: string) {
    super(spec.name, 'consumer', url);
  }

  private get autoAck(): boolean {
    return this.spec.ack === 'auto';
  }

  protected async begin(): Promise<void> {
    const ch = await this.connect();
    if (this.spec.prefetch > 0) await ch.prefetch(this.spec.prefetch);
    if (this.spec.queue === '') {
      const q = await ch.assertQueue('', { exclusive: true });
      this.queue = q.queue;
      for (const b of this.spec.bind ?? []) await ch.bindQueue(q.queue, b.exchange, b.routingKey);
    } else {
      this.queue = this.spec.queue;
    }
    this.state.queue = this.queue;
    if (!this.autoAck) await this.consume();
  }

  private async consume(): Promise<void> {
    const ch = this.channel;
    if (ch === undefined || this.consumerTag !== undefined) return;
    const ok = await ch.consume(this.queue, (msg) => this.receive(msg), { noAck: this.autoAck });
    this.consumerTag = ok.consumerTag;
    this.tags.push(ok.consumerTag);
  }

  private receive(msg: ConsumeMessage | null): void {
    // amqplib still hands over what it had parsed from the socket before a crash or close
    if (this.closing) return;
    if (msg === null) {
      // the broker cancelled the consumer (its queue was deleted)
      this.consumerTag = undefined;
      return;
    }
    this.state.received++;
    if (this.spec.crashAfter !== undefined && this.state.received >= this.spec.crashAfter) {
      this.crash();
      return;
    }
    if (this.held.length >= MAX_HELD) {
      // beyond its bound an acknowledging actor hands the message back; an auto-ack one has lost it
      if (!this.autoAck) this.channel?.nack(msg, false, true);
      return;
    }
    this.held.push(msg);
    if (this.state.phase === 'running') this.next();
  }

  /** Drops the TCP connection without a close handshake, as a killed worker does. */
  private crash(): void {
    this.state.phase = 'crashed';
    this.state.note = `crashed after ${this.state.received} messages, as the scenario says`;
    this.halt();
    const stream = (this.model?.connection as unknown as { stream?: Socket } | undefined)?.stream;
    this.closing = true;
    this.model = undefined;
    this.channel = undefined;
    stream?.destroy();
  }

  /** Handles the next held message: waits its processing time, then settles it. */
  private next(): void {
    if (this.busy !== undefined) return;
    const msg = this.held.shift();
    if (msg === undefined) return;
    this.busy = setTimeout(() => {
      this.busy = undefined;
      this.settle(msg);
      if (this.state.phase === 'running') this.next();
    }, this.spec.processingMs / this.speed);
  }

  private settle(msg: ConsumeMessage): void {
    const ch = this.channel;
    if (ch === undefined) return;
    switch (this.spec.ack) {
      case 'auto': break;
      case 'ack': ch.ack(msg); break;
      case 'nack-requeue': ch.nack(msg, false, true); break;
      case 'nack-drop': ch.nack(msg, false, false); break;
      case 'reject-requeue': ch.reject(msg, true); break;
      case 'reject-drop': ch.reject(msg, false); break;
    }
    this.state.settled++;
  }

  play(): void {
    if (!this.live) return;
    this.state.phase = 'running';
    if (this.autoAck) void this.consume().catch((err: unknown) => this.fail(err));
    this.next();
  }

  pause(): void {
    if (this.state.phase !== 'running') return;
    this.state.phase = 'paused';
    // manual-ack deliveries stop at the prefetch window; an auto-ack consumer has no window, so it cancels
    if (this.autoAck && this.consumerTag !== undefined && this.channel !== undefined) {
      const tag = this.consumerTag;
      this.consumerTag = undefined;
      void this.channel.cancel(tag).catch((err: unknown) => this.fail(err));
    }
  }

  step(): void {
    if (this.state.phase === 'paused') this.next();
  }

  protected halt(): void {
    clearTimeout(this.busy);
    this.busy = undefined;
    this.held.length = 0;
  }
}

export type AnyActor = ProducerActor | ConsumerActor;

// A scenario's actors: each one a real amqplib connection over TCP, named by its connection_name
// so the broker (and the console's graph) shows it as a named producer or consumer. They are
// clients of the broker like any program, never a shortcut into it; their errors are recorded on
// their state, never thrown out of the process.
import amqp, { type Channel, type ChannelModel, type ConsumeMessage } from 'amqplib';
import type { Socket } from 'node:net';
import type { AckBehaviour, ActorKind, ArgTable, ConsumerSpec, ProducerSpec, RpcClientSpec, RpcServerSpec } from './scenario-format';

export type ActorPhase = 'idle' | 'running' | 'paused' | 'stopped' | 'crashed' | 'failed';

export interface ActorState {
  name: string;
  kind: ActorKind;
  phase: ActorPhase;
  /** producer: messages published */
  published: number;
  /** consumer: deliveries the client received, and how many of those it settled; rpc-client: replies that matched a request */
  received: number;
  settled: number;
  /** consumer: deliveries received per routing key, as its terminal would print them */
  receivedByKey: Record<string, number>;
  /** producer with mandatory: messages the broker returned as unroutable */
  returned: number;
  /** the AMQP reply code the broker refused it with (403, 530 ...) */
  refusedCode?: number;
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

/** amqplib words a refusal `... closed by server: 403 (ACCESS-REFUSED) with message "..."`; the code is in it. */
function replyCode(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'number' && code >= 300 && code < 600) return code;
  const m = /: (\d{3}) \(/.exec(message(err));
  if (m !== null) return Number(m[1]);
  // amqplib drops the reply of a refused connection.open from its error; the refusal of a vhost
  // there is connection.close 530 NOT_ALLOWED (pika, which keeps the code, shows it in pika-code.test.ts)
  if (message(err).includes('Expected ConnectionOpenOk; got <ConnectionClose')) return 530;
  return undefined;
}

/** amqplib's wording of a refused connection.open says nothing of why: say what the broker refused. */
function described(err: unknown, url: string): string {
  const text = message(err);
  if (!text.includes('Expected ConnectionOpenOk; got <ConnectionClose')) return text;
  const u = new URL(url);
  return `NOT_ALLOWED - the broker closed the connection on connection.open: no access to vhost '${decodeURIComponent(u.pathname.slice(1))}' for user '${decodeURIComponent(u.username)}'`;
}

export function newActorState(name: string, kind: ActorKind): ActorState {
  return { name, kind, phase: 'idle', published: 0, received: 0, settled: 0, receivedByKey: {}, returned: 0 };
}

abstract class ScenarioActor {
  protected model: ChannelModel | undefined;
  protected channel: Channel | undefined;
  protected speed = 1;
  protected playing = false;
  protected closing = false;
  readonly state: ActorState;

  constructor(readonly name: string, kind: ActorKind, protected readonly url: string) {
    this.state = newActorState(name, kind);
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
    this.state.error = described(err, this.url);
    this.state.refusedCode ??= replyCode(err);
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

  /** Drops the TCP connection without a close handshake, as a killed process's connection goes. */
  crash(note: string): void {
    // deliveries can arrive while it is still starting (phase idle): a crash then is a crash too
    if (this.closing || this.model === undefined) return;
    this.state.phase = 'crashed';
    this.state.note = note;
    this.halt();
    const stream = (this.model?.connection as unknown as { stream?: Socket } | undefined)?.stream;
    this.closing = true;
    this.model = undefined;
    this.channel = undefined;
    stream?.destroy();
  }

  /** The broker is about to close the connection (a restart): that is no failure of the actor's. */
  expectLoss(note: string): void {
    this.closing = true;
    this.halt();
    if (this.live || this.state.phase === 'idle') {
      this.state.phase = 'stopped';
      this.state.note = note;
    }
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

/** What a paced sender needs: how many messages a second at 1x, and how many at most. */
interface Pace {
  rate: number;
  count?: number;
}

function fill(template: string, n: number, actor: string): string {
  return template.replaceAll('{n}', String(n)).replaceAll('{actor}', actor);
}

/** Sends at a rate (producers, RPC clients): play, pause, one at a time, speed. */
abstract class PacedSender extends ScenarioActor {
  private timer: NodeJS.Timeout | undefined;
  private credit = 0;
  private last = 0;
  protected blocked = false;

  constructor(private readonly pace: Pace, name: string, kind: ActorKind, url: string) {
    super(name, kind, url);
  }

  protected async begin(): Promise<void> {
    const ch = await this.connect();
    ch.on('drain', () => {
      this.blocked = false;
    });
    await this.ready(ch);
  }

  /** What it sets up on its channel before the first message. */
  protected abstract ready(ch: Channel): Promise<void>;
  /** Sends message number n; false: the socket's buffer is full (wait for 'drain'). */
  protected abstract send(ch: Channel, n: number): boolean;

  private get done(): boolean {
    return this.pace.count !== undefined && this.state.published >= this.pace.count;
  }

  private publishOne(): boolean {
    const ch = this.channel;
    if (ch === undefined || this.done) return false;
    const n = this.state.published + 1;
    this.state.published = n;
    // false: the socket's buffer is full; wait for 'drain' rather than buffer without bound
    if (!this.send(ch, n)) this.blocked = true;
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
    const rate = this.pace.rate * this.speed;
    // at high rates several messages go per tick, so timers stay at most 50 a second
    this.timer = setTimeout(() => this.tick(), Math.max(20, Math.min(1000 / rate, 1000)));
  }

  private tick(): void {
    if (this.state.phase !== 'running') return;
    const now = Date.now();
    this.credit += ((now - this.last) / 1000) * this.pace.rate * this.speed;
    this.last = now;
    // a tick that came late (a busy machine) catches up by at most one second's worth
    this.credit = Math.min(this.credit, Math.max(1, this.pace.rate * this.speed));
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

export class ProducerActor extends PacedSender {
  constructor(private readonly spec: ProducerSpec, url: string) {
    super(spec, spec.name, 'producer', url);
  }

  protected async ready(ch: Channel): Promise<void> {
    if (this.spec.mandatory === true) ch.on('return', () => void this.state.returned++);
  }

  protected send(ch: Channel, n: number): boolean {
    const variants = this.spec.variants ?? [];
    const v = variants.length > 0 ? variants[(n - 1) % variants.length] : undefined;
    const body = Buffer.from(fill(v?.message ?? this.spec.message, n, this.name));
    const headers: ArgTable | undefined = v?.headers ?? this.spec.headers;
    return ch.publish(this.spec.exchange, v?.routingKey ?? this.spec.routingKey, body, {
      persistent: this.spec.persistent === true,
      mandatory: this.spec.mandatory === true,
      ...(headers === undefined ? {} : { headers }),
      ...(this.spec.expiration === undefined ? {} : { expiration: String(this.spec.expiration) }),
    });
  }
}

/** Keeps at most this many requests waiting for their reply; older ones count as lost. */
const MAX_PENDING = 1_000;
export const DIRECT_REPLY_TO = 'amq.rabbitmq.reply-to';

export class RpcClientActor extends PacedSender {
  private replyQueue = '';
  private readonly pending = new Set<string>();
  readonly tags: string[] = [];

  constructor(private readonly spec: RpcClientSpec, url: string) {
    super(spec, spec.name, 'rpc-client', url);
  }

  protected async ready(ch: Channel): Promise<void> {
    // direct reply-to: the reply goes straight to this channel's consumer, no queue is declared
    if (this.spec.replyTo === 'direct') this.replyQueue = DIRECT_REPLY_TO;
    else this.replyQueue = (await ch.assertQueue('', { exclusive: true })).queue;
    this.state.queue = this.replyQueue;
    const ok = await ch.consume(this.replyQueue, (msg) => {
      if (msg === null || this.closing) return;
      const id = msg.properties.correlationId as string | undefined;
      if (id !== undefined && this.pending.delete(id)) this.state.received++;
    }, { noAck: true });
    this.tags.push(ok.consumerTag);
  }

  protected send(ch: Channel, n: number): boolean {
    const correlationId = `${this.name}-${n}`;
    this.pending.add(correlationId);
    if (this.pending.size > MAX_PENDING) this.pending.delete(this.pending.values().next().value!);
    return ch.publish('', this.spec.routingKey, Buffer.from(fill(this.spec.message, n, this.name)), { replyTo: this.replyQueue, correlationId });
  }
}

/** The RPC tutorial's answer, in a loop (the tutorial's recursion is exponential). */
export function fib(n: number): number {
  let a = 0;
  let b = 1;
  for (let i = 0; i < n; i++) [a, b] = [b, a + b];
  return a;
}
/** fib(78) is the largest that a double holds exactly */
const MAX_FIB = 78;

/** What a consumer does, whichever kind of actor it is. */
export interface ConsumerPlan {
  name: string;
  queue: string;
  bind?: ConsumerSpec['bind'];
  prefetch: number;
  processingMs: number;
  ack: AckBehaviour;
  crashAfter?: number;
  poison?: string;
  /** answers each message to its reply_to (the RPC server) */
  reply?: boolean;
}

export class ConsumerActor extends ScenarioActor {
  private readonly held: ConsumeMessage[] = [];
  private busy: NodeJS.Timeout | undefined;
  private consumerTag: string | undefined;
  /** every consumer tag it has had (auto-ack consumers cancel on pause and consume again on play) */
  readonly tags: string[] = [];
  private queue = '';

  private readonly spec: ConsumerPlan;

  constructor(spec: ConsumerSpec | RpcServerSpec, url: string) {
    super(spec.name, spec.kind, url);
    this.spec = spec.kind === 'consumer' ? spec : { ...spec, ack: 'ack', reply: true };
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
      for (const b of this.spec.bind ?? []) await ch.bindQueue(q.queue, b.exchange, b.routingKey, b.arguments ?? {});
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
    const key = msg.fields.routingKey;
    // a bounded map: a scenario's routing keys are few, a flood of distinct keys is folded into one
    if (key in this.state.receivedByKey || Object.keys(this.state.receivedByKey).length < 50) this.state.receivedByKey[key] = (this.state.receivedByKey[key] ?? 0) + 1;
    if (this.spec.crashAfter !== undefined && this.state.received >= this.spec.crashAfter) {
      this.crash(`crashed after ${this.state.received} messages, as the scenario says`);
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
    if (this.spec.reply === true && typeof msg.properties.replyTo === 'string') {
      const n = Math.min(MAX_FIB, Math.max(0, Number.parseInt(msg.content.toString(), 10) || 0));
      ch.sendToQueue(msg.properties.replyTo, Buffer.from(String(fib(n))), { correlationId: msg.properties.correlationId as string | undefined });
    }
    if (this.spec.poison !== undefined && msg.content.includes(this.spec.poison)) {
      // a message it cannot handle: dropped by the consumer, dead-lettered by the broker when the queue has a DLX
      ch.reject(msg, false);
      this.state.settled++;
      return;
    }
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

export type AnyActor = ProducerActor | ConsumerActor | RpcClientActor;

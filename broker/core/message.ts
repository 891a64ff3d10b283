import { PropertiesCodec, type BasicProperties } from './properties';
import { SHARED_RUN, type HeadRun, type MessageHead } from './message-head';
import { Entry, EntryState } from './entry-state';

/** Where a body lies when the message does not hold it in a Buffer of its own. */
export interface BodySource {
  /** true for memory shared by many small bodies (body-slabs.ts), false for a file on disk */
  readonly inMemory: boolean;
  /** The body at `at` (the message's offset in this source), `size` bytes long. */
  read(at: number, size: number): Buffer;
  /** inMemory: the memory the bodies lie in, a body at its `at`, read there without a view */
  readonly bytes?: Buffer;
}

/** What the transient pager did with a body (the low two bits of `Message.paging`, see BodyPaging). */
export const enum PageState {
  /** in memory, not counted in the pager's budget */
  NotPaged = 0,
  /** in memory, counted in the pager's budget */
  Counted = 1,
  /** being written to a page file; still read from memory */
  Pending = 2,
  /** in a page file, which is the message's body source */
  Paged = 3,
}

/**
 * `Message.bits`: the PageState, then whether it is stored, whether it is traced, whether the
 * queues holding it count it as paged out (PAGED_OUT), then the holders.
 */
const PAGE_STATE = 3;
const STORED = 4;
const TRACED = 8;
export const PAGED_OUT = 16;
/** `Message.bits` counts holders in steps of this. */
export const HOLDER = 32;

/** Routing keys of CC and BCC headers: rare, so kept beside the messages that have them, not in each. */
const extraKeysOf = new WeakMap<Message, readonly string[]>();
/** Trace ids of the messages the console follows: a sample, kept beside them. */
const traceIdOf = new WeakMap<Message, number>();

/**
 * One published message. Properties stay as the publisher's encoded bytes and are parsed only when
 * something needs them (headers exchange, TTL, the console), so most messages are never parsed.
 * Queues hold references: fan-out to many queues never copies the body. A small body lies in a
 * slab shared with others (body-slabs.ts) rather than in a Buffer of its own; a body may be paged
 * out (persistent ones to the message log, others by the transient pager) and is then read back on
 * access. Every field costs each queued message 8 bytes: rare data lives elsewhere. The message is
 * the entry of the first queue that takes it (see EntryState): one object for a message in one queue.
 */
export class Message extends EntryState {
  /** exchange, routing key and properties, shared with the publisher's other messages like it */
  private readonly head: MessageHead;
  readonly bodySize: number;
  /**
   * Small facts in one number: the PageState (the transient pager's, see BodyPaging), `logged`,
   * whether it has a `traceId`, and the queue entries holding it, in steps of HOLDER.
   */
  bits = 0;
  /** the body in a Buffer of its own, or where it lies */
  private content: Buffer | BodySource;
  /** where in `content` the body lies, when that is a BodySource */
  private at = 0;

  /**
   * `properties` are the parsed `rawProperties` when the caller has them, or else the codec that
   * reads `rawProperties` on demand. `run`: the publisher's run of heads (see HeadRun).
   */
  constructor(
    exchange: string, routingKey: string, rawProperties: Buffer, body: Buffer, properties: BasicProperties | PropertiesCodec, run: HeadRun = SHARED_RUN,
  ) {
    super();
    this.head = run.share(exchange, routingKey, rawProperties, properties);
    this.content = body;
    this.bodySize = body.length;
  }

  /** A message whose body lies in `source` at `at` (a slab, or the log for a recovered message). */
  static from(
    exchange: string, routingKey: string, rawProperties: Buffer, codec: PropertiesCodec, bodySize: number, source: BodySource, at = 0, run: HeadRun = SHARED_RUN,
  ): Message {
    const m = new Message(exchange, routingKey, rawProperties, EMPTY, codec, run);
    (m as { bodySize: number }).bodySize = bodySize;
    m.content = source;
    m.at = at;
    return m;
  }

  /** As the entry of its first queue (EntryState). */
  get msg(): Message {
    return this;
  }

  /**
   * The entry at `seq` of a queue taking this message: the message itself for its first queue, a
   * new Entry for any other.
   */
  entryOf(seq: number, expiresAt: number, priority: number, redelivered: boolean): EntryState {
    if (this.seq >= 0) return new Entry(this, seq, expiresAt, priority, redelivered);
    this.place(seq, expiresAt, priority, redelivered);
    return this;
  }

  get exchange(): string {
    return this.head.exchange;
  }

  get routingKey(): string {
    return this.head.routingKey;
  }

  get rawProperties(): Buffer {
    return this.head.rawProperties;
  }

  /** Set by the store when it wrote the message: enough to confirm only after the fsync. */
  get logged(): boolean {
    return (this.bits & STORED) !== 0;
  }

  set logged(v: boolean) {
    this.bits = v ? this.bits | STORED : this.bits & ~STORED;
  }

  /** Non-zero when the console follows this message (see flow.ts). */
  get traceId(): number {
    return (this.bits & TRACED) === 0 ? 0 : (traceIdOf.get(this) ?? 0);
  }

  set traceId(id: number) {
    if (id === 0) {
      this.bits &= ~TRACED;
      traceIdOf.delete(this);
    } else {
      this.bits |= TRACED;
      traceIdOf.set(this, id);
    }
  }

  /** CC/BCC routing keys it was published with, after `routingKey` (the firehose's routing_keys). */
  get extraKeys(): readonly string[] | undefined {
    return extraKeysOf.get(this);
  }

  set extraKeys(keys: readonly string[] | undefined) {
    if (keys === undefined) extraKeysOf.delete(this);
    else extraKeysOf.set(this, keys);
  }

  get body(): Buffer {
    const c = this.content;
    // A paged-out body is read for each use and not kept: it is usually on its way out.
    return c instanceof Uint8Array ? c : c.read(this.at, this.bodySize);
  }

  /**
   * The buffer the body lies in, from bodyOffset on: for a small body its slab itself, so that a
   * delivery copies the octets from there rather than through a view made for it.
   */
  get bodyBuffer(): Buffer {
    const c = this.content;
    if (c instanceof Uint8Array) return c;
    return c.bytes ?? c.read(this.at, this.bodySize);
  }

  /** Where the body starts in bodyBuffer. */
  get bodyOffset(): number {
    const c = this.content;
    return c instanceof Uint8Array || c.bytes === undefined ? 0 : this.at;
  }

  get isResident(): boolean {
    const c = this.content;
    return c instanceof Uint8Array || c.inMemory;
  }

  get holders(): number {
    return Math.floor(this.bits / HOLDER);
  }

  get pageState(): PageState {
    return this.bits & PAGE_STATE;
  }

  /** The body's own Buffer, or where it lies. */
  get bodySource(): Buffer | BodySource {
    return this.content;
  }

  /** Drops the in-memory body; later reads go to `source`, at `at`. */
  pageOut(source: BodySource, at = 0): void {
    this.content = source;
    this.at = at;
  }

  get properties(): BasicProperties {
    const h = this.head;
    const p = h.props;
    if (!(p instanceof PropertiesCodec)) return p;
    return (h.props = p.decode(h.rawProperties));
  }

  /**
   * The properties, parsed for a look without keeping the result: a publish's checks need them once,
   * and a parsed copy kept in every queued message would cost it hundreds of bytes (amqplib always
   * sends a headers table, so its messages are looked at).
   */
  peekProperties(): BasicProperties {
    const h = this.head;
    const p = h.props;
    return p instanceof PropertiesCodec ? p.decode(h.rawProperties) : p;
  }

  /** Whether property `name` is present; answered from the raw bytes while they are unparsed. */
  has(name: keyof BasicProperties): boolean {
    const h = this.head;
    const p = h.props;
    return p instanceof PropertiesCodec ? p.has(h.rawProperties, name) : p[name] != null;
  }

  /** delivery-mode 2; transient messages stay unparsed. */
  get persistent(): boolean {
    return this.has('deliveryMode') && this.properties.deliveryMode === 2;
  }
}

const EMPTY = Buffer.alloc(0);

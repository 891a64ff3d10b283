import { PropertiesCodec, type BasicProperties } from './properties';

/** Where a body lies when the message does not hold it in a Buffer of its own. */
export interface BodySource {
  /** true for memory shared by many small bodies (body-slabs.ts), false for a file on disk */
  readonly inMemory: boolean;
  /** The body at `at` (the message's offset in this source), `size` bytes long. */
  read(at: number, size: number): Buffer;
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

/** `Message.paging` counts holders in steps of this, above the PageState bits. */
export const HOLDER = 4;

/** Routing keys of CC and BCC headers: rare, so kept beside the messages that have them, not in each. */
const extraKeysOf = new WeakMap<Message, readonly string[]>();

/**
 * One published message. Properties stay as the publisher's encoded bytes and are parsed only when
 * something needs them (headers exchange, TTL, the console), so most messages are never parsed.
 * Queues hold references: fan-out to many queues never copies the body. A small body lies in a
 * slab shared with others (body-slabs.ts) rather than in a Buffer of its own; a body may be paged
 * out (persistent ones to the message log, others by the transient pager) and is then read back on
 * access. Every field costs each queued message 8 bytes: rare data lives elsewhere.
 */
export class Message {
  readonly exchange: string;
  readonly routingKey: string;
  readonly rawProperties: Buffer;
  readonly bodySize: number;
  /** Set by the store when it wrote the message: enough to confirm only after the fsync. */
  stored = false;
  /** Non-zero when the console follows this message (see flow.ts). */
  traceId = 0;
  /**
   * The transient pager's bookkeeping (see BodyPaging): the queue entries holding the message, in
   * steps of HOLDER, plus its PageState in the low bits.
   */
  paging = 0;
  /** the body in a Buffer of its own, or where it lies */
  private content: Buffer | BodySource;
  /** where in `content` the body lies, when that is a BodySource */
  private at = 0;
  /** The parsed properties, or until they are first read the codec that parses them (see PropertiesCodec). */
  private props: BasicProperties | PropertiesCodec;

  /**
   * `properties` are the parsed `rawProperties` when the caller has them, or else the codec that
   * reads `rawProperties` on demand.
   */
  constructor(exchange: string, routingKey: string, rawProperties: Buffer, body: Buffer, properties: BasicProperties | PropertiesCodec) {
    this.exchange = exchange;
    this.routingKey = routingKey;
    this.rawProperties = rawProperties;
    this.content = body;
    this.bodySize = body.length;
    this.props = properties;
  }

  /** A message whose body lies in `source` at `at` (a slab, or the log for a recovered message). */
  static from(exchange: string, routingKey: string, rawProperties: Buffer, codec: PropertiesCodec, bodySize: number, source: BodySource, at = 0): Message {
    const m = new Message(exchange, routingKey, rawProperties, EMPTY, codec);
    (m as { bodySize: number }).bodySize = bodySize;
    m.content = source;
    m.at = at;
    return m;
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

  get isResident(): boolean {
    const c = this.content;
    return c instanceof Uint8Array || c.inMemory;
  }

  get holders(): number {
    return this.paging >> 2;
  }

  get pageState(): PageState {
    return this.paging & 3;
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
    const p = this.props;
    if (!(p instanceof PropertiesCodec)) return p;
    return (this.props = p.decode(this.rawProperties));
  }

  /** Whether property `name` is present; answered from the raw bytes while they are unparsed. */
  has(name: keyof BasicProperties): boolean {
    const p = this.props;
    return p instanceof PropertiesCodec ? p.has(this.rawProperties, name) : p[name] != null;
  }

  /** delivery-mode 2; transient messages stay unparsed. */
  get persistent(): boolean {
    return this.has('deliveryMode') && this.properties.deliveryMode === 2;
  }
}

const EMPTY = Buffer.alloc(0);

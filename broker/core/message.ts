import { PropertiesCodec, type BasicProperties } from './properties';

/** Where a paged-out body can be read back from: the message log, or a page file of transient bodies. */
export interface BodySource {
  /** `at` is the message's `pageAt`: where in the source its body lies, for sources shared by many. */
  read(at: number, size: number): Buffer;
}

/** `pageAt` of a resident body that no pager counts. */
export const NOT_PAGED = -1;
/** `pageAt` of a resident body counted in the pager's memory budget. */
export const COUNTED = -2;

/**
 * One published message. Properties stay as the publisher's encoded bytes and are parsed only when
 * something needs them (headers exchange, TTL, the console), so most messages are never parsed.
 * Queues hold references: fan-out to many queues never copies the body. A persistent message's
 * body may be paged out to the message log and is then read back on access.
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
  /** CC/BCC routing keys it was published with, after `routingKey` (the firehose's routing_keys). */
  extraKeys: readonly string[] | undefined = undefined;
  /**
   * The queue entries holding this message (see BodyPaging): the transient pager frees its copy on
   * disk when the last one lets go.
   */
  holders = 0;
  /**
   * The pager's note (see BodyPaging): NOT_PAGED, COUNTED, or the offset of the body in the page
   * file it was written to (the file being `content` once written, the body itself until then).
   */
  pageAt = NOT_PAGED;
  /** the body while it is in memory, else where it is read back from */
  private content: Buffer | BodySource;
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

  /** A message restored from the log with its body left on disk. */
  static pagedOut(exchange: string, routingKey: string, rawProperties: Buffer, codec: PropertiesCodec, bodySize: number, source: BodySource): Message {
    const m = new Message(exchange, routingKey, rawProperties, EMPTY, codec);
    (m as { bodySize: number }).bodySize = bodySize;
    m.content = source;
    return m;
  }

  get body(): Buffer {
    const c = this.content;
    // A paged-out body is read for each use and not kept: it is usually on its way out.
    return c instanceof Uint8Array ? c : c.read(this.pageAt, this.bodySize);
  }

  get isResident(): boolean {
    return this.content instanceof Uint8Array;
  }

  /** The body while in memory, else where it is read from: the pager tells its own writes apart by it. */
  get bodySource(): Buffer | BodySource {
    return this.content;
  }

  /** Drops the in-memory body; later reads go to `source`, at `pageAt`. */
  pageOut(source: BodySource): void {
    this.content = source;
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

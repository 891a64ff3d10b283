import { PropertiesCodec, type BasicProperties } from './properties';

/** Where a paged-out body can be read back from (the message log). */
export interface BodySource {
  read(): Buffer;
}

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
  private resident: Buffer | null;
  private source: BodySource | undefined;
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
    this.resident = body;
    this.bodySize = body.length;
    this.props = properties;
  }

  /** A message restored from the log with its body left on disk. */
  static pagedOut(exchange: string, routingKey: string, rawProperties: Buffer, codec: PropertiesCodec, bodySize: number, source: BodySource): Message {
    const m = new Message(exchange, routingKey, rawProperties, EMPTY, codec);
    (m as { bodySize: number }).bodySize = bodySize;
    m.resident = null;
    m.source = source;
    return m;
  }

  get body(): Buffer {
    // A paged-out body is read for each use and not kept: it is usually on its way out.
    return this.resident ?? (this.source as BodySource).read();
  }

  get isResident(): boolean {
    return this.resident !== null;
  }

  /** Drops the in-memory body; later reads go to `source`. */
  pageOut(source: BodySource): void {
    this.source = source;
    this.resident = null;
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

import type { FieldTable } from './field-values';

/**
 * A message's properties, as AMQP's basic class carries them in a content header (RabbitMQ's
 * P_basic); absent ones are left out.
 */
export interface BasicProperties {
  contentType?: string;
  contentEncoding?: string;
  headers?: FieldTable;
  deliveryMode?: number;
  priority?: number;
  correlationId?: string;
  replyTo?: string;
  expiration?: string;
  messageId?: string;
  /** seconds since the epoch, as the wire carries it */
  timestamp?: number;
  type?: string;
  userId?: string;
  appId?: string;
  clusterId?: string;
}

/**
 * The encoding of Message.rawProperties: a message keeps its properties as the bytes its publisher
 * sent and parses them only when something asks. The core imports no protocol, so the codec is
 * given: to BrokerCore when it is made (createBroker passes AMQP's, broker/amqp/properties-codec.ts),
 * from there to each VirtualHost, whose `propertiesCodec` encodes the messages the core makes
 * (dead-lettered, traced, with x-delivery-count).
 *
 * A Message must still parse itself — `msg.properties` is read with nothing at hand (routing on
 * headers, the console, the store) — so it has to reach the decoder. A field for it would cost
 * 8 bytes for every queued message; instead the slot that later holds the parsed properties holds
 * the codec until the first read (see Message). Telling those two apart takes an `instanceof`,
 * which is why this is an abstract class rather than an interface. A module-level codec would
 * cost nothing either, but would hide the dependency: a test or a second broker in the process
 * would get whatever was installed last.
 */
export abstract class PropertiesCodec {
  /** The properties as bytes; values keep their field types (see field-values.ts). */
  abstract encode(p: BasicProperties): Buffer;
  /** Throws the codec's error when the bytes are malformed. */
  abstract decode(raw: Buffer): BasicProperties;
  /**
   * Whether `raw` carries property `name`, without parsing: lets the hot path skip the parse for
   * messages without a TTL, a priority or a persistent delivery mode.
   */
  abstract has(raw: Buffer, name: keyof BasicProperties): boolean;

  /** Whether `raw` carries user-id, expiration or headers: only those need the parse at publish (see prepareForRouting). */
  checkedAtPublish(raw: Buffer): boolean {
    return this.has(raw, 'userId') || this.has(raw, 'expiration') || this.has(raw, 'headers');
  }
}

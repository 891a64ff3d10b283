import { decodeProperties, type BasicProperties } from '../amqp/generated/protocol';

/**
 * One published message. Properties stay as the publisher's encoded bytes and are parsed only when
 * something needs them (headers exchange, TTL, the console), so most messages are never parsed.
 * Queues hold references: fan-out to many queues never copies the body.
 */
export class Message {
  readonly exchange: string;
  readonly routingKey: string;
  readonly rawProperties: Buffer;
  readonly body: Buffer;
  private parsed: BasicProperties | undefined;

  constructor(exchange: string, routingKey: string, rawProperties: Buffer, body: Buffer, properties?: BasicProperties) {
    this.exchange = exchange;
    this.routingKey = routingKey;
    this.rawProperties = rawProperties;
    this.body = body;
    this.parsed = properties;
  }

  get properties(): BasicProperties {
    if (this.parsed === undefined) this.parsed = decodeProperties(this.rawProperties, 0, this.rawProperties.length);
    return this.parsed;
  }

  /** delivery-mode 2; the property flag word is checked first so transient messages stay unparsed. */
  get persistent(): boolean {
    if (this.rawProperties.length < 2 || (this.rawProperties.readUInt16BE(0) & 0x1000) === 0) return false;
    return this.properties.deliveryMode === 2;
  }
}

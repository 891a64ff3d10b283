import { PropertiesCodec, type BasicProperties } from '../core/properties';
import { PROPERTY_FLAGS, decodeProperties, encodeProperties } from './generated/protocol';

/** Properties as a content header carries them after the body size: flag word(s), then values. */
class AmqpPropertiesCodec extends PropertiesCodec {
  encode(p: BasicProperties): Buffer {
    return encodeProperties(p);
  }

  decode(raw: Buffer): BasicProperties {
    return decodeProperties(raw, 0, raw.length);
  }

  has(raw: Buffer, name: keyof BasicProperties): boolean {
    // 0-9-1's properties all fit the first flag word
    return raw.length >= 2 && (raw.readUInt16BE(0) & PROPERTY_FLAGS[name]) !== 0;
  }
}

/** The codec of every message that comes in over AMQP, and the one createBroker gives the core. */
export const AMQP_PROPERTIES: PropertiesCodec = new AmqpPropertiesCodec();

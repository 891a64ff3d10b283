import { PropertiesCodec, type BasicProperties } from '../core/properties';
import { skipTable } from './field-table';
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

  /** One read of the flag word for every publish, rather than three lookups of a flag by name. */
  override checkedAtPublish(raw: Buffer): boolean {
    return raw.length >= 2 && (((raw[0] << 8) | raw[1]) & CHECKED_AT_PUBLISH) !== 0;
  }
}

const CHECKED_AT_PUBLISH = PROPERTY_FLAGS.userId | PROPERTY_FLAGS.expiration | PROPERTY_FLAGS.headers;

/** The codec of every message that comes in over AMQP, and the one createBroker gives the core. */
export const AMQP_PROPERTIES: PropertiesCodec = new AmqpPropertiesCodec();

// The flag bits of basic's properties whose values are not short strings (see PROPERTY_FLAGS).
const HEADERS_BIT = 13; // a field table
const DELIVERY_MODE_BIT = 12; // an octet
const PRIORITY_BIT = 11; // an octet
const TIMESTAMP_BIT = 6; // a longlong

/**
 * Whether buf[offset, end) holds property flags and values that decodeProperties accepts: each value
 * a flag announces is there and ends by `end`, and nothing follows the last. A message keeps its
 * properties as bytes and parses them only when something asks — perhaps in a TTL timer long after
 * the publish — so the channel walks them once at publish and refuses what could never be parsed.
 * Builds no objects: for a message without headers this is a few comparisons.
 */
export function propertiesWellFormed(buf: Buffer, offset: number, end: number): boolean {
  if (offset + 2 > end) return false;
  const flags = buf.readUInt16BE(offset);
  let o = offset + 2;
  // More flag words may follow (bit 0); none of their properties exist in 0-9-1.
  for (let more = flags & 1; more !== 0; o += 2) {
    if (o + 2 > end) return false;
    const word = buf.readUInt16BE(o);
    if ((word & 0xfffe) !== 0) return false;
    more = word & 1;
  }
  // the property bits (15 down to 2), highest first, as their values follow each other
  for (let rest = flags & 0xfffc; rest !== 0; ) {
    const bit = 31 - Math.clz32(rest);
    rest ^= 1 << bit;
    if (bit === HEADERS_BIT) {
      o = skipTable(buf, o, end);
      if (o < 0) return false;
    } else if (bit === DELIVERY_MODE_BIT || bit === PRIORITY_BIT) {
      o += 1;
    } else if (bit === TIMESTAMP_BIT) {
      o += 8;
    } else {
      if (o >= end) return false;
      o += 1 + buf[o];
    }
    if (o > end) return false;
  }
  return o === end;
}

import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeProperties, encodeProperties } from './generated/protocol';
import { propertiesWellFormed } from './properties-codec';

/** What the decoder says of `b`: true when it parses. */
function decodes(b: Buffer): boolean {
  try {
    decodeProperties(b, 0, b.length);
    return true;
  } catch {
    return false;
  }
}

describe('propertiesWellFormed', () => {
  const good = encodeProperties({
    contentType: 'text/plain', contentEncoding: 'gzip', headers: { a: 1, b: 'x', c: { d: [1, null, true] } },
    deliveryMode: 2, priority: 3, correlationId: 'c', replyTo: 'r', expiration: '100', messageId: 'm',
    timestamp: 1, type: 't', userId: 'guest', appId: 'a', clusterId: 'k',
  });

  it('accepts what the encoder makes, and no properties at all', () => {
    expect(propertiesWellFormed(good, 0, good.length)).toBe(true);
    expect(propertiesWellFormed(Buffer.from([0, 0]), 0, 2)).toBe(true);
  });

  it('refuses every cut of a good property list, and trailing bytes', () => {
    for (let n = 0; n < good.length; n++) expect(propertiesWellFormed(good, 0, n), `cut at ${n}`).toBe(false);
    const longer = Buffer.concat([good, Buffer.from([0])]);
    expect(propertiesWellFormed(longer, 0, longer.length)).toBe(false);
  });

  it('agrees with the decoder on random and mutated bytes', () => {
    for (let i = 0; i < 8000; i++) {
      let b: Buffer;
      if (i % 2 === 0) {
        b = Buffer.from(good);
        for (let k = 0; k < 1 + (i % 3); k++) b[(i * 7919 + k * 104729) % b.length] = randomBytes(1)[0];
      } else {
        b = randomBytes(2 + (i % 40));
      }
      expect(propertiesWellFormed(b, 0, b.length), b.toString('hex')).toBe(decodes(b));
    }
  });

  it('checks only [offset, end)', () => {
    const framed = Buffer.concat([Buffer.alloc(12, 9), good, Buffer.from([0xce])]);
    expect(propertiesWellFormed(framed, 12, 12 + good.length)).toBe(true);
    expect(propertiesWellFormed(framed, 12, framed.length)).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { Message } from './message';
import { PropertiesCodec, type BasicProperties } from './properties';

/** A codec that is not AMQP's: JSON bytes, counting what the message asks of it. */
class JsonCodec extends PropertiesCodec {
  decodes = 0;
  checks = 0;

  encode(p: BasicProperties): Buffer {
    return Buffer.from(JSON.stringify(p));
  }

  decode(raw: Buffer): BasicProperties {
    this.decodes++;
    return JSON.parse(raw.toString()) as BasicProperties;
  }

  has(raw: Buffer, name: keyof BasicProperties): boolean {
    this.checks++;
    return raw.includes(`"${name}"`);
  }
}

describe('Message properties', () => {
  it('are parsed by the codec it was made with, once, on the first read', () => {
    const codec = new JsonCodec();
    const msg = new Message('ex', 'rk', codec.encode({ contentType: 'text/plain', deliveryMode: 2 }), Buffer.from('b'), codec);
    expect(codec.decodes).toBe(0);
    expect(msg.properties).toEqual({ contentType: 'text/plain', deliveryMode: 2 });
    expect(msg.properties.contentType).toBe('text/plain');
    expect(codec.decodes).toBe(1);
  });

  it('answer has() and persistent from the raw bytes while unparsed, from the parse after', () => {
    const codec = new JsonCodec();
    const transient = new Message('ex', 'rk', codec.encode({ priority: 1 }), Buffer.alloc(0), codec);
    expect([transient.persistent, transient.has('priority'), transient.has('expiration')]).toEqual([false, true, false]);
    expect(codec.decodes).toBe(0);

    const persistent = new Message('ex', 'rk', codec.encode({ deliveryMode: 2 }), Buffer.alloc(0), codec);
    expect(persistent.persistent).toBe(true);
    expect(codec.decodes).toBe(1);
    const checks = codec.checks;
    expect([persistent.has('deliveryMode'), persistent.has('priority')]).toEqual([true, false]);
    expect(codec.checks).toBe(checks);
  });

  it('need no codec when made with their properties', () => {
    const props: BasicProperties = { messageId: 'm', deliveryMode: 2, expiration: undefined };
    const msg = new Message('ex', 'rk', Buffer.from('raw'), Buffer.alloc(0), props);
    expect(msg.properties).toBe(props);
    expect([msg.persistent, msg.has('messageId'), msg.has('expiration')]).toEqual([true, true, false]);
  });

  it('of a paged-out message are read with the codec it was restored with', () => {
    const codec = new JsonCodec();
    const msg = Message.from('ex', 'rk', codec.encode({ appId: 'a' }), codec, 3, { inMemory: false, read: () => Buffer.from('abc') });
    expect([msg.properties.appId, msg.body.toString(), msg.isResident]).toEqual(['a', 'abc', false]);
  });
});

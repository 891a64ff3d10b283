import { describe, expect, it } from 'vitest';
import { HOLDER, Message, PageState } from './message';
import { messageWithCopiedBody, SLAB_MAX_BODY } from './body-slabs';
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

describe('the facts a message packs into one number', () => {
  it('stored, the trace id, the pager state and the holders change independently', () => {
    const msg = new Message('ex', 'rk', Buffer.alloc(0), Buffer.from('b'), new JsonCodec());
    expect([msg.logged, msg.traceId, msg.holders, msg.pageState]).toEqual([false, 0, 0, 0]);
    msg.traceId = 7;
    msg.logged = true;
    msg.bits += 3 * HOLDER;
    msg.bits = (msg.bits & ~3) | PageState.Paged;
    expect([msg.logged, msg.traceId, msg.holders, msg.pageState]).toEqual([true, 7, 3, PageState.Paged]);
    msg.logged = false;
    msg.traceId = 0;
    expect([msg.logged, msg.traceId, msg.holders, msg.pageState]).toEqual([false, 0, 3, PageState.Paged]);
    // rare data lives beside the message, not in it
    msg.extraKeys = ['cc'];
    expect(msg.extraKeys).toEqual(['cc']);
    expect(Object.keys(msg)).not.toContain('extraKeys');
  });
});

describe('bodies copied out of a socket chunk', () => {
  const codec = new JsonCodec();
  const chunk = Buffer.alloc(40_000);
  for (let i = 0; i < chunk.length; i++) chunk[i] = i % 251;

  it('small ones share slabs and read back whole, across a slab boundary; big ones get their own Buffer', () => {
    const made: { msg: Message; start: number; end: number }[] = [];
    // 40 bodies of 700 bytes overflow one 16 KiB slab
    for (let i = 0; i < 40; i++) made.push({ msg: messageWithCopiedBody('', 'k', Buffer.alloc(0), codec, chunk, i * 700, i * 700 + 700), start: i * 700, end: i * 700 + 700 });
    const big = messageWithCopiedBody('', 'k', Buffer.alloc(0), codec, chunk, 100, 100 + SLAB_MAX_BODY + 1);
    chunk.fill(0); // the copies no longer depend on the chunk
    for (let i = 0; i < 40; i++) {
      const expected = Buffer.from(Array.from({ length: 700 }, (_, j) => (made[i].start + j) % 251));
      expect(made[i].msg.body.equals(expected)).toBe(true);
      expect(made[i].msg.isResident).toBe(true);
    }
    expect(made[0].msg.bodySource).toBe(made[1].msg.bodySource);
    expect(made[0].msg.bodySource).not.toBe(made[39].msg.bodySource);
    expect(big.bodySource).toBeInstanceOf(Buffer);
    expect(big.body.length).toBe(SLAB_MAX_BODY + 1);
    expect(big.body[0]).toBe(100 % 251);
  });
});

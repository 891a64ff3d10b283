import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CodecError } from './codec-error';
import { FrameReader, checkFrame } from './frame-reader';

interface Frame {
  type: number;
  channel: number;
  payload: Buffer;
}

function frame(type: number, channel: number, payload: Buffer | number[], end = 0xce): Buffer {
  const p = Buffer.from(payload);
  const b = Buffer.alloc(8 + p.length);
  b[0] = type;
  b.writeUInt16BE(channel, 1);
  b.writeUInt32BE(p.length, 3);
  p.copy(b, 7);
  b[7 + p.length] = end;
  return b;
}

/** Feeds the chunks in order and collects the frames, copying payloads as a consumer that keeps them must. */
function read(chunks: Buffer[], max = 131072): Frame[] {
  const reader = new FrameReader(max);
  const out: Frame[] = [];
  for (const c of chunks) reader.push(c, (type, channel, buf, start, end) => out.push({ type, channel, payload: Buffer.from(buf.subarray(start, end)) }));
  return out;
}

function codecError(f: () => unknown): CodecError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(CodecError);
    return e as CodecError;
  }
  throw new Error('expected a CodecError');
}

const sample: Frame[] = [
  { type: 1, channel: 0, payload: Buffer.from([0, 10, 0, 11, 1, 2, 3]) },
  { type: 8, channel: 0, payload: Buffer.alloc(0) },
  { type: 1, channel: 1, payload: Buffer.from([0, 60, 0, 40, 0, 0, 0, 1, 120, 0]) },
  { type: 2, channel: 1, payload: Buffer.from([0, 60, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0]) },
  { type: 3, channel: 1, payload: Buffer.from('hello') },
  { type: 3, channel: 7, payload: Buffer.alloc(0) },
  { type: 3, channel: 65535, payload: Buffer.alloc(300, 0xce) },
];
const stream = Buffer.concat(sample.map((f) => frame(f.type, f.channel, f.payload)));

describe('FrameReader', () => {
  it('reads frames from one chunk', () => {
    expect(read([stream])).toEqual(sample);
  });

  it('reads the same frames however the stream is split in two', () => {
    for (let i = 0; i <= stream.length; i++) {
      expect(read([stream.subarray(0, i), stream.subarray(i)])).toEqual(sample);
    }
  });

  it('reads the same frames split in three anywhere', () => {
    const short = stream.subarray(0, 60);
    const expected = read([short]);
    for (let i = 0; i <= short.length; i++) {
      for (let j = i; j <= short.length; j++) {
        expect(read([short.subarray(0, i), short.subarray(i, j), short.subarray(j)])).toEqual(expected);
      }
    }
  });

  it('reads the same frames one byte at a time, reporting each only once it is complete', () => {
    const reader = new FrameReader(131072);
    const out: Frame[] = [];
    const ends = new Set<number>();
    let at = 0;
    for (const f of sample) ends.add((at += 8 + f.payload.length));
    for (let i = 0; i < stream.length; i++) {
      const before = out.length;
      reader.push(stream.subarray(i, i + 1), (type, channel, buf, start, end) => out.push({ type, channel, payload: Buffer.from(buf.subarray(start, end)) }));
      expect(out.length - before).toBe(ends.has(i + 1) ? 1 : 0);
    }
    expect(out).toEqual(sample);
  });

  it('reads random streams cut into random chunks', () => {
    const frames = fc.array(
      fc.record({
        type: fc.constantFrom(1, 2, 3),
        channel: fc.nat(0xffff),
        payload: fc.uint8Array({ maxLength: 600 }).map((u) => Buffer.from(u)),
      }),
      { maxLength: 12 },
    );
    fc.assert(
      fc.property(frames, fc.array(fc.nat(), { maxLength: 20 }), (fs, cuts) => {
        const bytes = Buffer.concat(fs.map((f) => frame(f.type, f.channel, f.payload)));
        const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        const chunks: Buffer[] = [];
        let prev = 0;
        for (const p of [...points, bytes.length]) {
          chunks.push(bytes.subarray(prev, p));
          prev = p;
        }
        expect(read(chunks, 4096)).toEqual(fs);
      }),
      { numRuns: 500 },
    );
  });

  it('hands over a frame lying whole in a chunk as the chunk itself and where its payload lies, and a split one gathered', () => {
    const reader = new FrameReader(131072);
    const spans: Array<[Buffer, number, number]> = [];
    reader.push(stream, (_t, _c, buf, start, end) => spans.push([buf, start, end]));
    expect(spans[0]).toEqual([stream, 7, 7 + sample[0].payload.length]);
    expect(spans[0][0]).toBe(stream);
    expect(spans[6][0]).toBe(stream);
    expect(spans[6][2]).toBe(stream.length - 1);
    // split across two chunks: a buffer of its own, from 0
    const split: Array<[Buffer, number, number]> = [];
    const one = frame(3, 1, Buffer.from('hello'));
    reader.push(one.subarray(0, 9), (_t, _c, buf, start, end) => split.push([buf, start, end]));
    reader.push(one.subarray(9), (_t, _c, buf, start, end) => split.push([buf, start, end]));
    expect(split).toHaveLength(1);
    expect(split[0][0]).not.toBe(one);
    expect([split[0][1], split[0][2], split[0][0].toString()]).toEqual([0, 5, 'hello']);
  });

  it('accepts a payload of exactly maxFrameSize, as RabbitMQ does, and refuses one octet more', () => {
    expect(read([frame(3, 1, Buffer.alloc(4096))], 4096)).toHaveLength(1);
    const e = codecError(() => read([frame(3, 1, Buffer.alloc(4097))], 4096));
    expect(e.code).toBe(501);
    // RabbitMQ 3.10's words for it (it counts the limit without the 8 octets of framing).
    expect(e.message).toBe('FRAME_ERROR - type 3, all octets = <<>>: {frame_too_large,4097,4088}');
  });

  it('checks the size from the header alone, before any payload arrives or is allocated', () => {
    const reader = new FrameReader(131072);
    const header = Buffer.from([1, 0, 1, 0xff, 0xff, 0xff, 0xff]);
    reader.push(header.subarray(0, 5), () => {});
    const e = codecError(() => reader.push(header.subarray(5), () => {}));
    expect(e.message).toBe('FRAME_ERROR - type 1, all octets = <<>>: {frame_too_large,4294967295,131064}');
    expect(codecError(() => new FrameReader(4096).push(header, () => {})).code).toBe(501);
    expect([e.kind, e.fatal]).toEqual(['frame_too_large', true]);
  });

  it('uses a new maxFrameSize from the next frame on', () => {
    const reader = new FrameReader(4096);
    const seen: number[] = [];
    reader.push(frame(3, 1, Buffer.alloc(100)), (_t, _c, _buf, start, end) => seen.push(end - start));
    reader.maxFrameSize = 131072;
    reader.push(frame(3, 1, Buffer.alloc(10000)), (_t, _c, _buf, start, end) => seen.push(end - start));
    expect(seen).toEqual([100, 10000]);
    reader.maxFrameSize = 0; // no limit, as frame_max 0 means
    reader.push(frame(3, 1, Buffer.alloc(200000)), (_t, _c, _buf, start, end) => seen.push(end - start));
    expect(seen).toEqual([100, 10000, 200000]);
  });

  it('refuses a wrong frame-end octet with RabbitMQ\'s text, whole or split', () => {
    const bad = frame(1, 1, [0, 60, 0, 80, 0, 0, 0, 0, 0, 0, 0, 0, 0], 0);
    const text = 'FRAME_ERROR - type 1, all octets = <<0,60,0,80,0,0,0,0,0,0,0,0,0>>: {invalid_frame_end_marker,0}';
    expect(codecError(() => read([bad])).message).toBe(text);
    expect(codecError(() => read([bad.subarray(0, 10), bad.subarray(10)])).message).toBe(text);
    expect(codecError(() => read([bad.subarray(0, bad.length - 1), bad.subarray(bad.length - 1)])).message).toBe(text);
  });

  it('refuses unknown frame types, heartbeats with a payload, and methods and headers too short, as RabbitMQ does', () => {
    const check = (type: number, payload: number[] | Buffer) => codecError(() => checkFrame(type, Buffer.from(payload))).message;
    expect(check(7, [0, 0, 0, 0])).toBe('FRAME_ERROR - type 7, all octets = <<0,0,0,0>>: unknown_frame');
    expect(check(4, [0, 0, 0, 0])).toBe('FRAME_ERROR - type 4, all octets = <<0,0,0,0>>: unknown_frame');
    expect(check(8, [0, 0, 0])).toBe('FRAME_ERROR - type 8, all octets = <<0,0,0>>: unknown_frame');
    expect(check(8, Buffer.alloc(20))).toBe('FRAME_ERROR - type 8, first 16 octets = <<0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0>>: unknown_frame');
    expect(check(1, [0, 50])).toBe('FRAME_ERROR - type 1, all octets = <<0,50>>: unknown_frame');
    expect(check(2, [0, 60, 0, 0, 0, 0, 0, 0, 0, 0, 0])).toBe('FRAME_ERROR - type 2, all octets = <<0,60,0,0,0,0,0,0,0,0,0>>: unknown_frame');
    for (const [type, payload] of [[1, [0, 10, 0, 51]], [2, Buffer.alloc(12)], [3, []], [8, []]] as const) {
      expect(() => checkFrame(type, Buffer.from(payload))).not.toThrow();
    }
  });

  it('prints printable payloads as Erlang strings, as RabbitMQ does', () => {
    expect(codecError(() => checkFrame(8, Buffer.from('x'))).message).toBe('FRAME_ERROR - type 8, all octets = <<"x">>: unknown_frame');
    expect(codecError(() => checkFrame(9, Buffer.from('say "hi"\n'))).message).toBe(
      'FRAME_ERROR - type 9, all octets = <<"say \\"hi\\"\\n">>: unknown_frame',
    );
    expect(codecError(() => checkFrame(5, Buffer.alloc(0))).message).toBe('FRAME_ERROR - type 5, all octets = <<>>: unknown_frame');
  });

  it('hands over frames of any type: the connection judges them by its state', () => {
    const reader = new FrameReader(4096);
    const seen: number[] = [];
    const input = Buffer.concat([frame(1, 1, [0, 1, 0, 1]), frame(7, 1, []), frame(8, 0, [1]), frame(3, 1, [2])]);
    reader.push(input, (type) => seen.push(type));
    expect(seen).toEqual([1, 7, 8, 3]);
  });

  it('delivers the frames before a fatal error, and nothing after it', () => {
    const reader = new FrameReader(4096);
    const seen: number[] = [];
    const onFrame = (type: number): void => {
      seen.push(type);
    };
    const input = Buffer.concat([frame(1, 1, [0, 1, 0, 1]), frame(3, 1, [1], 0x00), frame(3, 1, [2])]);
    const e = codecError(() => reader.push(input, onFrame));
    expect([e.kind, e.fatal]).toEqual(['invalid_frame_end_marker', true]);
    expect(seen).toEqual([1]);
    reader.push(frame(1, 1, [0, 1, 0, 1]), onFrame);
    expect(seen).toEqual([1]);
  });

  it('lets an exception from onFrame through and keeps the rest of the chunk for the next push', () => {
    const reader = new FrameReader(4096);
    const seen: number[] = [];
    const onFrame = (_type: number, channel: number): void => {
      seen.push(channel);
      if (channel === 2) throw new Error('channel 2 failed');
    };
    const tail = frame(3, 5, [1, 2, 3]);
    const input = Buffer.concat([frame(1, 1, []), frame(1, 2, []), frame(1, 3, []), tail.subarray(0, 4)]);
    expect(() => reader.push(input, onFrame)).toThrow('channel 2 failed');
    expect(seen).toEqual([1, 2]);
    reader.push(tail.subarray(4), onFrame);
    expect(seen).toEqual([1, 2, 3, 5]);
  });
});

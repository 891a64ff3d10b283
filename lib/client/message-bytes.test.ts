import { describe, expect, it } from 'vitest';
import { base64Length, base64ToBytes, hexDump, jsonOf, previewOf, utf8Text } from './message-bytes';

const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');

describe('browsed bodies in the console', () => {
  it('decodes base64 to the same bytes', () => {
    expect([...base64ToBytes(b64(Buffer.from([0, 255, 10])))]).toEqual([0, 255, 10]);
  });
  it('counts base64 bytes with any padding', () => {
    for (const n of [0, 1, 2, 3, 4096, 4097]) expect(base64Length(b64(Buffer.alloc(n, 7)))).toBe(n);
  });
  it('reads UTF-8, forgives a character cut by truncation only when truncated', () => {
    const cut = Buffer.from('héllo').subarray(0, 2); // 'h' and half of 'é'
    expect(utf8Text(cut, true)).toBe('h');
    expect(utf8Text(cut, false)).toBeNull();
    expect(utf8Text(Buffer.from([0xff, 0xfe]), false)).toBeNull();
  });
  it('parses JSON objects and arrays only', () => {
    expect(jsonOf('{"a":[1]}')).toEqual({ a: [1] });
    expect(jsonOf('42')).toBeUndefined();
    expect(jsonOf('{broken')).toBeUndefined();
  });
  it('dumps hex with offsets and printable characters', () => {
    expect(hexDump(Buffer.from('hello, world!!!!x'))).toBe(
      '00000000  68 65 6c 6c 6f 2c 20 77  6f 72 6c 64 21 21 21 21  |hello, world!!!!|\n' +
        '00000010  78                                                |x|',
    );
  });
  it('previews binary as a note', () => {
    expect(previewOf(b64(Buffer.from([0xff, 0x00])), false)).toBe('binary, 2 bytes shown');
    expect(previewOf(b64('a\n  b'), false)).toBe('a b');
  });
});

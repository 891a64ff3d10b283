import { expect, it } from 'vitest';
import { copyOctets, sameOctets } from './octets';

it('copies a stretch of octets to an offset, short ones by loop and long ones by Buffer#copy, leaving the rest alone', () => {
  for (const n of [0, 1, 16, 64, 65, 1024]) {
    const src = Buffer.from(Array.from({ length: n + 10 }, (_, i) => (i * 7 + 3) & 0xff));
    const dst = Buffer.alloc(n + 20, 0xee);
    copyOctets(src, 5, 5 + n, dst, 9);
    expect(dst.subarray(9, 9 + n).equals(src.subarray(5, 5 + n)), `${n} octets`).toBe(true);
    expect([...dst.subarray(0, 9), ...dst.subarray(9 + n)].every((o) => o === 0xee), `${n} octets`).toBe(true);
  }
});

it('compares octets at an offset with a buffer, short ones by loop and long ones natively', () => {
  for (const n of [0, 1, 16, 64, 65, 1024]) {
    const a = Buffer.from(Array.from({ length: n }, (_, i) => (i * 13 + 1) & 0xff));
    const b = Buffer.concat([Buffer.alloc(7, 0xee), a, Buffer.alloc(3, 0xee)]);
    expect(sameOctets(a, b, 7), `${n} octets`).toBe(true);
    if (n === 0) continue;
    for (const at of [0, n - 1]) {
      const c = Buffer.from(b);
      c[7 + at] ^= 1;
      expect(sameOctets(a, c, 7), `${n} octets, differing at ${at}`).toBe(false);
    }
  }
});

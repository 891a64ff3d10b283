/** Up to this many octets a plain loop copies faster than Buffer#copy, whose argument checks and view of the source cost more than the copy. */
const SHORT_COPY = 64;

/**
 * Copies `src` from `start` to `end` into `dst` at `at`, which has room: what a message's body and
 * properties take on each publish and delivery, mostly a few dozen octets.
 */
export function copyOctets(src: Buffer, start: number, end: number, dst: Buffer, at: number): void {
  const n = end - start;
  if (n > SHORT_COPY) {
    src.copy(dst, at, start, end);
    return;
  }
  for (let i = 0; i < n; i++) dst[at + i] = src[start + i];
}

/**
 * Whether `b` holds the octets of `a` from `at`: a loop for the few dozen octets most properties
 * take, which costs less than the native compare's call; the native one for longer.
 */
export function sameOctets(a: Buffer, b: Buffer, at: number): boolean {
  const n = a.length;
  if (n > SHORT_COPY) return b.compare(a, 0, n, at, at + n) === 0;
  for (let i = 0; i < n; i++) if (a[i] !== b[at + i]) return false;
  return true;
}

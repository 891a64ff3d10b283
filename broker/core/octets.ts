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

import type { PropertiesCodec } from './properties';
import { Message, type BodySource } from './message';

/**
 * Memory many small bodies share. A Buffer costs about 100 bytes of heap besides its bytes, more
 * than a 16-byte body; bodies copied into a slab cost only their bytes. A slab is freed once no
 * message lies in it — as Node's own Buffer pool, whose slices the bodies were before, so one
 * long-lived message keeps at most a slab alive.
 */
class BodySlab implements BodySource {
  readonly inMemory = true;
  constructor(readonly bytes: Buffer) {}

  read(at: number, size: number): Buffer {
    return this.bytes.subarray(at, at + size);
  }
}

/** Bytes of a slab: a few dozen small bodies or 16 of 1 KiB. */
const SLAB_SIZE = 16 * 1024;
/** Bigger bodies get a Buffer of their own: their own header is small beside them. */
export const SLAB_MAX_BODY = 1024;

let slab = new BodySlab(Buffer.allocUnsafeSlow(SLAB_SIZE));
let used = 0;

/**
 * A message whose body is a copy of `src[start, end)` (at most SLAB_MAX_BODY bytes, else its own
 * Buffer): the copy frees the socket chunk `src` belongs to.
 */
export function messageWithCopiedBody(
  exchange: string, routingKey: string, rawProperties: Buffer, codec: PropertiesCodec, src: Buffer, start: number, end: number,
): Message {
  const size = end - start;
  if (size > SLAB_MAX_BODY) {
    const body = Buffer.allocUnsafeSlow(size);
    src.copy(body, 0, start, end);
    return new Message(exchange, routingKey, rawProperties, body, codec);
  }
  if (used + size > SLAB_SIZE) {
    slab = new BodySlab(Buffer.allocUnsafeSlow(SLAB_SIZE));
    used = 0;
  }
  const at = used;
  src.copy(slab.bytes, at, start, end);
  // 8-byte aligned, as Node's pool aligns its slices
  used = (at + size + 7) & ~7;
  return Message.from(exchange, routingKey, rawProperties, codec, size, slab, at);
}

import type { PropertiesCodec } from './properties';
import { Message, type BodySource } from './message';
import type { HeadRun } from './message-head';
import { copyOctets } from './octets';

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

/** The most a slab holds when many bodies are known to come (expectBodies): 256 of 1 KiB. */
const SLAB_MAX = 256 * 1024;

let slab = new BodySlab(Buffer.allocUnsafeSlow(SLAB_SIZE));
let used = 0;
/** bytes of small bodies announced by expectBodies and not copied yet */
let expected = 0;

/**
 * `bytes` of small bodies are about to be copied one after the other (recovery's read-back, a stretch
 * of the log at a time): the slabs made for them are bigger, so that they do not cost an allocation each 16.
 */
export function expectBodies(bytes: number): void {
  expected = bytes;
}

/** Copies `src[start, end)` (at most SLAB_MAX_BODY bytes) into the current slab; returns where it lies there. */
function copyToSlab(src: Buffer, start: number, end: number): number {
  const size = end - start;
  if (used + size > slab.bytes.length) {
    slab = new BodySlab(Buffer.allocUnsafeSlow(expected > SLAB_SIZE ? Math.min(expected, SLAB_MAX) : SLAB_SIZE));
    used = 0;
  }
  if (expected > 0) expected -= size;
  const at = used;
  copyOctets(src, start, end, slab.bytes, at);
  // 8-byte aligned, as Node's pool aligns its slices
  used = (at + size + 7) & ~7;
  return at;
}

/**
 * A message whose body is a copy of `src[start, end)` (at most SLAB_MAX_BODY bytes, else its own
 * Buffer): the copy frees the socket chunk `src` belongs to. `run`: the publisher's (see HeadRun).
 */
export function messageWithCopiedBody(
  exchange: string, routingKey: string, rawProperties: Buffer, codec: PropertiesCodec, src: Buffer, start: number, end: number, run?: HeadRun,
): Message {
  const size = end - start;
  if (size > SLAB_MAX_BODY) {
    const body = Buffer.allocUnsafeSlow(size);
    src.copy(body, 0, start, end);
    return new Message(exchange, routingKey, rawProperties, body, codec, run);
  }
  const at = copyToSlab(src, start, end);
  return Message.from(exchange, routingKey, rawProperties, codec, size, slab, at, run);
}

/**
 * `msg`, whose body is on disk, gets it back in memory: a copy of `src[start, end)`, in a slab
 * (a big body in one of its own). Recovery reads bodies back so once the broker is up.
 */
export function bringBodyIn(msg: Message, src: Buffer, start: number, end: number): void {
  const size = end - start;
  if (size > SLAB_MAX_BODY) {
    const own = new BodySlab(Buffer.allocUnsafeSlow(size));
    src.copy(own.bytes, 0, start, end);
    msg.pageOut(own, 0);
    return;
  }
  const at = copyToSlab(src, start, end);
  msg.pageOut(slab, at);
}

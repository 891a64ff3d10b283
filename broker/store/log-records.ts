import { crc32 } from 'node:zlib';

// The message log is a sequence of records, each checksummed so a torn or corrupted tail is found:
//
//   length u32 (of type..end) | crc32 u32 (of type..end) | type u8 | fields
//
//   MESSAGE    queue u32, seq f64, expiresAt f64, exchange (u8 len, bytes), routing key (u8 len,
//              bytes), properties (u32 len, bytes), body (u32 len, bytes) — the body last, so it can
//              be written from the publisher's buffer without a copy and read back alone
//   DELIVERED  queue u32, seq f64      (first delivery: after a restart it is redelivered)
//   REMOVED    queue u32, seq f64      (acked, rejected, expired, dropped)
//   PURGED     queue u32, seq f64      (everything of the queue below seq is gone)

export const RECORD_HEADER = 8;
export const enum RecordType {
  Message = 1,
  Delivered = 2,
  Removed = 3,
  Purged = 4,
}

export interface MessageMeta {
  queue: number;
  seq: number;
  expiresAt: number;
  exchange: string;
  routingKey: string;
  properties: Buffer;
}

/**
 * A MESSAGE record as two buffers: everything up to the body's length field, then the body
 * itself. Returns the head; the record's total size is head.length + body.length.
 */
export function encodeMessageHead(m: MessageMeta, body: Buffer): Buffer {
  const ex = Buffer.byteLength(m.exchange);
  const rk = Buffer.byteLength(m.routingKey);
  const headLen = RECORD_HEADER + 1 + 4 + 8 + 8 + 1 + ex + 1 + rk + 4 + m.properties.length + 4;
  const b = Buffer.allocUnsafe(headLen);
  let o = RECORD_HEADER;
  b[o++] = RecordType.Message;
  b.writeUInt32BE(m.queue, o);
  b.writeDoubleBE(m.seq, o + 4);
  b.writeDoubleBE(m.expiresAt, o + 12);
  o += 20;
  b[o++] = ex;
  o += b.write(m.exchange, o, 'utf8');
  b[o++] = rk;
  o += b.write(m.routingKey, o, 'utf8');
  b.writeUInt32BE(m.properties.length, o);
  o += 4;
  o += m.properties.copy(b, o);
  b.writeUInt32BE(body.length, o);
  const length = headLen - RECORD_HEADER + body.length;
  b.writeUInt32BE(length, 0);
  b.writeUInt32BE(crc32(body, crc32(b.subarray(RECORD_HEADER))), 4);
  return b;
}

/** DELIVERED, REMOVED and PURGED: a queue and a sequence number. */
export function encodeMark(type: RecordType, queue: number, seq: number): Buffer {
  const b = Buffer.allocUnsafe(RECORD_HEADER + 13);
  b[8] = type;
  b.writeUInt32BE(queue, 9);
  b.writeDoubleBE(seq, 13);
  b.writeUInt32BE(13, 0);
  b.writeUInt32BE(crc32(b.subarray(RECORD_HEADER)), 4);
  return b;
}

export type DecodedRecord =
  | { type: RecordType.Message; meta: MessageMeta; bodyOffset: number; bodyLength: number }
  | { type: RecordType.Delivered | RecordType.Removed | RecordType.Purged; queue: number; seq: number };

export type ScanResult =
  | { ok: true; record: DecodedRecord; next: number }
  | { ok: false; reason: 'short' | 'checksum' | 'malformed' };

/**
 * Reads the record at `off` of a segment's bytes; body offsets are relative to `buf`. The fields'
 * lengths are checked against the record's before the checksum is computed, so that scanning for
 * the next good record after a corrupt one (see MessageLog.open) costs a checksum only where a
 * record's whole layout already fits.
 */
export function decodeRecord(buf: Buffer, off: number): ScanResult {
  if (off + RECORD_HEADER > buf.length) return { ok: false, reason: 'short' };
  const length = buf.readUInt32BE(off);
  const start = off + RECORD_HEADER;
  const end = start + length;
  if (length < 1 || end > buf.length) return { ok: false, reason: 'short' };
  const type = buf[start];
  let record: DecodedRecord;
  if (type === RecordType.Message) {
    if (length < MIN_MESSAGE) return { ok: false, reason: 'malformed' };
    let o = start + 21;
    const exLen = buf[o++];
    o += exLen;
    if (o + 1 > end) return { ok: false, reason: 'malformed' };
    const rkLen = buf[o++];
    o += rkLen;
    if (o + 4 > end) return { ok: false, reason: 'malformed' };
    const propLen = buf.readUInt32BE(o);
    o += 4 + propLen;
    if (o + 4 > end) return { ok: false, reason: 'malformed' };
    const bodyLength = buf.readUInt32BE(o);
    o += 4;
    if (o + bodyLength !== end) return { ok: false, reason: 'malformed' };
    if (!checksumOk(buf, off, start, end)) return { ok: false, reason: 'checksum' };
    let p = start + 1;
    const queue = buf.readUInt32BE(p);
    const seq = buf.readDoubleBE(p + 4);
    const expiresAt = buf.readDoubleBE(p + 12);
    p += 21;
    const exchange = buf.toString('utf8', p, p + exLen);
    p += exLen + 1;
    const routingKey = buf.toString('utf8', p, p + rkLen);
    p += rkLen + 4;
    const properties = Buffer.from(buf.subarray(p, p + propLen));
    record = { type, meta: { queue, seq, expiresAt, exchange, routingKey, properties }, bodyOffset: o, bodyLength };
  } else if ((type === RecordType.Delivered || type === RecordType.Removed || type === RecordType.Purged) && length === 13) {
    if (!checksumOk(buf, off, start, end)) return { ok: false, reason: 'checksum' };
    record = { type, queue: buf.readUInt32BE(start + 1), seq: buf.readDoubleBE(start + 5) };
  } else {
    return { ok: false, reason: 'malformed' };
  }
  return { ok: true, record, next: end };
}

/** type, queue, seq, expiresAt, three length bytes/fields and the body length */
const MIN_MESSAGE = 1 + 4 + 8 + 8 + 1 + 1 + 4 + 4;

function checksumOk(buf: Buffer, off: number, start: number, end: number): boolean {
  return crc32(buf.subarray(start, end)) === buf.readUInt32BE(off + 4);
}

/**
 * The offset of the next record at or after `from` whose layout and checksum check out, or -1.
 * A false match needs a layout that fits exactly and a matching CRC-32: about one in 2^32 of the
 * rare offsets whose layout fits.
 */
export function resync(buf: Buffer, from: number): number {
  for (let off = from; off + RECORD_HEADER < buf.length; off++) {
    if (decodeRecord(buf, off).ok) return off;
  }
  return -1;
}

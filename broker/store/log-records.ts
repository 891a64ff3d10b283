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

/** Why checkRecord refused a record: negative, so that a result below 0 is a refusal and any other the next offset. */
export const enum Refusal {
  Short = -1,
  Checksum = -2,
  Malformed = -3,
}

export const REFUSAL_REASON = { [Refusal.Short]: 'short', [Refusal.Checksum]: 'checksum', [Refusal.Malformed]: 'malformed' } as const;

// Where a MESSAGE record's fields sit, from the record's start (see the layout above).
const M_QUEUE = RECORD_HEADER + 1;
const M_SEQ = M_QUEUE + 4;
const M_EXPIRES = M_SEQ + 8;
const M_EXCHANGE = M_EXPIRES + 8;

/**
 * Checks the record at `off` of a segment's bytes and returns the offset after it, or a Refusal.
 * The fields' lengths are checked against the record's before the checksum is computed, so that
 * scanning for the next good record after a corrupt one (see MessageLog.open) costs a checksum only
 * where a record's whole layout already fits. Nothing is allocated but the checksum's view: recovery
 * runs this over every record of the log, and reads only the fields it keeps (the readers below).
 */
export function checkRecord(buf: Buffer, off: number): number {
  if (off + RECORD_HEADER > buf.length) return Refusal.Short;
  const length = buf.readUInt32BE(off);
  const start = off + RECORD_HEADER;
  const end = start + length;
  if (length < 1 || end > buf.length) return Refusal.Short;
  const type = buf[start];
  if (type === RecordType.Message) {
    if (length < MIN_MESSAGE) return Refusal.Malformed;
    let o = off + M_EXCHANGE;
    o += 1 + buf[o];
    if (o + 1 > end) return Refusal.Malformed;
    o += 1 + buf[o];
    if (o + 4 > end) return Refusal.Malformed;
    o += 4 + buf.readUInt32BE(o);
    if (o + 4 > end) return Refusal.Malformed;
    if (o + 4 + buf.readUInt32BE(o) !== end) return Refusal.Malformed;
  } else if (!((type === RecordType.Delivered || type === RecordType.Removed || type === RecordType.Purged) && length === 13)) {
    return Refusal.Malformed;
  }
  // a plain view: cheaper to make than a Buffer, and crc32 needs no more
  return crc32(new Uint8Array(buf.buffer, buf.byteOffset + start, length)) === buf.readUInt32BE(off + 4) ? end : Refusal.Checksum;
}

// Field readers of a record checkRecord accepted at `off`.

export function recordType(buf: Buffer, off: number): RecordType {
  return buf[off + RECORD_HEADER];
}

/** the queue id, of any record type */
export function recordQueue(buf: Buffer, off: number): number {
  return buf.readUInt32BE(off + M_QUEUE);
}

/** the sequence number, of any record type */
export function recordSeq(buf: Buffer, off: number): number {
  return buf.readDoubleBE(off + M_SEQ);
}

export function messageExpiresAt(buf: Buffer, off: number): number {
  return buf.readDoubleBE(off + M_EXPIRES);
}

/** The exchange name's length byte; the name follows it. */
export function messageExchangeAt(off: number): number {
  return off + M_EXCHANGE;
}

/** The routing key's length byte; the key follows it. */
export function messageRoutingKeyAt(buf: Buffer, off: number): number {
  const ex = off + M_EXCHANGE;
  return ex + 1 + buf[ex];
}

/** The properties' u32 length; the bytes follow it. */
export function messagePropertiesAt(buf: Buffer, off: number): number {
  const rk = messageRoutingKeyAt(buf, off);
  return rk + 1 + buf[rk];
}

/** The body's u32 length; the body follows it, to the record's end. */
export function messageBodyAt(buf: Buffer, propertiesAt: number): number {
  return propertiesAt + 4 + buf.readUInt32BE(propertiesAt);
}

/** Reads the record at `off` of a segment's bytes, as objects; body offsets are relative to `buf`. */
export function decodeRecord(buf: Buffer, off: number): ScanResult {
  const next = checkRecord(buf, off);
  if (next < 0) return { ok: false, reason: REFUSAL_REASON[next as Refusal] };
  const type = recordType(buf, off);
  const queue = recordQueue(buf, off);
  const seq = recordSeq(buf, off);
  if (type !== RecordType.Message) return { ok: true, record: { type, queue, seq }, next };
  const ex = messageExchangeAt(off);
  const exchange = buf.toString('utf8', ex + 1, ex + 1 + buf[ex]);
  const rk = messageRoutingKeyAt(buf, off);
  const routingKey = buf.toString('utf8', rk + 1, rk + 1 + buf[rk]);
  const pr = messagePropertiesAt(buf, off);
  const properties = Buffer.from(buf.subarray(pr + 4, pr + 4 + buf.readUInt32BE(pr)));
  const body = messageBodyAt(buf, pr);
  const meta = { queue, seq, expiresAt: messageExpiresAt(buf, off), exchange, routingKey, properties };
  return { ok: true, record: { type, meta, bodyOffset: body + 4, bodyLength: buf.readUInt32BE(body) }, next };
}

/** type, queue, seq, expiresAt, three length bytes/fields and the body length */
const MIN_MESSAGE = 1 + 4 + 8 + 8 + 1 + 1 + 4 + 4;

/**
 * The offset of the next record at or after `from` whose layout and checksum check out, or -1.
 * A false match needs a layout that fits exactly and a matching CRC-32: about one in 2^32 of the
 * rare offsets whose layout fits.
 */
export function resync(buf: Buffer, from: number): number {
  for (let off = from; off + RECORD_HEADER < buf.length; off++) {
    if (checkRecord(buf, off) >= 0) return off;
  }
  return -1;
}

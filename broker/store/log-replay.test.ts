// LogReplay keeps what each queue still holds as rows of numbers, found by binary search, with
// compaction's out-of-order copies kept apart. These tests hold it to the plain model recovery used
// before (a Map of records per queue, each mark applied to it in log order) over random logs.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { encodeMessageHead, RecordType } from './log-records';
import { LogReplay } from './log-replay';
import { Segment } from './message-log';

type Op =
  | { k: 'pub'; q: number; skip: number; meta: number; body: number }
  | { k: 'copy'; q: number; pick: number }
  | { k: 'mark'; type: RecordType.Delivered | RecordType.Removed | RecordType.Purged; q: number; pick: number }
  | { k: 'skip' };

const METAS = [
  { exchange: '', routingKey: 'q', properties: Buffer.from([0x10, 0x00, 0x02]) },
  { exchange: 'orders', routingKey: 'eu.de', properties: Buffer.from([0x90, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02]) },
  { exchange: 'x', routingKey: 'ü', properties: Buffer.alloc(0) },
];

interface Held {
  seq: number;
  exchange: string;
  routingKey: string;
  properties: string;
  body: string;
  delivered: boolean;
  gap: number;
}

/** What recovery made of a log before LogReplay: a Map per queue id, marks applied in order. */
class Model {
  readonly live = new Map<number, Map<number, Held>>();
  readonly highest = new Map<number, number>();
  readonly skips: number[] = [];

  message(q: number, rec: Held): void {
    let m = this.live.get(q);
    if (m === undefined) this.live.set(q, (m = new Map()));
    const before = m.get(rec.seq);
    m.set(rec.seq, { ...rec, delivered: before?.delivered ?? false, gap: before?.gap ?? -1 });
    if (rec.seq > (this.highest.get(q) ?? -1)) this.highest.set(q, rec.seq);
  }

  mark(type: RecordType, q: number, seq: number): void {
    const m = this.live.get(q);
    if (m === undefined) return;
    if (type === RecordType.Delivered) {
      const rec = m.get(seq);
      if (rec !== undefined) rec.delivered = true;
    } else if (type === RecordType.Removed) m.delete(seq);
    else for (const s of m.keys()) if (s < seq) m.delete(s);
  }

  skip(): void {
    for (const m of this.live.values()) {
      for (const rec of m.values()) {
        if (rec.delivered) continue;
        rec.delivered = true;
        rec.gap = this.skips.length;
      }
    }
    this.skips.push(0);
  }

  held(q: number): Held[] {
    return [...(this.live.get(q)?.values() ?? [])].sort((a, b) => a.seq - b.seq);
  }
}

/** Where each record of a play was put: by its segment's index in LogReplay.segments (one segment a record). */
interface Placed {
  body: string;
  bodyAt: number;
}

/** Plays `ops` into a LogReplay and the model alike: each record in a buffer and a segment of its own. */
function play(ops: Op[], compactMin: number): { replay: LogReplay; model: Model; placed: Placed[]; suspects: number[] } {
  const replay = new LogReplay(compactMin);
  const model = new Model();
  const nextSeq = [0, 0, 0, 0];
  const published: number[][] = [[], [], [], []];
  const bodies = new Map<string, { meta: number; body: number }>();
  const placed: Placed[] = [];
  const emit = (q: number, seq: number, meta: number, body: number): void => {
    const m = METAS[meta];
    const payload = Buffer.from(`body ${q}/${seq}/${body}`);
    const head = encodeMessageHead({ queue: q, seq, expiresAt: seq * 10, ...m }, payload);
    const pad = placed.length % 7;
    const buf = Buffer.concat([Buffer.alloc(pad, 0xee), head, payload]);
    replay.message(buf, pad, new Segment(placed.length, 'seg', -1, 0), head.length + payload.length);
    placed.push({ body: payload.toString(), bodyAt: pad + head.length });
    model.message(q, { seq, ...m, properties: m.properties.toString('hex'), body: payload.toString(), delivered: false, gap: -1 });
  };
  for (const op of ops) {
    if (op.k === 'pub') {
      nextSeq[op.q] += op.skip;
      const seq = nextSeq[op.q]++;
      published[op.q].push(seq);
      bodies.set(`${op.q}/${seq}`, { meta: op.meta, body: op.body });
      emit(op.q, seq, op.meta, op.body);
    } else if (op.k === 'copy') {
      const seqs = published[op.q];
      if (seqs.length === 0) continue;
      // compaction moves the oldest first, and may move one message again and again
      const seq = seqs[op.pick % 2 === 0 ? op.pick % Math.min(seqs.length, 4) : op.pick % seqs.length];
      const { meta, body } = bodies.get(`${op.q}/${seq}`) as { meta: number; body: number };
      emit(op.q, seq, meta, body);
    } else if (op.k === 'mark') {
      const seqs = published[op.q];
      // now and then a mark for a sequence number no record has
      const seq = seqs.length === 0 || op.pick % 11 === 0 ? op.pick : seqs[op.pick % 3 === 0 ? op.pick % Math.min(seqs.length, 4) : op.pick % seqs.length];
      replay.mark(op.type, op.q, seq);
      model.mark(op.type, op.q, seq);
    } else {
      replay.skipped(`seg:${placed.length}`);
      model.skip();
    }
  }
  expect(replay.segments.length).toBe(placed.length);
  return { replay, model, placed, suspects: replay.finish() };
}

function heldBy(replay: LogReplay, placed: Placed[], q: number): Held[] {
  const r = replay.queues.get(q);
  if (r === undefined) return [];
  const out: Held[] = [];
  for (let i = 0; i < r.length; i++) {
    const meta = r.meta(i);
    const where = placed[r.segment(i)];
    expect(r.bodyAt(i)).toBe(where.bodyAt);
    expect(r.bodyLength(i)).toBe(Buffer.byteLength(where.body));
    expect(r.expiresAt(i)).toBe(r.seq(i) * 10);
    out.push({
      seq: r.seq(i), exchange: meta.exchange, routingKey: meta.routingKey, properties: meta.properties.toString('hex'),
      body: where.body, delivered: r.isDelivered(i), gap: r.gap(i),
    });
  }
  return out;
}

function compare(ops: Op[], compactMin: number): void {
  const { replay, model, placed, suspects } = play(ops, compactMin);
  for (const q of [0, 1, 2, 3]) {
    expect(heldBy(replay, placed, q)).toEqual(model.held(q));
    expect(replay.queues.get(q)?.highestSeq ?? -1).toBe(model.highest.get(q) ?? -1);
  }
  const wantSuspects = model.skips.map((_, gap) => [...model.live.values()].reduce((n, m) => n + [...m.values()].filter((h) => h.gap === gap).length, 0));
  expect(suspects).toEqual(wantSuspects);
}

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ k: fc.constant('pub' as const), q: fc.nat(3), skip: fc.oneof(fc.constant(0), fc.nat(3)), meta: fc.nat(2), body: fc.nat(9) }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('copy' as const), q: fc.nat(3), pick: fc.nat(1000) }) },
  {
    weight: 6,
    arbitrary: fc.record({
      k: fc.constant('mark' as const),
      type: fc.constantFrom(RecordType.Delivered, RecordType.Removed, RecordType.Removed, RecordType.Purged),
      q: fc.nat(3),
      pick: fc.nat(1000),
    }).map((o) => (o.type === RecordType.Purged && o.pick % 4 !== 0 ? { ...o, type: RecordType.Removed as const } : o)),
  },
  { weight: 1, arbitrary: fc.constant({ k: 'skip' as const }) },
);

describe('LogReplay holds what the plain model holds', () => {
  test('random logs: publishes, compaction copies, deliveries, acks, purges and skipped stretches, in any order', () => {
    fc.assert(fc.property(fc.array(op, { maxLength: 300, size: 'max' }), fc.constantFrom(1, 2, 8, 4096), (ops, compactMin) => compare(ops, compactMin)), { numRuns: 400 });
  });

  test('a long queue consumed in order while it is filled, with a few copies and redeliveries, compacts and keeps the rest', () => {
    const ops: Op[] = [];
    for (let i = 0; i < 30_000; i++) {
      ops.push({ k: 'pub', q: 1, skip: 0, meta: i % 97 === 0 ? 1 : 0, body: i % 10 });
      if (i % 3 === 0) ops.push({ k: 'mark', type: RecordType.Delivered, q: 1, pick: i });
      if (i > 100 && i % 4 !== 0) ops.push({ k: 'mark', type: RecordType.Removed, q: 1, pick: i - 100 });
      if (i % 5000 === 4017) ops.push({ k: 'copy', q: 1, pick: i - 50 });
    }
    compare(ops, 4096);
  });

  test('identical exchange, routing key and properties share one decoded copy', () => {
    const ops: Op[] = [];
    for (let i = 0; i < 50; i++) ops.push({ k: 'pub', q: 0, skip: 0, meta: i < 25 ? 0 : 1, body: 0 });
    const { replay } = play(ops, 4096);
    expect(replay.metasMade).toBe(2);
  });
});

import fs from 'node:fs';
import { crc32 } from 'node:zlib';
import type { Logger } from '../logger';
import { checkDefinitions, DefinitionsFileError, type DefinitionsFile } from './definitions-file';
import type { StoredDefinitions } from './stored-definitions';

// DATA_DIR/definitions.journal: the changes made since definitions.json (the snapshot) was written,
// appended as they happen, so a declare costs one small append and not a rewrite of every queue.
//
//   record = length u32 (of the JSON) | crc32 u32 (of the JSON) | JSON, UTF-8
//
// The first record names the journal's generation; the snapshot names the generation whose journal
// completes it. Compaction writes a snapshot of generation g+1, then an empty journal of g+1, each
// atomically: a crash between leaves a journal of g, older than the snapshot and so not replayed.
// Every record holds the whole new state of one key (a queue, an exchange, the bindings between two
// ends with one routing key), so replaying a record twice changes nothing.

type QueueEntry = StoredDefinitions['queues'][number];
type ExchangeEntry = StoredDefinitions['exchanges'][number];
type BindingEntry = StoredDefinitions['bindings'][number];
export type BindingEnds = Omit<BindingEntry, 'arguments'>;

export type JournalOp =
  | { op: 'journal'; generation: number }
  | { op: 'queue'; queue: QueueEntry; nextQueueId: number }
  | { op: 'queue-deleted'; vhost: string; name: string }
  | { op: 'exchange'; exchange: ExchangeEntry }
  | { op: 'exchange-deleted'; vhost: string; name: string }
  /** every binding between these ends with this routing key, by its arguments: [] when none is left */
  | { op: 'bindings'; ends: BindingEnds; arguments: string[] };

const HEADER = 8;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

export function encodeJournalRecord(op: JournalOp): Buffer {
  const json = Buffer.from(JSON.stringify(op), 'utf8');
  const b = Buffer.allocUnsafe(HEADER + json.length);
  b.writeUInt32BE(json.length, 0);
  b.writeUInt32BE(crc32(json), 4);
  json.copy(b, HEADER);
  return b;
}

/** The JSON of the record at `off`, or undefined when it is short, or its layout or checksum is wrong. */
function recordAt(buf: Buffer, off: number): Buffer | undefined {
  if (off + HEADER > buf.length) return undefined;
  const length = buf.readUInt32BE(off);
  const end = off + HEADER + length;
  if (length < 2 || end > buf.length || buf[off + HEADER] !== OPEN_BRACE || buf[end - 1] !== CLOSE_BRACE) return undefined;
  const json = buf.subarray(off + HEADER, end);
  return crc32(json) === buf.readUInt32BE(off + 4) ? json : undefined;
}

export interface Journal {
  generation: number;
  ops: JournalOp[];
}

/**
 * Reads the journal; undefined when there is none. A bad record with nothing intact after it is
 * the tail of an append a crash interrupted (never acknowledged: a change is answered only once its
 * record is on disk) and is left out, with a log line. A bad record with intact ones after it is
 * damage Warren cannot repair by itself: start-up stops and nothing is changed.
 */
export function readJournal(file: string, log: Logger): Journal | undefined {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch (err) {
    if (err instanceof Error && 'code' in err && err.code === 'ENOENT') return undefined;
    throw new DefinitionsFileError(file, err instanceof Error ? err.message : String(err), { cause: err });
  }
  const ops: JournalOp[] = [];
  let off = 0;
  while (off < buf.length) {
    const json = recordAt(buf, off);
    let op: JournalOp | undefined;
    try {
      op = json === undefined ? undefined : (JSON.parse(json.toString('utf8')) as JournalOp);
    } catch {
      op = undefined;
    }
    if (op === undefined || typeof op !== 'object' || op === null || typeof op.op !== 'string') {
      for (let next = off + 1; next + HEADER < buf.length; next++) {
        if (recordAt(buf, next) !== undefined) {
          throw new DefinitionsFileError(file, `the record at byte ${off} is damaged and intact records follow it (first at byte ${next})`);
        }
      }
      log.warn(`${file}: bytes ${off}-${buf.length - 1} are an append a crash interrupted (never acknowledged); left out`);
      break;
    }
    ops.push(op);
    off += HEADER + buf.readUInt32BE(off);
  }
  const head = ops[0];
  if (head === undefined) return undefined;
  if (head.op !== 'journal' || !Number.isSafeInteger(head.generation)) throw new DefinitionsFileError(file, 'it does not start with a journal header');
  return { generation: head.generation, ops: ops.slice(1) };
}

const key = (...parts: string[]) => JSON.stringify(parts);
const endsKey = (e: BindingEnds) => key(e.vhost, e.source, e.destination_type, e.destination, e.routing_key);

/** The snapshot with the journal's changes applied, checked as a definitions file is. */
export function replayJournal(file: string, snapshot: DefinitionsFile, journal: JournalOp[]): DefinitionsFile {
  const queues = new Map(snapshot.queues.map((q) => [key(q.vhost, q.name), q]));
  const exchanges = new Map(snapshot.exchanges.map((x) => [key(x.vhost, x.name), x]));
  const bindings = new Map<string, BindingEntry[]>();
  for (const b of snapshot.bindings) {
    const k = endsKey(b);
    bindings.set(k, [...(bindings.get(k) ?? []), b]);
  }
  let nextQueueId = snapshot.nextQueueId;
  const dropBindings = (vhost: string, name: string, kind: 'queue' | 'exchange') => {
    for (const [k, list] of bindings) {
      const b = list[0];
      if (b === undefined || b.vhost !== vhost) continue;
      if ((b.destination_type === kind && b.destination === name) || (kind === 'exchange' && b.source === name)) bindings.delete(k);
    }
  };
  for (const op of journal) {
    switch (op.op) {
      case 'queue':
        queues.delete(key(op.queue.vhost, op.queue.name));
        queues.set(key(op.queue.vhost, op.queue.name), op.queue);
        nextQueueId = Math.max(nextQueueId, op.nextQueueId);
        break;
      case 'queue-deleted':
        queues.delete(key(op.vhost, op.name));
        dropBindings(op.vhost, op.name, 'queue');
        break;
      case 'exchange':
        exchanges.delete(key(op.exchange.vhost, op.exchange.name));
        exchanges.set(key(op.exchange.vhost, op.exchange.name), op.exchange);
        break;
      case 'exchange-deleted':
        exchanges.delete(key(op.vhost, op.name));
        dropBindings(op.vhost, op.name, 'exchange');
        break;
      case 'bindings': {
        const k = endsKey(op.ends);
        bindings.delete(k);
        if (op.arguments.length > 0) bindings.set(k, op.arguments.map((a) => ({ ...op.ends, arguments: a })));
        break;
      }
      default:
        throw new DefinitionsFileError(file, `unknown record ${JSON.stringify((op as { op: unknown }).op)}`);
    }
  }
  const defs: DefinitionsFile = {
    ...snapshot,
    nextQueueId,
    queues: [...queues.values()],
    exchanges: [...exchanges.values()],
    bindings: [...bindings.values()].flat(),
  };
  const problem = checkDefinitions(defs);
  if (problem !== undefined) throw new DefinitionsFileError(file, `replayed onto the snapshot: ${problem}`);
  return defs;
}

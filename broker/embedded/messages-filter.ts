// Filtering a queue's ready messages with a CEL expression (message-filter.ts), on the broker and
// without consuming. A request examines messages in slices of a few milliseconds, letting AMQP
// traffic run between slices, and stops at its budget (messages examined, time spent) or once it
// has `limit` matches — so a filter over millions of messages never stalls the broker. Its answer
// says how many it examined and where the next request goes on. Positions move while messages come
// and go: between slices the scan finds the last message it examined again by its id.
import type { BrokerCore } from '../core/broker-core';
import type { Queue } from '../core/queue';
import { BROWSE_MAX_BODY_BYTES, BROWSE_MAX_LIMIT, BROWSE_MAX_PAGE_BYTES, FILTER_MAX_MS, FILTER_MAX_SCANNED, type Actor, type BrowsedMessage, type FilterOptions, type FilterPage } from '../api/broker-api';
import { compileFilter, subjectOf } from './message-filter';
import { browsedQueue, shown } from './messages-browse';

const SLICE_MS = 8;
/** How far back a moved message is looked for between slices. */
const RELOCATE_WINDOW = 10_000;

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const clamp = (v: number | undefined, lo: number, hi: number, fallback: number) =>
  v === undefined || !Number.isFinite(v) ? fallback : Math.min(hi, Math.max(lo, Math.floor(v)));

/** Where the message after the one with id `seq` (last seen at `position - 1`) is now. */
function resume(q: Queue, seq: number, position: number): number {
  if (q.readyAt(position - 1)?.seq === seq) return position;
  for (let i = Math.min(position - 1, q.messagesReady - 1), n = 0; i >= 0 && n < RELOCATE_WINDOW; i--, n++) {
    if (q.readyAt(i)?.seq === seq) return i + 1;
  }
  // gone (consumed or expired): the messages ahead of it left too, so go on from the same place or the end
  return Math.min(position, q.messagesReady);
}

/** `bodies` receives a reader of each match's whole body, for masking. */
export async function filterQueue(core: BrokerCore, who: Actor, vhost: string, queue: string, o: FilterOptions, bodies?: (() => Buffer)[]): Promise<FilterPage> {
  const { vh, q } = browsedQueue(core, who, vhost, queue);
  const filter = compileFilter(o.expression);
  const limit = clamp(o.limit, 0, BROWSE_MAX_LIMIT, 50);
  const bodyLimit = clamp(o.bodyLimit, 0, BROWSE_MAX_BODY_BYTES, 4096);
  const maxScanned = clamp(o.maxScanned, 1, FILTER_MAX_SCANNED, FILTER_MAX_SCANNED);
  const maxMs = clamp(o.maxMs, 1, FILTER_MAX_MS, FILTER_MAX_MS);
  const started = performance.now();
  const matches: BrowsedMessage[] = [];
  let budget = BROWSE_MAX_PAGE_BYTES;
  let position = clamp(o.cursor, 0, Number.MAX_SAFE_INTEGER, 0);
  let scanned = 0;
  let errors = 0;
  let firstError: string | null = null;
  let lastSeq = -1;
  let stopped: FilterPage['stopped'] | undefined;
  while (stopped === undefined) {
    if (lastSeq >= 0) {
      await nextTurn();
      if (q.deleted) break;
      position = resume(q, lastSeq, position);
    }
    const sliceEnd = Math.min(performance.now() + SLICE_MS, started + maxMs);
    for (;;) {
      if (matches.length >= limit) {
        stopped = 'limit';
        break;
      }
      if (scanned >= maxScanned) {
        stopped = 'scan_budget';
        break;
      }
      const entry = q.readyAt(position);
      if (entry === undefined) {
        stopped = 'end';
        break;
      }
      let hit = false;
      try {
        hit = filter.test(subjectOf(entry));
      } catch (err) {
        errors++;
        firstError ??= `message ${entry.seq}: ${err instanceof Error ? (err.message.split('\n')[0] ?? err.message) : String(err)}`;
      }
      if (hit) {
        const m = shown(vh, q, entry, position, Math.min(bodyLimit, budget), undefined, o.raw === true);
        budget -= Math.min(m.payload_bytes, bodyLimit, budget);
        matches.push(m);
        const msg = entry.msg;
        bodies?.push(() => msg.body);
      }
      lastSeq = entry.seq;
      position++;
      scanned++;
      // the clock is read every 64 messages: cheap, and a slice overshoots by little
      if ((scanned & 63) === 0 && performance.now() >= sliceEnd) break;
    }
    if (stopped === undefined && performance.now() >= started + maxMs) stopped = 'time_budget';
  }
  const done = stopped === 'end' || q.deleted;
  return {
    matches,
    scanned,
    total: q.messagesReady,
    next_cursor: done ? null : position,
    stopped: stopped ?? 'end',
    errors,
    first_error: firstError,
  };
}

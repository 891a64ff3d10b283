// Moving, copying and returning a queue's ready messages, as jobs on the broker. At least once:
// a slice of copies is routed, then (when any of them went to disk) the store's next fsync is
// awaited, and only then are the sources of a move removed — a crash in between leaves both, never
// neither. Slices last a few milliseconds and the wait for the disk is a callback, so AMQP traffic
// runs between them; a rate limit spaces the slices out. Sources are removed by identity, so a
// message consumed meanwhile is simply not found (it was delivered twice: counted as a duplicate).
import type { BrokerCore } from '../core/broker-core';
import { AmqpError } from '../core/errors';
import type { Exchange } from '../core/exchange';
import { Message } from '../core/message';
import { publishTarget } from '../core/publishing';
import type { Queue, QueueEntry } from '../core/queue';
import { Routed, type VirtualHost } from '../core/vhost';
import {
  TRANSFER_MAX_IDS,
  TRANSFER_MAX_RATE,
  type Actor,
  type MessageSelection,
  type ReturnDestination,
  type ReturnPreview,
  type TransferJob,
  type TransferSpec,
} from '../api/broker-api';
import { BrokerError } from '../api/errors';
import { MessageJobs, type RunningJob } from '../api/message-jobs';
import { compileFilter, subjectOf, type CompiledFilter } from './message-filter';
import { browsedQueue } from './messages-browse';
import { vhostFor } from './access';

const SLICE_MS = 8;
const SLICE_MAX = 500;
/** messages a slice looks at, matching or not */
const SCAN_PER_SLICE = 2_000;
/** How far around its last position a message (or the scan's next one) is looked for again. */
const FIND_WINDOW = 10_000;
const PREVIEW_MAX = 500;
const PREVIEW_MAX_SCANNED = 50_000;

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms).unref());

/** Jobs per broker: transfers and imports share them. */
const registry = new WeakMap<BrokerCore, MessageJobs>();

export function jobsOf(core: BrokerCore): MessageJobs {
  let jobs = registry.get(core);
  if (jobs === undefined) registry.set(core, (jobs = new MessageJobs()));
  return jobs;
}

/** The exchange and routing keys of a message's first x-death entry, or why it has none. */
function origin(vh: VirtualHost, entry: QueueEntry): { exchange: Exchange; keys: string[] } | { name: string | null; keys: string[]; stays: string } {
  const headers = entry.msg.properties.headers;
  const deaths = headers?.['x-death'];
  const first = Array.isArray(deaths) ? deaths[0] : undefined;
  if (typeof first !== 'object' || first === null || Array.isArray(first) || Buffer.isBuffer(first) || first instanceof Date) {
    return { name: null, keys: [], stays: 'no x-death header' };
  }
  const death = first as Record<string, unknown>;
  const name = typeof death.exchange === 'string' ? death.exchange : Buffer.isBuffer(death.exchange) ? death.exchange.toString() : null;
  const rawKeys = Array.isArray(death['routing-keys']) ? death['routing-keys'] : [];
  const keys = rawKeys.map((k) => (Buffer.isBuffer(k) ? k.toString() : String(k)));
  if (name === null) return { name: null, keys, stays: 'its x-death entry names no exchange' };
  if (keys.length === 0) return { name, keys, stays: 'its x-death entry names no routing key' };
  const ex = vh.exchanges.get(name);
  if (ex === undefined) return { name, keys, stays: `exchange '${name}' no longer exists` };
  return { exchange: ex, keys };
}

/** Picks the next chosen entry of the queue, from where the scan is. */
interface Cursor {
  /**
   * The next chosen entry; 'end' past the last; 'pause' once this slice has looked at
   * SCAN_PER_SLICE messages without enough matches (a rare filter must not hold the broker).
   */
  next(): { entry: QueueEntry; position: number } | 'end' | 'pause';
  /** a new slice: the scan budget starts again */
  newSlice(): void;
  /** messages looked at so far */
  readonly examined: number;
  /** after a pause: find the scan's place again (messages came and went) */
  relocate(removedBefore: number): void;
  remaining(): number;
}

/**
 * Scans the ready messages from the head. Only those there when the job began are taken (`before`:
 * the queue's next sequence number then), so copies routed back into the queue itself are not
 * taken again and again.
 */
function scanCursor(q: Queue, filter: CompiledFilter | undefined, before: number): Cursor {
  let position = 0;
  let anchor = -1;
  let inSlice = 0;
  let examined = 0;
  return {
    next() {
      for (;;) {
        if (inSlice >= SCAN_PER_SLICE) return 'pause';
        const entry = q.readyAt(position);
        if (entry === undefined) return 'end';
        const at = position++;
        inSlice++;
        examined++;
        anchor = q.readyAt(position)?.seq ?? -1;
        if (entry.seq >= before) continue;
        if (filter === undefined || matches(filter, entry)) return { entry, position: at };
      }
    },
    newSlice() {
      inSlice = 0;
    },
    get examined() {
      return examined;
    },
    relocate(removedBefore) {
      position = Math.max(0, position - removedBefore);
      if (anchor < 0 || q.readyAt(position)?.seq === anchor) return;
      for (let i = Math.min(position + FIND_WINDOW, q.messagesReady - 1), n = 0; i >= 0 && n < 2 * FIND_WINDOW; i--, n++) {
        if (q.readyAt(i)?.seq === anchor) {
          position = i;
          return;
        }
      }
      position = Math.min(position, q.messagesReady);
    },
    remaining: () => Math.max(0, q.messagesReady - position),
  };
}

function idCursor(q: Queue, ids: { id: number; position: number }[]): Cursor {
  let i = 0;
  return {
    next() {
      while (i < ids.length) {
        const { id, position } = ids[i++];
        const found = findById(q, id, position);
        if (found !== undefined) return found;
      }
      return 'end';
    },
    newSlice() {},
    get examined() {
      return i;
    },
    relocate() {},
    remaining: () => ids.length - i,
  };
}

function findById(q: Queue, id: number, position: number): { entry: QueueEntry; position: number } | undefined {
  for (let i = Math.min(position + FIND_WINDOW, q.messagesReady - 1), n = 0; i >= 0 && n < 2 * FIND_WINDOW; i--, n++) {
    const entry = q.readyAt(i);
    if (entry?.seq === id) return { entry, position: i };
  }
  return undefined;
}

function matches(filter: CompiledFilter, entry: QueueEntry): boolean {
  try {
    return filter.test(subjectOf(entry));
  } catch {
    return false;
  }
}

function cursorFor(q: Queue, selection: MessageSelection): Cursor {
  if (selection.kind === 'ids') {
    if (selection.ids.length > TRANSFER_MAX_IDS) throw BrokerError.badRequest(`at most ${TRANSFER_MAX_IDS} message ids at once`);
    return idCursor(q, selection.ids);
  }
  return scanCursor(q, selection.kind === 'filter' ? compileFilter(selection.expression) : undefined, q.sequence);
}

const errorText = (err: unknown) => (err instanceof AmqpError || err instanceof BrokerError ? err.message : err instanceof Error ? err.message : String(err));

export function startTransfer(core: BrokerCore, who: Actor, vhost: string, queue: string, spec: TransferSpec): TransferJob {
  const { vh, q } = browsedQueue(core, who, vhost, queue);
  if (!Number.isFinite(spec.rate) || spec.rate < 0 || spec.rate > TRANSFER_MAX_RATE) throw BrokerError.badRequest(`rate must be from 0 to ${TRANSFER_MAX_RATE} messages a second`);
  let target: Exchange | undefined;
  if (spec.mode !== 'return') {
    if (spec.target === undefined) throw BrokerError.badRequest('a move or copy needs a target exchange or queue');
    const name = spec.target.exchange;
    target = publishTarget(vh, core.users, who.name, name, name);
    if (name === '' && spec.target.routingKey === q.name && spec.mode === 'move') throw BrokerError.badRequest('a queue cannot be moved into itself');
  }
  const jobs = jobsOf(core);
  jobs.checkRoom(vhost);
  const cursor = cursorFor(q, spec.selection);
  const init = {
    mode: spec.mode,
    queue,
    target: spec.target === undefined || spec.mode === 'return' ? null : { exchange: spec.target.exchange, routing_key: spec.target.routingKey ?? null },
    remaining: cursor.remaining(),
    total: spec.selection.kind === 'ids' ? spec.selection.ids.length : null,
    rate_limit: spec.rate,
  };
  return jobs.start(who, vhost, init, (job) => run(core, vh, q, job, who.name, spec, target, cursor));
}

interface Placed {
  entry: QueueEntry;
  position: number;
}

async function run(core: BrokerCore, vh: VirtualHost, q: Queue, job: RunningJob, user: string, spec: TransferSpec, target: Exchange | undefined, cursor: Cursor): Promise<void> {
  const v = job.view;
  const removes = spec.mode !== 'copy';
  // exchanges by name, each checked for write permission once per job
  const allowed = new Map<string, Exchange | string>();
  const writable = (name: string): Exchange | string => {
    let ex = allowed.get(name);
    if (ex === undefined) {
      try {
        ex = publishTarget(vh, core.users, user, name, name);
      } catch (err) {
        ex = errorText(err);
      }
      allowed.set(name, ex);
    }
    return ex;
  };
  const fail = (why: string) => {
    v.failed++;
    v.first_error ??= why;
  };
  let sliceStart = performance.now();
  let credit = spec.rate > 0 ? Math.min(spec.rate, SLICE_MAX) : SLICE_MAX;
  // sources removed behind the scan since it last found its place
  let removedBefore = 0;
  for (let first = true; ; first = false) {
    if (job.cancelled) break;
    if (q.deleted) throw new BrokerError('not_found', `queue '${q.name}' in vhost '${vh.name}' was deleted during the transfer`, { code: 404 });
    // between slices messages came and went: the scan finds its place again
    if (!first) cursor.relocate(removedBefore);
    removedBefore = 0;
    const placed: Placed[] = [];
    let anyStored = false;
    const sliceEnd = performance.now() + SLICE_MS;
    let atEnd = false;
    let inSlice = 0;
    cursor.newSlice();
    while (inSlice < credit) {
      const next = cursor.next();
      if (next === 'end') {
        atEnd = true;
        break;
      }
      if (next === 'pause') break;
      inSlice++;
      const src = next.entry.msg;
      let ex: Exchange | string;
      let key: string;
      let extra: string[] | undefined;
      if (spec.mode === 'return') {
        const o = origin(vh, next.entry);
        if ('stays' in o) {
          v.no_origin++;
          continue;
        }
        ex = writable(o.exchange.name);
        key = o.keys[0];
        extra = o.keys.length > 1 ? o.keys.slice(1) : undefined;
      } else {
        ex = target as Exchange;
        key = spec.target?.routingKey ?? src.routingKey;
      }
      if (typeof ex === 'string') {
        fail(ex);
        continue;
      }
      if (vh.exchanges.get(ex.name) !== ex) {
        fail(`exchange '${ex.name}' in vhost '${vh.name}' was deleted`);
        continue;
      }
      const copy = new Message(ex.name, key, src.rawProperties, src.body, vh.propertiesCodec);
      if (extra !== undefined) copy.extraKeys = extra;
      const routed = vh.publish(ex, copy, extra);
      if (routed === Routed.Unroutable) fail(`message ${next.entry.seq}: unroutable from exchange '${ex.name}' with routing key '${key}'`);
      else if (routed === Routed.Rejected) fail(`message ${next.entry.seq}: a queue bound to '${ex.name}' refused it (x-overflow)`);
      else {
        placed.push(next);
        if (copy.logged) anyStored = true;
      }
      if ((inSlice & 15) === 0 && performance.now() >= sliceEnd) break;
    }
    if (placed.length > 0) {
      const durability = core.durability;
      const ok = anyStored && durability !== undefined ? await new Promise<boolean>((resolve) => durability.whenDurable(resolve)) : true;
      if (!ok) throw new BrokerError('unavailable', 'the copies could not be written to disk; their sources stay');
      if (removes) {
        const chosen = new Set(placed.map((p) => p.entry));
        const within = Math.min(q.messagesReady, Math.max(...placed.map((p) => p.position)) + 1 + FIND_WINDOW);
        const removed = q.removeReady(chosen, within);
        v.duplicates += placed.length - removed;
        removedBefore += removed;
      }
      v.done += placed.length;
    }
    v.remaining = cursor.remaining();
    v.examined = cursor.examined;
    if (atEnd) break;
    // pacing: a slice of `credit` messages each `credit / rate` seconds
    if (spec.rate > 0) {
      const due = sliceStart + (inSlice / spec.rate) * 1000;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      else await nextTurn();
      sliceStart = performance.now();
      credit = Math.max(1, Math.min(SLICE_MAX, Math.ceil(spec.rate / 20)));
    } else await nextTurn();
  }
  v.remaining = cursor.remaining();
  v.examined = cursor.examined;
}

export function getTransfer(core: BrokerCore, who: Actor, vhost: string, id: string): TransferJob {
  vhostFor(core, who, vhost);
  return jobsOf(core).get(who, vhost, id);
}

export function cancelTransfer(core: BrokerCore, who: Actor, vhost: string, id: string): TransferJob {
  vhostFor(core, who, vhost);
  return jobsOf(core).cancel(who, vhost, id);
}

export function previewReturn(core: BrokerCore, who: Actor, vhost: string, queue: string, opts: { selection: MessageSelection; cursor: number; limit: number }): ReturnPreview {
  const { vh, q } = browsedQueue(core, who, vhost, queue);
  const limit = Math.max(0, Math.min(PREVIEW_MAX, Math.floor(opts.limit)));
  const destinations: ReturnDestination[] = [];
  let scanned = 0;
  const add = (entry: QueueEntry, position: number) => {
    const o = origin(vh, entry);
    const stays = 'stays' in o ? o.stays : null;
    destinations.push({ id: entry.seq, position, exchange: 'stays' in o ? o.name : o.exchange.name, routing_keys: o.keys, stays });
  };
  if (opts.selection.kind === 'ids') {
    const ids = opts.selection.ids.slice(0, PREVIEW_MAX);
    for (const { id, position } of ids) {
      const found = findById(q, id, position);
      if (found !== undefined) add(found.entry, found.position);
    }
    return { destinations, scanned: ids.length, next_cursor: null };
  }
  const filter = opts.selection.kind === 'filter' ? compileFilter(opts.selection.expression) : undefined;
  let position = Math.max(0, Math.floor(opts.cursor));
  for (; destinations.length < limit && scanned < PREVIEW_MAX_SCANNED; position++, scanned++) {
    const entry = q.readyAt(position);
    if (entry === undefined) return { destinations, scanned, next_cursor: null };
    if (filter === undefined || matches(filter, entry)) add(entry, position);
  }
  return { destinations, scanned, next_cursor: position < q.messagesReady ? position : null };
}

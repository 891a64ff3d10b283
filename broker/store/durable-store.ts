import fs from 'node:fs';
import path from 'node:path';
import type { BrokerCore } from '../core/broker-core';
import type { BrokerEvent } from '../core/events';
import { Message } from '../core/message';
import { compilePattern } from '../core/pcre';
import type { Durability, QueuePersistence } from '../core/persistence';
import { Policy } from '../core/policy';
import type { Queue, QueueEntry } from '../core/queue';
import type { Logger } from '../logger';
import { FILE_MODE, syncDir, writeFileAtomic, writeFileAtomicAsync } from './atomic-file';
import { DefinitionsFileError, readDefinitionsFile, type DefinitionsFile } from './definitions-file';
import { RecordType, type MessageMeta } from './log-records';
import { BodyReadBack } from './body-read-back';
import { LogReplay } from './log-replay';
import { MessageLog, StoredRef } from './message-log';
import { encodeJournalRecord, readJournal, replayJournal, type JournalOp } from './definitions-journal';
import { collectDefinitions, exchangeEntry, isStoredExchange, packTable, queueEntry, unpackTable, type StoredDefinitions, type StoredPolicy } from './stored-definitions';

export interface StoreOptions {
  /** bytes of persistent message bodies kept in memory; beyond it they are read back from disk */
  memoryBudget: number;
  segmentSize: number;
  /** definitions.journal is compacted into a new snapshot past this size (and twice the snapshot's); tests lower it */
  journalCompactBytes?: number;
  /** told the bytes of each batch of messages as it goes to disk (the disk alarm) */
  onWrite?: (bytes: number) => void;
}

export const DEFAULT_STORE_OPTIONS: StoreOptions = { memoryBudget: 256 * 1024 * 1024, segmentSize: 16 * 1024 * 1024 };

export interface RecoveryReport {
  queues: number;
  messages: number;
  ms: number;
  /** false when the last run did not close the store (a crash, SIGKILL, power loss) */
  cleanStop: boolean;
}

/** Written by close() once everything is on disk, removed at start-up: its absence means a crash. */
const CLEAN_STOP_MARKER = 'clean-shutdown';

/**
 * The owner of a stored record that no stored queue owns but recovery nevertheless keeps (see
 * recoverMessages): what to write when compaction moves it. A queue's record is owned by its
 * QueueEntry.
 */
class Unattributed {
  constructor(readonly meta: MessageMeta) {}
}

/** The journal is compacted into a new snapshot once it is this large and larger than the snapshot twice over. */
const COMPACT_JOURNAL_AT = 1024 * 1024;
/** After the disk refused the definitions, they are tried again this often (and with every change). */
const RETRY_MS = 1000;

/**
 * Durability for one broker: durable definitions in DATA_DIR/definitions.json (a snapshot) and
 * DATA_DIR/definitions.journal (the changes since, appended; see definitions-journal.ts), persistent
 * messages of durable queues in the message log (DATA_DIR/messages), and recovery of all three at
 * start-up. A change to durable definitions is on disk before the batch of messages after it, and
 * whoever made it hears back only then (changesPending / whenDurable).
 */
export class DurableStore implements QueuePersistence, Durability {
  private readonly log: MessageLog;
  private readonly defsFile: string;
  private readonly journalFile: string;
  private readonly markerFile: string;
  /** the open journal: appended to by the log's prelude, replaced by compaction */
  private journal: { fd: number; bytes: number; generation: number } | undefined;
  private snapshotBytes = 0;
  /** encoded journal records of changes not yet written */
  private pendingOps: Buffer[] = [];
  /** write a whole snapshot next: a change the journal does not describe, a failed write, or compaction */
  private snapshotDue = false;
  private retryTimer: NodeJS.Timeout | undefined;
  /** the journal's own group commit, beside the message log's: one write (and fdatasync) at a time */
  private defsWriting = false;
  private defsScheduled = false;
  /** waiting for the changes noted so far, and for those of the write in flight */
  private defsWaiters: ((ok: boolean) => void)[] = [];
  private defsInflightWaiters: ((ok: boolean) => void)[] = [];
  private lastDefsError: Error | undefined;
  private lastDefsAttempt = 0;
  /** the last write of definitions failed (logged once until one succeeds) */
  private defsFailing = false;
  /** after an unclean stop every recovered message may have been delivered: it comes back redelivered */
  private uncleanStop = false;
  private readonly queueIds = new Map<Queue, number>();
  private nextQueueId = 1;
  /** queue ids whose records are kept with no queue to own them; listed in the definitions file */
  private readonly unattributed = new Set<number>();
  private residentBytes = 0;
  /** recovered bodies on their way back into memory, after start-up */
  private readBack: BodyReadBack | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly core: BrokerCore,
    dir: string,
    private readonly logger: Logger,
    private readonly options: StoreOptions = DEFAULT_STORE_OPTIONS,
  ) {
    fs.mkdirSync(dir, { recursive: true });
    this.defsFile = path.join(dir, 'definitions.json');
    this.journalFile = path.join(dir, 'definitions.journal');
    this.markerFile = path.join(dir, CLEAN_STOP_MARKER);
    this.log = new MessageLog(path.join(dir, 'messages'), options.segmentSize, logger);
    // a batch of messages goes to disk after the changes noted before it: a queue before its messages
    this.log.prelude = (done) => {
      if (!this.changesPending() && !this.defsWriting) return done(null);
      this.whenChangesDurable((ok) => done(ok ? null : (this.lastDefsError ?? new Error('definitions not written'))));
    };
    this.log.afterFlush = () => this.compact();
    if (options.onWrite !== undefined) this.log.onWrite = options.onWrite;
  }

  /** Loads definitions and messages into the (fresh) core, then starts following its changes. */
  recover(): RecoveryReport {
    const started = Date.now();
    // throws, before anything is written, unless the file is one Warren can use or there is none
    const snapshot = readDefinitionsFile(this.defsFile);
    const defs = this.withJournal(snapshot);
    // a first start has nothing to redeliver; a DATA_DIR from before the marker counts as unclean
    const cleanStop = defs === undefined || fs.existsSync(this.markerFile);
    this.uncleanStop = !cleanStop;
    if (defs !== undefined) {
      try {
        this.applyDefinitions(defs);
      } catch (err) {
        throw new DefinitionsFileError(this.defsFile, `cannot apply it: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      }
    }
    const byId = new Map<number, Queue>();
    for (const [q, id] of this.queueIds) byId.set(id, q);
    let messages: number;
    try {
      messages = this.recoverMessages(byId, defs);
    } catch (err) {
      this.log.abandon();
      throw err;
    }
    this.unsubscribe = this.core.on((e) => this.onEvent(e));
    this.core.durability = this;
    // one snapshot at start-up: the journal's changes and what recovery decided go into it
    this.writeSnapshotSync();
    if (!cleanStop && messages > 0) {
      this.logger.warn(`${path.dirname(this.defsFile)} was not closed cleanly: the ${messages} recovered messages may have been delivered, and come back redelivered`);
    }
    // from here on a crash must be told apart from a clean stop
    fs.rmSync(this.markerFile, { force: true });
    syncDir(path.dirname(this.markerFile));
    this.readBack?.start();
    return { queues: this.queueIds.size, messages, ms: Date.now() - started, cleanStop };
  }

  async close(): Promise<void> {
    this.readBack?.stop();
    this.readBack = undefined;
    this.unsubscribe?.();
    clearTimeout(this.retryTimer);
    // a clean stop leaves everything in definitions.json and an empty journal
    this.snapshotDue = true;
    this.lastDefsAttempt = 0;
    const defsStored = await new Promise<boolean>((resolve) => this.whenChangesDurable(resolve));
    const logStored = await this.log.close();
    if (this.journal !== undefined) fs.closeSync(this.journal.fd);
    this.journal = undefined;
    // without the marker the next start takes this for a crash: every message comes back redelivered
    if (!defsStored || !logStored) {
      this.logger.error(`${path.dirname(this.defsFile)}: the last changes could not be written at shutdown; the next start treats this stop as a crash`);
      return;
    }
    try {
      writeFileAtomic(this.markerFile, `${new Date().toISOString()}\n`);
    } catch (err) {
      this.logger.error(`cannot write ${this.markerFile}: ${err instanceof Error ? err.message : String(err)}; the next start treats this stop as a crash`);
    }
  }

  whenDurable(cb: (ok: boolean) => void): void {
    this.log.whenDurable(cb);
  }

  changesPending(): boolean {
    return this.pendingOps.length > 0 || this.snapshotDue;
  }

  /** Calls back once the definition changes noted so far are on disk (ok), or failed to get there. */
  whenChangesDurable(cb: (ok: boolean) => void): void {
    if (this.changesPending()) {
      this.defsWaiters.push(cb);
      this.scheduleDefinitions();
    } else if (this.defsWriting) {
      this.defsInflightWaiters.push(cb);
    } else {
      queueMicrotask(() => cb(true));
    }
  }

  private scheduleDefinitions(): void {
    if (this.defsWriting || this.defsScheduled) return;
    this.defsScheduled = true;
    setImmediate(this.flushDefinitions);
  }

  private readonly flushDefinitions = (): void => {
    this.defsScheduled = false;
    if (this.defsWriting || (this.defsWaiters.length === 0 && !this.changesPending())) return;
    const waiters = this.defsWaiters;
    this.defsWaiters = [];
    // while the disk refuses, a whole snapshot is tried at most once a RETRY_MS; meanwhile changes fail at once
    if (this.lastDefsError !== undefined && Date.now() - this.lastDefsAttempt < RETRY_MS) {
      for (const w of waiters) w(false);
      return;
    }
    this.lastDefsAttempt = Date.now();
    this.defsWriting = true;
    this.defsInflightWaiters = waiters;
    this.writeDefinitions((err) => {
      this.defsWriting = false;
      const done = this.defsInflightWaiters;
      this.defsInflightWaiters = [];
      for (const w of done) w(err === null);
      if (this.defsWaiters.length > 0 || this.pendingOps.length > 0) this.scheduleDefinitions();
    });
  };

  get stats() {
    return { ...this.log.stats, segments: this.log.segmentCount, diskBytes: this.log.diskBytes, residentBytes: this.residentBytes };
  }

  // --- QueuePersistence ------------------------------------------------------------------------

  stored(queue: Queue, entry: QueueEntry): void {
    const msg = entry.msg;
    const ref = this.log.appendMessage(metaOf(queue.storeId, entry), msg.body);
    ref.owner = entry;
    entry.stored = ref;
    msg.logged = true;
    queue.persisted.messages++;
    queue.persisted.bytes += msg.bodySize;
    if (!msg.isResident) return;
    if (this.residentBytes + msg.bodySize <= this.options.memoryBudget) {
      this.residentBytes += msg.bodySize;
      return;
    }
    // Over budget: once on disk, the body lives only there until a consumer reaches it.
    this.log.afterWritten(() => {
      // the transient pager may have paged it meanwhile (a copy in a non-durable queue came first)
      if (entry.stored === undefined || !msg.isResident) return;
      msg.pageOut(ref);
      queue.persisted.pagedOut++;
      queue.persisted.pagedOutBytes += msg.bodySize;
    });
  }

  delivered(queue: Queue, entry: QueueEntry): void {
    this.log.appendMark(RecordType.Delivered, queue.storeId, entry.seq);
    (entry.stored as StoredRef).delivered = true;
  }

  removed(queue: Queue, entry: QueueEntry): void {
    this.log.appendMark(RecordType.Removed, queue.storeId, entry.seq);
    this.forget(queue, entry);
  }

  purged(queue: Queue, seq: number): void {
    this.log.appendMark(RecordType.Purged, queue.storeId, seq);
    for (const e of queue.readyEntries()) if (e.stored !== undefined) this.forget(queue, e);
  }

  private forget(queue: Queue, entry: QueueEntry): void {
    const ref = entry.stored as StoredRef;
    entry.stored = undefined;
    this.log.release(ref);
    const size = entry.msg.bodySize;
    const p = queue.persisted;
    p.messages--;
    p.bytes -= size;
    if (entry.msg.isResident) this.residentBytes = Math.max(0, this.residentBytes - size);
    else if (p.pagedOut > 0) {
      p.pagedOut--;
      p.pagedOutBytes -= size;
    }
  }

  /** Moves the live records out of a mostly dead oldest segment so it can be deleted. */
  private compact(): void {
    for (const ref of this.log.compactionCandidates()) {
      const owner = ref.owner;
      if (owner instanceof Unattributed) this.log.rewrite(ref, owner.meta, this.log.readBody(ref));
      else {
        const entry = owner as QueueEntry;
        this.log.rewrite(ref, metaOf(ref.queue, entry), entry.msg.body);
        // its DELIVERED record may sit in the segment that goes: written again after the copy
        if (ref.delivered || entry.redelivered) this.log.appendMark(RecordType.Delivered, ref.queue, entry.seq);
      }
    }
  }

  // --- definitions -----------------------------------------------------------------------------

  private onEvent(e: BrokerEvent): void {
    switch (e.type) {
      case 'queue.created': {
        const q = this.core.vhosts.get(e.vhost)?.queues.get(e.name);
        if (q === undefined || !this.adopt(q)) return;
        this.note({ op: 'queue', queue: queueEntry(e.vhost, q, q.storeId), nextQueueId: this.nextQueueId });
        return;
      }
      case 'queue.deleted': {
        let stored = false;
        for (const q of this.queueIds.keys()) {
          if (q.deleted) {
            this.queueIds.delete(q);
            stored = true;
          }
        }
        if (stored) this.note({ op: 'queue-deleted', vhost: e.vhost, name: e.name });
        return;
      }
      case 'exchange.created': {
        const x = this.core.vhosts.get(e.vhost)?.exchanges.get(e.name);
        if (x !== undefined && isStoredExchange(x)) this.note({ op: 'exchange', exchange: exchangeEntry(e.vhost, x) });
        return;
      }
      case 'exchange.deleted':
        if (e.name !== '' && !e.name.startsWith('amq.')) this.note({ op: 'exchange-deleted', vhost: e.vhost, name: e.name });
        return;
      case 'binding.created':
      case 'binding.deleted':
        this.noteBindings(e.vhost, e.source, e.destination, e.destinationType, e.routingKey);
        return;
      case 'vhost.created':
      case 'vhost.deleted':
      case 'users.changed':
      case 'policy.changed':
        // rare, and not in the journal: the next write is a whole snapshot
        this.snapshotDue = true;
        this.pendingOps = [];
        this.scheduleDefinitions();
        return;
      default:
        return;
    }
  }

  /** The bindings between two ends with one key, as they are now (none if an end is gone or not durable). */
  private noteBindings(vhost: string, source: string, destination: string, kind: 'queue' | 'exchange', routingKey: string): void {
    const vh = this.core.vhosts.get(vhost);
    const src = vh?.exchanges.get(source);
    const dest = kind === 'queue' ? vh?.queues.get(destination) : vh?.exchanges.get(destination);
    const durable = src !== undefined && src.durable && dest !== undefined && (dest.kind === 'queue' ? this.queueIds.has(dest) : dest.durable);
    const args: string[] = [];
    if (durable) for (const b of dest.incoming) if (b.source === src && b.routingKey === routingKey) args.push(packTable(b.arguments));
    // a binding of something never stored was never journaled: nothing to undo
    if (!durable && !this.mayBeStored(vhost, source, destination, kind)) return;
    this.note({ op: 'bindings', ends: { vhost, source, destination, destination_type: kind, routing_key: routingKey }, arguments: args });
  }

  private mayBeStored(vhost: string, source: string, destination: string, kind: 'queue' | 'exchange'): boolean {
    const vh = this.core.vhosts.get(vhost);
    const src = vh?.exchanges.get(source);
    if (src !== undefined && !src.durable) return false;
    const dest = kind === 'queue' ? vh?.queues.get(destination) : vh?.exchanges.get(destination);
    if (dest === undefined) return true;
    return dest.kind === 'queue' ? this.queueIds.has(dest) : dest.durable;
  }

  /** Durable, non-exclusive queues keep their persistent messages (exclusive ones die with their connection). */
  private adopt(q: Queue, id?: number): boolean {
    if (!q.durable || q.exclusiveOwner !== null) return false;
    q.storeId = id ?? this.nextQueueId++;
    if (q.storeId >= this.nextQueueId) this.nextQueueId = q.storeId + 1;
    q.persistence = this;
    this.queueIds.set(q, q.storeId);
    return true;
  }

  /** A change to durable definitions: its journal record goes out before the next batch of messages. */
  private note(op: JournalOp): void {
    if (!this.snapshotDue) this.pendingOps.push(encodeJournalRecord(op));
    this.scheduleDefinitions();
  }

  /**
   * The log's prelude: appends the pending journal records and fdatasyncs them, or writes a whole
   * new snapshot (compaction, a change the journal does not describe, or after a failed write —
   * the journal may then end in a partial record, so it is not appended to again). Never throws:
   * a failure goes to `done`, which fails the waiters of the batch.
   */
  private writeDefinitions(done: (err: Error | null) => void): void {
    const j = this.journal;
    if (j === undefined) return done(null);
    const compactDue = j.bytes > (this.options.journalCompactBytes ?? COMPACT_JOURNAL_AT) && j.bytes > 2 * this.snapshotBytes;
    if (this.snapshotDue || compactDue) {
      this.writeSnapshot().then(() => this.defsWritten(null, done), (err: Error) => this.defsWritten(err, done));
      return;
    }
    if (this.pendingOps.length === 0) return done(null);
    const bufs = this.pendingOps;
    this.pendingOps = [];
    const bytes = bufs.reduce((n, b) => n + b.length, 0);
    fs.writev(j.fd, bufs, (err, written) => {
      if (err === null && written !== bytes) err = Object.assign(new Error(`short write to ${this.journalFile} (${written} of ${bytes} bytes)`), { code: 'EIO' });
      if (err === null) j.bytes += bytes;
      this.defsWritten(err, done);
    });
  }

  private defsWritten(err: Error | null, done: (err: Error | null) => void): void {
    if (err === null) {
      if (this.defsFailing) this.logger.warn(`definitions are written to ${this.defsFile} again`);
      this.defsFailing = false;
      this.lastDefsError = undefined;
      return done(null);
    }
    this.lastDefsError = err;
    // the next write is a whole snapshot; until one succeeds every durable change is refused
    this.snapshotDue = true;
    this.pendingOps = [];
    if (!this.defsFailing) {
      this.logger.error(`cannot write definitions to ${path.dirname(this.defsFile)}: ${err.message}; durable changes are refused and confirms fail until the disk takes them again`);
    }
    this.defsFailing = true;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.whenChangesDurable(() => {}), RETRY_MS);
    this.retryTimer.unref();
    done(err);
  }

  /** The whole definitions as a snapshot of the next generation, with an empty journal after it. */
  private collectSnapshot(): { text: string; header: Buffer; generation: number } {
    const generation = (this.journal?.generation ?? 0) + 1;
    const defs: DefinitionsFile = collectDefinitions(this.core, this.queueIds, this.nextQueueId);
    // kept listed, or the next recovery would take these for a deleted queue's and reclaim them
    if (this.unattributed.size > 0) defs.unattributed = [...this.unattributed].sort((a, b) => a - b);
    defs.journal = generation;
    // everything noted so far is in it
    this.pendingOps = [];
    this.snapshotDue = false;
    return { text: JSON.stringify(defs), header: encodeJournalRecord({ op: 'journal', generation }), generation };
  }

  /** At start-up: synchronous, and a failure stops start-up. */
  private writeSnapshotSync(): void {
    const { text, header, generation } = this.collectSnapshot();
    writeFileAtomic(this.defsFile, text);
    writeFileAtomic(this.journalFile, header);
    this.openJournal(generation, header.length, Buffer.byteLength(text));
  }

  private async writeSnapshot(): Promise<void> {
    const { text, header, generation } = this.collectSnapshot();
    // the snapshot first: a crash before the new journal leaves the old one, which is then stale
    await writeFileAtomicAsync(this.defsFile, text);
    await writeFileAtomicAsync(this.journalFile, header);
    this.openJournal(generation, header.length, Buffer.byteLength(text));
  }

  private openJournal(generation: number, bytes: number, snapshotBytes: number): void {
    // O_DSYNC: an append returns once it is on disk, one trip to the thread pool instead of write + fdatasync
    const fd = fs.openSync(this.journalFile, fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_DSYNC, FILE_MODE);
    if (this.journal !== undefined) fs.closeSync(this.journal.fd);
    this.journal = { fd, bytes, generation };
    this.snapshotBytes = snapshotBytes;
  }

  /** The snapshot with the journal that completes it replayed; a journal older than the snapshot is already in it. */
  private withJournal(snapshot: DefinitionsFile | undefined): DefinitionsFile | undefined {
    const journal = readJournal(this.journalFile, this.logger);
    if (snapshot === undefined) {
      // a journal of changes with no snapshot under them is not a first start
      if (journal !== undefined && journal.ops.length > 0) {
        throw new DefinitionsFileError(this.defsFile, `it is missing, but ${this.journalFile} holds ${journal.ops.length} changes made after it`);
      }
      return undefined;
    }
    const generation = snapshot.journal ?? 0;
    if (journal === undefined || journal.generation < generation) return snapshot;
    if (journal.generation > generation) {
      throw new DefinitionsFileError(this.journalFile, `it continues snapshot generation ${journal.generation}, but ${this.defsFile} is generation ${generation} (an older copy?)`);
    }
    return replayJournal(this.journalFile, snapshot, journal.ops);
  }

  private applyDefinitions(defs: StoredDefinitions): void {
    const core = this.core;
    // readDefinitionsFile checked that every entry's vhost is listed
    const vhostOf = (name: string) => {
      const vh = core.vhosts.get(name);
      if (vh === undefined) throw new Error(`no vhost '${name}'`);
      return vh;
    };
    core.users.clear();
    for (const name of [...core.vhosts.keys()]) if (!defs.vhosts.includes(name)) core.vhosts.delete(name);
    for (const name of defs.vhosts) core.addVhost(name);
    for (const u of defs.users) core.users.putUser({ name: u.name, passwordHash: u.password_hash, hashingAlgorithm: u.hashing_algorithm, tags: u.tags });
    for (const p of defs.permissions) core.users.setPermission(p.vhost, p.user, { configure: p.configure, write: p.write, read: p.read });
    for (const p of defs.topic_permissions ?? []) core.users.setTopicPermission(p.vhost, p.user, { exchange: p.exchange, write: p.write, read: p.read });
    // before exchanges and queues, so each is created with its effective settings
    for (const p of defs.policies ?? []) {
      const vh = core.vhosts.get(p.vhost);
      const policy = vh === undefined ? undefined : restorePolicy(p);
      if (policy === undefined) this.logger.warn(`${this.defsFile}: policy '${p.name}' in vhost '${p.vhost}' not restored`);
      else vh?.putPolicy(policy);
    }
    for (const p of defs.operator_policies ?? []) {
      const vh = core.vhosts.get(p.vhost);
      const policy = vh === undefined ? undefined : restorePolicy(p);
      if (policy === undefined) this.logger.warn(`${this.defsFile}: operator policy '${p.name}' in vhost '${p.vhost}' not restored`);
      else vh?.putOperatorPolicy(policy);
    }
    for (const x of defs.exchanges) {
      core.vhosts.get(x.vhost)?.declareExchange(x.name, x.type, {
        durable: true, autoDelete: x.auto_delete, internal: x.internal, arguments: unpackTable(x.arguments),
      });
    }
    for (const q of defs.queues) {
      const vh = vhostOf(q.vhost);
      const queue = vh.restoreQueue(q.name, { durable: true, exclusiveOwner: null, autoDelete: q.auto_delete, arguments: unpackTable(q.arguments) });
      this.adopt(queue, q.id);
    }
    for (const [i, b] of defs.bindings.entries()) {
      const vh = vhostOf(b.vhost);
      const source = vh.exchanges.get(b.source);
      const dest = b.destination_type === 'queue' ? vh.queues.get(b.destination) : vh.exchanges.get(b.destination);
      // Warren stores a binding only with both its ends; dropping it here would drop it from the file for good
      if (source === undefined) throw new Error(`bindings[${i}]: no exchange '${b.source}' in vhost '${b.vhost}'`);
      if (dest === undefined) throw new Error(`bindings[${i}]: no ${b.destination_type} '${b.destination}' in vhost '${b.vhost}'`);
      vh.bind(source, dest, b.routing_key, unpackTable(b.arguments));
    }
    this.nextQueueId = Math.max(this.nextQueueId, defs.nextQueueId);
  }

  // --- messages --------------------------------------------------------------------------------

  /**
   * Replays the log (log-replay.ts: which records each queue id still holds), then turns those of
   * each queue into its entries, in order. Every body starts on disk, read through its ref when a
   * consumer gets there; the first ones of each queue, as far as the memory budget goes, are read
   * back into memory once the broker is up (body-read-back.ts), so start-up does not wait for them.
   *
   * Records of a queue id the definitions do not have are a deleted queue's, and go, only when the
   * id is below the file's nextQueueId and was not kept before: ids are never reused and the file
   * is written before every batch, so any other such record means the file does not describe this
   * log (lost or replaced). Those are kept, owned by no queue, so that the right file can still
   * bring them back.
   */
  private recoverMessages(byId: Map<number, Queue>, defs: DefinitionsFile | undefined): number {
    const replay = new LogReplay();
    this.log.open(replay);
    // The skipped bytes may have held any record. A MESSAGE lost there is lost (it cannot be told
    // from noise), but a DELIVERED, REMOVED or PURGED lost there must not make a message look never
    // delivered: every message recorded before the gap comes back redelivered, and one acked there
    // comes back once more rather than never (LogReplay.skipped). Records after the gap are after it.
    const suspects = replay.finish();
    replay.skips.forEach((where, gap) => {
      this.logger.warn(
        `message log: records in the unreadable bytes ${where} are lost: a message stored there is gone, and ` +
          `${suspects[gap]} messages recorded before them and still held come back marked redelivered, since their delivery, ack or purge may have been recorded there ` +
          `(a message acked there is delivered once more)`,
      );
    });
    // a new queue must not take an id whose records are still in the log
    this.nextQueueId = Math.max(this.nextQueueId, replay.highestQueueId + 1);
    this.keepUnattributed(replay, byId, defs);
    // the first messages of each queue, queue by queue, get their bodies back in memory as far as the budget goes
    const readBack: QueueEntry[] = [];
    const readBackQueues: Queue[] = [];
    let planned = this.residentBytes;
    let count = 0;
    const segments = replay.segments;
    const codec = this.core.propertiesCodec;
    for (const [id, queue] of byId) {
      const records = replay.queues.get(id);
      if (records === undefined) {
        queue.restored(-1);
        continue;
      }
      const p = queue.persisted;
      for (let i = 0; i < records.length; i++) {
        const meta = records.meta(i);
        const length = records.bodyLength(i);
        const ref = new StoredRef(id, segments[records.segment(i)], records.bodyAt(i), length, records.recordBytes(i));
        this.log.retain(ref);
        // on disk until BodyReadBack brings it in, if it does
        const msg = Message.from(meta.exchange, meta.routingKey, meta.properties, codec, length, ref);
        msg.logged = true;
        p.messages++;
        p.bytes += length;
        p.pagedOut++;
        p.pagedOutBytes += length;
        // a DELIVERED mark is written after the delivery, never waited for: after a crash it may be missing
        const delivered = records.isDelivered(i);
        ref.delivered = delivered;
        const entry = queue.restore(msg, records.seq(i), delivered || this.uncleanStop, records.expiresAt(i), ref);
        ref.owner = entry;
        if (planned + length <= this.options.memoryBudget) {
          planned += length;
          readBack.push(entry);
          readBackQueues.push(queue);
        }
      }
      count += records.length;
      queue.restored(records.highestSeq);
    }
    this.log.reclaim();
    if (readBack.length === 0) this.log.recovered();
    else {
      this.readBack = new BodyReadBack(this.log, this.logger, readBack, readBackQueues, (bytes) => {
        if (this.residentBytes + bytes > this.options.memoryBudget) return false;
        this.residentBytes += bytes;
        return true;
      });
    }
    return count;
  }

  private keepUnattributed(replay: LogReplay, byId: Map<number, Queue>, defs: DefinitionsFile | undefined): void {
    const nextQueueId = defs?.nextQueueId ?? 1;
    const keptBefore = new Set(defs?.unattributed ?? []);
    let messages = 0;
    for (const [id, records] of replay.queues) {
      if (byId.has(id) || records.length === 0 || (id < nextQueueId && !keptBefore.has(id))) continue;
      for (let i = 0; i < records.length; i++) {
        const { exchange, routingKey, properties } = records.meta(i);
        const ref = new StoredRef(id, replay.segments[records.segment(i)], records.bodyAt(i), records.bodyLength(i), records.recordBytes(i));
        this.log.retain(ref);
        ref.owner = new Unattributed({ queue: id, seq: records.seq(i), expiresAt: records.expiresAt(i), exchange, routingKey, properties });
        messages++;
      }
      this.unattributed.add(id);
    }
    if (messages === 0) return;
    const ids = [...this.unattributed].join(', ');
    const why = defs === undefined ? 'there is no definitions file' : `${this.defsFile} has no queue for them`;
    this.logger.warn(
      `message log: ${messages} messages of queue ids ${ids} are kept on disk but belong to no queue, because ${why}; ` +
        `put back the definitions file they belong with and restart to recover them`,
    );
  }
}

/** A stored policy was accepted when set: only its pattern is compiled again. */
function restorePolicy(p: StoredPolicy): Policy | undefined {
  const r = compilePattern(p.pattern);
  return r.ok ? new Policy(p.vhost, p.name, p.pattern, r.regex, p.apply_to, p.priority, p.definition) : undefined;
}

function metaOf(queue: number, entry: QueueEntry): MessageMeta {
  const msg = entry.msg;
  return { queue, seq: entry.seq, expiresAt: entry.expiresAt, exchange: msg.exchange, routingKey: msg.routingKey, properties: msg.rawProperties };
}

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BodyPaging, PagedCounts } from '../core/body-paging';
import { HOLDER, PAGED_OUT, PageState, type BodySource, type Message } from '../core/message';
import type { Logger } from '../logger';

export interface PagerOptions {
  /** bytes of queued bodies kept in memory; the bodies of messages queued beyond it go to page files */
  budget: number;
  /** a page file takes bodies until it is this large, then a new one is started */
  fileSize: number;
}

export const DEFAULT_PAGER_OPTIONS: PagerOptions = { budget: 256 * 1024 * 1024, fileSize: 64 * 1024 * 1024 };

/** Page files in DATA_DIR: nothing in them outlives the process that wrote them. */
export const PAGES_DIR = 'pages';

/**
 * One page file: bodies appended, each read back with one positioned read of its own size. `live`
 * counts the bodies in it (or on their way) that some message still needs; at 0 the file goes.
 */
class PageFile implements BodySource {
  readonly inMemory = false;
  size = 0;
  live = 0;
  /** bodies appended but not handed to the file system yet, from offset `writtenTo` */
  chunks: Buffer[] = [];
  messages: Message[] = [];
  writtenTo = 0;
  writing = false;
  deleting = false;

  constructor(
    readonly file: string,
    readonly fd: number,
  ) {}

  read(at: number, size: number): Buffer {
    const body = Buffer.allocUnsafe(size);
    let n = 0;
    while (n < size) {
      const r = fs.readSync(this.fd, body, n, size - n, at + n);
      if (r === 0) throw new Error(`${this.file}: ${size} bytes at ${at} expected, the file ends after ${at + n}`);
      n += r;
    }
    return body;
  }
}

/**
 * Transient bodies beyond a memory budget, paged to disk as RabbitMQ's classic queues do: a message
 * that enters a queue while the queued bodies in memory already fill the budget has its body
 * appended to a page file, and dropped from memory once the write is done; deliveries, gets and
 * browsing read it back. Writes are batched per event-loop turn into one writev per file, never
 * fsynced: the bodies are transient, and a restart does not bring them back. Persistent messages
 * of durable queues are the message log's (DurableStore) and are left alone.
 */
export class TransientPager implements BodyPaging {
  /** bodies counted in the budget, in memory */
  residentBytes = 0;
  /** bodies on disk (or being written there) that some queue still holds */
  pagedMessages = 0;
  pagedBytes = 0;
  /** Told the bytes of each write once the file system has them: the disk alarm counts them. */
  onWrite: (bytes: number) => void = () => {};
  private head: PageFile | undefined;
  private readonly files = new Set<PageFile>();
  private nextFile = 0;
  private scheduled = false;
  private failing = false;
  private closed = false;

  private constructor(
    private readonly dir: string,
    /** a private temporary directory, removed with its files at close */
    private readonly owned: boolean,
    private readonly options: PagerOptions,
    private readonly logger: Logger,
  ) {}

  /** In `dataDir`/pages, emptied of a previous run's files, or else in a private temporary directory. */
  static open(dataDir: string | undefined, options: PagerOptions, logger: Logger): TransientPager {
    if (dataDir === undefined) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warren-pages-'));
      return new TransientPager(dir, true, options, logger);
    }
    const dir = path.join(dataDir, PAGES_DIR);
    // transient messages do not survive a restart: whatever a previous run paged is garbage
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    return new TransientPager(dir, false, options, logger);
  }

  get directory(): string {
    return this.dir;
  }

  get fileCount(): number {
    return this.files.size;
  }

  held(msg: Message, counts: PagedCounts): void {
    const p = msg.bits;
    msg.bits = p + HOLDER;
    if (p >= HOLDER) {
      if ((p & PAGED_OUT) !== 0) count(counts, msg, 1);
      return;
    }
    // a body on the message log is the store's to page; an empty one costs nothing to keep
    if (msg.pageState !== PageState.NotPaged || msg.logged || msg.bodySize === 0 || !msg.isResident) return;
    const size = msg.bodySize;
    if (this.residentBytes + size <= this.options.budget) {
      this.residentBytes += size;
      setState(msg, PageState.Counted);
      return;
    }
    // from here on its queues count it as paged out, even should the write fail and it stay in memory
    msg.bits |= PAGED_OUT;
    count(counts, msg, 1);
    this.append(msg);
  }

  released(msg: Message, counts: PagedCounts): void {
    if (msg.bits < HOLDER) return;
    msg.bits -= HOLDER;
    if ((msg.bits & PAGED_OUT) !== 0) count(counts, msg, -1);
    if (msg.bits >= HOLDER) return;
    switch (msg.pageState) {
      case PageState.Counted:
        this.residentBytes -= msg.bodySize;
        setState(msg, PageState.NotPaged);
        return;
      case PageState.Paged: {
        const file = msg.bodySource;
        if (file instanceof PageFile) this.free(file, msg.bodySize);
        return;
      }
      default:
        // Pending: the write's completion lets go of it
        return;
    }
  }

  /** Stops writing and removes every page file (the messages in them die with the process). */
  close(): void {
    this.closed = true;
    for (const f of this.files) this.remove(f);
    this.files.clear();
    this.head = undefined;
    if (this.owned) fs.rmSync(this.dir, { recursive: true, force: true });
  }

  private append(msg: Message): void {
    let f = this.head;
    if (f === undefined || f.size >= this.options.fileSize) f = this.head = this.newFile();
    if (f === undefined) return this.keep(msg);
    setState(msg, PageState.Pending);
    f.size += msg.bodySize;
    f.live++;
    f.chunks.push(msg.body);
    f.messages.push(msg);
    this.pagedMessages++;
    this.pagedBytes += msg.bodySize;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flush);
    }
  }

  /** The disk refused: the body stays in memory, counted, over the budget. */
  private keep(msg: Message): void {
    this.residentBytes += msg.bodySize;
    setState(msg, PageState.Counted);
  }

  private newFile(): PageFile | undefined {
    const file = path.join(this.dir, `${String(this.nextFile++).padStart(8, '0')}.page`);
    try {
      const f = new PageFile(file, fs.openSync(file, 'w+', 0o600));
      this.files.add(f);
      return f;
    } catch (err) {
      this.reportFailure(`cannot create ${file}`, err);
      return undefined;
    }
  }

  private readonly flush = (): void => {
    this.scheduled = false;
    for (const f of this.files) if (!f.writing && f.chunks.length > 0) this.write(f);
  };

  private write(f: PageFile): void {
    const chunks = f.chunks;
    const messages = f.messages;
    const at = f.writtenTo;
    let bytes = 0;
    for (const c of chunks) bytes += c.length;
    f.chunks = [];
    f.messages = [];
    f.writing = true;
    fs.writev(f.fd, chunks, at, (err, written) => {
      f.writing = false;
      const ok = err === null && written === bytes;
      if (ok) {
        f.writtenTo = at + bytes;
        this.onWrite(bytes);
        if (this.failing) this.logger.info(`transient bodies are paged to ${this.dir} again`);
        this.failing = false;
      } else this.reportFailure(`cannot write ${f.file}`, err ?? new Error(`${written} of ${bytes} bytes written`));
      let offset = at;
      for (let i = 0; i < messages.length; i++) {
        this.written(f, messages[i], offset, ok);
        offset += chunks[i].length;
      }
      // a failed file takes no more bodies: their offsets would not match what is in it
      if (!ok && this.head === f) this.head = undefined;
      if (f.chunks.length > 0) this.write(f);
      else if (f.live === 0) this.remove(f);
    });
  }

  /** A body's write is over: the message now reads it from the file, unless nobody needs it there. */
  private written(f: PageFile, msg: Message, offset: number, ok: boolean): void {
    // the message log may have taken it meanwhile (the same message in a durable queue too)
    const stillOurs = msg.holders > 0 && msg.pageState === PageState.Pending && msg.isResident && !msg.logged;
    if (ok && stillOurs) {
      msg.pageOut(f, offset);
      setState(msg, PageState.Paged);
      return;
    }
    f.live--;
    this.pagedMessages--;
    this.pagedBytes -= msg.bodySize;
    setState(msg, PageState.NotPaged);
    if (stillOurs) this.keep(msg);
  }

  private free(f: PageFile, size: number): void {
    f.live--;
    this.pagedMessages--;
    this.pagedBytes -= size;
    // later this turn, so that a body released and then delivered (no-ack) can still be read
    if (f.live === 0 && !f.deleting) {
      f.deleting = true;
      setImmediate(() => {
        f.deleting = false;
        if (f.live === 0 && !f.writing && f.chunks.length === 0) this.remove(f);
      });
    }
  }

  private remove(f: PageFile): void {
    if (!this.files.delete(f)) return;
    if (this.head === f) this.head = undefined;
    try {
      fs.closeSync(f.fd);
      fs.rmSync(f.file, { force: true });
    } catch (err) {
      this.reportFailure(`cannot remove ${f.file}`, err);
    }
  }

  private reportFailure(what: string, err: unknown): void {
    if (this.failing || this.closed) return;
    this.failing = true;
    this.logger.error(`${what}: ${err instanceof Error ? err.message : String(err)}; transient bodies stay in memory meanwhile`);
  }
}

function count(counts: PagedCounts, msg: Message, n: 1 | -1): void {
  counts.messages += n;
  counts.bytes += n * msg.bodySize;
}

function setState(msg: Message, state: PageState): void {
  msg.bits = (msg.bits & ~3) | state;
}

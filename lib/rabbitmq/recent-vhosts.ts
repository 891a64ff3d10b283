// The vhosts last opened on a remote cluster, kept in DATA_DIR so that a restarted console reads
// their topology while it starts, before the first browser asks. A big vhost's first listing costs
// RabbitMQ seconds (10,000 queues: 1–5 s on this machine's cluster), which a restart would otherwise
// put on the first user to look. A list of names, nothing else: a file that cannot be read is logged
// and replaced by the next vhost opened.
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../../broker/index';

/** How many vhosts a restart reads ahead, most recently opened first. */
export const RECENT_VHOSTS_MAX = 3;

export class RecentVhosts {
  private list: string[] = [];
  private writing = false;
  private again = false;

  constructor(
    readonly file: string,
    private readonly log?: Logger,
  ) {
    try {
      const parsed: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
      if (Array.isArray(parsed)) this.list = parsed.filter((v): v is string => typeof v === 'string').slice(0, RECENT_VHOSTS_MAX);
      else throw new Error('not a list of vhost names');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') log?.warn(`${file}: ${(err as Error).message}; the vhosts opened from now on replace it`);
    }
  }

  /** Most recently opened first. */
  get vhosts(): readonly string[] {
    return this.list;
  }

  /** A vhost was opened: it goes first, and the file is written (one write at a time, the last one wins). */
  note(vhost: string): void {
    if (this.list[0] === vhost) return;
    this.list = [vhost, ...this.list.filter((v) => v !== vhost)].slice(0, RECENT_VHOSTS_MAX);
    this.save();
  }

  /** Resolves once what was noted so far is on disk (or failed and was logged). */
  async settled(): Promise<void> {
    while (this.writing) await new Promise((r) => setTimeout(r, 5));
  }

  private save(): void {
    if (this.writing) {
      this.again = true;
      return;
    }
    this.writing = true;
    const tmp = `${this.file}.tmp`;
    const text = JSON.stringify(this.list);
    fs.promises
      .mkdir(path.dirname(this.file), { recursive: true })
      .then(() => fs.promises.writeFile(tmp, text, { mode: 0o600 }))
      .then(() => fs.promises.rename(tmp, this.file))
      .catch((err: Error) => this.log?.warn(`cannot write ${this.file}: ${err.message}`))
      .finally(() => {
        this.writing = false;
        if (this.again) {
          this.again = false;
          this.save();
        }
      });
  }
}

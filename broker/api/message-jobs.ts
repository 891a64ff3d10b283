// Message jobs — move, copy and return-to-origin on the embedded broker, import on either — held by
// one registry per broker: each job's progress as the broker counts it, who may see and cancel it
// (the user who started it, or an administrator), how many run at once per vhost, and how long a
// finished one still answers. The work itself is the caller's; it reads `cancelled` between slices.
import { TRANSFER_MAX_RUNNING, type Actor, type TransferJob } from './broker-api';
import { BrokerError } from './errors';

/** Finished jobs answer GET this long, and at most this many per vhost. */
const KEEP_FINISHED_MS = 10 * 60_000;
const KEEP_FINISHED = 50;

/** A job under way, as its work sees it: progress to count into, and whether to stop. */
export interface RunningJob {
  readonly view: TransferJob;
  readonly cancelled: boolean;
}

interface Job extends RunningJob {
  view: TransferJob;
  cancelled: boolean;
  user: string;
}

/** The fields a job starts with besides those the registry fills. */
export type JobStart = Pick<TransferJob, 'mode' | 'queue' | 'target' | 'remaining' | 'total' | 'rate_limit'>;

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

export class MessageJobs {
  private readonly byVhost = new Map<string, Map<string, Job>>();
  private nextId = 1;

  private jobsOf(vhost: string): Map<string, Job> {
    let jobs = this.byVhost.get(vhost);
    if (jobs === undefined) this.byVhost.set(vhost, (jobs = new Map()));
    const now = Date.now();
    const finished = [...jobs.values()].filter((j) => j.view.finished_at !== null);
    for (const [i, j] of finished.entries()) {
      if (now - (j.view.finished_at as number) > KEEP_FINISHED_MS || finished.length - i > KEEP_FINISHED) jobs.delete(j.view.id);
    }
    return jobs;
  }

  /** Refuses a job past the vhost's limit of running ones; call before doing anything for it. */
  checkRoom(vhost: string): void {
    const running = [...this.jobsOf(vhost).values()].filter((j) => j.view.state === 'running').length;
    if (running >= TRANSFER_MAX_RUNNING) {
      throw new BrokerError('precondition_failed', `vhost '${vhost}' already runs ${running} message transfers, the most it takes at once; wait for one to end or cancel it`, { code: 406 });
    }
  }

  /** Registers the job and runs `work` for it; the answer is the job as it starts. */
  start(who: Actor, vhost: string, init: JobStart, work: (job: RunningJob) => Promise<void>): TransferJob {
    this.checkRoom(vhost);
    const view: TransferJob = {
      id: String(this.nextId++),
      vhost,
      ...init,
      state: 'running',
      done: 0,
      failed: 0,
      no_origin: 0,
      duplicates: 0,
      unroutable: 0,
      examined: 0,
      rate: 0,
      first_error: null,
      started_at: Date.now(),
      finished_at: null,
    };
    const job: Job = { view, cancelled: false, user: who.name };
    this.jobsOf(vhost).set(view.id, job);
    const finish = (state: TransferJob['state']) => {
      view.state = state;
      view.finished_at = Date.now();
    };
    void work(job).then(
      () => finish(job.cancelled ? 'cancelled' : 'done'),
      (err: unknown) => {
        view.first_error ??= errorText(err);
        finish('failed');
      },
    );
    return snapshot(view);
  }

  private find(who: Actor, vhost: string, id: string): Job {
    const job = this.jobsOf(vhost).get(id);
    // someone else's job is as good as absent, unless the caller administers the broker
    if (job === undefined || (job.user !== who.name && !who.tags.includes('administrator'))) {
      throw new BrokerError('not_found', `no message transfer '${id}' in vhost '${vhost}'`, { code: 404 });
    }
    return job;
  }

  get(who: Actor, vhost: string, id: string): TransferJob {
    return snapshot(this.find(who, vhost, id).view);
  }

  /** The job stops after its current slice; what was done stays done. */
  cancel(who: Actor, vhost: string, id: string): TransferJob {
    const job = this.find(who, vhost, id);
    job.cancelled = true;
    return snapshot(job.view);
  }
}

/** The job now, with its measured rate: messages done a second since it started (until it ended). */
function snapshot(view: TransferJob): TransferJob {
  const ms = (view.finished_at ?? Date.now()) - view.started_at;
  return { ...view, rate: ms > 0 ? Math.round((view.done * 10_000) / ms) / 10 : 0 };
}

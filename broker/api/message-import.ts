// Importing messages (a JSON Lines export, read by the management layer) into an exchange as a job:
// published in order at most `rate` a second, each as the broker API's publish would, with progress
// and cancel through the job registry (message-jobs.ts). The publishing is the broker's own — the
// embedded core or a remote RabbitMQ's API — and runs in slices of a few milliseconds, so a big
// import neither holds the loop nor outruns its rate.
import type { ImportSpec, OutgoingMessage } from './broker-api';
import { SLICE_MS } from './loop-slices';
import type { RunningJob } from './message-jobs';

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms).unref());

/**
 * Publishes the messages for the job: `publish` answers whether one was routed, or throws when the
 * broker refused it (counted as failed, the first reason kept). Unroutable ones count as published.
 */
export async function runImport(job: RunningJob, spec: ImportSpec, publish: (m: OutgoingMessage) => boolean | Promise<boolean>, reason: (err: unknown) => string): Promise<void> {
  const v = job.view;
  const { messages, rate } = spec;
  const started = performance.now();
  let i = 0;
  while (i < messages.length && !job.cancelled) {
    const sliceEnd = performance.now() + SLICE_MS;
    // message k is due k/rate seconds after the start
    const allowed = rate > 0 ? Math.floor(((performance.now() - started) * rate) / 1000) + 1 : messages.length;
    while (i < messages.length && i < allowed && performance.now() < sliceEnd && !job.cancelled) {
      try {
        if (!(await publish(messages[i]))) v.unroutable++;
        v.done++;
      } catch (err) {
        v.failed++;
        v.first_error ??= `line ${i + 1}: ${reason(err)}`;
      }
      // the published message is not kept past its publish
      (messages as (OutgoingMessage | undefined)[])[i] = undefined;
      i++;
      v.examined = i;
      v.remaining = messages.length - i;
    }
    if (i >= messages.length || job.cancelled) break;
    const wait = rate > 0 ? started + (i * 1000) / rate - performance.now() : 0;
    if (wait > 1) await sleep(wait);
    else await nextTurn();
  }
}

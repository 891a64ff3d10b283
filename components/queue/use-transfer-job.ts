'use client';
// A message job (move, copy, return, import) followed as the broker counts it: the dialog that
// started it sets it, this polls it while it runs and tells `onDone` once it has ended.
import { useEffect, useState } from 'react';
import { transferJob } from '@/lib/client/api';
import type { TransferJobDto } from '@/lib/client/types';

const POLL_MS = 500;

export function useTransferJob(vhost: string, onDone: () => void): [TransferJobDto | null, (job: TransferJobDto) => void] {
  const [job, setJob] = useState<TransferJobDto | null>(null);
  const jobId = job?.id;
  const running = job?.state === 'running';
  useEffect(() => {
    if (jobId === undefined || !running) return;
    const ctl = new AbortController();
    const t = setInterval(() => {
      transferJob(vhost, jobId, ctl.signal).then(
        (j) => {
          setJob(j);
          if (j.state !== 'running') onDone();
        },
        () => undefined,
      );
    }, POLL_MS);
    return () => {
      clearInterval(t);
      ctl.abort();
    };
  }, [jobId, running, vhost, onDone]);
  return [job, setJob];
}

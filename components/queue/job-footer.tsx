'use client';
// The foot of a message job's dialog (move, copy, return, import): the last error, then the job's
// cancel button while it runs, Cancel before it starts and Done once it has ended, and the dialog's
// own start button (children) until it starts.
import type { ReactNode } from 'react';
import { cancelTransfer } from '@/lib/client/api';
import { reasonText } from '@/lib/client/api-reason';
import type { TransferJobDto } from '@/lib/client/types';
import { FormError } from '@/components/forms/form-error';

interface Props {
  vhost: string;
  job: TransferJobDto | null;
  setJob(job: TransferJobDto): void;
  error: string | null;
  setError(error: string): void;
  cancelLabel: string;
  onClose(): void;
  children: ReactNode;
}

export function JobFooter({ vhost, job, setJob, error, setError, cancelLabel, onClose, children }: Props) {
  return (
    <>
      <FormError error={error} />
      <div className="form-actions">
        {job !== null && job.state === 'running' ? (
          <button type="button" className="btn btn-danger" onClick={() => void cancelTransfer(vhost, job.id).then(setJob, (err: unknown) => setError(reasonText(err)))}>
            {cancelLabel}
          </button>
        ) : (
          <button type="button" className="btn" onClick={onClose}>
            {job === null ? 'Cancel' : 'Done'}
          </button>
        )}
        {job === null && children}
      </div>
    </>
  );
}

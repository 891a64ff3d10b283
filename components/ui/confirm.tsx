'use client';
// "Are you sure?" before anything destructive: delete, purge, unbind. One at a time, app-wide.
import { useState } from 'react';
import { create } from 'zustand';
import { Dialog } from './dialog';
import { FormError } from '@/components/forms/form-error';

interface ConfirmRequest {
  title: string;
  body: React.ReactNode;
  confirmLabel: string;
  tone: 'danger' | 'primary';
  action(): Promise<void> | void;
}

interface ConfirmState {
  request: ConfirmRequest | null;
  ask(r: ConfirmRequest): void;
  close(): void;
}

export const useConfirm = create<ConfirmState>()((set) => ({
  request: null,
  ask: (request) => set({ request }),
  close: () => set({ request: null }),
}));

export const confirmAction = (r: Omit<ConfirmRequest, 'tone'> & { tone?: ConfirmRequest['tone'] }) =>
  useConfirm.getState().ask({ tone: 'danger', ...r });

export function ConfirmHost() {
  const request = useConfirm((s) => s.request);
  const close = useConfirm((s) => s.close);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const run = async () => {
    if (!request) return;
    setBusy(true);
    setError(null);
    try {
      await request.action();
      close();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      open={request !== null}
      title={request?.title ?? ''}
      onClose={() => {
        setError(null);
        close();
      }}
      width={420}
      footer={
        <>
          <button type="button" className="btn" onClick={close}>
            Cancel
          </button>
          <button type="button" className={`btn ${request?.tone === 'danger' ? 'btn-danger' : 'btn-primary'}`} onClick={run} disabled={busy} autoFocus>
            {busy ? 'Working…' : request?.confirmLabel}
          </button>
        </>
      }
    >
      <div className="confirm-body">{request?.body}</div>
      <FormError error={error} />
    </Dialog>
  );
}

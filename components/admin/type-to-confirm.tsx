'use client';
// A confirmation that asks to type a name first, as RabbitMQ's UI does not but a person deleting a
// vhost, their own user or a queue full of messages should: the button stays off until it matches.
import { useId, useState, type FormEvent, type ReactNode } from 'react';
import { Dialog } from '../ui/dialog';
import { FormError } from '@/components/forms/form-error';

interface Props {
  open: boolean;
  title: string;
  body: ReactNode;
  /** what has to be typed */
  word: string;
  confirmLabel: string;
  onClose(): void;
  action(): Promise<void>;
}

export function TypeToConfirm(props: Props) {
  return (
    <Dialog open={props.open} title={props.title} onClose={props.onClose} width={440}>
      {props.open && <ConfirmForm {...props} />}
    </Dialog>
  );
}

function ConfirmForm({ body, word, confirmLabel, onClose, action }: Props) {
  const id = useId();
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const matches = typed === word;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!matches) return;
    setBusy(true);
    setError(null);
    try {
      await action();
      onClose();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
      setBusy(false);
    }
  };

  return (
    <form className="form" onSubmit={submit} aria-label={confirmLabel}>
      <div className="confirm-body">{body}</div>
      <label className="field" htmlFor={`${id}-word`}>
        <span>
          Type <strong className="ent type-word">{word}</strong> to confirm
        </span>
        <input id={`${id}-word`} value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" spellCheck={false} aria-describedby={`${id}-why`} />
        <small id={`${id}-why`} className="hint">
          This cannot be undone.
        </small>
      </label>
      <FormError error={error} />
      <div className="form-actions">
        <button type="button" className="btn" onClick={onClose}>
          Cancel
        </button>
        <button type="submit" className="btn btn-danger" disabled={!matches || busy}>
          {busy ? 'Working…' : confirmLabel}
        </button>
      </div>
    </form>
  );
}

'use client';
// Import a JSON Lines file (a Warren export) into an exchange of the vhost, at a chosen rate: every
// line is checked by the broker before the first is published, and the answer says how many were
// routed. For fixtures and bug reproductions.
import { useId, useState, type FormEvent } from 'react';
import { importMessages } from '@/lib/client/api';
import { reasonText } from '@/lib/client/api-reason';
import { useExchanges } from '@/lib/client/queries';
import { toast } from '@/lib/client/toast-store';
import { Dialog } from '../ui/dialog';

export function MessageImport({ vhost, open, onClose, onDone }: { vhost: string; open: boolean; onClose(): void; onDone(): void }) {
  return (
    <Dialog open={open} title="Import messages" onClose={onClose} width={480}>
      {open && <ImportForm vhost={vhost} onClose={onClose} onDone={onDone} />}
    </Dialog>
  );
}

function ImportForm({ vhost, onClose, onDone }: { vhost: string; onClose(): void; onDone(): void }) {
  const id = useId();
  const exchanges = useExchanges(vhost);
  const [exchange, setExchange] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [rate, setRate] = useState('1000');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const names = (exchanges.data ?? []).map((e) => e.name).filter((n) => !n.startsWith('amq.rabbitmq.'));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const r = Number(rate);
    if (file === null) return setError('Choose a JSON Lines file.');
    if (!Number.isInteger(r) || r < 1 || r > 10_000) return setError('The rate is 1 to 10,000 messages a second.');
    setBusy(true);
    setError(null);
    try {
      const out = await importMessages(vhost, exchange, await file.text(), r);
      toast.ok('Messages imported', `${out.published} published, ${out.routed} routed, ${out.unroutable} unroutable`);
      onDone();
      onClose();
    } catch (err) {
      setError(reasonText(err));
      setBusy(false);
    }
  };

  return (
    <form className="form" onSubmit={submit} aria-label="Import messages">
      <label className="field" htmlFor={`${id}-x`}>
        <span>Exchange</span>
        <select id={`${id}-x`} value={exchange} onChange={(e) => setExchange(e.target.value)}>
          {names.map((n) => (
            <option key={n} value={n}>
              {n === '' ? '(AMQP default)' : n}
            </option>
          ))}
        </select>
        <small className="hint">Each message goes out with the routing key its line gives.</small>
      </label>
      <label className="field" htmlFor={`${id}-f`}>
        <span>File (.jsonl, as Export writes it)</span>
        <input id={`${id}-f`} type="file" accept=".jsonl,.ndjson,application/x-ndjson,text/plain" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
      </label>
      <label className="field" htmlFor={`${id}-r`}>
        <span>At most, messages a second</span>
        <input id={`${id}-r`} type="number" min={1} max={10_000} value={rate} onChange={(e) => setRate(e.target.value)} inputMode="numeric" />
      </label>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <div className="form-actions">
        <button type="button" className="btn" onClick={onClose}>
          Cancel
        </button>
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? 'Importing…' : 'Import'}
        </button>
      </div>
    </form>
  );
}

'use client';
// Import a JSON Lines file (a Warren export) into an exchange of the vhost, at a chosen rate: every
// line is checked by the broker before the first is published; then the broker publishes them as a
// job, as it moves messages, and this dialog shows its progress from the broker's own counts (and
// the rate it measured) and can cancel it. For fixtures and bug reproductions.
import { useId, useState, type FormEvent } from 'react';
import { importMessages } from '@/lib/client/api';
import { reasonText } from '@/lib/client/api-reason';
import { useExchanges } from '@/lib/client/queries';
import { int } from '../graph/format';
import { Dialog } from '../ui/dialog';
import styles from './queue-messages.module.css';
import { JobFooter } from './job-footer';
import { useTransferJob } from './use-transfer-job';

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
  const [job, setJob] = useTransferJob(vhost, onDone);
  const names = (exchanges.data ?? []).map((e) => e.name).filter((n) => !n.startsWith('amq.rabbitmq.'));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const r = Number(rate);
    if (file === null) return setError('Choose a JSON Lines file.');
    if (!Number.isInteger(r) || r < 1 || r > 10_000) return setError('The rate is 1 to 10,000 messages a second.');
    setBusy(true);
    setError(null);
    try {
      setJob(await importMessages(vhost, exchange, await file.text(), r));
    } catch (err) {
      setError(reasonText(err));
    }
    setBusy(false);
  };

  const total = job?.total ?? 0;
  const handled = job === null ? 0 : job.done + job.failed;
  const pct = total === 0 ? 100 : Math.round((handled / total) * 100);

  return (
    <form className="form" onSubmit={submit} aria-label="Import messages">
      <label className="field" htmlFor={`${id}-x`}>
        <span>Exchange</span>
        <select id={`${id}-x`} value={exchange} onChange={(e) => setExchange(e.target.value)} disabled={job !== null}>
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
        <input id={`${id}-f`} type="file" accept=".jsonl,.ndjson,application/x-ndjson,text/plain" onChange={(e) => setFile(e.target.files?.[0] ?? null)} disabled={job !== null} />
      </label>
      <label className="field" htmlFor={`${id}-r`}>
        <span>At most, messages a second</span>
        <input id={`${id}-r`} type="number" min={1} max={10_000} value={rate} onChange={(e) => setRate(e.target.value)} inputMode="numeric" disabled={job !== null} />
      </label>
      {job !== null && (
        <div className={styles.transferProgress} role="status" aria-label="Import progress">
          <progress max={100} value={pct} aria-label={`${pct}%`} />
          <p className="small">
            <strong>{job.state}</strong> · {int(job.done)} of {int(total)} published · {job.rate.toLocaleString('en-US', { maximumFractionDigits: 1 })} a second (limit {int(job.rate_limit)})
            {job.unroutable > 0 && <> · {int(job.unroutable)} routed nowhere</>}
            {job.failed > 0 && <> · {int(job.failed)} refused</>}
          </p>
          {job.first_error && <p className="form-error small">{job.first_error}</p>}
        </div>
      )}
      <JobFooter vhost={vhost} job={job} setJob={setJob} error={error} setError={setError} cancelLabel="Cancel import" onClose={onClose}>
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? 'Checking…' : 'Import'}
        </button>
      </JobFooter>
    </form>
  );
}

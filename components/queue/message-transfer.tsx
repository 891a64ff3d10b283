'use client';
// Move, copy or return-to-origin for the messages checked in the list, the filter's matches or
// all ready ones: the broker runs it as a job (copies stored before sources leave), this dialog
// starts it, shows its progress from the broker's own counts and can cancel it. Moving or returning
// all of a queue asks for its name typed first. Return shows where each message would go first.
import { useEffect, useId, useState, type FormEvent } from 'react';
import { previewReturn, startTransfer } from '@/lib/client/api';
import { reasonText } from '@/lib/client/api-reason';
import type { ReturnPreviewDto, TransferSelection } from '@/lib/client/types';
import { int } from '../graph/format';
import { Dialog } from '../ui/dialog';
import styles from './queue-messages.module.css';
import { JobFooter } from './job-footer';
import { useTransferJob } from './use-transfer-job';

export type TransferMode = 'move' | 'copy' | 'return';
type Scope = 'checked' | 'filter' | 'all';

interface Props {
  vhost: string;
  queue: string;
  mode: TransferMode | null;
  checked: { id: number; position: number }[];
  filter: string | null;
  onClose(): void;
  onDone(): void;
}

const TITLES: Record<TransferMode, string> = { move: 'Move messages', copy: 'Copy messages', return: 'Return to origin' };

export function MessageTransfer(props: Props) {
  return (
    <Dialog open={props.mode !== null} title={props.mode === null ? '' : TITLES[props.mode]} onClose={props.onClose} width={560}>
      {props.mode !== null && <TransferForm {...props} mode={props.mode} />}
    </Dialog>
  );
}

function TransferForm({ vhost, queue, mode, checked, filter, onClose, onDone }: Props & { mode: TransferMode }) {
  const id = useId();
  const [scope, setScope] = useState<Scope>(checked.length > 0 ? 'checked' : filter !== null ? 'filter' : 'all');
  const [targetKind, setTargetKind] = useState<'queue' | 'exchange'>('queue');
  const [target, setTarget] = useState('');
  const [routingKey, setRoutingKey] = useState('');
  const [rate, setRate] = useState('0');
  const [typed, setTyped] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [preview, setPreview] = useState<ReturnPreviewDto | null>(null);
  // progress as the broker counts it
  const [job, setJob] = useTransferJob(vhost, onDone);

  const selection: TransferSelection = scope === 'checked' ? { ids: checked } : scope === 'filter' && filter !== null ? { expression: filter } : { all: true };
  const mustType = scope === 'all' && mode !== 'copy';

  // the return's preview follows the chosen messages
  const selectionKey = JSON.stringify(selection);
  useEffect(() => {
    if (mode !== 'return') return;
    let live = true;
    setPreview(null);
    previewReturn(vhost, queue, JSON.parse(selectionKey) as TransferSelection).then(
      (p) => live && setPreview(p),
      (err: unknown) => live && setError(reasonText(err)),
    );
    return () => {
      live = false;
    };
  }, [mode, vhost, queue, selectionKey]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const r = Number(rate);
    if (!Number.isFinite(r) || r < 0) return setError('The rate is a number of messages a second, 0 for no limit.');
    if (mode !== 'return' && target.trim() === '' && targetKind === 'queue') return setError('Name the queue the messages go to.');
    if (mustType && typed !== queue) return setError(`Type the queue's name, ${queue}, to ${mode} all of its messages.`);
    setError(null);
    const dest = mode === 'return' ? undefined : targetKind === 'queue' ? { queue: target.trim() } : { exchange: target, ...(routingKey === '' ? {} : { routing_key: routingKey }) };
    try {
      setJob(await startTransfer(vhost, queue, mode, { selection, target: dest, rate: r }));
    } catch (err) {
      setError(reasonText(err));
    }
  };

  const total = job === null ? 0 : job.done + job.failed + job.no_origin + job.remaining;
  const pct = job === null || total === 0 ? (job?.state === 'running' ? 0 : 100) : Math.round(((total - job.remaining) / total) * 100);
  const stays = preview?.destinations.filter((d) => d.stays !== null).length ?? 0;

  return (
    <form className="form" onSubmit={submit} aria-label={TITLES[mode]}>
      <fieldset className={`field ${styles.transferFieldset}`} disabled={job !== null}>
        <span>Which messages</span>
        <div className="segmented" role="radiogroup" aria-label="Messages to take">
          {checked.length > 0 && (
            <label className={scope === 'checked' ? 'on' : undefined}>
              <input type="radio" name={`${id}-scope`} checked={scope === 'checked'} onChange={() => setScope('checked')} />
              Checked <span className="muted">{int(checked.length)}</span>
            </label>
          )}
          {filter !== null && (
            <label className={scope === 'filter' ? 'on' : undefined}>
              <input type="radio" name={`${id}-scope`} checked={scope === 'filter'} onChange={() => setScope('filter')} />
              Filter matches
            </label>
          )}
          <label className={scope === 'all' ? 'on' : undefined}>
            <input type="radio" name={`${id}-scope`} checked={scope === 'all'} onChange={() => setScope('all')} />
            All ready
          </label>
        </div>
        {scope === 'filter' && <code className="small">{filter}</code>}
      </fieldset>
      {mode !== 'return' ? (
        <fieldset className={`field ${styles.transferFieldset}`} disabled={job !== null}>
          <span>To</span>
          <div className={styles.transferTarget}>
            <select aria-label="Target kind" value={targetKind} onChange={(e) => setTargetKind(e.target.value as 'queue' | 'exchange')}>
              <option value="queue">queue</option>
              <option value="exchange">exchange</option>
            </select>
            <input aria-label={targetKind === 'queue' ? 'Target queue' : 'Target exchange'} value={target} onChange={(e) => setTarget(e.target.value)} placeholder={targetKind === 'queue' ? 'queue name' : 'exchange name ("" is the default)'} spellCheck={false} />
            {targetKind === 'exchange' && <input aria-label="Routing key" value={routingKey} onChange={(e) => setRoutingKey(e.target.value)} placeholder="routing key (empty: each message's own)" spellCheck={false} />}
          </div>
        </fieldset>
      ) : (
        <div className="field">
          <span>Where they go (each message&apos;s first x-death entry)</span>
          {preview === null ? (
            <p className="muted small">Reading the dead letters…</p>
          ) : (
            <div className={styles.transferPreview} role="table" aria-label="Destinations">
              {preview.destinations.length === 0 && <p className="muted small">No messages chosen.</p>}
              {preview.destinations.slice(0, 100).map((d) => (
                <div key={d.id} role="row" className={styles.transferPreviewRow}>
                  <span role="cell" className="muted">#{int(d.position + 1)}</span>
                  <span role="cell">
                    {d.exchange === null ? '—' : <code>{d.exchange === '' ? '(AMQP default)' : d.exchange}</code>} {d.routing_keys.map((k) => <code key={k}>{k}</code>)}
                  </span>
                  <span role="cell" className={d.stays === null ? undefined : 'pill pill-warn'}>{d.stays ?? 'returns'}</span>
                </div>
              ))}
              {stays > 0 && <p className="muted small">{int(stays)} {stays === 1 ? 'has' : 'have'} no origin any more and {stays === 1 ? 'stays' : 'stay'} in {queue}.</p>}
              {preview.next_cursor !== null && <p className="muted small">The first {int(preview.destinations.length)} shown; the rest go the same way by their own x-death.</p>}
            </div>
          )}
        </div>
      )}
      <label className="field" htmlFor={`${id}-rate`}>
        <span>At most, messages a second (0: no limit)</span>
        <input id={`${id}-rate`} type="number" min={0} value={rate} onChange={(e) => setRate(e.target.value)} inputMode="numeric" disabled={job !== null} />
      </label>
      {mustType && job === null && (
        <label className="field" htmlFor={`${id}-word`}>
          <span>
            Type <strong className="ent type-word">{queue}</strong> to {mode} every ready message
          </span>
          <input id={`${id}-word`} value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" spellCheck={false} />
        </label>
      )}
      {job !== null && (
        <div className={styles.transferProgress} role="status" aria-label="Transfer progress">
          <progress max={100} value={pct} aria-label={`${pct}%`} />
          <p className="small">
            <strong>{job.state}</strong> · {int(job.done)} {mode === 'copy' ? 'copied' : mode === 'move' ? 'moved' : 'returned'} · {int(job.remaining)} left to look at · {int(job.failed)} failed
            {mode === 'return' && <> · {int(job.no_origin)} without origin</>}
            {job.duplicates > 0 && <> · {int(job.duplicates)} taken by a consumer meanwhile (delivered twice)</>}
          </p>
          {job.first_error && <p className="form-error small">{job.first_error}</p>}
        </div>
      )}
      <JobFooter vhost={vhost} job={job} setJob={setJob} error={error} setError={setError} cancelLabel="Cancel transfer" onClose={onClose}>
        <button type="submit" className={`btn ${mode === 'copy' ? 'btn-primary' : 'btn-danger'}`} disabled={mustType && typed !== queue}>
          {mode === 'move' ? 'Move' : mode === 'copy' ? 'Copy' : 'Return'}
        </button>
      </JobFooter>
    </form>
  );
}

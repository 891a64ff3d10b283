'use client';
// Declare an exchange or a queue from the toolbar. Durable by default, as most real topologies
// are; every option RabbitMQ's own form has that matters day to day.
import { useId, useState, type FormEvent } from 'react';
import { declareExchange, declareQueue } from '@/lib/client/api';
import { FormFooter } from './form-footer';
import { usePanel } from '@/lib/client/panel-store';
import { useExchanges, useInvalidateVhost } from '@/lib/client/queries';
import { useGraph } from '@/lib/client/graph/store';
import { exchangeId, queueId } from '@/lib/client/graph/types';
import { useSession } from '@/lib/client/session';
import { toast } from '@/lib/client/toast-store';
import type { JsonObject } from '@/lib/client/types';
import { Dialog } from '../ui/dialog';
import { HeadersEditor, rowsToObject, type HeaderRow } from './headers-editor';

export function CreateDialogs() {
  const creating = usePanel((s) => s.creating);
  const close = () => usePanel.getState().create(null);
  return (
    <>
      <Dialog open={creating === 'exchange'} onClose={close} title="New exchange" width={520}>
        {creating === 'exchange' && <ExchangeForm onDone={close} />}
      </Dialog>
      <Dialog open={creating === 'queue'} onClose={close} title="New queue" width={540}>
        {creating === 'queue' && <QueueForm onDone={close} />}
      </Dialog>
    </>
  );
}

const TYPES = [
  { value: 'direct', hint: 'routing key equals the binding key' },
  { value: 'topic', hint: 'routing key matches a pattern (* and #)' },
  { value: 'fanout', hint: 'every bound queue gets every message' },
  { value: 'headers', hint: 'message headers match binding arguments' },
] as const;

function Check({ label, hint, checked, onChange }: { label: string; hint?: string; checked: boolean; onChange(v: boolean): void }) {
  return (
    <label className="check">
      <input type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} />
      <span>
        {label}
        {hint && <small>{hint}</small>}
      </span>
    </label>
  );
}

function useExchangeNames(): string[] {
  const vhost = useSession((s) => s.vhost);
  const { data } = useExchanges(vhost);
  return (data ?? []).map((e) => e.name).filter((n) => n !== '');
}

function ExchangeForm({ onDone }: { onDone(): void }) {
  const vhost = useSession((s) => s.vhost);
  const invalidate = useInvalidateVhost();
  const names = useExchangeNames();
  const id = useId();
  const [name, setName] = useState('');
  const [type, setType] = useState<string>('direct');
  const [durable, setDurable] = useState(true);
  const [autoDelete, setAutoDelete] = useState(false);
  const [internal, setInternal] = useState(false);
  const [alternate, setAlternate] = useState('');
  const [rows, setRows] = useState<HeaderRow[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    const start = nameAndArguments('exchange', name, rows);
    if ('error' in start) return setError(start.error);
    const { trimmed, args } = start;
    if (alternate.trim() !== '') args['alternate-exchange'] = alternate.trim();
    await create(
      { setBusy, setError, onDone, invalidate: () => void invalidate(vhost) },
      () => declareExchange(vhost, trimmed, { type, durable, auto_delete: autoDelete, internal, arguments: args }),
      'Exchange created', trimmed, exchangeId(trimmed),
    );
  };

  return (
    <form className="form" onSubmit={submit} aria-label="New exchange">
      <label className="field">
        <span>Name</span>
        <input name="name" value={name} onChange={(e) => setName(e.target.value)} autoFocus required spellCheck={false} autoComplete="off" placeholder="orders.events" />
      </label>
      <div className="field">
        <span id={`${id}-type`}>Type</span>
        <div className="type-grid" role="radiogroup" aria-labelledby={`${id}-type`}>
          {TYPES.map((t) => (
            <label key={t.value} className={type === t.value ? `type-option on type-${t.value}` : `type-option type-${t.value}`}>
              <input type="radio" name="type" value={t.value} checked={type === t.value} onChange={() => setType(t.value)} />
              <strong>{t.value}</strong>
              <small>{t.hint}</small>
            </label>
          ))}
        </div>
      </div>
      <div className="checks">
        <Check label="Durable" hint="survives a restart" checked={durable} onChange={setDurable} />
        <Check label="Auto-delete" hint="goes when its last binding goes" checked={autoDelete} onChange={setAutoDelete} />
        <Check label="Internal" hint="only other exchanges publish to it" checked={internal} onChange={setInternal} />
      </div>
      <label className="field">
        <span>Alternate exchange</span>
        <input name="alternate" list={`${id}-ex`} value={alternate} onChange={(e) => setAlternate(e.target.value)} placeholder="where unroutable messages go (optional)" spellCheck={false} />
        <datalist id={`${id}-ex`}>
          {names.map((n) => (
            <option key={n} value={n} />
          ))}
        </datalist>
      </label>
      <details className="more">
        <summary>More arguments</summary>
        <HeadersEditor label="Argument" rows={rows} onChange={setRows} keyPlaceholder="x-argument" addLabel="Add argument" />
      </details>
      <FormFooter error={error} busy={busy} onCancel={onDone} submit="Create exchange" busyLabel="Creating…" />
    </form>
  );
}

function numberArg(args: JsonObject, key: string, raw: string, label: string, min = 0): string | null {
  if (raw.trim() === '') return null;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) return `${label} must be a whole number${min > 0 ? ` of at least ${min}` : ''}.`;
  args[key] = n;
  return null;
}

function QueueForm({ onDone }: { onDone(): void }) {
  const vhost = useSession((s) => s.vhost);
  const invalidate = useInvalidateVhost();
  const names = useExchangeNames();
  const id = useId();
  const [name, setName] = useState('');
  const [durable, setDurable] = useState(true);
  const [autoDelete, setAutoDelete] = useState(false);
  const [ttl, setTtl] = useState('');
  const [expires, setExpires] = useState('');
  const [dlx, setDlx] = useState('');
  const [dlk, setDlk] = useState('');
  const [maxLength, setMaxLength] = useState('');
  const [overflow, setOverflow] = useState('');
  const [maxPriority, setMaxPriority] = useState('');
  const [rows, setRows] = useState<HeaderRow[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    const start = nameAndArguments('queue', name, rows);
    if ('error' in start) return setError(start.error);
    const { trimmed, args } = start;
    const problem =
      numberArg(args, 'x-message-ttl', ttl, 'Message TTL') ??
      numberArg(args, 'x-expires', expires, 'Queue expiry', 1) ??
      numberArg(args, 'x-max-length', maxLength, 'Max length') ??
      numberArg(args, 'x-max-priority', maxPriority, 'Max priority', 1);
    if (problem) return setError(problem);
    if (typeof args['x-max-priority'] === 'number' && args['x-max-priority'] > 255) return setError('Max priority is at most 255.');
    if (dlx.trim() !== '') args['x-dead-letter-exchange'] = dlx.trim();
    if (dlk.trim() !== '') {
      if (dlx.trim() === '') return setError('A dead-letter routing key needs a dead-letter exchange.');
      args['x-dead-letter-routing-key'] = dlk.trim();
    }
    if (overflow !== '') args['x-overflow'] = overflow;
    await create(
      { setBusy, setError, onDone, invalidate: () => void invalidate(vhost) },
      () => declareQueue(vhost, trimmed, { durable, auto_delete: autoDelete, arguments: args }),
      'Queue created', trimmed, queueId(trimmed),
    );
  };

  return (
    <form className="form" onSubmit={submit} aria-label="New queue">
      <label className="field">
        <span>Name</span>
        <input name="name" value={name} onChange={(e) => setName(e.target.value)} autoFocus required spellCheck={false} autoComplete="off" placeholder="orders.created" />
      </label>
      <div className="checks">
        <Check label="Durable" hint="survives a restart" checked={durable} onChange={setDurable} />
        <Check label="Auto-delete" hint="goes when its last consumer leaves" checked={autoDelete} onChange={setAutoDelete} />
      </div>
      <div className="grid-2">
        <label className="field">
          <span>Message TTL (ms)</span>
          <input name="ttl" inputMode="numeric" value={ttl} onChange={(e) => setTtl(e.target.value)} placeholder="no limit" />
        </label>
        <label className="field">
          <span>Queue expires after (ms idle)</span>
          <input name="expires" inputMode="numeric" value={expires} onChange={(e) => setExpires(e.target.value)} placeholder="never" />
        </label>
        <label className="field">
          <span>Dead-letter exchange</span>
          <input name="dlx" list={`${id}-ex`} value={dlx} onChange={(e) => setDlx(e.target.value)} placeholder="none" spellCheck={false} />
        </label>
        <label className="field">
          <span>Dead-letter routing key</span>
          <input name="dlk" value={dlk} onChange={(e) => setDlk(e.target.value)} placeholder="the message's own" spellCheck={false} />
        </label>
        <label className="field">
          <span>Max length (messages)</span>
          <input name="max-length" inputMode="numeric" value={maxLength} onChange={(e) => setMaxLength(e.target.value)} placeholder="no limit" />
        </label>
        <label className="field">
          <span>When full</span>
          <select name="overflow" value={overflow} onChange={(e) => setOverflow(e.target.value)}>
            <option value="">drop the oldest (drop-head)</option>
            <option value="reject-publish">refuse new (reject-publish)</option>
            <option value="reject-publish-dlx">refuse and dead-letter</option>
          </select>
        </label>
        <label className="field">
          <span>Max priority</span>
          <input name="max-priority" inputMode="numeric" value={maxPriority} onChange={(e) => setMaxPriority(e.target.value)} placeholder="no priorities" />
        </label>
      </div>
      <datalist id={`${id}-ex`}>
        {names.map((n) => (
          <option key={n} value={n} />
        ))}
      </datalist>
      <details className="more">
        <summary>More arguments</summary>
        <HeadersEditor label="Argument" rows={rows} onChange={setRows} keyPlaceholder="x-argument" addLabel="Add argument" />
      </details>
      <FormFooter error={error} busy={busy} onCancel={onDone} submit="Create queue" busyLabel="Creating…" />
    </form>
  );
}

interface FormControls {
  setBusy: (busy: boolean) => void;
  setError: (error: string | null) => void;
  onDone: () => void;
  invalidate: () => void;
}

/** Runs a declare; on success closes the form and selects the new node, on failure shows why. */
async function create(f: FormControls, declare: () => Promise<unknown>, done: string, name: string, nodeId: string): Promise<void> {
  f.setBusy(true);
  try {
    await declare();
    toast.ok(done, name);
    f.invalidate();
    f.onDone();
    setTimeout(() => useGraph.getState().focusNode(nodeId), 300);
  } catch (err) {
    f.setError(err instanceof Error ? err.message : String(err));
    f.setBusy(false);
  }
}

/** What both create forms check first: a name that is not reserved, and well-formed extra arguments. */
function nameAndArguments(kind: 'exchange' | 'queue', name: string, rows: HeaderRow[]): { error: string } | { trimmed: string; args: JsonObject } {
  const trimmed = name.trim();
  if (trimmed === '') return { error: `Give the ${kind} a name.` };
  if (trimmed.startsWith('amq.')) return { error: 'Names starting with "amq." are reserved for the broker.' };
  const extra = rowsToObject(rows);
  if (extra.error) return { error: extra.error };
  return { trimmed, args: { ...extra.value } };
}

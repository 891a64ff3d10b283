'use client';
// After a drag from an exchange to a queue or exchange: what the binding matches. A routing key
// for direct, a pattern for topic (with a preview of which keys it would match), header
// arguments and x-match for headers, nothing for fanout.
import { useEffect, useId, useMemo, useState, type FormEvent } from 'react';
import { create } from 'zustand';
import { createBinding } from '@/lib/client/api';
import { FormFooter } from '@/components/forms/form-footer';
import { exchangeLabel } from '@/lib/client/graph/build';
import { useInvalidateVhost } from '@/lib/client/queries';
import { recentKeys } from '@/lib/client/recent-keys';
import { useSession } from '@/lib/client/session';
import { toast } from '@/lib/client/toast-store';
import { sampleKeysFor, topicMatches } from '@/lib/client/topic';
import { HeadersEditor, newRow, rowsToObject, type HeaderRow } from '../forms/headers-editor';
import { Dialog } from '../ui/dialog';
import { CheckIcon, XIcon } from '../ui/icons';

export interface BindRequest {
  source: string;
  sourceType: string;
  destinationKind: 'queue' | 'exchange';
  destination: string;
}

interface BindState {
  request: BindRequest | null;
  open(r: BindRequest): void;
  close(): void;
}

export const useBindDialog = create<BindState>()((set) => ({
  request: null,
  open: (request) => set({ request }),
  close: () => set({ request: null }),
}));

export function BindDialog() {
  const request = useBindDialog((s) => s.request);
  const close = useBindDialog((s) => s.close);
  return (
    <Dialog
      open={request !== null}
      onClose={close}
      title="New binding"
      width={520}
      description={
        request && (
          <>
            <strong className="ent">{exchangeLabel(request.source)}</strong> <span className="muted">({request.sourceType})</span> →{' '}
            {request.destinationKind} <strong className="ent">{request.destination}</strong>
          </>
        )
      }
    >
      {request && <BindForm key={`${request.source}>${request.destination}`} request={request} onDone={close} />}
    </Dialog>
  );
}

function BindForm({ request, onDone }: { request: BindRequest; onDone(): void }) {
  const vhost = useSession((s) => s.vhost);
  const invalidate = useInvalidateVhost();
  const type = request.sourceType;
  const [key, setKey] = useState(type === 'direct' && request.destinationKind === 'queue' ? request.destination : '');
  const [match, setMatch] = useState<'all' | 'any'>('all');
  const [rows, setRows] = useState<HeaderRow[]>(() => [newRow()]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const keyId = useId();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    let args = {};
    if (type === 'headers') {
      const parsed = rowsToObject(rows);
      if (parsed.error) return setError(parsed.error);
      args = { 'x-match': match, ...parsed.value };
    }
    setBusy(true);
    try {
      await createBinding(vhost, request.source, request.destinationKind, request.destination, type === 'fanout' || type === 'headers' ? '' : key, args);
      toast.ok('Binding created', `${exchangeLabel(request.source)} → ${request.destination}`);
      void invalidate(vhost);
      onDone();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} className="form" aria-label="New binding">
      {type === 'fanout' ? (
        <p className="note">Fanout exchanges send every message to every binding: there is no routing key to set.</p>
      ) : type === 'headers' ? (
        <>
          <div className="field">
            <span id={`${keyId}-m`}>Match</span>
            <div className="segmented" role="radiogroup" aria-labelledby={`${keyId}-m`}>
              {(['all', 'any'] as const).map((m) => (
                <label key={m} className={match === m ? 'on' : ''}>
                  <input type="radio" name="x-match" value={m} checked={match === m} onChange={() => setMatch(m)} />
                  {m === 'all' ? 'all headers (x-match=all)' : 'any header (x-match=any)'}
                </label>
              ))}
            </div>
          </div>
          <HeadersEditor label="Header" rows={rows} onChange={setRows} addLabel="Add header" />
          <small className="hint">The routing key is ignored: a message is routed here when its headers carry these values.</small>
        </>
      ) : (
        <>
          <div className="field">
            <label htmlFor={keyId}>{type === 'topic' ? 'Routing pattern' : 'Routing key'}</label>
            <input
              id={keyId}
              aria-describedby={`${keyId}-hint`}
              name="routing_key"
              value={key}
              onChange={(e) => setKey(e.target.value)}
              placeholder={type === 'topic' ? 'order.*.eu or audit.#' : 'routing key'}
              autoFocus
              spellCheck={false}
              autoComplete="off"
            />
            {type === 'topic' ? (
              <small className="hint" id={`${keyId}-hint`}>
                Words are separated by dots. <code>*</code> matches exactly one word, <code>#</code> matches zero or more.
              </small>
            ) : (
              <small className="hint" id={`${keyId}-hint`}>
                A message published to <strong>{exchangeLabel(request.source)}</strong> with exactly this routing key goes to {request.destination}. Several
                queues may share a key.
              </small>
            )}
          </div>
          {type === 'topic' && <TopicPreview pattern={key} exchange={request.source} />}
        </>
      )}
      <FormFooter error={error} busy={busy} onCancel={onDone} submit="Bind" busyLabel="Binding…" />
    </form>
  );
}

function TopicPreview({ pattern, exchange }: { pattern: string; exchange: string }) {
  const [extra, setExtra] = useState('');
  const [seen, setSeen] = useState<string[]>([]);
  useEffect(() => setSeen(recentKeys(exchange)), [exchange]);
  const keys = useMemo(() => {
    const base = sampleKeysFor(pattern, seen);
    return extra.trim() !== '' ? [extra.trim(), ...base.filter((k) => k !== extra.trim())] : base;
  }, [pattern, seen, extra]);
  return (
    <div className="topic-preview" aria-live="polite">
      <div className="topic-preview-head">
        <span>Would match</span>
        <input aria-label="Try a routing key" placeholder="try a key…" value={extra} onChange={(e) => setExtra(e.target.value)} spellCheck={false} />
      </div>
      {keys.length === 0 ? (
        <p className="muted small">Type a pattern to see which keys it matches.</p>
      ) : (
        <ul>
          {keys.map((k) => {
            const ok = topicMatches(pattern, k);
            return (
              <li key={k} className={ok ? 'match' : 'miss'}>
                {ok ? <CheckIcon size={13} /> : <XIcon size={13} />}
                <code>{k}</code>
                <span className="sr-only">{ok ? 'matches' : 'does not match'}</span>
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}

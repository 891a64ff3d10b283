'use client';
// The queue page's Messages tab: the queue's ready messages (or those delivered and not yet acked,
// with who holds them) browsed without consuming — nothing the clients see changes. The list is
// virtual: only the rows in view are drawn and only their pages fetched, so a queue of a million
// messages opens as fast as one of ten. Positions are as of the last refresh; the list does not
// follow the queue on its own, so a row stays where the user is looking.
import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { ApiError, browseQueue, exportUrl } from '@/lib/client/api';
import { reasonText } from '@/lib/client/api-reason';
import type { BrowsedMessageDto } from '@/lib/client/types';
import { int } from '../graph/format';
import { MessageDetail } from './message-detail';
import { MessageFilterResults } from './message-filter';
import { MessageImport } from './message-import';
import { MessageTransfer, type TransferMode } from './message-transfer';
import { MessageRowContent } from './message-row';
import styles from './queue-messages.module.css';

type State = 'ready' | 'unacked';
const PAGE = 100;
const ROW_PX = 44;
const VIEW_PX = 560;
const OVERSCAN = 10;
/** body bytes per message in a page: enough to preview and to show most bodies whole */
const BODY_LIMIT = 4096;

interface Pages {
  /** the list this cache belongs to: a refresh or a switch starts a new one */
  generation: number;
  total: number | null;
  rows: Map<number, BrowsedMessageDto[]>;
  loading: Set<number>;
}

export function QueueMessages({ vhost, queue, ready, unacked }: { vhost: string; queue: string; ready: number; unacked: number }) {
  const [state, setState] = useState<State>('ready');
  const [generation, setGeneration] = useState(0);
  const [pages, setPages] = useState<Pages>({ generation: 0, total: null, rows: new Map(), loading: new Set() });
  const [error, setError] = useState<{ status: number; text: string } | null>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [selected, setSelected] = useState<BrowsedMessageDto | null>(null);
  const [asOf, setAsOf] = useState<Date | null>(null);
  const scroller = useRef<HTMLDivElement>(null);
  const [draft, setDraft] = useState('');
  const [filter, setFilter] = useState<string | null>(null);
  const [filterError, setFilterError] = useState<string | null>(null);
  const [importing, setImporting] = useState(false);
  const [transfer, setTransfer] = useState<TransferMode | null>(null);
  /** rows checked for a move, copy or return: id → position where it was seen */
  const [checked, setChecked] = useState<Map<number, number>>(new Map());
  const toggle = (m: BrowsedMessageDto) =>
    setChecked((c) => {
      const next = new Map(c);
      if (next.has(m.id)) next.delete(m.id);
      else next.set(m.id, m.position);
      return next;
    });
  const applyFilter = (e: FormEvent) => {
    e.preventDefault();
    setFilterError(null);
    setSelected(null);
    setFilter(draft.trim() === '' ? null : draft.trim());
  };

  const restart = useCallback(() => {
    setGeneration((g) => g + 1);
    setSelected(null);
    setChecked(new Map());
    setScrollTop(0);
    if (scroller.current) scroller.current.scrollTop = 0;
  }, []);

  const total = pages.total ?? 0;
  const first = Math.max(0, Math.floor(scrollTop / ROW_PX) - OVERSCAN);
  const last = Math.min(total - 1, Math.ceil((scrollTop + VIEW_PX) / ROW_PX) + OVERSCAN);
  const wanted = useMemo(() => {
    if (pages.total === null) return [0];
    const out: number[] = [];
    for (let p = Math.floor(first / PAGE); p <= Math.floor(Math.max(last, 0) / PAGE); p++) out.push(p);
    return out;
  }, [first, last, pages.total]);

  // a refresh or a switch abandons the fetches of the list before it; scrolling abandons none
  const inflight = useRef<{ generation: number; ctl: AbortController } | null>(null);
  useEffect(() => () => inflight.current?.ctl.abort(), []);

  // fetch the pages in view that this generation does not have yet
  useEffect(() => {
    if (pages.generation !== generation) {
      setPages({ generation, total: null, rows: new Map(), loading: new Set() });
      return;
    }
    const missing = wanted.filter((p) => !pages.rows.has(p) && !pages.loading.has(p));
    if (missing.length === 0) return;
    if (inflight.current?.generation !== generation) {
      inflight.current?.ctl.abort();
      inflight.current = { generation, ctl: new AbortController() };
    }
    const signal = inflight.current.ctl.signal;
    setPages((s) => ({ ...s, loading: new Set([...s.loading, ...missing]) }));
    for (const p of missing) {
      browseQueue(vhost, queue, { state, offset: p * PAGE, limit: PAGE, bodyLimit: BODY_LIMIT }, signal).then(
        (page) => {
          setAsOf((t) => (p === 0 || t === null ? new Date() : t));
          setError(null);
          setPages((s) => {
            if (s.generation !== generation) return s;
            const rows = new Map(s.rows);
            rows.set(p, page.messages);
            const loading = new Set(s.loading);
            loading.delete(p);
            return { ...s, total: s.total === null || p === 0 ? page.total : s.total, rows, loading };
          });
        },
        (err: unknown) => {
          if (err instanceof DOMException && err.name === 'AbortError') return;
          setError({ status: err instanceof ApiError ? err.status : 0, text: reasonText(err) });
          setPages((s) => (s.generation !== generation ? s : { ...s, total: s.total ?? 0 }));
        },
      );
    }
  }, [wanted, generation, state, vhost, queue, pages]);

  const rowAt = (i: number): BrowsedMessageDto | undefined => pages.rows.get(Math.floor(i / PAGE))?.[i % PAGE];
  const visible: number[] = [];
  for (let i = first; i <= last; i++) visible.push(i);

  const switchTo = (s: State) => {
    if (s === state) return;
    setState(s);
    restart();
  };

  return (
    <section className={`card qp-section ${styles.panel}`} aria-label="Browse messages">
      <header className={styles.head}>
        <div className="segmented" role="radiogroup" aria-label="Which messages">
          <label className={state === 'ready' ? 'on' : undefined}>
            <input type="radio" name="browse-state" checked={state === 'ready'} onChange={() => switchTo('ready')} />
            Ready <span className="muted">{int(ready)}</span>
          </label>
          <label className={state === 'unacked' ? 'on' : undefined}>
            <input type="radio" name="browse-state" checked={state === 'unacked'} onChange={() => switchTo('unacked')} />
            Unacked <span className="muted">{int(unacked)}</span>
          </label>
        </div>
        <p className="muted small">
          Read without consuming: order, redelivered flags and counters stay as they are.
          {asOf && pages.total !== null && (
            <>
              {' '}
              {int(pages.total)} {state} as of {asOf.toLocaleTimeString()}.
            </>
          )}
        </p>
        <a className="btn btn-sm" href={exportUrl(vhost, queue, state === 'ready' ? filter : null)} download>
          {filter !== null && state === 'ready' ? 'Export matches' : 'Export'} (.jsonl)
        </a>
        <button type="button" className="btn btn-sm" onClick={() => setImporting(true)}>
          Import…
        </button>
        <button type="button" className="btn btn-sm" onClick={restart}>
          Refresh
        </button>
      </header>
      {state === 'ready' && (
        <div className={styles.checkedBar} role="toolbar" aria-label="Move, copy or return messages">
          <span className="muted small">{checked.size > 0 ? `${int(checked.size)} checked` : 'Check rows, filter, or take all:'}</span>
          <button type="button" className="btn btn-sm" onClick={() => setTransfer('move')}>
            Move…
          </button>
          <button type="button" className="btn btn-sm" onClick={() => setTransfer('copy')}>
            Copy…
          </button>
          <button type="button" className="btn btn-sm" onClick={() => setTransfer('return')}>
            Return to origin…
          </button>
          {checked.size > 0 && (
            <button type="button" className="btn btn-sm btn-ghost" onClick={() => setChecked(new Map())}>
              Uncheck all
            </button>
          )}
        </div>
      )}
      <MessageImport vhost={vhost} open={importing} onClose={() => setImporting(false)} onDone={restart} />
      <MessageTransfer
        vhost={vhost}
        queue={queue}
        mode={transfer}
        checked={[...checked].map(([id, position]) => ({ id, position }))}
        filter={filter}
        onClose={() => setTransfer(null)}
        onDone={restart}
      />
      {state === 'ready' && (
        <form className={styles.filterForm} onSubmit={applyFilter} aria-label="Filter">
          <input
            type="text"
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
            placeholder='Filter (CEL), e.g. headers.attempt > 2 && json.customer.tier == "gold"'
            aria-label="Filter expression"
            aria-invalid={filterError !== null}
            maxLength={2000}
            spellCheck={false}
          />
          <button type="submit" className="btn btn-sm btn-primary">
            Filter
          </button>
          {filter !== null && (
            <button
              type="button"
              className="btn btn-sm"
              onClick={() => {
                setFilter(null);
                setFilterError(null);
                setSelected(null);
              }}
            >
              Clear
            </button>
          )}
        </form>
      )}
      {state === 'ready' && filterError && (
        <p className="form-error" role="alert">
          {filterError}
        </p>
      )}
      {state === 'ready' && (
        <details className={`muted ${styles.help}`}>
          <summary>What a filter can use</summary>
          <code>routing_key</code>, <code>exchange</code> (strings), <code>redelivered</code> (bool), <code>size</code> (body bytes),{' '}
          <code>properties.content_type</code> and the other properties, <code>headers.name</code>, <code>body</code> (text) and <code>json</code> (the body
          parsed, up to 64 KiB). CEL: <code>&amp;&amp; || ! == != &lt; &gt; in</code>, <code>.startsWith()</code>, <code>.contains()</code>,{' '}
          <code>.regex()</code>, <code>has(json.field)</code>. The broker scans in short stretches, so a filter never holds it up.
        </details>
      )}
      {error && (
        <p className={error.status === 501 ? 'muted' : 'form-error'} role="alert">
          {error.status === 501 ? `This broker cannot browse: ${error.text}` : `Could not read the messages: ${error.text}`}
        </p>
      )}
      <div className={styles.split}>
        {state === 'ready' && filter !== null ? (
          <MessageFilterResults
            key={filter}
            vhost={vhost}
            queue={queue}
            expression={filter}
            selected={selected}
            onSelect={setSelected}
            onBadExpression={(reason) => {
              setFilterError(reason);
              setFilter(null);
            }}
          />
        ) : (
        <div
          ref={scroller}
          className={styles.scroller}
          style={{ height: VIEW_PX }}
          onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
          role="listbox"
          aria-label={`${state === 'ready' ? 'Ready' : 'Unacked'} messages`}
          tabIndex={0}
        >
          {pages.total === 0 ? (
            <p className={`muted ${styles.empty}`} role="status">
              {state === 'ready' ? 'No ready messages.' : 'No unacked messages.'}
            </p>
          ) : (
            <div style={{ height: total * ROW_PX, position: 'relative' }}>
              {visible.map((i) => {
                const m = rowAt(i);
                const on = m !== undefined && selected?.id === m.id;
                return (
                  <div
                    key={i}
                    role="option"
                    aria-selected={on}
                    className={`${styles.row} ${on ? styles.rowOn : ''}`}
                    style={{ top: i * ROW_PX, height: ROW_PX }}
                    onClick={() => m && setSelected(m)}
                    data-position={i}
                  >
                    {state === 'ready' && (
                      <input
                        type="checkbox"
                        className={styles.rowCheck}
                        aria-label={`Check message #${i + 1}`}
                        checked={m !== undefined && checked.has(m.id)}
                        disabled={m === undefined}
                        onClick={(e) => e.stopPropagation()}
                        onChange={() => m && toggle(m)}
                      />
                    )}
                    <MessageRowContent position={i} m={m} />
                  </div>
                );
              })}
            </div>
          )}
        </div>
        )}
        <div className={styles.detail}>
          {selected === null ? (
            <p className="muted">Choose a message to see its body, properties and headers.</p>
          ) : (
            <MessageDetail key={`${state}:${selected.id}`} vhost={vhost} queue={queue} m={selected} />
          )}
        </div>
      </div>
    </section>
  );
}


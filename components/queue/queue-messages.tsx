'use client';
// The queue page's Messages tab: the queue's ready messages (or those delivered and not yet acked,
// with who holds them) browsed without consuming — nothing the clients see changes. The list is
// virtual: only the rows in view are drawn and only their pages fetched, so a queue of a million
// messages opens as fast as one of ten. Positions are as of the last refresh; the list does not
// follow the queue on its own, so a row stays where the user is looking.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ApiError, browseMessage, browseQueue } from '@/lib/client/api';
import { reasonText } from '@/lib/client/api-reason';
import { base64Length, previewOf } from '@/lib/client/message-bytes';
import type { BrowsedMessageDto, JsonValue } from '@/lib/client/types';
import { bytes as byteSize, int } from '../graph/format';
import { MessageBody } from './message-body';
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

  const restart = useCallback(() => {
    setGeneration((g) => g + 1);
    setSelected(null);
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
        <button type="button" className="btn btn-sm" onClick={restart}>
          Refresh
        </button>
      </header>
      {error && (
        <p className={error.status === 501 ? 'muted' : 'form-error'} role="alert">
          {error.status === 501 ? `This broker cannot browse: ${error.text}` : `Could not read the messages: ${error.text}`}
        </p>
      )}
      <div className={styles.split}>
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
                    <span className={styles.pos}>#{int(i + 1)}</span>
                    {m === undefined ? (
                      <span className="muted small">…</span>
                    ) : (
                      <>
                        <span className={styles.rowMain}>
                          <span className={styles.rowKey}>
                            <code>{m.routing_key === '' ? '(no key)' : m.routing_key}</code>
                            <span className="muted small"> via {m.exchange === '' ? '(AMQP default)' : m.exchange}</span>
                            {m.redelivered && <span className="pill pill-warn">redelivered</span>}
                            {m.consumer_tag !== undefined && <span className="pill">{m.consumer_tag === '' ? 'basic.get' : m.consumer_tag}</span>}
                          </span>
                          <span className={styles.preview}>{previewOf(m.payload, m.truncated)}</span>
                        </span>
                        <span className="muted small">{byteSize(m.payload_bytes)}</span>
                      </>
                    )}
                  </div>
                );
              })}
            </div>
          )}
        </div>
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

const show = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

function MessageDetail({ vhost, queue, m }: { vhost: string; queue: string; m: BrowsedMessageDto }) {
  const [whole, setWhole] = useState<BrowsedMessageDto | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const shown = whole ?? m;
  const { headers, ...props } = m.properties;
  const headerEntries = Object.entries((headers ?? {}) as Record<string, JsonValue>);
  const loadAll = async () => {
    setLoading(true);
    setError(null);
    try {
      setWhole(await browseMessage(vhost, queue, m.id, m.position));
    } catch (err) {
      setError(err instanceof ApiError && err.status === 404 ? 'The message has left the queue since the list was read.' : reasonText(err));
    } finally {
      setLoading(false);
    }
  };
  return (
    <div className={styles.detailInner} role="group" aria-label="Message">
      <div className={styles.detailHead}>
        <strong>
          #{int(m.position + 1)} <span className="muted small">id {m.id}</span>
        </strong>
        {m.redelivered && <span className="pill pill-warn">redelivered</span>}
      </div>
      <dl className="props">
        <div>
          <dt>Exchange</dt>
          <dd className="ent">{m.exchange === '' ? '(AMQP default)' : m.exchange}</dd>
        </div>
        <div>
          <dt>Routing key</dt>
          <dd>
            <code>{m.routing_key}</code>
          </dd>
        </div>
        <div>
          <dt>Size</dt>
          <dd>{int(m.payload_bytes)} bytes</dd>
        </div>
        {m.expires_at !== null && (
          <div>
            <dt>Expires</dt>
            <dd>{new Date(m.expires_at).toLocaleString()}</dd>
          </div>
        )}
        {m.consumer_tag !== undefined && (
          <>
            <div>
              <dt>Held by</dt>
              <dd>{m.consumer_tag === '' ? 'basic.get' : m.consumer_tag}</dd>
            </div>
            <div>
              <dt>Channel</dt>
              <dd>{m.channel}</dd>
            </div>
            <div>
              <dt>Delivery tag</dt>
              <dd>{m.delivery_tag}</dd>
            </div>
          </>
        )}
      </dl>
      <MessageBody payload={shown.payload} truncated={shown.truncated} />
      {shown.truncated && (
        <div className={styles.truncated}>
          <span className="muted small">
            First {int(base64Length(shown.payload))} of {int(shown.payload_bytes)} bytes shown.
          </span>
          {m.consumer_tag === undefined && (
            <button type="button" className="btn btn-sm" onClick={loadAll} disabled={loading}>
              {loading ? 'Loading…' : 'Load all'}
            </button>
          )}
        </div>
      )}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <h4 className={styles.subhead}>Properties</h4>
      {Object.keys(props).length === 0 ? (
        <p className="muted small">none</p>
      ) : (
        <dl className="props">
          {Object.entries(props).map(([k, v]) => (
            <div key={k}>
              <dt>{k}</dt>
              <dd>{show(v)}</dd>
            </div>
          ))}
        </dl>
      )}
      <h4 className={styles.subhead}>Headers</h4>
      {headerEntries.length === 0 ? (
        <p className="muted small">none</p>
      ) : (
        <dl className="props">
          {headerEntries.map(([k, v]) => (
            <div key={k}>
              <dt>{k}</dt>
              <dd className={styles.headerValue}>{typeof v === 'object' && v !== null ? JSON.stringify(v, null, 2) : show(v)}</dd>
            </div>
          ))}
        </dl>
      )}
    </div>
  );
}

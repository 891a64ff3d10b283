'use client';
// Routing explained, in the Publish panel: as the routing key and headers are typed, the broker is
// asked (debounced) what a publish would do — a dry run of its own routing that publishes nothing —
// and this lists the destination queues, each exchange's bindings with why they matched or not,
// the alternate exchange and what `mandatory` would do. The graph's route overlay highlights the
// same bindings (lib/client/route-explain-store.ts).
import { useEffect, useState } from 'react';
import { ApiError, explainRoute, type BindingVerdict, type RouteExplanation } from '@/lib/client/api';
import { exchangeLabel } from '@/lib/client/graph/build';
import { useRouteExplain } from '@/lib/client/route-explain-store';
import type { JsonObject } from '@/lib/client/types';
import '../graph/route-journey.css';

const DEBOUNCE_MS = 250;

/** Asks for the explanation whenever the inputs settle; the answer goes to the shared store too. */
export function useRouteExplanation(vhost: string, exchange: string, routingKey: string, headers: JsonObject | null, mandatory: boolean): { error: string | null } {
  const [error, setError] = useState<string | null>(null);
  const headersKey = headers === null ? '' : JSON.stringify(headers);
  useEffect(() => {
    const ctrl = new AbortController();
    const timer = setTimeout(() => {
      const body = { routing_key: routingKey, mandatory, ...(headers === null ? {} : { properties: { headers } }) };
      explainRoute(vhost, exchange, body, ctrl.signal).then(
        (e) => {
          setError(null);
          useRouteExplain.getState().set(e);
        },
        (err: unknown) => {
          if (ctrl.signal.aborted) return;
          useRouteExplain.getState().set(null);
          setError(err instanceof ApiError ? err.reason : String(err));
        },
      );
    }, DEBOUNCE_MS);
    return () => {
      clearTimeout(timer);
      ctrl.abort();
    };
    // headersKey stands for headers
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [vhost, exchange, routingKey, headersKey, mandatory]);
  useEffect(() => () => useRouteExplain.getState().set(null), []);
  return { error };
}

function Verdict({ v }: { v: BindingVerdict }) {
  const dest = v.destinationType === 'exchange' ? `exchange ${v.destination}` : v.destination;
  return (
    <li className={v.matched ? 'verdict verdict-yes' : 'verdict verdict-no'} data-testid="binding-verdict" data-matched={v.matched}>
      <span className="verdict-mark" aria-label={v.matched ? 'matched' : 'did not match'}>
        {v.matched ? '✓' : '✗'}
      </span>
      <span className="verdict-body">
        <span className="verdict-dest">→ {dest}</span>
        {v.topic && v.matched && v.topic.length > 0 ? (
          <span className="verdict-words" aria-label="pattern word by word">
            {v.topic.map((w, i) => (
              <span key={i} className="word-pair">
                <code>{w.pattern}</code>
                <span className="eq">=</span>
                <code>{w.words.length === 0 ? '∅' : w.words.join('.')}</code>
              </span>
            ))}
          </span>
        ) : null}
        {v.headers ? (
          <span className="verdict-headers">
            <span className="muted">x-match {v.headers.mode}</span>
            {v.headers.checks.map((c) => (
              <span key={c.name} className={c.ok ? 'hcheck ok' : 'hcheck no'}>
                <code>{c.name}</code> {c.ok ? '✓' : '✗'} {c.expected === undefined ? 'any value' : c.expected}
                {c.ok ? '' : c.actual === undefined ? ' (absent)' : ` (got ${c.actual})`}
              </span>
            ))}
          </span>
        ) : null}
        <span className="verdict-reason">{v.reason}</span>
      </span>
    </li>
  );
}

export function RouteExplanationView({ error }: { error: string | null }) {
  const e: RouteExplanation | null = useRouteExplain((s) => s.explanation);
  if (error) return <p className="hint error">Could not explain the route: {error}</p>;
  if (e === null) return null;
  const outcome =
    e.outcome === 'routed'
      ? `Reaches ${e.queues.length} ${e.queues.length === 1 ? 'queue' : 'queues'}`
      : e.outcome === 'returned'
        ? 'Unroutable: returned to the publisher (basic.return 312 NO_ROUTE)'
        : 'Unroutable: dropped silently (not mandatory)';
  return (
    <section className="route-explain" aria-label="Routing explained" data-testid="route-explanation">
      <header className="route-explain-head">
        <strong>Routing explained</strong>
        <span className="muted">
          {e.computedBy === 'broker' ? "dry run of the broker's own routing; nothing published" : "computed by Warren from the cluster's bindings; nothing published"}
        </span>
      </header>
      <p className={`outcome ${e.outcome === 'routed' ? 'outcome-ok' : 'outcome-warn'}`} data-testid="route-outcome">
        {outcome}
        {e.queues.length > 0 && (
          <>
            : {e.queues.map((q, i) => (
              <span key={q}>
                {i > 0 && ', '}
                <code data-testid="route-queue">{q}</code>
              </span>
            ))}
          </>
        )}
        {e.outcome === 'routed' && e.mandatory ? ' (mandatory: not returned)' : ''}
      </p>
      {(e.cc.length > 0 || e.bcc.length > 0) && (
        <p className="hint">
          Also routed with {e.cc.length > 0 ? `CC ${e.cc.join(', ')}` : ''}
          {e.cc.length > 0 && e.bcc.length > 0 ? ' and ' : ''}
          {e.bcc.length > 0 ? `BCC ${e.bcc.join(', ')} (removed before delivery)` : ''}
        </p>
      )}
      {e.alternateExchanges.map((a, i) => (
        <p key={i} className="hint" data-testid="route-ae">
          Alternate exchange {a.to} of {exchangeLabel(a.from)}:{' '}
          {a.outcome === 'used'
            ? 'used, since none of its bindings matched'
            : a.outcome === 'not-needed'
              ? 'not needed, a binding matched'
              : a.outcome === 'missing'
                ? 'does not exist, so the message goes nowhere'
                : 'already on the path, not routed again'}
        </p>
      ))}
      <ol className="route-visits">
        {e.visits.map((v, i) => (
          <li key={i} className="route-visit" style={{ marginLeft: `${Math.min(v.depth, 6) * 12}px` }}>
            <div className="route-visit-head">
              <strong>{exchangeLabel(v.exchange)}</strong> <span className={`type-pill type-${v.type}`}>{v.type}</span>{' '}
              <span className="muted">
                key <code>{v.routingKey === '' ? '""' : v.routingKey}</code>
                {v.via === 'exchange-binding' ? ` · via ${v.from}` : v.via === 'alternate-exchange' ? ` · alternate exchange of ${v.from}` : v.via !== 'publish' ? ` · ${v.via.toUpperCase()}` : ''}
              </span>
            </div>
            {v.bindings.length === 0 ? (
              <p className="hint">No bindings.</p>
            ) : (
              <ul className="verdicts">
                {v.bindings.map((b, j) => (
                  <Verdict key={j} v={b} />
                ))}
              </ul>
            )}
            {v.alreadyVisited.length > 0 && <p className="hint">Already routed on this path (each exchange once): {v.alreadyVisited.join(', ')}</p>}
          </li>
        ))}
      </ol>
    </section>
  );
}

'use client';
// The Messages tab with a filter: the broker scans the ready messages against a CEL expression in
// budgeted stretches (a quarter second each), and this goes on asking from the cursor each answer
// gives, showing progress, until it has the matches it keeps, reaches the end, or is stopped.
import { useEffect, useRef, useState } from 'react';
import { ApiError, filterQueue } from '@/lib/client/api';
import { reasonText } from '@/lib/client/api-reason';
import type { BrowsedMessageDto } from '@/lib/client/types';
import { int } from '../graph/format';
import { MessageRowContent } from './message-row';
import styles from './queue-messages.module.css';
import { FormError } from '@/components/forms/form-error';

/** matches kept for the list; a filter that matches more says so */
const MAX_MATCHES = 500;
const STRETCH_MS = 250;
const BODY_LIMIT = 4096;

interface Progress {
  scanned: number;
  cursor: number | null;
  total: number;
  errors: number;
  firstError: string | null;
  running: boolean;
  stoppedBy: 'user' | 'matches' | 'end' | null;
}

export function MessageFilterResults({
  vhost,
  queue,
  expression,
  selected,
  onSelect,
  onBadExpression,
}: {
  vhost: string;
  queue: string;
  expression: string;
  selected: BrowsedMessageDto | null;
  onSelect(m: BrowsedMessageDto): void;
  onBadExpression(reason: string): void;
}) {
  const [matches, setMatches] = useState<BrowsedMessageDto[]>([]);
  const [progress, setProgress] = useState<Progress>({ scanned: 0, cursor: 0, total: 0, errors: 0, firstError: null, running: true, stoppedBy: null });
  const [error, setError] = useState<string | null>(null);
  const stop = useRef<AbortController | null>(null);
  const bad = useRef(onBadExpression);
  bad.current = onBadExpression;

  useEffect(() => {
    const ctl = new AbortController();
    stop.current = ctl;
    let found = 0;
    (async () => {
      let cursor: number | null = 0;
      let scanned = 0;
      let errors = 0;
      let firstError: string | null = null;
      while (cursor !== null && found < MAX_MATCHES && !ctl.signal.aborted) {
        const page = await filterQueue(vhost, queue, { expression, cursor, limit: MAX_MATCHES - found, bodyLimit: BODY_LIMIT, maxMs: STRETCH_MS }, ctl.signal);
        found += page.matches.length;
        scanned += page.scanned;
        errors += page.errors;
        firstError ??= page.first_error;
        cursor = page.next_cursor;
        if (page.matches.length > 0) setMatches((ms) => [...ms, ...page.matches]);
        const end = cursor === null;
        setProgress({ scanned, cursor, total: page.total, errors, firstError, running: !end && found < MAX_MATCHES, stoppedBy: end ? 'end' : found >= MAX_MATCHES ? 'matches' : null });
      }
    })().catch((err: unknown) => {
      if (err instanceof DOMException && err.name === 'AbortError') return;
      setProgress((p) => ({ ...p, running: false }));
      if (err instanceof ApiError && err.status === 400) bad.current(err.reason);
      else setError(reasonText(err));
    });
    return () => ctl.abort();
  }, [vhost, queue, expression]);

  const halt = () => {
    stop.current?.abort();
    setProgress((p) => ({ ...p, running: false, stoppedBy: 'user' }));
  };
  const share = progress.total > 0 && progress.cursor !== null ? Math.min(1, progress.cursor / progress.total) : 1;

  return (
    <div className={styles.filterResults}>
      <div className={styles.filterProgress} role="status" aria-label="Filter progress">
        <div className={styles.bar} aria-hidden="true">
          <span style={{ width: `${Math.round(share * 100)}%` }} />
        </div>
        <span className="small">
          {int(matches.length)} {matches.length === 1 ? 'match' : 'matches'} in {int(progress.scanned)} scanned
          {progress.running ? ' …' : progress.stoppedBy === 'end' ? ' · whole queue scanned' : progress.stoppedBy === 'matches' ? ` · stopped at ${MAX_MATCHES} matches` : progress.stoppedBy === 'user' ? ' · stopped' : ''}
          {progress.errors > 0 && <span className="muted"> · {int(progress.errors)} could not be evaluated</span>}
        </span>
        {progress.running && (
          <button type="button" className="btn btn-sm" onClick={halt}>
            Stop
          </button>
        )}
      </div>
      {progress.firstError && <p className="muted small">First evaluation error: {progress.firstError}</p>}
      <FormError error={error} />
      <div className={styles.scroller} style={{ height: 520 }} role="listbox" aria-label="Matching messages" tabIndex={0}>
        {matches.length === 0 && !progress.running ? (
          <p className={`muted ${styles.empty}`}>No message matches.</p>
        ) : (
          matches.map((m) => (
            <div
              key={m.id}
              role="option"
              aria-selected={selected?.id === m.id}
              className={`${styles.row} ${styles.rowFlow} ${selected?.id === m.id ? styles.rowOn : ''}`}
              onClick={() => onSelect(m)}
            >
              <MessageRowContent position={m.position} m={m} />
            </div>
          ))
        )}
      </div>
    </div>
  );
}

'use client';
// A browsed message's body, shown three ways: text, JSON (pretty, each object and array folding
// open and shut), or a hex dump. Always text nodes, never HTML; large bodies stay responsive —
// the JSON tree only for bodies up to 1 MiB, the hex dump for the first 64 KiB.
import { useId, useMemo, useState } from 'react';
import { base64ToBytes, HEX_MAX_BYTES, hexDump, jsonOf, utf8Text } from '@/lib/client/message-bytes';
import styles from './queue-messages.module.css';

type View = 'text' | 'json' | 'hex';
const JSON_TREE_MAX_BYTES = 1024 * 1024;

export function MessageBody({ payload, truncated }: { payload: string; truncated: boolean }) {
  const bytes = useMemo(() => base64ToBytes(payload), [payload]);
  const text = useMemo(() => utf8Text(bytes, truncated), [bytes, truncated]);
  const json = useMemo(() => (bytes.length <= JSON_TREE_MAX_BYTES ? jsonOf(text) : undefined), [bytes, text]);
  const views: View[] = [...(text !== null ? (['text'] as const) : []), ...(json !== undefined ? (['json'] as const) : []), 'hex'];
  const [chosen, setChosen] = useState<View | null>(null);
  const group = useId();
  const view: View = chosen !== null && views.includes(chosen) ? chosen : json !== undefined ? 'json' : text !== null ? 'text' : 'hex';
  return (
    <div className={styles.body}>
      <div className="segmented segmented-sm" role="radiogroup" aria-label="Show body as">
        {views.map((v) => (
          <label key={v} className={v === view ? 'on' : undefined}>
            <input type="radio" name={group} value={v} checked={v === view} onChange={() => setChosen(v)} />
            {v === 'text' ? 'Text' : v === 'json' ? 'JSON' : 'Hex'}
          </label>
        ))}
      </div>
      {bytes.length === 0 ? (
        <pre className="msg-body">
          <span className="muted">(empty body)</span>
        </pre>
      ) : view === 'json' ? (
        <div className={`msg-body ${styles.jsonTree}`} data-testid="browse-body">
          <JsonNode value={json} depth={0} />
        </div>
      ) : view === 'hex' ? (
        <>
          <pre className={`msg-body ${styles.hex}`} data-testid="browse-body">
            {hexDump(bytes)}
          </pre>
          {bytes.length > HEX_MAX_BYTES && <p className="muted small">The first {HEX_MAX_BYTES / 1024} KiB in hex.</p>}
        </>
      ) : (
        <pre className="msg-body" data-testid="browse-body">
          {text}
        </pre>
      )}
    </div>
  );
}

/** One JSON value; objects and arrays fold, the first two levels open. */
function JsonNode({ value, depth, name }: { value: unknown; depth: number; name?: string }) {
  const key = name !== undefined ? <span className={styles.jsonKey}>{JSON.stringify(name)}: </span> : null;
  if (value === null || typeof value !== 'object') {
    const kind = value === null ? 'null' : typeof value;
    return (
      <div className={styles.jsonLeaf}>
        {key}
        <span className={styles[`json_${kind}`]}>{JSON.stringify(value)}</span>
      </div>
    );
  }
  const entries: [string | undefined, unknown][] = Array.isArray(value) ? value.map((v) => [undefined, v]) : Object.entries(value);
  const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
  if (entries.length === 0) {
    return (
      <div className={styles.jsonLeaf}>
        {key}
        {open}
        {close}
      </div>
    );
  }
  return (
    <details className={styles.jsonBranch} open={depth < 2}>
      <summary>
        {key}
        {open}
        <span className={styles.jsonCount}>
          {' '}
          {entries.length} {Array.isArray(value) ? (entries.length === 1 ? 'item' : 'items') : entries.length === 1 ? 'key' : 'keys'}{' '}
        </span>
        <span className={styles.jsonClosed}>{close}</span>
      </summary>
      <div className={styles.jsonChildren}>
        {entries.map(([k, v], i) => (
          <JsonNode key={k ?? i} name={k} value={v} depth={depth + 1} />
        ))}
      </div>
      <div>{close}</div>
    </details>
  );
}

'use client';
// One message as the console shows it: where it came from, its properties and headers, and its
// body — pretty JSON when it parses, text otherwise, base64 for binary. Always text, never HTML.
import { useMemo, useState } from 'react';
import type { JsonObject, JsonValue } from '@/lib/client/types';

export interface MessageLike {
  exchange: string;
  routingKey: string;
  redelivered: boolean;
  /** the server showed some header or body value masked (MASK_RULES) */
  masked?: boolean;
  properties: Record<string, unknown>;
  payload: string;
  payloadEncoding: 'string' | 'base64';
  payloadBytes: number;
}

function prettyBody(m: MessageLike): { text: string; kind: 'json' | 'text' | 'binary' } {
  if (m.payloadEncoding === 'base64') return { text: m.payload, kind: 'binary' };
  const t = m.payload.trim();
  if ((t.startsWith('{') && t.endsWith('}')) || (t.startsWith('[') && t.endsWith(']'))) {
    try {
      return { text: JSON.stringify(JSON.parse(t), null, 2), kind: 'json' };
    } catch {
      /* text after all */
    }
  }
  return { text: m.payload, kind: 'text' };
}

const show = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

export function MessageView({ m, compact = false }: { m: MessageLike; compact?: boolean }) {
  const [open, setOpen] = useState(!compact);
  const body = useMemo(() => prettyBody(m), [m]);
  const props = Object.entries(m.properties).filter(([k]) => k !== 'headers');
  const headers = (m.properties.headers ?? {}) as JsonObject;
  const headerEntries = Object.entries(headers);
  return (
    <div className="msg-view">
      <div className="msg-route">
        <span className="muted">from</span> <span className="ent">{m.exchange === '' ? '(AMQP default)' : m.exchange}</span>
        {m.routingKey !== '' && (
          <>
            {' '}
            <span className="muted">key</span> <code>{m.routingKey}</code>
          </>
        )}
        {m.redelivered && <span className="pill pill-warn">redelivered</span>}
        {m.masked === true && <span className="pill pill-accent" title="Values hidden by the server's masking rules (MASK_RULES): the message itself is unchanged">masked</span>}
      </div>
      <pre className={`msg-body msg-${body.kind}`} data-testid="message-body">
        {body.text === '' ? <span className="muted">(empty body)</span> : body.text}
      </pre>
      <div className="msg-foot">
        <span className="muted small">
          {m.payloadBytes.toLocaleString('en-US')} bytes{body.kind === 'binary' ? ' · binary, shown as base64' : body.kind === 'json' ? ' · JSON' : ''}
        </span>
        {(props.length > 0 || headerEntries.length > 0) && (
          <button type="button" className="btn btn-ghost btn-xs" aria-expanded={open} onClick={() => setOpen(!open)}>
            {open ? 'Hide properties' : `Properties (${props.length + headerEntries.length})`}
          </button>
        )}
      </div>
      {open && (props.length > 0 || headerEntries.length > 0) && (
        <dl className="props">
          {props.map(([k, v]) => (
            <div key={k}>
              <dt>{k}</dt>
              <dd>{show(v)}</dd>
            </div>
          ))}
          {headerEntries.map(([k, v]) => (
            <div key={`h:${k}`}>
              <dt>
                <span className="muted">header</span> {k}
              </dt>
              <dd>{show(v as JsonValue)}</dd>
            </div>
          ))}
        </dl>
      )}
    </div>
  );
}

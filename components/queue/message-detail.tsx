'use client';
// One browsed message in full: where it came from, who holds it (unacked), its body (text, JSON,
// hex; "Load all" fetches a truncated body whole), and every property and header.
import { useState } from 'react';
import { ApiError, browseMessage } from '@/lib/client/api';
import { reasonText } from '@/lib/client/api-reason';
import { base64Length } from '@/lib/client/message-bytes';
import type { BrowsedMessageDto, JsonValue } from '@/lib/client/types';
import { int } from '../graph/format';
import { MessageBody } from './message-body';
import styles from './queue-messages.module.css';
import { FormError } from '@/components/forms/form-error';

const show = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

export function MessageDetail({ vhost, queue, m }: { vhost: string; queue: string; m: BrowsedMessageDto }) {
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
        {m.masked === true && <span className="pill pill-accent" title="Values hidden by the server's masking rules (MASK_RULES): the message itself is unchanged">masked</span>}
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
      <FormError error={error} />
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

'use client';
// A message's line in a list: its place, routing key and exchange, flags, a one-line preview of
// the body and its size.
import { previewOf } from '@/lib/client/message-bytes';
import type { BrowsedMessageDto } from '@/lib/client/types';
import { bytes as byteSize, int } from '../graph/format';
import styles from './queue-messages.module.css';

export function MessageRowContent({ position, m }: { position: number; m: BrowsedMessageDto | undefined }) {
  return (
    <>
      <span className={styles.pos}>#{int(position + 1)}</span>
      {m === undefined ? (
        <span className="muted small">…</span>
      ) : (
        <>
          <span className={styles.rowMain}>
            <span className={styles.rowKey}>
              <code>{m.routing_key === '' ? '(no key)' : m.routing_key}</code>
              <span className="muted small"> via {m.exchange === '' ? '(AMQP default)' : m.exchange}</span>
              {m.redelivered && <span className="pill pill-warn">redelivered</span>}
              {m.masked === true && <span className="pill pill-accent" title="Values hidden by the server's masking rules (MASK_RULES): the message itself is unchanged">masked</span>}
              {m.consumer_tag !== undefined && <span className="pill">{m.consumer_tag === '' ? 'basic.get' : m.consumer_tag}</span>}
            </span>
            <span className={styles.preview}>{previewOf(m.payload, m.truncated)}</span>
          </span>
          <span className="muted small">{byteSize(m.payload_bytes)}</span>
        </>
      )}
    </>
  );
}

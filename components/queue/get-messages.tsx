'use client';
// Get messages, as RabbitMQ's queue page does: how many, and what happens to them afterwards —
// put back (requeue) or taken (ack), or rejected with or without requeue. Peeking is a get that
// requeues, so the messages come back marked redelivered.
import { useId, useState, type FormEvent } from 'react';
import { getMessages, type AckMode } from '@/lib/client/api';
import { reasonText } from '@/lib/client/api-reason';
import { useInvalidateVhost } from '@/lib/client/queries';
import type { GotMessageDto } from '@/lib/client/types';
import { MessageView } from '../panels/message-view';
import { FormError } from '@/components/forms/form-error';

const MODES: { value: AckMode; label: string }[] = [
  { value: 'ack_requeue_true', label: 'Nack message requeue true (peek)' },
  { value: 'ack_requeue_false', label: 'Automatic ack (take them)' },
  { value: 'reject_requeue_true', label: 'Reject requeue true' },
  { value: 'reject_requeue_false', label: 'Reject requeue false (dead-letter)' },
];

export function GetMessages({ vhost, queue, onGot }: { vhost: string; queue: string; onGot(): void }) {
  const id = useId();
  const [mode, setMode] = useState<AckMode>('ack_requeue_true');
  const [count, setCount] = useState('1');
  const [got, setGot] = useState<GotMessageDto[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const invalidate = useInvalidateVhost();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const n = Number(count);
    if (!Number.isInteger(n) || n < 1) return setError('Get at least one message.');
    setBusy(true);
    setError(null);
    try {
      setGot(await getMessages(vhost, queue, n, mode));
      onGot();
      void invalidate(vhost);
    } catch (err) {
      setError(reasonText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card qp-section" aria-label="Get messages">
      <header className="qp-section-head">
        <h3>Get messages</h3>
      </header>
      <form className="qp-get" onSubmit={submit}>
        <label className="field" htmlFor={`${id}-mode`}>
          <span>Ack mode</span>
          <select id={`${id}-mode`} value={mode} onChange={(e) => setMode(e.target.value as AckMode)}>
            {MODES.map((m) => (
              <option key={m.value} value={m.value}>
                {m.label}
              </option>
            ))}
          </select>
        </label>
        <label className="field qp-count" htmlFor={`${id}-count`}>
          <span>Messages</span>
          <input id={`${id}-count`} type="number" min={1} max={1000} value={count} onChange={(e) => setCount(e.target.value)} inputMode="numeric" />
        </label>
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? 'Getting…' : mode === 'ack_requeue_true' ? 'Peek' : 'Get'}
        </button>
      </form>
      <FormError error={error} />
      {got !== null &&
        (got.length === 0 ? (
          <p className="muted small qp-empty" role="status">
            The queue is empty.
          </p>
        ) : (
          <ol className="qp-messages" aria-label="Messages got">
            {got.map((m, i) => (
              <li key={i} className="msg-card">
                <div className="msg-card-head">
                  <strong>Message {i + 1}</strong>
                  <span className="muted small">{m.message_count.toLocaleString('en-US')} left in the queue</span>
                </div>
                <MessageView
                  m={{
                    exchange: m.exchange,
                    routingKey: m.routing_key,
                    redelivered: m.redelivered,
                    masked: m.masked,
                    properties: m.properties as Record<string, unknown>,
                    payload: m.payload,
                    payloadEncoding: m.payload_encoding,
                    payloadBytes: m.payload_bytes,
                  }}
                  compact
                />
              </li>
            ))}
          </ol>
        ))}
    </section>
  );
}

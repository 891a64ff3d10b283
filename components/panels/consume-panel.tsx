'use client';
// Consume in the browser: a consumer over the live WebSocket (prefetch, manual or auto ack), the
// messages it gets, and Ack / Nack / Reject per message or for all. Get and Peek take one message
// over REST (get acks it away, peek puts it back).
import { useEffect, useId, useMemo, useState } from 'react';
import { getMessages } from '@/lib/client/api';
import { useConsume, type BrowserConsumer, type DeliveryEntry, type Settlement } from '@/lib/client/consume-store';
import { useLiveStatus } from '@/lib/client/live-status';
import { usePanel } from '@/lib/client/panel-store';
import { useQueues } from '@/lib/client/queries';
import { useSession } from '@/lib/client/session';
import { toast } from '@/lib/client/toast-store';
import type { GotMessageDto } from '@/lib/client/types';
import { CheckIcon, DownloadIcon, EyeIcon, InboxIcon, RequeueIcon, XIcon } from '../ui/icons';
import { MessageView } from './message-view';
import { followMessage } from '@/lib/client/follow';

interface Fetched {
  key: number;
  how: 'got' | 'peeked';
  at: number;
  message: GotMessageDto;
}

let fetchedKey = 1;

export function ConsumePanel() {
  const vhost = useSession((s) => s.vhost);
  const preset = usePanel((s) => s.consumeQueue);
  const { data: queueList } = useQueues(vhost);
  const queues = useMemo(() => (queueList ?? []).map((q) => q.name).sort(), [queueList]);
  const [queue, setQueue] = useState(preset ?? '');
  const [prefetch, setPrefetch] = useState('10');
  const [ackMode, setAckMode] = useState<'manual' | 'auto'>('manual');
  const [fetched, setFetched] = useState<Fetched[]>([]);
  const [busy, setBusy] = useState(false);
  const live = useLiveStatus((s) => s.status === 'open');
  const consumers = useConsume((s) => s.consumers);
  const start = useConsume((s) => s.start);
  const id = useId();

  useEffect(() => {
    if (preset !== null) setQueue(preset);
  }, [preset]);
  useEffect(() => {
    if (queue === '' && queues.length > 0) setQueue(queues[0]);
  }, [queue, queues]);

  const mine = Object.values(consumers).filter((c) => c.vhost === vhost && c.queue === queue);
  const active = mine.find((c) => c.state !== 'ended');

  const fetchOne = async (how: 'got' | 'peeked') => {
    setBusy(true);
    try {
      const got = await getMessages(vhost, queue, 1, how === 'got' ? 'ack_requeue_false' : 'ack_requeue_true');
      if (got.length === 0) toast.info('The queue is empty', queue);
      setFetched((f) => [...got.map((message) => ({ key: fetchedKey++, how, at: Date.now(), message })), ...f].slice(0, 50));
    } catch (err) {
      toast.error(how === 'got' ? 'Get failed' : 'Peek failed', err);
    } finally {
      setBusy(false);
    }
  };

  const startConsumer = () => {
    const n = Math.max(0, Math.min(65535, Math.floor(Number(prefetch) || 0)));
    if (start(vhost, queue, n, ackMode) === null) toast.error('Not connected', 'The live connection is down; try again in a moment.');
  };

  return (
    <div className="panel-form" aria-label="Consume messages">
      <label className="field">
        <span>Queue</span>
        <select value={queue} onChange={(e) => setQueue(e.target.value)} name="queue">
          {queues.map((q) => (
            <option key={q} value={q}>
              {q}
            </option>
          ))}
        </select>
      </label>

      <div className="btn-row">
        <button type="button" className="btn btn-sm" disabled={busy || queue === ''} onClick={() => fetchOne('got')} title="Take one message off the queue (acknowledged)">
          <DownloadIcon size={14} /> Get one
        </button>
        <button type="button" className="btn btn-sm" disabled={busy || queue === ''} onClick={() => fetchOne('peeked')} title="Look at the next message and put it back">
          <EyeIcon size={14} /> Peek
        </button>
      </div>

      <section className="consumer-box" aria-labelledby={`${id}-c`}>
        <h3 id={`${id}-c`}>Browser consumer</h3>
        {active ? (
          <ConsumerCard consumer={active} />
        ) : (
          <>
            <div className="grid-2">
              <label className="field">
                <span>Prefetch</span>
                <input name="prefetch" inputMode="numeric" value={prefetch} onChange={(e) => setPrefetch(e.target.value)} />
              </label>
              <div className="field">
                <span id={`${id}-ack`}>Acknowledge</span>
                <div className="segmented segmented-sm" role="radiogroup" aria-labelledby={`${id}-ack`}>
                  {(['manual', 'auto'] as const).map((m) => (
                    <label key={m} className={ackMode === m ? 'on' : ''}>
                      <input type="radio" name="ack" checked={ackMode === m} onChange={() => setAckMode(m)} />
                      {m === 'manual' ? 'Manual' : 'Auto'}
                    </label>
                  ))}
                </div>
              </div>
            </div>
            <button type="button" className="btn btn-primary btn-block" disabled={queue === '' || !live} onClick={startConsumer}>
              <InboxIcon size={14} /> Start consuming
            </button>
            {!live && <small className="hint">Needs the live connection.</small>}
          </>
        )}
      </section>

      {mine
        .filter((c) => c.state === 'ended')
        .slice(-1)
        .map((c) => (
          <p key={c.id} className="note small">
            Last consumer ended: {c.reason || 'cancelled'}.
          </p>
        ))}

      {active && <DeliveryList consumer={active} />}

      {fetched.length > 0 && (
        <section className="fetched" aria-label="Fetched messages">
          <div className="list-head">
            <h3>Fetched</h3>
            <button type="button" className="btn btn-ghost btn-xs" onClick={() => setFetched([])}>
              Clear
            </button>
          </div>
          {fetched.map((f) => (
            <article key={f.key} className="msg-card">
              <header className="msg-card-head">
                <span className={`pill ${f.how === 'got' ? 'pill-ok' : 'pill-muted'}`}>{f.how === 'got' ? 'got · acked' : 'peeked · requeued'}</span>
                <span className="muted small">
                  {/* a peeked message went back: it counts among those still queued */}
                  {(f.message.message_count + (f.how === 'peeked' ? 1 : 0)).toLocaleString('en-US')} in queue
                </span>
              </header>
              <MessageView
                m={{
                  exchange: f.message.exchange,
                  routingKey: f.message.routing_key,
                  redelivered: f.message.redelivered,
                  masked: f.message.masked,
                  properties: f.message.properties as Record<string, unknown>,
                  payload: f.message.payload,
                  payloadEncoding: f.message.payload_encoding,
                  payloadBytes: f.message.payload_bytes,
                }}
                compact
              />
            </article>
          ))}
        </section>
      )}
    </div>
  );
}

function ConsumerCard({ consumer }: { consumer: BrowserConsumer }) {
  const cancel = useConsume((s) => s.cancel);
  const pending = consumer.deliveries.filter((d) => d.settled === null).length;
  return (
    <div className="consumer-card">
      <div className="consumer-card-main">
        <div className="consumer-card-status">
          <span className={`live-dot ${consumer.state === 'active' ? 'on' : ''}`} aria-hidden="true" />
          <strong>{consumer.state === 'active' ? 'Consuming' : 'Starting…'}</strong>
          <span className="muted small">
            {consumer.ack === 'manual' ? `prefetch ${consumer.prefetch === 0 ? 'unlimited' : consumer.prefetch}` : 'auto-ack'}
            {consumer.ack === 'manual' ? ` · ${pending} unacked` : ''}
          </span>
        </div>
        {consumer.tag && (
          <div className="consumer-card-tag muted small mono" title={consumer.tag}>
            {consumer.tag}
          </div>
        )}
      </div>
      <button type="button" className="btn btn-sm" onClick={() => cancel(consumer.id)}>
        Stop
      </button>
    </div>
  );
}

const SETTLED_LABEL: Record<Settlement, string> = {
  acked: 'acked',
  requeued: 'nacked · requeued',
  nacked: 'nacked · discarded',
  rejected: 'rejected · discarded',
  'rejected-requeued': 'rejected · requeued',
  auto: 'auto-acked',
};

function DeliveryList({ consumer }: { consumer: BrowserConsumer }) {
  const [requeue, setRequeue] = useState(true);
  const ackAll = useConsume((s) => s.ackAll);
  const nackAll = useConsume((s) => s.nackAll);
  const clearSettled = useConsume((s) => s.clearSettled);
  const pending = consumer.deliveries.filter((d) => d.settled === null).length;
  return (
    <section className="deliveries" aria-label="Delivered messages">
      <div className="list-head">
        <h3>
          Delivered <span className="muted">{consumer.deliveries.length}</span>
        </h3>
        <button type="button" className="btn btn-ghost btn-xs" onClick={() => clearSettled(consumer.id)}>
          Clear settled
        </button>
      </div>
      {consumer.ack === 'manual' && (
        <div className="bulk">
          <label className="check check-inline">
            <input type="checkbox" checked={requeue} onChange={(e) => setRequeue(e.target.checked)} />
            <span>Requeue on nack / reject</span>
          </label>
          <div className="btn-row">
            <button type="button" className="btn btn-xs" disabled={pending === 0} onClick={() => ackAll(consumer.id)}>
              Ack all ({pending})
            </button>
            <button type="button" className="btn btn-xs" disabled={pending === 0} onClick={() => nackAll(consumer.id, requeue)}>
              Nack all
            </button>
          </div>
        </div>
      )}
      {consumer.deliveries.length === 0 && <p className="empty-note">Waiting for messages…</p>}
      {consumer.deliveries.map((d) => (
        <Delivery key={d.key} consumerId={consumer.id} entry={d} requeue={requeue} />
      ))}
    </section>
  );
}

function Delivery({ consumerId, entry, requeue }: { consumerId: string; entry: DeliveryEntry; requeue: boolean }) {
  const ack = useConsume((s) => s.ack);
  const nack = useConsume((s) => s.nack);
  const reject = useConsume((s) => s.reject);
  const m = entry.message;
  return (
    <article className={`msg-card${entry.settled ? ' settled' : ''}`} aria-label={`Message ${m.deliveryTag}`}>
      <header className="msg-card-head">
        <span className="mono small">#{m.deliveryTag}</span>
        <span className="muted small">{new Date(entry.receivedAt).toLocaleTimeString()}</span>
        {entry.settled ? (
          <span className={`pill ${entry.settled === 'acked' || entry.settled === 'auto' ? 'pill-ok' : 'pill-warn'}`}>{SETTLED_LABEL[entry.settled]}</span>
        ) : (
          <div className="btn-row msg-actions">
            <button type="button" className="btn btn-xs btn-ok" onClick={() => ack(consumerId, m.deliveryTag)} aria-label={`Ack message ${m.deliveryTag}`}>
              <CheckIcon size={12} /> Ack
            </button>
            <button
              type="button"
              className="btn btn-xs"
              onClick={() => nack(consumerId, m.deliveryTag, requeue)}
              aria-label={`Nack message ${m.deliveryTag}${requeue ? ' and requeue' : ''}`}
            >
              <RequeueIcon size={12} /> Nack
            </button>
            <button
              type="button"
              className="btn btn-xs"
              onClick={() => reject(consumerId, m.deliveryTag, requeue)}
              aria-label={`Reject message ${m.deliveryTag}${requeue ? ' and requeue' : ''}`}
            >
              <XIcon size={12} /> Reject
            </button>
            {m.flowId !== undefined && (
              <button
                type="button"
                className="btn btn-xs btn-ghost"
                title="Follow this message: what happens to it next, hop by hop, pinned on the graph"
                aria-label={`Follow message ${m.deliveryTag}`}
                onClick={() => followMessage({ kind: 'message', flowId: m.flowId as number, label: `Message #${m.deliveryTag} of ${m.exchange === '' ? 'the default exchange' : m.exchange} “${m.routingKey}”` })}
              >
                Follow
              </button>
            )}
          </div>
        )}
      </header>
      <MessageView
        m={{
          exchange: m.exchange,
          routingKey: m.routingKey,
          redelivered: m.redelivered,
          masked: m.masked,
          properties: m.properties,
          payload: m.payload,
          payloadEncoding: m.payloadEncoding,
          payloadBytes: m.payloadBytes,
        }}
        compact
      />
    </article>
  );
}

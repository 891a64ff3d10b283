'use client';
// A message's journey, hop by hop with the broker's times: who published it, the exchange and the
// queues it entered, the consumer that got it (delivery tag, redelivered), and how it ended — ack,
// nack, requeue, expiry, dead-lettering with its x-death and the next hop through the DLX. The graph
// pins the same path (journey-overlay.tsx).
import { useMemo } from 'react';
import type { FlowEventMessage } from '@/lib/live/protocol';
import { exchangeLabel } from '@/lib/client/graph/build';
import { useJourney } from '@/lib/client/journey-store';
import { useLiveStatus } from '@/lib/client/live-status';
import { useConnections } from '@/lib/client/queries';
import { useSession } from '@/lib/client/session';
import '../graph/route-journey.css';

interface HopText {
  title: string;
  detail: string;
  tone: 'good' | 'bad' | 'plain';
}

function describe(e: FlowEventMessage, names: Map<string, string>, previous: FlowEventMessage | undefined): HopText {
  switch (e.kind) {
    case 'published': {
      const by = e.origin
        ? `by ${names.get(e.origin.connection) ?? e.origin.connection}, channel ${e.origin.channel} (user ${e.origin.user})`
        : previous?.kind === 'dead-lettered'
          ? 'republished by the broker, dead-lettered'
          : 'through the management API (no AMQP channel)';
      const to = (e.queues ?? []).length === 0 ? 'no queue: unroutable' : `entered ${(e.queues ?? []).join(', ')}`;
      return { title: `Published to ${exchangeLabel(e.exchange ?? '')} with key “${e.routingKey ?? ''}”`, detail: `${by}; ${to}`, tone: (e.queues ?? []).length === 0 ? 'bad' : 'plain' };
    }
    case 'returned':
      return { title: 'Returned to the publisher', detail: 'basic.return 312 NO_ROUTE (mandatory, unroutable)', tone: 'bad' };
    case 'delivered':
      return e.consumerTag === ''
        ? { title: `Fetched from ${e.queue} by basic.get`, detail: `redelivered: ${e.redelivered ? 'yes' : 'no'}`, tone: 'plain' }
        : { title: `Delivered from ${e.queue} to consumer ${e.consumerTag}`, detail: `delivery tag ${e.deliveryTag ?? '?'}, redelivered: ${e.redelivered ? 'yes' : 'no'}`, tone: 'plain' };
    case 'acked':
      return { title: `Acknowledged (${e.queue})`, detail: 'the consumer acked it: it left the broker', tone: 'good' };
    case 'requeued':
      return { title: `Requeued to ${e.queue}`, detail: 'nacked or rejected with requeue, or its consumer went away', tone: 'plain' };
    case 'rejected':
      return { title: `Rejected from ${e.queue}`, detail: 'nacked or rejected without requeue', tone: 'bad' };
    case 'expired':
      return { title: `Expired in ${e.queue}`, detail: 'its TTL ran out and the queue has no dead-letter exchange', tone: 'bad' };
    case 'dropped':
      return { title: `Dropped from ${e.queue}`, detail: 'over max-length, with no dead-letter exchange', tone: 'bad' };
    case 'dead-lettered': {
      const d = e.death;
      const death = d ? `x-death: count ${d.count}, reason ${d.reason}, queue ${d.queue}, exchange ${exchangeLabel(d.exchange)}` : '';
      return { title: `Dead-lettered from ${e.queue} (${e.reason}) to ${exchangeLabel(e.exchange ?? '')}`, detail: `${death}; republished with key “${e.routingKey ?? ''}”`, tone: 'bad' };
    }
  }
}

const clock = (ts: number) => new Date(ts).toISOString().slice(11, 23);

export function JourneyPanel() {
  const vhost = useSession((s) => s.vhost);
  const target = useJourney((s) => s.target);
  const hops = useJourney((s) => s.hops);
  const flowId = useJourney((s) => s.flowId);
  const slow = useJourney((s) => s.slow);
  const reason = useLiveStatus((s) => s.reason);
  const { data: connections } = useConnections(vhost);
  const names = useMemo(() => {
    const m = new Map<string, string>();
    for (const c of connections ?? []) {
      const n = c.client_properties?.connection_name;
      if (typeof n === 'string' && n !== '') m.set(c.name, n);
    }
    return m;
  }, [connections]);

  if (target === null) {
    return (
      <div className="journey-panel">
        <p className="hint">
          Follow one message end to end: pick <strong>Trace next message</strong> in an exchange’s menu, or click a message in the Consume list. Every hop
          comes, even while thousands of messages a second go by.
        </p>
      </div>
    );
  }
  const start = hops[0]?.ts ?? 0;
  return (
    <div className="journey-panel" data-testid="journey-panel">
      <div className="journey-head">
        <strong className="journey-title">
          {target.kind === 'next' ? `Next message to ${exchangeLabel(target.exchange)}` : target.label}
          {flowId !== null ? <span className="muted"> · flow id {flowId}</span> : null}
        </strong>
        <div className="journey-controls">
          <label className="journey-slow">
            <input type="checkbox" checked={slow} onChange={(e) => useJourney.getState().setSlow(e.target.checked)} />
            Slow motion
          </label>
          <button type="button" className="btn btn-ghost btn-xs" onClick={() => useJourney.getState().clear()}>
            Stop following
          </button>
        </div>
      </div>
      {hops.length === 0 ? (
        <p className="hint" role="status">
          {target.kind === 'next' ? 'Waiting for the next message published to this exchange…' : 'Waiting for what happens to this message next…'}
          {reason && reason.includes('not supported') ? ` ${reason}` : ''}
        </p>
      ) : (
        <ol className="journey-hops" aria-label="Hops">
          {hops.map((e, i) => {
            const t = describe(e, names, hops[i - 1]);
            return (
              <li key={i} className={`journey-hop hop-${t.tone}`} data-testid="journey-hop" data-kind={e.kind}>
                <div className="hop-time">
                  {clock(e.ts)} · +{e.ts - start} ms
                </div>
                <div className="hop-title">{t.title}</div>
                <div className="hop-detail">{t.detail}</div>
              </li>
            );
          })}
        </ol>
      )}
    </div>
  );
}

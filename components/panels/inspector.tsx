'use client';
// What is selected on the graph, in full: flags, arguments, bindings in and out, consumers, and
// the actions on it. With nothing selected, a legend of what the colours and lines mean.
import { useRemoteBroker } from '../graph/estimated-flow';
import Link from 'next/link';
import { queuePageHref } from '@/lib/client/queue-href';
import { exchangeLabel, bindingLabel } from '@/lib/client/graph/build';
import { useGraph } from '@/lib/client/graph/store';
import { exchangeId, parseNodeId, queueId, type GraphEdge } from '@/lib/client/graph/types';
import { consumerStatsKey } from '@/lib/live/protocol';
import { useConsumerStats, useQueueStats, useExchangeStats, useStats } from '@/lib/client/stats-store';
import type { BindingDto, JsonObject, Topology } from '@/lib/client/types';
import { useId, useState } from 'react';
import { useBindDialog } from '../graph/bind-dialog';
import { EraseIcon, InboxIcon, LinkIcon, SendIcon, TrashIcon, XIcon } from '../ui/icons';
import { int, rate } from '../graph/format';
import { QUEUE_STATE_LABEL, queueState } from '../graph/nodes/queue/queue-state';
import { useEntityActions } from '../graph/use-entity-actions';

export function Inspector() {
  const selectedNodeId = useGraph((s) => s.selectedNodeId);
  const selectedEdgeId = useGraph((s) => s.selectedEdgeId);
  const topology = useGraph((s) => s.topology);
  const edge = useGraph((s) => (s.selectedEdgeId ? s.edges.find((e) => e.id === s.selectedEdgeId) : undefined));
  if (!topology) return null;
  if (selectedEdgeId && edge) return <EdgeInspector edge={edge} />;
  if (selectedNodeId) {
    const { kind, name } = parseNodeId(selectedNodeId);
    if (kind === 'exchange') return <ExchangeInspector name={name} topology={topology} />;
    if (kind === 'queue') return <QueueInspector name={name} topology={topology} />;
    if (kind === 'producer') return <ProducerInspector channel={name} topology={topology} />;
    return <ConsumerInspector id={selectedNodeId} topology={topology} />;
  }
  return <Legend />;
}

function Args({ args }: { args: JsonObject }) {
  const entries = Object.entries(args);
  if (entries.length === 0) return null;
  return (
    <dl className="props">
      {entries.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{typeof v === 'string' ? v : JSON.stringify(v)}</dd>
        </div>
      ))}
    </dl>
  );
}

function Flags({ items }: { items: (string | false)[] }) {
  const shown = items.filter((x): x is string => x !== false);
  if (shown.length === 0) return null;
  return (
    <div className="flags">
      {shown.map((f) => (
        <span key={f} className={f === 'durable' ? 'pill pill-accent' : 'pill pill-muted'}>
          {f}
        </span>
      ))}
    </div>
  );
}

function BindingList({ title, bindings, types, side }: { title: string; bindings: BindingDto[]; types: Map<string, string>; side: 'source' | 'destination' }) {
  const actions = useEntityActions();
  const focusNode = useGraph((s) => s.focusNode);
  if (bindings.length === 0) return null;
  return (
    <section className="insp-section">
      <h3>
        {title} <span className="muted">{bindings.length}</span>
      </h3>
      <ul className="binding-list">
        {bindings.slice(0, 100).map((b) => {
          const other = side === 'destination' ? b.destination : b.source;
          const otherId = side === 'destination' ? (b.destination_type === 'queue' ? queueId(b.destination) : exchangeId(b.destination)) : exchangeId(b.source);
          const label = bindingLabel(b, types.get(b.source) ?? 'direct');
          return (
            <li key={`${b.source}|${b.destination_type}|${b.destination}|${b.properties_key}`}>
              <button type="button" className="link-btn ent" onClick={() => focusNode(otherId)}>
                {side === 'destination' ? exchangeLabel(other) : exchangeLabel(other)}
              </button>
              {label !== '' && <code className="binding-key">{label}</code>}
              {b.source !== '' && (
                <button type="button" className="icon-btn icon-btn-sm" aria-label={`Remove binding ${exchangeLabel(b.source)} to ${b.destination}${b.routing_key ? ` (${b.routing_key})` : ''}`} onClick={() => actions.unbind(b)}>
                  <XIcon size={12} />
                </button>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}

function typesOf(t: Topology): Map<string, string> {
  return new Map(t.exchanges.map((e) => [e.name, e.type]));
}

function ExchangeInspector({ name, topology }: { name: string; topology: Topology }) {
  const e = topology.exchanges.find((x) => x.name === name);
  const stats = useExchangeStats(name);
  const actions = useEntityActions();
  if (!e) return <p className="empty-note">This exchange is gone.</p>;
  const builtIn = name === '' || name.startsWith('amq.');
  const out = topology.bindings.filter((b) => b.source === name);
  const inbound = topology.bindings.filter((b) => b.destination_type === 'exchange' && b.destination === name);
  const types = typesOf(topology);
  return (
    <div className="inspector">
      <header className="insp-head">
        <span className={`type-pill type-${e.type}`}>{e.type}</span>
        <h2 className="ent">{exchangeLabel(name)}</h2>
        <span className="muted small">exchange</span>
      </header>
      <Flags items={[e.durable && 'durable', e.auto_delete && 'auto-delete', e.internal && 'internal', builtIn && 'built-in']} />
      <div className="kpis">
        <div>
          <strong>{rate(stats?.publish_in_rate ?? 0)}</strong>
          <span>in</span>
        </div>
        <div>
          <strong>{rate(stats?.publish_out_rate ?? 0)}</strong>
          <span>out</span>
        </div>
        <div>
          <strong>{out.length}</strong>
          <span>bindings</span>
        </div>
      </div>
      <div className="btn-row">
        {!e.internal && (
          <button type="button" className="btn btn-sm btn-primary" onClick={() => actions.publishTo(name)}>
            <SendIcon size={14} /> Publish
          </button>
        )}
        {!builtIn && (
          <button type="button" className="btn btn-sm btn-danger-ghost" onClick={() => actions.deleteExchange(name)}>
            <TrashIcon size={14} /> Delete
          </button>
        )}
      </div>
      {name !== '' && <BindTo source={name} sourceType={e.type} topology={topology} />}
      <Args args={e.arguments} />
      <BindingList title="Bound to" bindings={out} types={types} side="destination" />
      <BindingList title="Bound from" bindings={inbound} types={types} side="source" />
    </div>
  );
}

/** Binding without a mouse: pick the destination here instead of dragging on the canvas. */
function BindTo({ source, sourceType, topology }: { source: string; sourceType: string; topology: Topology }) {
  const openBind = useBindDialog((s) => s.open);
  const [target, setTarget] = useState('');
  const id = useId();
  const queues = topology.queues.map((q) => q.name).sort();
  const exchanges = topology.exchanges.map((x) => x.name).filter((n) => n !== '' && n !== source && !n.startsWith('amq.')).sort();
  return (
    <div className="bind-to">
      <label htmlFor={id} className="hint">
        Drag from the exchange&apos;s right handle to a queue or exchange, or pick one:
      </label>
      <div className="bind-to-row">
        <select id={id} value={target} onChange={(e) => setTarget(e.target.value)} aria-label="Bind to">
          <option value="">Bind to…</option>
          <optgroup label="Queues">
            {queues.map((q) => (
              <option key={`q|${q}`} value={`q|${q}`}>
                {q}
              </option>
            ))}
          </optgroup>
          <optgroup label="Exchanges">
            {exchanges.map((x) => (
              <option key={`e|${x}`} value={`e|${x}`}>
                {x}
              </option>
            ))}
          </optgroup>
        </select>
        <button
          type="button"
          className="btn btn-sm"
          disabled={target === ''}
          onClick={() => openBind({ source, sourceType, destinationKind: target.startsWith('q|') ? 'queue' : 'exchange', destination: target.slice(2) })}
        >
          <LinkIcon size={14} /> Bind…
        </button>
      </div>
    </div>
  );
}

function QueueInspector({ name, topology }: { name: string; topology: Topology }) {
  const q = topology.queues.find((x) => x.name === name);
  const stats = useQueueStats(name);
  const actions = useEntityActions();
  if (!q) return <p className="empty-note">This queue is gone.</p>;
  const ready = stats?.messages_ready ?? q.messages_ready ?? 0;
  const unacked = stats?.messages_unacknowledged ?? q.messages_unacknowledged ?? 0;
  const consumers = stats?.consumers ?? q.consumers;
  const state = queueState(ready, unacked, consumers);
  const inbound = topology.bindings.filter((b) => b.destination_type === 'queue' && b.destination === name && b.source !== '');
  const consumerList = topology.consumers.filter((c) => c.queue.name === name);
  return (
    <div className="inspector">
      <header className="insp-head">
        <span className={`state-dot q-${state}`} aria-hidden="true" />
        <h2 className="ent">{name}</h2>
        <span className="muted small">queue · {QUEUE_STATE_LABEL[state]}</span>
      </header>
      <Link className="small insp-page-link" href={queuePageHref(topology.vhost, name)}>
        Queue page: charts, consumers, get messages →
      </Link>
      <Flags items={[q.durable && 'durable', q.auto_delete && 'auto-delete', q.exclusive && 'exclusive']} />
      <div className="kpis">
        <div>
          <strong>{int(ready)}</strong>
          <span>ready</span>
        </div>
        <div>
          <strong>{int(unacked)}</strong>
          <span>unacked</span>
        </div>
        <div>
          <strong>{consumers}</strong>
          <span>consumers</span>
        </div>
      </div>
      {stats && (
        <div className="rates small muted">
          in {rate(stats.publish_rate)} · deliver {rate(stats.deliver_rate)} · ack {rate(stats.ack_rate)}
        </div>
      )}
      <div className="btn-row">
        <button type="button" className="btn btn-sm btn-primary" onClick={() => actions.consumeFrom(name)}>
          <InboxIcon size={14} /> Consume
        </button>
        <button type="button" className="btn btn-sm" onClick={() => actions.purgeQueue(name, ready)}>
          <EraseIcon size={14} /> Purge
        </button>
        <button type="button" className="btn btn-sm btn-danger-ghost" onClick={() => actions.deleteQueue(name, ready + unacked)}>
          <TrashIcon size={14} /> Delete
        </button>
      </div>
      <Args args={q.arguments} />
      <BindingList title="Bound from" bindings={inbound} types={typesOf(topology)} side="source" />
      {consumerList.length > 0 && (
        <section className="insp-section">
          <h3>
            Consumers <span className="muted">{consumerList.length}</span>
          </h3>
          <ul className="plain-list">
            {consumerList.map((c) => (
              <li key={`${c.channel_details.name}|${c.consumer_tag}`}>
                <span className={`small plain-list-key${c.channel_details.user_provided_name ? '' : ' mono'}`} title={c.consumer_tag}>
                  {c.channel_details.user_provided_name || c.consumer_tag}
                </span>
                <span className="muted small">
                  {c.ack_required ? `prefetch ${c.prefetch_count}` : 'auto-ack'} · {c.channel_details.user ?? ''}
                </span>
              </li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}

function ConsumerInspector({ id, topology }: { id: string; topology: Topology }) {
  const c = topology.consumers.find((x) => `c|${x.queue.name}|${x.channel_details.name}|${x.consumer_tag}` === id);
  const focusNode = useGraph((s) => s.focusNode);
  const stats = useConsumerStats(c ? consumerStatsKey({ queue: c.queue.name, channel: c.channel_details.name, consumer_tag: c.consumer_tag }) : '');
  if (!c) return <p className="empty-note">This consumer is gone.</p>;
  const named = c.channel_details.user_provided_name;
  return (
    <div className="inspector">
      <header className="insp-head">
        <h2 className="ent">{named || c.consumer_tag}</h2>
        <span className="muted small">consumer</span>
      </header>
      {stats && (
        <>
          <div className="kpis">
            <div>
              <strong>{int(stats.delivered)}</strong>
              <span>delivered</span>
            </div>
            <div>
              <strong>{int(stats.acked)}</strong>
              <span>acked</span>
            </div>
            <div>
              <strong>{c.ack_required && c.prefetch_count > 0 ? `${stats.unacked}/${c.prefetch_count}` : int(stats.unacked)}</strong>
              <span>{c.ack_required && c.prefetch_count > 0 ? 'prefetch used' : 'unacked'}</span>
            </div>
          </div>
          <div className="rates small muted">
            deliver {rate(stats.deliver_rate)} · ack {rate(stats.ack_rate)} · nack/reject {int(stats.rejected)} · redelivered {int(stats.redelivered)}
          </div>
        </>
      )}
      <dl className="props">
        <div>
          <dt>connection name</dt>
          <dd>{named || <span className="muted">none given (client property connection_name)</span>}</dd>
        </div>
        <div>
          <dt>consumer tag</dt>
          <dd className="mono">{c.consumer_tag}</dd>
        </div>
        <div>
          <dt>queue</dt>
          <dd>
            <button type="button" className="link-btn ent" onClick={() => focusNode(queueId(c.queue.name))}>
              {c.queue.name}
            </button>
          </dd>
        </div>
        <div>
          <dt>acknowledgement</dt>
          <dd>{c.ack_required ? 'manual' : 'automatic'}</dd>
        </div>
        <div>
          <dt>prefetch</dt>
          <dd>{c.prefetch_count === 0 ? 'unlimited' : c.prefetch_count}</dd>
        </div>
        <div>
          <dt>exclusive</dt>
          <dd>{c.exclusive ? 'yes' : 'no'}</dd>
        </div>
        <div>
          <dt>channel</dt>
          <dd>{c.channel_details.name}</dd>
        </div>
        <div>
          <dt>user</dt>
          <dd>{c.channel_details.user ?? ''}</dd>
        </div>
      </dl>
      <Args args={c.arguments} />
    </div>
  );
}

function ProducerInspector({ channel, topology }: { channel: string; topology: Topology }) {
  const all = useStats((s) => s.producers);
  const focusNode = useGraph((s) => s.focusNode);
  const mine = Object.values(all).filter((p) => p.channel === channel);
  const first = mine[0] ?? topology.producers?.find((p) => p.channel === channel);
  if (!first) return <p className="empty-note">This producer has stopped publishing.</p>;
  return (
    <div className="inspector">
      <header className="insp-head">
        <h2 className="ent">{first.connection_name || channel}</h2>
        <span className="muted small">producer</span>
      </header>
      <dl className="props">
        <div>
          <dt>connection name</dt>
          <dd>{first.connection_name || <span className="muted">none given (client property connection_name)</span>}</dd>
        </div>
        <div>
          <dt>channel</dt>
          <dd>{channel}</dd>
        </div>
        <div>
          <dt>user</dt>
          <dd>{first.user}</dd>
        </div>
      </dl>
      <section className="insp-section">
        <h3>Published to (last seconds)</h3>
        <ul className="plain-list">
          {mine.map((p) => (
            <li key={`${p.exchange}|${p.routing_key ?? ''}`}>
              <button
                type="button"
                className="link-btn ent plain-list-key"
                onClick={() => focusNode(p.exchange === '' && p.routing_key !== undefined ? queueId(p.routing_key) : exchangeId(p.exchange))}
              >
                {p.exchange === '' ? `${p.routing_key ?? ''} (via default exchange)` : p.exchange}
              </button>
              <span className="muted small">
                {rate(p.publish_rate)} · {int(p.published)} in all
              </span>
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}

function EdgeInspector({ edge }: { edge: GraphEdge }) {
  const actions = useEntityActions();
  if (edge.type !== 'binding' || !edge.data) return null;
  const b = edge.data.binding;
  return (
    <div className="inspector">
      <header className="insp-head">
        <h2>Binding</h2>
        <span className="muted small">{edge.data.sourceType}</span>
      </header>
      <dl className="props">
        <div>
          <dt>from exchange</dt>
          <dd className="ent">{exchangeLabel(b.source)}</dd>
        </div>
        <div>
          <dt>to {b.destination_type}</dt>
          <dd className="ent">{b.destination}</dd>
        </div>
        {edge.data.sourceType !== 'fanout' && edge.data.sourceType !== 'headers' && (
          <div>
            <dt>routing key</dt>
            <dd>
              <code>{b.routing_key === '' ? '""' : b.routing_key}</code>
            </dd>
          </div>
        )}
      </dl>
      <Args args={b.arguments} />
      <div className="btn-row">
        <button type="button" className="btn btn-sm btn-danger-ghost" onClick={() => actions.unbind(b)}>
          <TrashIcon size={14} /> Remove binding
        </button>
      </div>
      <p className="hint">Or press Delete while the binding is selected.</p>
    </div>
  );
}

function Legend() {
  const remote = useRemoteBroker();
  return (
    <div className="inspector legend">
      <p className="muted">Select a producer, exchange, queue, consumer or binding to see it here.</p>
      <section className="insp-section">
        <h3>Queues</h3>
        <ul className="legend-list">
          <li>
            <span className="swatch q-healthy" /> consumed
          </li>
          <li>
            <span className="swatch q-warning" /> messages waiting, no consumers
          </li>
          <li>
            <span className="swatch q-idle" /> no consumers
          </li>
          <li>
            <span className="badge-d">D</span> durable
          </li>
        </ul>
      </section>
      <section className="insp-section">
        <h3>Lines</h3>
        <ul className="legend-list">
          <li>
            <svg width="34" height="8" aria-hidden="true">
              <path d="M1 4h32" className="legend-binding" />
            </svg>
            binding (routing key on the label)
          </li>
          <li>
            <svg width="34" height="8" aria-hidden="true">
              <path d="M1 4h32" className="legend-publish" />
            </svg>
            producer publishing (its own rate)
          </li>
          <li>
            <svg width="34" height="8" aria-hidden="true">
              <path d="M1 4h32" className="legend-consume" />
            </svg>
            delivery to a consumer (its own rate)
          </li>
          <li>
            <svg width="34" height="8" aria-hidden="true">
              <path d="M1 4h32" className="legend-ae" />
            </svg>
            alternate exchange
          </li>
          <li>
            <svg width="34" height="8" aria-hidden="true">
              <path d="M1 4h32" className="legend-dlx" />
            </svg>
            dead-letter exchange
          </li>
        </ul>
      </section>
      <section className="insp-section">
        <h3>Messages</h3>
        <ul className="legend-list">
          <li>
            <span className="dot published" /> routed / delivered
          </li>
          <li>
            <span className="dot acked" /> acked
          </li>
          <li>
            <span className="dot requeued" /> redelivered / requeued
          </li>
          <li>
            <span className="dot rejected" /> unroutable / rejected
          </li>
          <li>
            <span className="dot returned" /> returned to the publisher
          </li>
          <li>
            <span className="dot dead-lettered" /> dead-lettered
          </li>
          <li>
            <span className="dot expired" /> expired / dropped
          </li>
          {remote && (
            <li title="RabbitMQ samples message rates every 5 s per queue and samples no single message: these dots are drawn from those rates">
              <span className="flow-dot-key estimated" /> estimated from 5 s samples
            </li>
          )}
        </ul>
      </section>
      <p className="hint">
        Drag from an exchange&apos;s right edge to a queue to bind. Press <kbd>/</kbd> to search.
      </p>
    </div>
  );
}

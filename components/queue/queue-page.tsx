'use client';
// One queue: what it is (type, features, arguments, policy, state), its counts and history, its
// consumers and bindings, getting messages, purge and delete; and on its Messages tab (`#messages`)
// its messages browsed without consuming. The vhost in the address becomes
// the console's vhost, so the actions shared with the graph act on this queue's vhost.
import Link from 'next/link';
import { usePathname, useRouter } from 'next/navigation';
import { useEffect, useRef, useState } from 'react';
import { deleteQueue, purgeQueue } from '@/lib/client/api';
import { ApiError } from '@/lib/client/api';
import { queueFeaturesOf } from '@/lib/client/graph/build';
import { queueId } from '@/lib/client/graph/types';
import { useInvalidateVhost, useQueueDetail } from '@/lib/client/queries';
import { useSession } from '@/lib/client/session';
import { toast } from '@/lib/client/toast-store';
import type { JsonValue, QueueDetailDto } from '@/lib/client/types';
import { TypeToConfirm } from '../admin/type-to-confirm';
import { BindDialog } from '../graph/bind-dialog';
import { bytes, int } from '../graph/format';
import { QUEUE_STATE_LABEL, queueState } from '../graph/nodes/queue/queue-state';
import { Placement, Tags } from '../tables/cells';
import { queuePlacement } from '@/lib/client/queue-placement';
import { EraseIcon, GraphIcon, TrashIcon } from '../ui/icons';
import { GetMessages } from './get-messages';
import { QueueBindings } from './queue-bindings';
import { QueueCharts } from './queue-charts';
import { QueueConsumers } from './queue-consumers';
import { QueueMessages } from './queue-messages';

const show = (v: JsonValue): string => (typeof v === 'string' ? v : JSON.stringify(v));

/**
 * `/queues/{vhost}/{name}` from the router's pathname (percent-encoded, as in the address bar),
 * each segment decoded exactly once: `%2F` is the default vhost, and a `%` in a name arrives as
 * `%25`. Next's own params do not say how often they were decoded.
 */
function fromPathname(pathname: string | null): { vhost: string; name: string } | null {
  const parts = (pathname ?? '').split('/');
  if (parts.length !== 4 || parts[1] !== 'queues') return null;
  try {
    return { vhost: decodeURIComponent(parts[2]), name: decodeURIComponent(parts[3]) };
  } catch {
    return null;
  }
}

export function QueuePageAtAddress() {
  const at = fromPathname(usePathname());
  if (at === null) {
    return (
      <div className="page">
        <p role="alert">
          This address names no queue. <Link href="/queues">All queues</Link>
        </p>
      </div>
    );
  }
  return <QueuePage key={`${at.vhost}|${at.name}`} vhost={at.vhost} name={at.name} />;
}

export function QueuePage({ vhost, name }: { vhost: string; name: string }) {
  const router = useRouter();
  const current = useSession((s) => s.vhost);
  const setVhost = useSession((s) => s.setVhost);
  const detail = useQueueDetail(vhost, name);
  const invalidate = useInvalidateVhost();
  const [confirm, setConfirm] = useState<'purge' | 'delete' | null>(null);
  const [tab, setTab] = useState<'overview' | 'messages'>('overview');
  useEffect(() => {
    if (window.location.hash === '#messages') setTab('messages');
  }, []);
  const choose = (t: 'overview' | 'messages') => {
    setTab(t);
    window.history.replaceState(null, '', t === 'messages' ? '#messages' : window.location.pathname + window.location.search);
  };

  // the address names the vhost: switch to it on arrival; a switch made here afterwards leaves the page
  const arrived = useRef(false);
  useEffect(() => {
    if (!arrived.current) {
      arrived.current = true;
      if (current !== vhost) setVhost(vhost);
    } else if (current !== vhost) router.push('/queues');
  }, [current, vhost, setVhost, router]);

  const q = detail.data;
  const gone = detail.error instanceof ApiError && detail.error.status === 404;
  const refresh = () => {
    void detail.refetch();
    void invalidate(vhost);
  };

  return (
    <div className="page queue-page">
      <nav className="crumbs" aria-label="Breadcrumb">
        <Link href="/queues">Queues</Link> <span aria-hidden="true">/</span> <span className="muted">vhost {vhost}</span>
      </nav>
      <div className="page-head">
        <div>
          <h2 className="qp-title">
            <span className="ent">{name}</span>
            {q && <StateChip q={q} />}
          </h2>
          <p>
            {q ? `${q.type ?? 'classic'} queue` : 'Queue'} in vhost {vhost}
          </p>
        </div>
        <div className="btn-row">
          <Link className="btn" href={`/?focus=${encodeURIComponent(queueId(name))}`}>
            <GraphIcon size={14} /> Show on graph
          </Link>
          <button type="button" className="btn" disabled={!q} onClick={() => setConfirm('purge')}>
            <EraseIcon size={14} /> Purge…
          </button>
          <button type="button" className="btn btn-danger-ghost" disabled={!q} onClick={() => setConfirm('delete')}>
            <TrashIcon size={14} /> Delete…
          </button>
        </div>
      </div>
      {gone ? (
        <section className="card qp-section" role="alert">
          <p>
            There is no queue <strong className="ent">{name}</strong> in vhost {vhost} (any more). <Link href="/queues">All queues</Link>
          </p>
        </section>
      ) : detail.error ? (
        <p className="form-error" role="alert">
          Could not load the queue: {detail.error.message}
        </p>
      ) : !q ? (
        <p className="muted">Loading…</p>
      ) : (
        <>
          <Counts q={q} />
          <div className="tabs qp-tabs" role="tablist" aria-label="Queue">
            {(['overview', 'messages'] as const).map((t) => (
              <button
                key={t}
                type="button"
                role="tab"
                id={`qp-tab-${t}`}
                aria-selected={tab === t}
                aria-controls={`qp-panel-${t}`}
                className={tab === t ? 'tab active' : 'tab'}
                onClick={() => choose(t)}
              >
                {t === 'overview' ? 'Overview' : 'Messages'}
              </button>
            ))}
          </div>
          {tab === 'overview' ? (
            <div className="qp-tabpanel" role="tabpanel" id="qp-panel-overview" aria-labelledby="qp-tab-overview">
              <QueueCharts q={q} />
              <div className="qp-grid">
                <Details q={q} />
                <GetMessages vhost={vhost} queue={name} onGot={refresh} />
              </div>
              <QueueConsumers consumers={q.consumer_details} />
              <QueueBindings vhost={vhost} queue={name} />
            </div>
          ) : (
            <div className="qp-tabpanel" role="tabpanel" id="qp-panel-messages" aria-labelledby="qp-tab-messages">
              <QueueMessages vhost={vhost} queue={name} ready={q.messages_ready ?? 0} unacked={q.messages_unacknowledged ?? 0} />
            </div>
          )}
        </>
      )}
      <BindDialog />
      <TypeToConfirm
        open={confirm === 'purge'}
        title="Purge queue?"
        word={name}
        confirmLabel="Purge"
        onClose={() => setConfirm(null)}
        body={
          <p>
            All {q ? int(q.messages_ready ?? 0) : ''} ready messages in <strong className="ent">{name}</strong> are discarded. Unacknowledged messages stay with
            their consumers.
          </p>
        }
        action={async () => {
          await purgeQueue(vhost, name);
          toast.ok('Queue purged', name);
          refresh();
        }}
      />
      <TypeToConfirm
        open={confirm === 'delete'}
        title="Delete queue?"
        word={name}
        confirmLabel="Delete queue"
        onClose={() => setConfirm(null)}
        body={
          <p>
            The queue <strong className="ent">{name}</strong>
            {q && (q.messages ?? 0) > 0 ? ` and its ${int(q.messages ?? 0)} messages` : ''} will be removed; its consumers are cancelled.
          </p>
        }
        action={async () => {
          await deleteQueue(vhost, name);
          toast.ok('Queue deleted', name);
          void invalidate(vhost);
          router.push('/queues');
        }}
      />
    </div>
  );
}

function StateChip({ q }: { q: QueueDetailDto }) {
  const st = queueState(q.messages_ready ?? 0, q.messages_unacknowledged ?? 0, q.consumers);
  return (
    <span className={`state-chip q-${st}`}>
      <span className="state-dot" aria-hidden="true" />
      {QUEUE_STATE_LABEL[st]}
    </span>
  );
}

function Counts({ q }: { q: QueueDetailDto }) {
  const items: [string, string][] = [
    ['Ready', int(q.messages_ready ?? 0)],
    ['Unacked', int(q.messages_unacknowledged ?? 0)],
    ['Total', int(q.messages ?? 0)],
    ['Consumers', int(q.consumers)],
    ['Bytes', bytes(q.message_bytes ?? 0)],
  ];
  return (
    <section className="stats qp-counts" aria-label="Counts">
      {items.map(([label, value]) => (
        <div key={label} className="card stat">
          <span className="value">{value}</span>
          <span className="name">{label}</span>
        </div>
      ))}
    </section>
  );
}

function Details({ q }: { q: QueueDetailDto }) {
  const args = Object.entries(q.arguments ?? {});
  const policy = Object.entries(q.effective_policy_definition ?? {});
  const features = [...(q.exclusive ? ['exclusive'] : []), ...(q.auto_delete ? ['auto-delete'] : []), ...queueFeaturesOf(q)];
  return (
    <section className="card qp-section" aria-label="Details">
      <header className="qp-section-head">
        <h3>Details</h3>
      </header>
      <dl className="props">
        <div>
          <dt>Type</dt>
          <dd>{q.type ?? 'classic'}</dd>
        </div>
        <div>
          <dt>Features</dt>
          <dd>
            <Tags items={[q.durable ? 'durable' : 'transient', ...features]} />
          </dd>
        </div>
        <div>
          <dt>State</dt>
          <dd>{q.state ?? 'running'}</dd>
        </div>
        <div>
          <dt>Policy</dt>
          <dd>{q.policy ? <Link href="/policies">{q.policy}</Link> : <span className="zero">none</span>}</dd>
        </div>
        <div>
          <dt>Operator policy</dt>
          <dd>{q.operator_policy ? <Link href="/policies">{q.operator_policy}</Link> : <span className="zero">none</span>}</dd>
        </div>
        {policy.map(([k, v]) => (
          <div key={`p:${k}`}>
            <dt>
              {/* user and operator policy together: the smaller limit where both set one */}
              <span className="muted">{q.operator_policy ? 'effective' : 'policy'}</span> {k}
            </dt>
            <dd>{show(v)}</dd>
          </div>
        ))}
        {args.length === 0 ? (
          <div>
            <dt>Arguments</dt>
            <dd>
              <span className="zero">none</span>
            </dd>
          </div>
        ) : (
          args.map(([k, v]) => (
            <div key={`a:${k}`}>
              <dt>
                <span className="muted">argument</span> {k}
              </dt>
              <dd>{show(v)}</dd>
            </div>
          ))
        )}
        {q.owner_pid_details && (
          <div>
            <dt>Exclusive owner</dt>
            <dd>{q.owner_pid_details.name}</dd>
          </div>
        )}
        {q.single_active_consumer_tag && (
          <div>
            <dt>Single active consumer</dt>
            <dd>{q.single_active_consumer_tag}</dd>
          </div>
        )}
        {(q.node !== undefined || q.leader !== undefined) && (
          <div>
            <dt>{q.members ? 'Leader' : 'Node'}</dt>
            <dd>
              <Placement placement={queuePlacement(q)} full />
            </dd>
          </div>
        )}
        {q.members && (
          <div>
            <dt>Members</dt>
            <dd data-testid="queue-members">
              {q.members.map((m, i) => (
                <span key={m}>
                  {i > 0 && ', '}
                  {m}
                  {Array.isArray(q.online) && !q.online.includes(m) && <strong className="placement-down-text"> (down)</strong>}
                </span>
              ))}
            </dd>
          </div>
        )}
      </dl>
    </section>
  );
}

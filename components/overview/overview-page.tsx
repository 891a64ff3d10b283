'use client';
// The overview: how to connect, totals, and message rates over the last minutes: the server's
// recorded history (five-second steps) followed by the live stream's one-second ticks.
import Link from 'next/link';
import { useMemo } from 'react';
import { amqpUrl } from '@/lib/client/amqp-url';
import { useOverview } from '@/lib/client/queries';
import { useSession } from '@/lib/client/session';
import { useStats } from '@/lib/client/stats-store';
import { LineChart, type Series } from '../charts/line-chart';
import { compact, int, rate } from '../graph/format';
import { PageHead } from '../tables/data-table';
import { NodesTable } from '../tables/nodes-table';

const WINDOW_MS = 5 * 60_000;

export function OverviewPage() {
  const vhost = useSession((s) => s.vhost);
  const { data } = useOverview();
  const history = useStats((s) => s.history);
  const amqp = data?.listeners?.find((l) => l.protocol === 'amqp');
  const url = amqp ? amqpUrl(amqp.ip_address, amqp.port) : null;
  const totals = data?.object_totals;
  const q = data?.queue_totals;

  const times = useMemo(() => history.map((p) => p.ts), [history]);
  const rates: Series[] = useMemo(
    () => [
      { key: 'publish', label: 'Published', className: 'c-publish', values: history.map((p) => p.publish), format: rate },
      { key: 'deliver', label: 'Delivered', className: 'c-deliver', values: history.map((p) => p.deliver), format: rate },
      { key: 'ack', label: 'Acked', className: 'c-ack', values: history.map((p) => p.ack), format: rate },
    ],
    [history],
  );
  const depth: Series[] = useMemo(() => [{ key: 'messages', label: 'Messages', className: 'c-messages', values: history.map((p) => p.messages), format: compact }], [history]);

  const stats: [string, number | undefined, string][] = [
    ['Connections', totals?.connections, '/connections'],
    ['Channels', totals?.channels, '/channels'],
    ['Exchanges', totals?.exchanges, '/exchanges'],
    ['Queues', totals?.queues, '/queues'],
    ['Consumers', totals?.consumers, '/consumers'],
    ['Ready', q?.messages_ready, '/queues'],
    ['Unacked', q?.messages_unacknowledged, '/queues'],
  ];

  return (
    <div className="page">
      <PageHead title="Overview">
        {data?.product_name ?? 'Warren'} {data?.product_version ?? ''} · node {data?.node ?? '…'} · totals over every vhost you can see
      </PageHead>
      <section className="card connect" aria-label="Connect">
        <span className="label">Connect</span>
        <code className="url" data-testid="amqp-url">
          {url ?? '…'}
        </code>
        <span className="hint">
          {url?.includes('guest:guest@') ? 'guest / guest works from this machine only' : 'the guest user may log in from this machine only; create a user for remote clients'}
        </span>
      </section>
      <section className="stats" aria-label="Totals">
        {stats.map(([name, value, href]) => (
          <Link key={name} href={href} className="card stat">
            <span className="value">{value === undefined ? '–' : int(value)}</span>
            <span className="name">{name}</span>
          </Link>
        ))}
      </section>
      <div className="charts">
        <LineChart title="Message rates" subtitle={`vhost ${vhost}`} times={times} series={rates} windowMs={WINDOW_MS} />
        <LineChart title="Messages queued" subtitle={`vhost ${vhost}`} times={times} series={depth} windowMs={WINDOW_MS} />
      </div>
      <NodesTable />
    </div>
  );
}

'use client';
import { useMemo } from 'react';
import { queueFeaturesOf } from '@/lib/client/graph/build';
import { useQueues } from '@/lib/client/queries';
import { useSession } from '@/lib/client/session';
import { useStats } from '@/lib/client/stats-store';
import type { QueueDto } from '@/lib/client/types';
import { QUEUE_STATE_LABEL, queueState } from '../graph/nodes/queue/queue-state';
import { useEntityActions } from '../graph/use-entity-actions';
import { EraseIcon, InboxIcon, MoreIcon, TrashIcon } from '../ui/icons';
import { Menu } from '../ui/menu';
import { Count, GraphLink, Placement, Rate, Tags } from './cells';
import { queuePlacement } from '@/lib/client/queue-placement';
import { DataTable, PageHead, type Column } from './data-table';
import { NoQueues } from './empty-hints';
import { usePanel } from '@/lib/client/panel-store';
import { queuePageHref } from '@/lib/client/queue-href';
import Link from 'next/link';
import { ChevronRightIcon } from '../admin/admin-icons';
import { useRouter } from 'next/navigation';

interface Row {
  q: QueueDto;
  ready: number;
  unacked: number;
  consumers: number;
  inRate: number;
  deliverRate: number;
}

export function QueuesTable() {
  const vhost = useSession((s) => s.vhost);
  const { data, error } = useQueues(vhost);
  const stats = useStats((s) => s.queues);
  const actions = useEntityActions();
  const router = useRouter();
  const rows = useMemo(
    () =>
      data?.map((q): Row => {
        const s = stats[q.name];
        return {
          q,
          ready: s?.messages_ready ?? q.messages_ready ?? 0,
          unacked: s?.messages_unacknowledged ?? q.messages_unacknowledged ?? 0,
          consumers: s?.consumers ?? q.consumers,
          inRate: s?.publish_rate ?? q.message_stats?.publish_details?.rate ?? 0,
          deliverRate: s?.deliver_rate ?? q.message_stats?.deliver_get_details?.rate ?? 0,
        };
      }),
    [data, stats],
  );
  const columns: Column<Row>[] = [
    { key: 'name', header: 'Name', className: 'name', render: (r) => <GraphLink kind="queue" name={r.q.name} />, sort: (r) => r.q.name },
    { key: 'ready', header: 'Ready', numeric: true, render: (r) => <Count value={r.ready} />, sort: (r) => r.ready },
    { key: 'unacked', header: 'Unacked', numeric: true, render: (r) => <Count value={r.unacked} />, sort: (r) => r.unacked },
    { key: 'consumers', header: 'Consumers', numeric: true, render: (r) => <Count value={r.consumers} />, sort: (r) => r.consumers },
    {
      key: 'state',
      header: 'State',
      render: (r) => {
        const st = queueState(r.ready, r.unacked, r.consumers);
        return (
          <span className={`state-chip q-${st}`}>
            <span className="state-dot" aria-hidden="true" />
            {QUEUE_STATE_LABEL[st]}
          </span>
        );
      },
      sort: (r) => queueState(r.ready, r.unacked, r.consumers),
    },
    {
      key: 'node',
      header: 'Node',
      render: (r) => <Placement placement={queuePlacement(r.q)} />,
      sort: (r) => r.q.leader ?? r.q.node ?? '',
    },
    { key: 'in', header: 'In', numeric: true, render: (r) => <Rate value={r.inRate} />, sort: (r) => r.inRate },
    { key: 'out', header: 'Deliver', numeric: true, render: (r) => <Rate value={r.deliverRate} />, sort: (r) => r.deliverRate },
    {
      key: 'features',
      header: 'Features',
      render: (r) => (
        <Tags durable={r.q.durable} items={[...(r.q.exclusive ? ['exclusive'] : []), ...(r.q.auto_delete ? ['auto-delete'] : []), ...queueFeaturesOf(r.q)]} />
      ),
    },
    {
      key: 'actions',
      header: '',
      className: 'actions',
      render: (r) => (
        <span className="row-actions">
          <Link className="page-link" href={queuePageHref(vhost, r.q.name)} aria-label="Queue page" title={`Open the page of queue ${r.q.name}: charts, consumers, bindings, get messages`}>
            <ChevronRightIcon />
          </Link>
          <Menu
            label={`Actions for queue ${r.q.name}`}
            trigger={<MoreIcon />}
            items={[
              { label: 'Open queue page', icon: <ChevronRightIcon />, onSelect: () => router.push(queuePageHref(vhost, r.q.name)) },
              {
                label: 'Consume…',
                icon: <InboxIcon />,
                onSelect: () => {
                  usePanel.getState().open('consume', r.q.name);
                  router.push(`/?focus=${encodeURIComponent(`q|${r.q.name}`)}`);
                },
              },
              { label: 'Purge…', icon: <EraseIcon />, onSelect: () => actions.purgeQueue(r.q.name, r.ready) },
              { label: 'Delete…', icon: <TrashIcon />, danger: true, onSelect: () => actions.deleteQueue(r.q.name, r.ready + r.unacked) },
            ]}
          />
        </span>
      ),
    },
  ];
  return (
    <div className="page">
      <PageHead title="Queues">Every queue in vhost {vhost}. A name opens it on the graph, the arrow at the end of its row the queue&apos;s own page.</PageHead>
      <DataTable
        label="Queues"
        rows={rows}
        columns={columns}
        rowKey={(r) => r.q.name}
        filterText={(r) => r.q.name}
        defaultSort={{ key: 'name', dir: 'asc' }}
        empty={<NoQueues />}
        error={error}
      />
    </div>
  );
}

'use client';
import { useMemo } from 'react';
import { useBindings, useExchanges } from '@/lib/client/queries';
import { useSession } from '@/lib/client/session';
import { useStats } from '@/lib/client/stats-store';
import type { ExchangeDto } from '@/lib/client/types';
import { useEntityActions } from '../graph/use-entity-actions';
import { MoreIcon, SendIcon, TrashIcon } from '../ui/icons';
import { Menu } from '../ui/menu';
import { Count, GraphLink, Rate, Tags } from './cells';
import { DataTable, PageHead, type Column } from './data-table';
import { NoExchanges } from './empty-hints';
import { usePanel } from '@/lib/client/panel-store';
import { useRouter } from 'next/navigation';

interface Row {
  e: ExchangeDto;
  bindings: number;
  inRate: number;
  outRate: number;
}

export function ExchangesTable() {
  const vhost = useSession((s) => s.vhost);
  const { data, error } = useExchanges(vhost);
  const { data: bindings } = useBindings(vhost);
  const stats = useStats((s) => s.exchanges);
  const actions = useEntityActions();
  const router = useRouter();
  const rows = useMemo(() => {
    const counts = new Map<string, number>();
    for (const b of bindings ?? []) counts.set(b.source, (counts.get(b.source) ?? 0) + 1);
    return data?.map(
      (e): Row => ({
        e,
        bindings: counts.get(e.name) ?? 0,
        inRate: stats[e.name]?.publish_in_rate ?? e.message_stats?.publish_in_details?.rate ?? 0,
        outRate: stats[e.name]?.publish_out_rate ?? e.message_stats?.publish_out_details?.rate ?? 0,
      }),
    );
  }, [data, bindings, stats]);
  const columns: Column<Row>[] = [
    { key: 'name', header: 'Name', className: 'name', render: (r) => <GraphLink kind="exchange" name={r.e.name} />, sort: (r) => r.e.name },
    { key: 'type', header: 'Type', render: (r) => <span className={`type-pill type-${r.e.type}`}>{r.e.type}</span>, sort: (r) => r.e.type },
    { key: 'bindings', header: 'Bindings', numeric: true, render: (r) => <Count value={r.bindings} />, sort: (r) => r.bindings },
    { key: 'in', header: 'In', numeric: true, render: (r) => <Rate value={r.inRate} />, sort: (r) => r.inRate },
    { key: 'out', header: 'Out', numeric: true, render: (r) => <Rate value={r.outRate} />, sort: (r) => r.outRate },
    {
      key: 'features',
      header: 'Features',
      render: (r) => (
        <Tags
          durable={r.e.durable}
          items={[
            ...(r.e.auto_delete ? ['auto-delete'] : []),
            ...(r.e.internal ? ['internal'] : []),
            ...(typeof r.e.arguments['alternate-exchange'] === 'string' ? [`AE: ${r.e.arguments['alternate-exchange']}`] : []),
          ]}
        />
      ),
    },
    {
      key: 'actions',
      header: '',
      className: 'actions',
      render: (r) =>
        r.e.name === '' || r.e.name.startsWith('amq.') ? null : (
          <Menu
            label={`Actions for exchange ${r.e.name}`}
            trigger={<MoreIcon />}
            items={[
              {
                label: 'Publish…',
                icon: <SendIcon />,
                onSelect: () => {
                  usePanel.getState().open('publish', r.e.name);
                  router.push(`/?focus=${encodeURIComponent(`e|${r.e.name}`)}`);
                },
              },
              { label: 'Delete…', icon: <TrashIcon />, danger: true, onSelect: () => actions.deleteExchange(r.e.name) },
            ]}
          />
        ),
    },
  ];
  return (
    <div className="page">
      <PageHead title="Exchanges">Every exchange in vhost {vhost}, the built-in ones included.</PageHead>
      <DataTable
        label="Exchanges"
        rows={rows}
        columns={columns}
        rowKey={(r) => r.e.name}
        filterText={(r) => (r.e.name === '' ? '(AMQP default)' : r.e.name)}
        empty={<NoExchanges />}
        error={error}
      />
    </div>
  );
}

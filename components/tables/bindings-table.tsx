'use client';
import { useMemo } from 'react';
import { bindingLabel } from '@/lib/client/graph/build';
import { useBindings, useExchanges } from '@/lib/client/queries';
import { useSession } from '@/lib/client/session';
import type { BindingDto } from '@/lib/client/types';
import { useEntityActions } from '../graph/use-entity-actions';
import { XIcon } from '../ui/icons';
import { GraphLink } from './cells';
import { DataTable, PageHead, type Column } from './data-table';
import { NoBindings } from './empty-hints';

export function BindingsTable() {
  const vhost = useSession((s) => s.vhost);
  const { data, error } = useBindings(vhost);
  const { data: exchanges } = useExchanges(vhost);
  const actions = useEntityActions();
  const types = useMemo(() => new Map((exchanges ?? []).map((e) => [e.name, e.type])), [exchanges]);
  const columns: Column<BindingDto>[] = [
    { key: 'source', header: 'Source', className: 'name', render: (b) => <GraphLink kind="exchange" name={b.source} />, sort: (b) => b.source },
    {
      key: 'destination',
      header: 'Destination',
      className: 'name',
      render: (b) => <GraphLink kind={b.destination_type} name={b.destination} />,
      sort: (b) => b.destination,
    },
    { key: 'kind', header: 'To', render: (b) => b.destination_type, sort: (b) => b.destination_type },
    {
      key: 'key',
      header: 'Routing key / arguments',
      className: 'mono',
      render: (b) => {
        const t = types.get(b.source) ?? 'direct';
        return t === 'headers' ? bindingLabel(b, t) : b.routing_key === '' ? <span className="zero">(empty)</span> : b.routing_key;
      },
      sort: (b) => b.routing_key,
    },
    {
      key: 'actions',
      header: '',
      className: 'actions',
      render: (b) =>
        b.source === '' ? null : (
          <button type="button" className="icon-btn" aria-label={`Remove binding ${b.source} to ${b.destination}`} title="Remove binding" onClick={() => actions.unbind(b)}>
            <XIcon size={14} />
          </button>
        ),
    },
  ];
  return (
    <div className="page">
      <PageHead title="Bindings">How messages get from exchanges to queues and other exchanges in vhost {vhost}.</PageHead>
      <DataTable
        label="Bindings"
        rows={data}
        columns={columns}
        rowKey={(b) => `${b.source}|${b.destination_type}|${b.destination}|${b.properties_key}`}
        filterText={(b) => `${b.source} ${b.destination} ${b.routing_key}`}
        defaultSort={{ key: 'source', dir: 'asc' }}
        empty={<NoBindings />}
        error={error}
      />
    </div>
  );
}

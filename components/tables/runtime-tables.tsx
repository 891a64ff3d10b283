'use client';
// Connections, channels and consumers: who is attached to the broker right now. Connections go by
// the name their client gave (connection_name), channels and consumers link to their connection.
import Link from 'next/link';
import { useSearchParams } from 'next/navigation';
import { Suspense } from 'react';
import { useConnections, useChannels, useConsumers } from '@/lib/client/queries';
import { useSession } from '@/lib/client/session';
import type { ChannelDto, ConnectionDto, ConsumerDto } from '@/lib/client/types';
import { bytes } from '../graph/format';
import { Count, GraphLink, RunState, Tags } from './cells';
import { DataTable, PageHead, type Column } from './data-table';
import { NoChannels, NoConnections, NoConsumers } from './empty-hints';

const clientOf = (c: ConnectionDto) => {
  const p = c.client_properties;
  return p?.product ? `${p.product}${p.version ? ` ${p.version}` : ''}` : '';
};

/** `/connections?name=…`: the connections page filtered to one connection. */
export const connectionHref = (name: string) => `/connections?name=${encodeURIComponent(name)}`;

/** A link to a connection, by its client-given name when it has one (the broker's name as its title). */
export function ConnectionLink({ name, provided }: { name: string; provided?: string }) {
  return (
    <Link href={connectionHref(name)} title={provided ? name : undefined}>
      {provided || name}
    </Link>
  );
}

/** Suspense: reading the address's search parameters suspends while a static page prerenders. */
export function ConnectionsTable() {
  return (
    <Suspense>
      <ConnectionsOfVhost />
    </Suspense>
  );
}

function ConnectionsOfVhost() {
  const vhost = useSession((s) => s.vhost);
  const { data, error } = useConnections(vhost);
  const initialFilter = useSearchParams().get('name') ?? undefined;
  const columns: Column<ConnectionDto>[] = [
    {
      key: 'name',
      header: 'Name',
      className: 'name',
      render: (c) =>
        c.user_provided_name ? (
          <span className="conn-name">
            {c.user_provided_name}
            <span className="conn-sub">{c.name}</span>
          </span>
        ) : (
          c.name
        ),
      sort: (c) => c.user_provided_name || c.name,
    },
    { key: 'peer', header: 'Peer', className: 'mono', render: (c) => (c.peer_host ? `${c.peer_host}:${c.peer_port ?? ''}` : ''), sort: (c) => c.peer_host ?? '' },
    { key: 'user', header: 'User', render: (c) => c.user, sort: (c) => c.user },
    { key: 'client', header: 'Client', render: (c) => clientOf(c), sort: (c) => clientOf(c) },
    { key: 'channels', header: 'Channels', numeric: true, render: (c) => <Count value={c.channels ?? 0} />, sort: (c) => c.channels ?? 0 },
    { key: 'recv', header: 'In', numeric: true, render: (c) => `${bytes(Math.round(c.recv_oct_details?.rate ?? 0))}/s`, sort: (c) => c.recv_oct_details?.rate ?? 0 },
    { key: 'send', header: 'Out', numeric: true, render: (c) => `${bytes(Math.round(c.send_oct_details?.rate ?? 0))}/s`, sort: (c) => c.send_oct_details?.rate ?? 0 },
    {
      key: 'since',
      header: 'Connected',
      render: (c) => (c.connected_at ? new Date(c.connected_at).toLocaleTimeString() : ''),
      sort: (c) => c.connected_at ?? 0,
    },
    { key: 'state', header: 'State', render: (c) => <RunState state={c.state} />, sort: (c) => c.state ?? '' },
  ];
  return (
    <div className="page">
      <PageHead title="Connections">AMQP clients connected to vhost {vhost}.</PageHead>
      <DataTable
        key={initialFilter}
        label="Connections"
        rows={data}
        columns={columns}
        rowKey={(c) => c.name}
        filterText={(c) => `${c.name} ${c.user_provided_name ?? ''} ${c.user}`}
        empty={<NoConnections />}
        error={error}
        initialFilter={initialFilter}
      />
    </div>
  );
}

export function ChannelsTable() {
  const vhost = useSession((s) => s.vhost);
  const { data, error } = useChannels(vhost);
  const connections = useConnections(vhost);
  const provided = (conn: string) => connections.data?.find((c) => c.name === conn)?.user_provided_name;
  const columns: Column<ChannelDto>[] = [
    { key: 'name', header: 'Channel', className: 'name', render: (c) => c.name, sort: (c) => c.name },
    {
      key: 'connection',
      header: 'Connection',
      render: (c) => <ConnectionLink name={c.connection_details.name} provided={provided(c.connection_details.name)} />,
      sort: (c) => provided(c.connection_details.name) || c.connection_details.name,
    },
    { key: 'user', header: 'User', render: (c) => c.user, sort: (c) => c.user },
    { key: 'consumers', header: 'Consumers', numeric: true, render: (c) => <Count value={c.consumer_count} />, sort: (c) => c.consumer_count },
    { key: 'unacked', header: 'Unacked', numeric: true, render: (c) => <Count value={c.messages_unacknowledged} />, sort: (c) => c.messages_unacknowledged },
    { key: 'prefetch', header: 'Prefetch', numeric: true, render: (c) => (c.prefetch_count === 0 ? '∞' : c.prefetch_count), sort: (c) => c.prefetch_count },
    {
      key: 'mode',
      header: 'Mode',
      render: (c) => <Tags items={[...(c.confirm ? ['confirm'] : []), ...(c.transactional ? ['transactional'] : [])]} />,
      sort: (c) => (c.confirm ? 1 : 0),
    },
    { key: 'state', header: 'State', render: (c) => <RunState state={c.state} />, sort: (c) => c.state ?? '' },
  ];
  return (
    <div className="page">
      <PageHead title="Channels">Channels of the connections to vhost {vhost}.</PageHead>
      <DataTable label="Channels" rows={data} columns={columns} rowKey={(c) => c.name} filterText={(c) => `${c.name} ${c.user}`} empty={<NoChannels />} error={error} />
    </div>
  );
}

export function ConsumersTable() {
  const vhost = useSession((s) => s.vhost);
  const { data, error } = useConsumers(vhost);
  const columns: Column<ConsumerDto>[] = [
    { key: 'tag', header: 'Consumer tag', className: 'mono', render: (c) => c.consumer_tag, sort: (c) => c.consumer_tag },
    { key: 'queue', header: 'Queue', className: 'name', render: (c) => <GraphLink kind="queue" name={c.queue.name} />, sort: (c) => c.queue.name },
    {
      key: 'connection',
      header: 'Connection',
      render: (c) => <ConnectionLink name={c.channel_details.connection_name} provided={c.channel_details.user_provided_name} />,
      sort: (c) => c.channel_details.user_provided_name || c.channel_details.connection_name,
    },
    { key: 'channel', header: 'Channel', render: (c) => c.channel_details.number, sort: (c) => c.channel_details.number },
    { key: 'ack', header: 'Ack', render: (c) => (c.ack_required ? 'manual' : 'auto'), sort: (c) => (c.ack_required ? 1 : 0) },
    { key: 'prefetch', header: 'Prefetch', numeric: true, render: (c) => (c.prefetch_count === 0 ? '∞' : c.prefetch_count), sort: (c) => c.prefetch_count },
    { key: 'flags', header: 'Features', render: (c) => <Tags items={[...(c.exclusive ? ['exclusive'] : []), ...(c.active === false ? ['waiting'] : [])]} /> },
  ];
  return (
    <div className="page">
      <PageHead title="Consumers">Who takes messages from the queues of vhost {vhost}.</PageHead>
      <DataTable
        label="Consumers"
        rows={data}
        columns={columns}
        rowKey={(c) => `${c.channel_details.name}|${c.consumer_tag}`}
        filterText={(c) => `${c.consumer_tag} ${c.queue.name} ${c.channel_details.user_provided_name ?? ''}`}
        defaultSort={{ key: 'queue', dir: 'asc' }}
        empty={<NoConsumers />}
        error={error}
      />
    </div>
  );
}

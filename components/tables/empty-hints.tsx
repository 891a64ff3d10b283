'use client';
// What each table says when its vhost has none of its rows yet, and what to do next.
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { usePanel } from '@/lib/client/panel-store';
import { useSession } from '@/lib/client/session';
import { ConnectUrl, EmptyState } from '../ui/empty-state';
import { PlusIcon } from '../ui/icons';

function CreateOnGraph({ kind }: { kind: 'queue' | 'exchange' }) {
  const router = useRouter();
  return (
    <button
      type="button"
      className="btn btn-sm btn-primary"
      onClick={() => {
        // the create dialogs live on the graph, which opens with this one showing
        usePanel.getState().create(kind);
        router.push('/');
      }}
    >
      <PlusIcon size={14} /> New {kind}
    </button>
  );
}


/** Where bindings and consumers are made: the graph. */
const openGraph = (
  <Link href="/" className="btn btn-sm">
    Open the graph
  </Link>
);

export function NoQueues() {
  const vhost = useSession((s) => s.vhost);
  return (
    <EmptyState title={
        <>
          No queues in vhost <span className="vhost-name">{vhost}</span> yet
        </>
      } actions={<CreateOnGraph kind="queue" />}>
      <p>
        A queue holds messages until a consumer takes them. Create one here, or declare one from a client (<code>channel.assertQueue(&apos;hello&apos;)</code>{' '}
        in amqplib, <code>queue_declare</code> in pika) connected to
      </p>
      <ConnectUrl />
    </EmptyState>
  );
}

export function NoExchanges() {
  return (
    <EmptyState title="No exchanges" actions={<CreateOnGraph kind="exchange" />}>
      <p>Publishers send to an exchange, which routes each message to the queues bound to it.</p>
    </EmptyState>
  );
}

export function NoBindings() {
  return (
    <EmptyState
      title="No bindings yet"
      actions={openGraph}
    >
      <p>
        A binding tells an exchange which queues get its messages. On the graph, drag from an exchange&apos;s right edge to a queue, or select an exchange and
        pick <em>Bind to…</em>.
        Every queue also gets a binding from the default exchange, by its own name.
      </p>
    </EmptyState>
  );
}

export function NoConnections() {
  const vhost = useSession((s) => s.vhost);
  return (
    <EmptyState title={
        <>
          No clients connected to vhost <span className="vhost-name">{vhost}</span>
        </>
      }>
      <p>Point an AMQP 0-9-1 client — amqplib, pika, Bunny, the RabbitMQ Java client — at</p>
      <ConnectUrl />
    </EmptyState>
  );
}

export function NoChannels() {
  return (
    <EmptyState title="No channels open">
      <p>Clients publish and consume over channels, several to a connection. Once a client connects to</p>
      <ConnectUrl />
      <p>and opens a channel, it shows up here.</p>
    </EmptyState>
  );
}

export function NoConsumers() {
  return (
    <EmptyState
      title="Nobody is consuming"
      actions={openGraph}
    >
      <p>
        A consumer subscribes to a queue and gets its messages pushed. Start one in a client (<code>channel.consume</code>, <code>basic_consume</code>), or
        try one in the browser: select a queue on the graph and open <em>Consume</em>.
      </p>
    </EmptyState>
  );
}

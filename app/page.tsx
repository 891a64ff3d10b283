import { headers } from 'next/headers';
import type { ReactNode } from 'react';
import type { BrokerSnapshot } from '@/broker/index';
import { getBroker } from '@/lib/broker-instance';
import { isLoopback } from '@/lib/management/auth';
import { AutoRefresh } from './auto-refresh';

type Vhost = BrokerSnapshot['vhosts'][number];
type Exchange = Vhost['exchanges'][number] & { vhost: string };
type Queue = Vhost['queues'][number] & { vhost: string };

const REFRESH_MS = 2000;
/**
 * = PEER_ADDRESS_HEADER of lib/management/web, which server.ts overwrites on every request.
 * Not imported from there: that pulls the whole management router into this page's bundle.
 */
const PEER_ADDRESS_HEADER = 'x-warren-peer-address';

const WILDCARD_HOSTS = new Set(['', '0.0.0.0', '::', '[::]']);

function isLoopbackName(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || isLoopback(hostname);
}

/** The URL a client on the viewer's side would use: the broker's address, or the one the page was reached at. */
function amqpUrl(brokerHost: string, brokerPort: number, requestHost: string | null): string {
  let hostname = brokerHost;
  if (WILDCARD_HOSTS.has(brokerHost)) {
    try {
      hostname = new URL(`http://${requestHost ?? 'localhost'}`).hostname;
    } catch {
      hostname = 'localhost';
    }
  } else if (hostname.includes(':') && !hostname.startsWith('[')) {
    hostname = `[${hostname}]`;
  }
  const credentials = isLoopbackName(hostname) ? 'guest:guest@' : '';
  return `amqp://${credentials}${hostname}:${brokerPort}`;
}

function byName<T extends { name: string; vhost: string }>(a: T, b: T): number {
  return a.vhost.localeCompare(b.vhost) || a.name.localeCompare(b.name);
}

function Count({ value }: { value: number }) {
  return <span className={value === 0 ? 'zero' : undefined}>{value.toLocaleString('en-US')}</span>;
}

function Tags({ items }: { items: string[] }) {
  if (items.length === 0) return null;
  return (
    <span className="tags">
      {items.map((t) => (
        <span key={t} className="tag">
          {t}
        </span>
      ))}
    </span>
  );
}

function exchangeTags(e: Exchange): string[] {
  const tags: string[] = [];
  if (e.durable) tags.push('durable');
  if (e.autoDelete) tags.push('auto-delete');
  if (e.internal) tags.push('internal');
  return tags.concat(Object.keys(e.arguments));
}

function queueTags(q: Queue): string[] {
  const tags: string[] = [];
  if (q.durable) tags.push('durable');
  if (q.exclusive) tags.push('exclusive');
  if (q.autoDelete) tags.push('auto-delete');
  return tags.concat(Object.keys(q.arguments));
}

function ExchangesTable({ exchanges, showVhost }: { exchanges: Exchange[]; showVhost: boolean }) {
  return (
    <section className="card section" aria-labelledby="exchanges-title">
      <h2 id="exchanges-title">
        Exchanges <span className="count">{exchanges.length}</span>
      </h2>
      {exchanges.length === 0 ? (
        <p className="empty">No exchanges.</p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                {showVhost && <th>Vhost</th>}
                <th>Name</th>
                <th>Type</th>
                <th>Features</th>
              </tr>
            </thead>
            <tbody>
              {exchanges.map((e) => (
                <tr key={`${e.vhost}\u0000${e.name}`}>
                  {showVhost && <td className="mono">{e.vhost}</td>}
                  <td className="name">{e.name === '' ? <span className="default">(AMQP default)</span> : e.name}</td>
                  <td>
                    <span className="type">{e.type}</span>
                  </td>
                  <td>
                    <Tags items={exchangeTags(e)} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function QueuesTable({ queues, showVhost, url }: { queues: Queue[]; showVhost: boolean; url: string }) {
  return (
    <section className="card section" aria-labelledby="queues-title">
      <h2 id="queues-title">
        Queues <span className="count">{queues.length}</span>
      </h2>
      {queues.length === 0 ? (
        <p className="empty">
          No queues yet. Connect any AMQP 0-9-1 client to <code>{url}</code> and declare one.
        </p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                {showVhost && <th>Vhost</th>}
                <th>Name</th>
                <th className="num">Ready</th>
                <th className="num">Unacked</th>
                <th className="num">Consumers</th>
                <th>Features</th>
              </tr>
            </thead>
            <tbody>
              {queues.map((q) => (
                <tr key={`${q.vhost}\u0000${q.name}`}>
                  {showVhost && <td className="mono">{q.vhost}</td>}
                  <td className="name">{q.name}</td>
                  <td className="num">
                    <Count value={q.messagesReady} />
                  </td>
                  <td className="num">
                    <Count value={q.messagesUnacknowledged} />
                  </td>
                  <td className="num">
                    <Count value={q.consumers} />
                  </td>
                  <td>
                    <Tags items={queueTags(q)} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function TopBar({ running }: { running: boolean }) {
  return (
    <header className="topbar">
      <div className="topbar-inner">
        <div className="brand">
          <img src="/warren.svg" alt="" width={28} height={28} />
          <h1>Warren</h1>
          <small>AMQP 0-9-1 broker</small>
        </div>
        <span className={running ? 'status' : 'status down'}>{running ? 'running' : 'not running'}</span>
      </div>
    </header>
  );
}

function Notice({ running, children }: { running: boolean; children: ReactNode }) {
  return (
    <>
      <TopBar running={running} />
      <main className="page">
        <section className="card empty">{children}</section>
      </main>
      {!running && <AutoRefresh intervalMs={REFRESH_MS} />}
    </>
  );
}

export default async function ConsolePage() {
  const requestHeaders = await headers();
  const broker = getBroker();

  if (!broker) {
    return (
      <Notice running={false}>
        The broker is not running in this process. Start Warren with <code>npm start</code> (or{' '}
        <code>npm run dev</code>) rather than <code>next start</code>.
      </Notice>
    );
  }
  // Safe by default, like the guest user: until the console has sign-in, only this machine sees it.
  // server.ts sets the peer header from the socket on every request.
  if (!isLoopback(requestHeaders.get(PEER_ADDRESS_HEADER) ?? undefined)) {
    return (
      <Notice running>
        This page is shown only to browsers on the machine Warren runs on. From elsewhere, use the management
        API (<code>/api/overview</code>) with a user you have created.
      </Notice>
    );
  }

  const snapshot = broker.snapshot();
  const url = amqpUrl(broker.host, broker.port, requestHeaders.get('host'));
  const exchanges = snapshot.vhosts.flatMap((v) => v.exchanges.map((e) => ({ ...e, vhost: v.name }))).sort(byName);
  const queues = snapshot.vhosts.flatMap((v) => v.queues.map((q) => ({ ...q, vhost: v.name }))).sort(byName);
  const showVhost = snapshot.vhosts.length > 1;
  const sum = (pick: (q: Queue) => number) => queues.reduce((n, q) => n + pick(q), 0);
  const stats: [string, number][] = [
    ['Connections', snapshot.connections.length],
    ['Exchanges', exchanges.length],
    ['Queues', queues.length],
    ['Consumers', sum((q) => q.consumers)],
    ['Ready', sum((q) => q.messagesReady)],
    ['Unacked', sum((q) => q.messagesUnacknowledged)],
  ];
  const loopbackHint = url.includes('guest:guest@')
    ? 'guest / guest works from this machine only'
    : 'the guest user may log in from this machine only; create a user for remote clients';

  return (
    <>
      <TopBar running />
      <main className="page">
        <section className="card connect" aria-label="Connect">
          <span className="label">Connect</span>
          <code className="url" data-testid="amqp-url">
            {url}
          </code>
          <span className="hint">{loopbackHint}</span>
        </section>

        <section className="stats" aria-label="Totals">
          {stats.map(([name, value]) => (
            <div key={name} className="card stat">
              <div className="value">
                <Count value={value} />
              </div>
              <div className="name">{name}</div>
            </div>
          ))}
        </section>

        <QueuesTable queues={queues} showVhost={showVhost} url={url} />
        <ExchangesTable exchanges={exchanges} showVhost={showVhost} />

        <p className="footer">
          Updated {new Date().toLocaleTimeString('en-GB')} · refreshes every {REFRESH_MS / 1000} s
        </p>
      </main>
      <AutoRefresh intervalMs={REFRESH_MS} />
    </>
  );
}

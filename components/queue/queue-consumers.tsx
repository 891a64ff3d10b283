'use client';
// Who consumes from this queue: the connection (by the name its client gave), channel, tag,
// prefetch and ack mode, as the queue's consumer_details list them.
import type { ConsumerDto } from '@/lib/client/types';
import { ConnectionLink } from '../tables/runtime-tables';

export function QueueConsumers({ consumers }: { consumers: ConsumerDto[] | undefined }) {
  return (
    <section className="card qp-section" aria-label="Consumers">
      <header className="qp-section-head">
        <h3>Consumers</h3>
        <span className="table-count">{consumers?.length ?? 0}</span>
      </header>
      {!consumers || consumers.length === 0 ? (
        <p className="muted small qp-empty">No consumer. Messages wait in the queue until a client consumes or someone gets them below.</p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Connection</th>
                <th scope="col">Channel</th>
                <th scope="col">Consumer tag</th>
                <th scope="col" className="num">
                  Prefetch
                </th>
                <th scope="col">Ack</th>
                <th scope="col">State</th>
              </tr>
            </thead>
            <tbody>
              {consumers.map((c) => (
                <tr key={`${c.channel_details.name}|${c.consumer_tag}`}>
                  <td className="name">
                    <ConnectionLink name={c.channel_details.connection_name} provided={c.channel_details.user_provided_name} />
                  </td>
                  <td>{c.channel_details.number}</td>
                  <td className="mono">{c.consumer_tag}</td>
                  <td className="num">{c.prefetch_count === 0 ? '∞' : c.prefetch_count}</td>
                  <td>{c.ack_required ? 'manual' : 'auto'}</td>
                  <td>
                    {c.exclusive ? <span className="tag">exclusive</span> : null} {c.active === false ? <span className="tag">waiting</span> : <span className="tag">active</span>}
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

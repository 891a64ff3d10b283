'use client';
// Beside the vhost switcher when Warren serves more than one broker (--rabbitmq). Switching keeps the
// login when the same credentials work on the other broker, else logs out so the user signs in
// there (a remote cluster checks its own users); the page then starts afresh on the new broker, so
// no cached list or live feed of the previous one survives.
import { useQuery } from '@tanstack/react-query';
import { useEffect, useId } from 'react';
import { fetchWhoami } from '@/lib/client/api';
import { chooseBroker, chosenBroker, fetchBrokers, type BrokerListing } from '@/lib/client/broker-choice';
import { useSession } from '@/lib/client/session';

const MODE: Record<string, string> = {
  embedded: 'live',
  events: 'live: events',
  polling: 'polled every 5 s',
  idle: 'not watched yet',
};

function label(b: BrokerListing): string {
  return b.kind === 'rabbitmq' ? `${b.name} (RabbitMQ)` : b.name;
}

export function BrokerSwitcher() {
  const id = useId();
  const logout = useSession((s) => s.logout);
  const { data } = useQuery({
    queryKey: ['warren', 'brokers'],
    queryFn: ({ signal }) => fetchBrokers(signal),
    // a cluster's mode is known once its first watch started (a moment after the page opens)
    refetchInterval: (q) => (q.state.data?.some((b) => b.live === 'idle') ? 2_000 : 10_000),
  });
  const chosen = chosenBroker();
  // a broker chosen before a restart that no longer has it: back to the default one
  useEffect(() => {
    if (data && chosen !== null && !data.some((b) => b.name === chosen)) {
      chooseBroker(null);
      location.reload();
    }
  }, [data, chosen]);
  if (!data || data.length < 2) return null;
  const current = data.find((b) => b.name === chosen) ?? data.find((b) => b.default) ?? data[0];

  const change = async (name: string) => {
    const next = data.find((b) => b.name === name);
    if (next === undefined || next.name === current.name) return;
    chooseBroker(next.default ? null : next.name);
    try {
      await fetchWhoami();
    } catch {
      logout();
    }
    location.reload();
  };

  return (
    <div className="vhost-switcher broker-switcher" title={`${current.kind === 'rabbitmq' ? 'RabbitMQ cluster' : 'embedded Warren broker'} — ${MODE[current.live] ?? current.live}`}>
      <label htmlFor={id}>broker</label>
      <select id={id} value={current.name} onChange={(e) => void change(e.target.value)} data-live-mode={current.live}>
        {data.map((b) => (
          <option key={b.name} value={b.name}>
            {label(b)}
          </option>
        ))}
      </select>
      {current.kind === 'rabbitmq' && <label className="broker-mode">{MODE[current.live] ?? current.live}</label>}
    </div>
  );
}

// Which broker the console talks to when Warren serves several (the embedded one and --rabbitmq
// clusters): kept in localStorage; the default broker is reached at RabbitMQ's own paths (/api/...),
// any other under /brokers/<name>/ (see lib/broker-directory.ts on the server).

const BROKER_KEY = 'warren.broker';

export interface BrokerListing {
  name: string;
  kind: 'warren' | 'rabbitmq';
  default: boolean;
  /** how the server follows its topology: embedded, events, polling, idle */
  live: string;
}

/** The chosen broker's name, or null for the default one. */
export function chosenBroker(): string | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage.getItem(BROKER_KEY);
  } catch {
    return null;
  }
}

export function chooseBroker(name: string | null): void {
  try {
    if (name === null) localStorage.removeItem(BROKER_KEY);
    else localStorage.setItem(BROKER_KEY, name);
  } catch {
    /* private mode: the choice lasts this page only */
  }
}

/** `/api/...` of the chosen broker: the path itself for the default, `/brokers/<name>/api/...` otherwise. */
export function brokerPath(path: string): string {
  const name = chosenBroker();
  return name === null || !path.startsWith('/') ? path : `/brokers/${encodeURIComponent(name)}${path}`;
}

export async function fetchBrokers(signal?: AbortSignal): Promise<BrokerListing[]> {
  const res = await fetch('/api/brokers', { cache: 'no-store', credentials: 'omit', signal });
  if (!res.ok) return [];
  return (await res.json()) as BrokerListing[];
}

// Which real RabbitMQ the remote implementation's tests run against: the local cluster of
// `npm run cluster:up` (management 15701, AMQP 5701) when it answers, else the machine's single node
// (15672, 5672). Neither answering: the tests are skipped with a message saying how to bring one up.
import type { RemoteBrokerConfig } from './broker-spec';

const CANDIDATES = [
  { label: 'the local cluster (npm run cluster:up)', http: 'http://127.0.0.1:15701', amqp: 'amqp://127.0.0.1:5701' },
  { label: 'the single node on 15672', http: 'http://127.0.0.1:15672', amqp: 'amqp://127.0.0.1:5672' },
];

export interface TestTarget {
  label: string;
  config: RemoteBrokerConfig;
  nodes: number;
}

export async function findRabbitMq(): Promise<TestTarget | undefined> {
  for (const c of CANDIDATES) {
    try {
      const res = await fetch(`${c.http}/api/nodes?columns=name,running`, {
        headers: { authorization: `Basic ${Buffer.from('guest:guest').toString('base64')}` },
        signal: AbortSignal.timeout(3_000),
      });
      if (!res.ok) continue;
      const nodes = (await res.json()) as { running: boolean }[];
      return {
        label: c.label,
        nodes: nodes.filter((n) => n.running).length,
        config: { name: 'test', managementUrl: c.http, amqpUrl: c.amqp, credentials: { username: 'guest', password: 'guest' } },
      };
    } catch {
      // try the next
    }
  }
  return undefined;
}

export const NO_RABBITMQ = 'no RabbitMQ answers on 127.0.0.1:15701 (npm run cluster:up) or 127.0.0.1:15672: remote broker tests skipped';

// Starts the broker a test talks to. With AMQP_URL set (e.g. amqp://guest:guest@127.0.0.1:5672)
// the tests run against that broker instead — that is how they are checked against real RabbitMQ.
import { createBroker } from '../index';

export interface TestBroker {
  url: string;
  host: string;
  port: number;
  /** true when the tests run against an external broker (AMQP_URL) */
  external: boolean;
  close(): Promise<void>;
}

export async function startTestBroker(): Promise<TestBroker> {
  const external = process.env.AMQP_URL;
  if (external) {
    const u = new URL(external);
    return {
      url: external,
      host: u.hostname,
      port: Number(u.port || 5672),
      external: true,
      close: async () => {},
    };
  }
  const broker = await createBroker({ port: 0, host: '127.0.0.1', logLevel: 'error' });
  return {
    url: `amqp://guest:guest@127.0.0.1:${broker.port}`,
    host: '127.0.0.1',
    port: broker.port,
    external: false,
    close: () => broker.close(),
  };
}

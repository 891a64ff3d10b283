import { connection } from 'next/server';
import { getBroker } from '@/lib/broker-instance';

/** GET /api/health — 200 `{ ok: true, amqpPort }` while the broker runs, 503 otherwise. */
export async function GET(): Promise<Response> {
  await connection();
  const broker = getBroker();
  if (!broker) return Response.json({ ok: false, error: 'broker not running' }, { status: 503 });
  return Response.json({ ok: true, amqpPort: broker.port });
}

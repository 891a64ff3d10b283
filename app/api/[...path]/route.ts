import { connection } from 'next/server';
import { getBroker } from '@/lib/broker-instance';
import { handleWebRequest } from '@/lib/management/web';

/** Every /api/* path but /api/health and /api/ws: RabbitMQ's management API (lib/management). */
async function handler(request: Request): Promise<Response> {
  await connection();
  return handleWebRequest(getBroker(), request);
}

export { handler as GET, handler as PUT, handler as POST, handler as DELETE, handler as PATCH };

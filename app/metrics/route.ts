import { connection } from 'next/server';
import { getBroker } from '@/lib/broker-instance';
import { handleWebRequest } from '@/lib/management/web';

/** GET /metrics — Prometheus text format (lib/management/metrics.ts). */
export async function GET(request: Request): Promise<Response> {
  await connection();
  return handleWebRequest(getBroker(), request);
}

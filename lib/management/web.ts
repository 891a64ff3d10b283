// Adapts a web-standard Request (what Next.js route handlers get) to the management router.
// Route handlers cannot see the socket, so the peer address comes from a header that server.ts
// sets from the socket on every request (overwriting whatever a client sent). Without it the peer
// counts as remote, so `guest` is refused: safe by default.
import type { Broker } from '../../broker/index';
import type { ManagementRequest } from './http';
import { handleManagement } from './router';

export const PEER_ADDRESS_HEADER = 'x-warren-peer-address';

export async function toManagementRequestFromWeb(request: Request): Promise<ManagementRequest> {
  const url = new URL(request.url);
  const headers: Record<string, string | undefined> = {};
  request.headers.forEach((v, k) => {
    headers[k] = v;
  });
  const hasBody = request.method !== 'GET' && request.method !== 'HEAD';
  const body = hasBody ? Buffer.from(await request.arrayBuffer()) : undefined;
  return {
    method: request.method,
    path: url.pathname,
    query: url.searchParams,
    headers,
    body: body !== undefined && body.length > 0 ? body : undefined,
    remoteAddress: headers[PEER_ADDRESS_HEADER] || undefined,
  };
}

/** The whole route handler: 503 when this process runs no broker. */
export async function handleWebRequest(broker: Broker | undefined, request: Request): Promise<Response> {
  if (broker === undefined) {
    return Response.json({ error: 'service_unavailable', reason: 'broker not running' }, { status: 503 });
  }
  const out = await handleManagement(broker, await toManagementRequestFromWeb(request));
  return new Response(out.status === 204 || out.body === '' ? null : out.body, { status: out.status, headers: out.headers });
}

// Health checks (aliveness test, alarms, listeners) and the nodes, as RabbitMQ reports them.
import { json } from './http';
import { listeners } from './overview';
import { listing, selectColumns } from './paging';
import { objectNotFound } from './errors';
import type { Route, RouteContext } from './route';

const failed = (reason: string, extra: Record<string, unknown> = {}) => json({ status: 'failed', reason, ...extra }, 503);

async function aliveness(c: RouteContext) {
  const r = await c.api.aliveness(c.user, c.vhost);
  return r.ok ? json({ status: 'ok' }) : failed(r.reason);
}

async function alarms(c: RouteContext) {
  const active = await c.api.alarms();
  if (active.length === 0) return json({ status: 'ok' });
  return failed('resource alarm(s) in effect in the cluster', { alarms: active });
}

async function portListener(c: RouteContext) {
  const ports = (await listeners(c)).map((l) => l.port as number);
  const port = Number(c.params.port);
  if (ports.includes(port)) return json({ status: 'ok', port });
  return failed(`No active listener on port ${c.params.port}`, { missing: port, ports });
}

export const healthRoutes: Route[] = [
  { method: 'GET', path: '/api/aliveness-test/:vhost', handle: aliveness },
  { method: 'GET', path: '/api/health/checks/alarms', handle: alarms },
  { method: 'GET', path: '/api/health/checks/local-alarms', handle: alarms },
  { method: 'GET', path: '/api/health/checks/virtual-hosts', handle: () => json({ status: 'ok' }) },
  { method: 'GET', path: '/api/health/checks/port-listener/:port', handle: portListener },
  { method: 'GET', path: '/api/nodes', access: 'monitoring', handle: async (c) => json(listing(await c.api.nodes(c.user), c.query, ['name'])) },
  {
    method: 'GET',
    path: '/api/nodes/:node',
    access: 'monitoring',
    handle: async (c) => {
      const node = (await c.api.nodes(c.user)).find((n) => n.name === c.params.node);
      if (node === undefined) throw objectNotFound();
      return json(selectColumns(node, c.query));
    },
  },
];

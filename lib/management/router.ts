// The management API's one entry point: a request in, a response out, no framework. Matches the
// path against the route table, authenticates (HTTP basic, broker users), checks the user's tag
// and vhost access, runs the handler and turns every error into RabbitMQ's error body.
import { createLogger, type Actor, type BrokerApi, type Logger } from '../../broker/index';
import { authenticateRequest, checkVhost, requireAccess } from './auth';
import { bindingRoutes } from './bindings';
import { channelRoutes } from './channels';
import { connectionRoutes } from './connections';
import { consumerRoutes } from './consumers';
import { definitionRoutes } from './definitions';
import { isHttpError, objectNotFound, toHttpError } from './errors';
import { exchangeRoutes } from './exchanges';
import { healthRoutes } from './health';
import { loginRoutes } from './login';
import { empty, json, type ManagementRequest, type ManagementResponse } from './http';
import { metricRoutes } from './metrics';
import { overviewRoutes } from './overview';
import { permissionRoutes } from './permissions';
import { topicPermissionRoutes } from './topic-permissions';
import { policyRoutes } from './policies';
import { messageBrowseRoutes } from './message-browse';
import { messageTransferRoutes } from './message-transfer';
import { messageExportRoutes } from './message-export';
import { messageRoutes } from './messages';
import { explainRoutes } from './explain-route';
import { queueRoutes } from './queues';
import type { Route, RouteContext } from './route';
import { scenarioRoutes } from './scenarios';
import { userRoutes } from './users';
import type { LoginSessions } from './sessions';
import { vhostRoutes } from './vhosts';

/** Literal routes come before the parameterised ones they overlap (`/api/users/without-permissions`). */
export const ROUTES: readonly Route[] = [
  ...overviewRoutes,
  ...healthRoutes,
  ...loginRoutes,
  ...vhostRoutes,
  ...exchangeRoutes,
  ...messageRoutes,
  ...messageExportRoutes,
  ...messageBrowseRoutes,
  ...explainRoutes,
  ...messageTransferRoutes,
  ...queueRoutes,
  ...bindingRoutes,
  ...connectionRoutes,
  ...channelRoutes,
  ...consumerRoutes,
  ...userRoutes,
  ...permissionRoutes,
  ...topicPermissionRoutes,
  ...policyRoutes,
  ...definitionRoutes,
  ...metricRoutes,
  ...scenarioRoutes,
];

interface Compiled {
  route: Route;
  /** literal text, or null for a parameter */
  parts: { literal: string | null; name: string }[];
}

const COMPILED: Compiled[] = ROUTES.map((route) => ({
  route,
  parts: route.path
    .split('/')
    .slice(1)
    .map((p) => (p.startsWith(':') ? { literal: null, name: p.slice(1) } : { literal: p, name: p })),
}));

/** Path segments, percent-decoded; undefined when the encoding is broken. */
function segments(path: string): string[] | undefined {
  const parts = path.split('/').slice(1);
  if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
  try {
    return parts.map((p) => decodeURIComponent(p));
  } catch {
    return undefined;
  }
}

function match(c: Compiled, segs: string[]): Record<string, string> | undefined {
  if (c.parts.length !== segs.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < segs.length; i++) {
    const part = c.parts[i];
    if (part.literal !== null) {
      if (part.literal !== segs[i]) return undefined;
    } else {
      if (segs[i] === '') return undefined;
      params[part.name] = segs[i];
    }
  }
  return params;
}

const ANONYMOUS: Actor = { name: '', tags: [] };
const DEFAULT_LOG = createLogger('error');

export interface ManagementOptions {
  log?: Logger;
  /** routes with access 'metrics' need a monitoring user (default: open) */
  metricsAuth?: boolean;
  /** the console's login sessions: /api/login, /api/logout and the login cookie (none: Basic only) */
  sessions?: LoginSessions;
}

/** One request in, one response out; never throws. */
export async function handleManagement(api: BrokerApi, req: ManagementRequest, options: ManagementOptions = {}): Promise<ManagementResponse> {
  const log = options.log ?? DEFAULT_LOG;
  try {
    return await dispatch(api, log, req, options.metricsAuth === true, options.sessions);
  } catch (err) {
    const e = toHttpError(err);
    if (isHttpError(e)) return e.toResponse();
    log.error(`management API ${req.method} ${req.path}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return json({ error: 'internal_error', reason: e instanceof Error ? e.message : String(e) }, 500);
  }
}

async function dispatch(api: BrokerApi, log: Logger, req: ManagementRequest, metricsAuth: boolean, sessions: LoginSessions | undefined): Promise<ManagementResponse> {
  const segs = segments(req.path);
  if (segs === undefined) throw objectNotFound();
  const found: { c: Compiled; params: Record<string, string> }[] = [];
  for (const c of COMPILED) {
    const params = match(c, segs);
    if (params !== undefined) found.push({ c, params });
  }
  if (found.length === 0) throw objectNotFound();
  const hit = found.find((f) => f.c.route.method === req.method);
  if (hit === undefined) return empty(405, { allow: [...new Set(found.map((f) => f.c.route.method))].join(', ') });
  const { route } = hit.c;
  let user = ANONYMOUS;
  const access = route.access === 'metrics' ? (metricsAuth ? 'monitoring' : 'none') : (route.access ?? 'management');
  if (access !== 'none') {
    user = await authenticateRequest(api, req, sessions);
    requireAccess(user, access);
  }
  const vhost = hit.params.vhost;
  if (vhost !== undefined) await checkVhost(api, user, vhost, route.vhostCheck);
  const ctx: RouteContext = {
    api,
    log,
    user,
    params: hit.params,
    get vhost(): string {
      if (vhost === undefined) throw new Error(`route ${route.path} has no :vhost parameter`);
      return vhost;
    },
    query: req.query,
    req,
    sessions,
  };
  return route.handle(ctx);
}

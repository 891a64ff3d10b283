// What a route is: a method, a path pattern and a handler, with the user tag it needs. Path
// parameters arrive decoded; a parameter named `vhost` is checked by the router (404 when the vhost
// does not exist, 401 when the user may not use it) and handed over as `vhost`.
import type { Actor, BrokerApi, Logger } from '../../broker/index';
import type { Access } from './auth';
import type { ManagementRequest, ManagementResponse } from './http';
import type { LoginSessions } from './sessions';

export type Method = 'GET' | 'PUT' | 'POST' | 'DELETE';

export interface RouteContext {
  api: BrokerApi;
  log: Logger;
  /** the anonymous user on routes with access 'none' */
  user: Actor;
  params: Record<string, string>;
  /** The `:vhost` parameter, checked. */
  vhost: string;
  query: URLSearchParams;
  req: ManagementRequest;
  /** the console's login sessions; undefined where the API is served without a console */
  sessions: LoginSessions | undefined;
}

export interface Route {
  method: Method;
  /** e.g. `/api/queues/:vhost/:name/bindings` */
  path: string;
  /**
   * Default 'management'; 'none' skips authentication; 'metrics' (Prometheus scrapes) is 'none', or
   * 'monitoring' when the server requires a login for metrics (METRICS_AUTH).
   */
  access?: Access | 'none' | 'metrics';
  /**
   * How the router checks a `:vhost` parameter: 'access' (default) 401 unless the user may use the
   * vhost; 'visible' monitoring users pass too (they see every vhost); 'exists' only 404 when missing,
   * the handler showing what the user may see.
   */
  vhostCheck?: 'access' | 'visible' | 'exists';
  handle(c: RouteContext): ManagementResponse | Promise<ManagementResponse>;
}

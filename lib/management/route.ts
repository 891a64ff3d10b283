// What a route is: a method, a path pattern and a handler, with the user tag it needs. Path
// parameters arrive decoded; a parameter named `vhost` is resolved by the router (404 when the
// vhost does not exist, 401 when the user may not use it) and handed over as `vhost`.
import type { User } from '../../broker/auth/users';
import type { VirtualHost } from '../../broker/core/vhost';
import type { Broker } from '../../broker/index';
import type { Access } from './auth';
import type { ManagementContext } from './context';
import type { ManagementRequest, ManagementResponse } from './http';

export type Method = 'GET' | 'PUT' | 'POST' | 'DELETE';

export interface RouteContext {
  broker: Broker;
  mgmt: ManagementContext;
  /** undefined only on routes with access 'none' */
  user: User;
  params: Record<string, string>;
  /** Set when the path has a `:vhost` parameter. */
  vhost: VirtualHost;
  query: URLSearchParams;
  req: ManagementRequest;
}

export interface Route {
  method: Method;
  /** e.g. `/api/queues/:vhost/:name/bindings` */
  path: string;
  /** Default 'management'; 'none' skips authentication (Prometheus scrapes). */
  access?: Access | 'none';
  handle(c: RouteContext): ManagementResponse | Promise<ManagementResponse>;
}

// The management API's administration calls: vhosts, users, permissions and policies. Errors come
// back as ApiError with RabbitMQ's `reason`, which the forms show as it is.
import { request, seg } from './api';
import type { JsonObject } from './types';

export interface VhostSettings {
  description: string;
  /** comma-separated, as RabbitMQ's API takes them */
  tags: string;
}

export const putVhost = (name: string, s: VhostSettings) => request<void>(`/api/vhosts/${seg(name)}`, { method: 'PUT', body: s });
export const deleteVhost = (name: string) => request<void>(`/api/vhosts/${seg(name)}`, { method: 'DELETE' });

/** No `password` keeps the current one (RabbitMQ's API replaces only what it is given). */
export const putUser = (name: string, user: { password?: string; tags: string }) => request<void>(`/api/users/${seg(name)}`, { method: 'PUT', body: user });
export const deleteUser = (name: string) => request<void>(`/api/users/${seg(name)}`, { method: 'DELETE' });

export interface PermissionSettings {
  configure: string;
  write: string;
  read: string;
}

export const putPermission = (vhost: string, user: string, p: PermissionSettings) =>
  request<void>(`/api/permissions/${seg(vhost)}/${seg(user)}`, { method: 'PUT', body: p });
export const deletePermission = (vhost: string, user: string) => request<void>(`/api/permissions/${seg(vhost)}/${seg(user)}`, { method: 'DELETE' });

export interface TopicPermissionSettings {
  exchange: string;
  write: string;
  read: string;
}

export const putTopicPermission = (vhost: string, user: string, p: TopicPermissionSettings) =>
  request<void>(`/api/topic-permissions/${seg(vhost)}/${seg(user)}`, { method: 'PUT', body: p });
/** One exchange's (Warren's `?exchange=`; RabbitMQ's own API clears all of the user's in the vhost). */
export const deleteTopicPermission = (vhost: string, user: string, exchange: string) =>
  request<void>(`/api/topic-permissions/${seg(vhost)}/${seg(user)}?exchange=${encodeURIComponent(exchange)}`, { method: 'DELETE' });

export interface PolicySettings {
  pattern: string;
  'apply-to': string;
  priority: number;
  definition: JsonObject;
}

export const putPolicy = (vhost: string, name: string, p: PolicySettings) => request<void>(`/api/policies/${seg(vhost)}/${seg(name)}`, { method: 'PUT', body: p });
export const deletePolicy = (vhost: string, name: string) => request<void>(`/api/policies/${seg(vhost)}/${seg(name)}`, { method: 'DELETE' });
export const putOperatorPolicy = (vhost: string, name: string, p: PolicySettings) =>
  request<void>(`/api/operator-policies/${seg(vhost)}/${seg(name)}`, { method: 'PUT', body: p });
export const deleteOperatorPolicy = (vhost: string, name: string) => request<void>(`/api/operator-policies/${seg(vhost)}/${seg(name)}`, { method: 'DELETE' });

export interface UserDetail {
  name: string;
  tags: string[] | string;
  password_hash: string;
  hashing_algorithm?: string;
}

export const getUser = (name: string) => request<UserDetail>(`/api/users/${seg(name)}`);

/**
 * Changes a user's tags and keeps the password: RabbitMQ's PUT without a password clears it (a
 * tags-only PUT locks the user out), so the stored hash is sent back with the new tags.
 */
export async function putUserTags(name: string, tags: string): Promise<void> {
  const u = await getUser(name);
  await request<void>(`/api/users/${seg(name)}`, {
    method: 'PUT',
    body: { tags, password_hash: u.password_hash, ...(u.hashing_algorithm ? { hashing_algorithm: u.hashing_algorithm } : {}) },
  });
}

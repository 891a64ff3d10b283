// The rights RabbitMQ gives each user tag in its management API: management (own vhosts and
// connections), policymaker (+ policies), monitoring (+ every vhost, connection and node),
// administrator (everything). Pure functions of an Actor, so the broker and the web side judge
// alike.
import type { Actor } from './broker-api';

export type AccessLevel = 'management' | 'policymaker' | 'monitoring' | 'administrator';

export function hasAccess(who: Pick<Actor, 'tags'>, level: AccessLevel): boolean {
  const tags = who.tags;
  if (tags.includes('administrator')) return true;
  switch (level) {
    case 'administrator':
      return false;
    case 'monitoring':
      return tags.includes('monitoring');
    case 'policymaker':
      return tags.includes('policymaker');
    case 'management':
      return tags.includes('management') || tags.includes('policymaker') || tags.includes('monitoring');
  }
}

export const isAdmin = (who: Pick<Actor, 'tags'>): boolean => hasAccess(who, 'administrator');
/** Monitoring users and administrators see every connection, channel and vhost name. */
export const isMonitor = (who: Pick<Actor, 'tags'>): boolean => hasAccess(who, 'monitoring');

export function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

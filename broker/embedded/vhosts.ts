// Virtual hosts with their message totals; created, updated and deleted by administrators.
import type { BrokerCore } from '../core/broker-core';
import type { VirtualHost } from '../core/vhost';
import { isMonitor } from '../api/access-levels';
import type { Actor, HistoryQuery, Row, VhostSpec } from '../api/broker-api';
import { requireAdmin, visibleVhosts } from './access';
import { DELIVER_STATS, MESSAGE_COUNTS, OCTETS, PUBLISH_STATS } from './counters';
import type { ManagementContext } from './management-context';
import { withDetails } from './rates';

/** Every message_stats key of a vhost or the overview, in RabbitMQ's (alphabetical) order. */
export const ALL_MESSAGE_STATS = [...PUBLISH_STATS, ...DELIVER_STATS].sort();

export function vhostRow(mgmt: ManagementContext, vh: VirtualHost, history: HistoryQuery = {}): Row {
  const meta = mgmt.metadata(vh.name);
  const counters = mgmt.totals.vhostCounters(vh);
  const rate = mgmt.sampler.rateOf(vh);
  return {
    cluster_state: { [mgmt.node]: 'running' },
    default_queue_type: 'undefined',
    description: meta.description,
    message_stats: withDetails(counters, ALL_MESSAGE_STATS, rate, mgmt.historyFor([vh.name], ALL_MESSAGE_STATS, history.msgRates)),
    ...withDetails(counters, MESSAGE_COUNTS, rate, mgmt.historyFor([vh.name], MESSAGE_COUNTS, history.lengths)),
    metadata: { description: meta.description, tags: meta.tags },
    name: vh.name,
    ...withDetails(counters, OCTETS, rate),
    tags: meta.tags,
    tracing: meta.tracing,
  };
}

/** Monitoring users see every vhost's name and totals; others those they may use. */
export function listVhosts(mgmt: ManagementContext, core: BrokerCore, who: Actor, history?: HistoryQuery): Row[] {
  const vhosts = isMonitor(who) ? [...core.vhosts.values()] : visibleVhosts(core, who);
  return vhosts.map((vh) => vhostRow(mgmt, vh, history));
}

/** Creates the vhost (the creator gets full permissions on it, as in RabbitMQ) or updates its metadata. */
export function putVhost(mgmt: ManagementContext, core: BrokerCore, who: Actor, name: string, spec: VhostSpec): boolean {
  requireAdmin(who);
  const old = mgmt.metadata(name);
  const existed = core.vhosts.has(name);
  core.addVhost(name);
  mgmt.setMetadata(name, { description: spec.description ?? old.description, tags: spec.tags ?? old.tags, tracing: spec.tracing ?? old.tracing });
  if (!existed) core.users.setPermission(name, who.name, { configure: '.*', write: '.*', read: '.*' });
  return !existed;
}

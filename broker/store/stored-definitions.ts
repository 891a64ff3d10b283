import { decodeTable, encodeTable } from '../amqp/field-table';
import type { BrokerCore } from '../core/broker-core';
import type { Exchange, ExchangeType } from '../core/exchange';
import type { Queue } from '../core/queue';
import type { FieldTable } from '../core/field-values';
import type { ApplyTo, PolicyDefinition } from '../core/policy';

/**
 * Warren's own record of its durable definitions (not the management export format): arguments
 * are kept as encoded AMQP tables so every field type survives exactly.
 */
export interface StoredDefinitions {
  version: 1;
  nextQueueId: number;
  vhosts: string[];
  users: { name: string; password_hash: string; hashing_algorithm: string; tags: string[] }[];
  permissions: { vhost: string; user: string; configure: string; write: string; read: string }[];
  exchanges: { vhost: string; name: string; type: ExchangeType; auto_delete: boolean; internal: boolean; arguments: string }[];
  queues: { vhost: string; name: string; id: number; auto_delete: boolean; arguments: string }[];
  bindings: { vhost: string; source: string; destination: string; destination_type: 'queue' | 'exchange'; routing_key: string; arguments: string }[];
  /** Absent in files written before Warren had policies. */
  policies?: StoredPolicy[];
  /** Absent in files written before Warren had operator policies. */
  operator_policies?: StoredPolicy[];
  /** Absent in files written before Warren had topic permissions. */
  topic_permissions?: { vhost: string; user: string; exchange: string; write: string; read: string }[];
}

export interface StoredPolicy {
  vhost: string;
  name: string;
  pattern: string;
  apply_to: ApplyTo;
  priority: number;
  definition: PolicyDefinition;
}

export function packTable(t: FieldTable): string {
  return encodeTable(t).toString('base64');
}

export function unpackTable(s: string): FieldTable {
  return decodeTable(Buffer.from(s, 'base64'), 0)[0];
}

/** Durable exchanges but the default and the built-in amq.* ones, which every start makes anyway. */
export function isStoredExchange(ex: Exchange): boolean {
  return ex.durable && ex.name !== '' && !ex.name.startsWith('amq.');
}

export function exchangeEntry(vhost: string, ex: Exchange): StoredDefinitions['exchanges'][number] {
  return { vhost, name: ex.name, type: ex.type, auto_delete: ex.autoDelete, internal: ex.internal, arguments: packTable(ex.arguments) };
}

export function queueEntry(vhost: string, q: Queue, id: number): StoredDefinitions['queues'][number] {
  return { vhost, name: q.name, id, auto_delete: q.autoDelete, arguments: packTable(q.arguments) };
}

/** What of the live broker must survive a restart: durable things, and all vhosts and users. */
export function collectDefinitions(core: BrokerCore, queueIds: ReadonlyMap<object, number>, nextQueueId: number): StoredDefinitions {
  const defs: StoredDefinitions = {
    version: 1,
    nextQueueId,
    vhosts: [...core.vhosts.keys()],
    users: [...core.users.users.values()].map((u) => ({
      name: u.name, password_hash: u.passwordHash, hashing_algorithm: u.hashingAlgorithm, tags: u.tags,
    })),
    permissions: core.users.listPermissions().map((p) => ({ vhost: p.vhost, user: p.user, ...p.permission })),
    topic_permissions: core.users.listTopicPermissions().map((p) => ({ vhost: p.vhost, user: p.user, ...p.permission })),
    exchanges: [],
    queues: [],
    bindings: [],
    policies: [],
    operator_policies: [],
  };
  for (const vh of core.vhosts.values()) {
    for (const p of vh.policies.values()) {
      defs.policies?.push({ vhost: vh.name, name: p.name, pattern: p.pattern, apply_to: p.applyTo, priority: p.priority, definition: p.definition });
    }
    for (const p of vh.operatorPolicies.values()) {
      defs.operator_policies?.push({ vhost: vh.name, name: p.name, pattern: p.pattern, apply_to: p.applyTo, priority: p.priority, definition: p.definition });
    }
    for (const ex of vh.exchanges.values()) if (isStoredExchange(ex)) defs.exchanges.push(exchangeEntry(vh.name, ex));
    for (const q of vh.queues.values()) {
      const id = queueIds.get(q);
      if (id !== undefined) defs.queues.push(queueEntry(vh.name, q, id));
    }
    for (const ex of vh.exchanges.values()) {
      for (const b of ex.bindings.values()) {
        const d = b.destination;
        // a binding is durable when both its ends are
        if (!ex.durable || (d.kind === 'queue' ? !queueIds.has(d) : !d.durable)) continue;
        defs.bindings.push({
          vhost: vh.name, source: ex.name, destination: d.name, destination_type: d.kind, routing_key: b.routingKey, arguments: packTable(b.arguments),
        });
      }
    }
  }
  return defs;
}

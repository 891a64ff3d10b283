// User policies of a vhost as RabbitMQ's management API lists, sets and clears them. Listing is
// for any management user (vhosts they may use); setting and clearing takes the policymaker tag and
// access to the vhost. Validation and the effect on queues and exchanges are the core's.
import type { BrokerCore } from '../core/broker-core';
import type { Policy } from '../core/policy';
import { parseOperatorPolicy, parsePolicy, PolicyError } from '../core/policy-validation';
import type { VirtualHost } from '../core/vhost';
import { hasAccess, isAdmin } from '../api/access-levels';
import type { Actor, PolicySpec, Row } from '../api/broker-api';
import { BrokerError } from '../api/errors';
import { canAccessVhost } from './access';

/** A policy as RabbitMQ shows it, in its key order. */
export function policyRow(p: Policy): Row {
  return { vhost: p.vhost, name: p.name, pattern: p.pattern, 'apply-to': p.applyTo, definition: p.definition, priority: p.priority };
}

/** RabbitMQ's messages come out of Erlang's ~p (`<<"x">>`) and its API escapes them as HTML. */
export function escapeHtmlTags(s: string): string {
  return s.replace(/[<>&]/g, (c) => (c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&amp;'));
}

/** The refusal RabbitMQ answers a policy with; `suffix` is what an import adds. */
export function policyRefused(err: PolicyError, suffix = ''): BrokerError {
  return BrokerError.badRequest(escapeHtmlTags(err.message + suffix));
}

export function parsePolicySpec(vhost: string, name: string, spec: PolicySpec): Policy {
  try {
    return parsePolicy(vhost, name, { pattern: spec.pattern, definition: spec.definition, priority: spec.priority, applyTo: spec.applyTo });
  } catch (err) {
    if (err instanceof PolicyError) throw policyRefused(err);
    throw err;
  }
}

/**
 * A policy is an administrator's, or a policymaker's who may use its vhost — checked before
 * anything else, so others learn nothing about the vhost (RabbitMQ's `is_authorized_policies`).
 */
export function policyVhost(core: BrokerCore, who: Actor, vhost: string): VirtualHost {
  const vh = core.getVhost(vhost);
  const allowed = isAdmin(who) || (hasAccess(who, 'policymaker') && vh !== undefined && canAccessVhost(core, who, vh.name));
  if (!allowed) throw new BrokerError('not_authorised', 'User not authorised to access object');
  if (vh === undefined) throw new BrokerError('not_found', 'vhost_not_found');
  return vh;
}

export function policyRows(vhosts: VirtualHost[]): Row[] {
  return vhosts.flatMap((vh) => [...vh.policies.values()].map(policyRow));
}

/** RabbitMQ 3.10.8 does not HTML-escape an operator policy's refusal, as it does a user policy's. */
export function parseOperatorPolicySpec(vhost: string, name: string, spec: PolicySpec): Policy {
  try {
    return parseOperatorPolicy(vhost, name, { pattern: spec.pattern, definition: spec.definition, priority: spec.priority, applyTo: spec.applyTo });
  } catch (err) {
    if (err instanceof PolicyError) throw BrokerError.badRequest(err.message);
    throw err;
  }
}

/** Operator policies are an administrator's; a missing vhost is RabbitMQ's `vhost_not_found`. */
export function operatorPolicyVhost(core: BrokerCore, who: Actor, vhost: string): VirtualHost {
  if (!isAdmin(who)) throw new BrokerError('not_authorised', 'Not administrator user');
  const vh = core.getVhost(vhost);
  if (vh === undefined) throw new BrokerError('not_found', 'vhost_not_found');
  return vh;
}

export function operatorPolicyRows(vhosts: VirtualHost[]): Row[] {
  return vhosts.flatMap((vh) => [...vh.operatorPolicies.values()].map(policyRow));
}

import { byteCompare } from './erl-pretty';
import type { NamePattern } from './pcre';
import type { QueueType } from './queue-type';

export type ApplyTo = 'queues' | 'exchanges' | 'all';

/** A definition value as the JSON it came in. */
export type PolicyValue = string | number | boolean | null | PolicyValue[] | { [key: string]: PolicyValue };
export type PolicyDefinition = Readonly<Record<string, PolicyValue>>;

/**
 * Keys a queue type has no use for. As in RabbitMQ 3.10, a policy naming one of them does not
 * apply to queues of that type at all (the next matching policy may): a `delivery-limit` policy
 * skips classic queues, a `queue-mode` one skips quorum queues.
 */
const UNSUPPORTED: Record<QueueType, ReadonlySet<string>> = {
  classic: new Set(['max-age', 'stream-max-segment-size-bytes', 'queue-leader-locator', 'initial-cluster-size', 'delivery-limit', 'dead-letter-strategy']),
  quorum: new Set([
    'max-priority', 'queue-mode', 'single-active-consumer', 'ha-mode', 'ha-params', 'ha-sync-mode', 'ha-promote-on-shutdown',
    'ha-promote-on-failure', 'queue-master-locator', 'max-age', 'stream-max-segment-size-bytes', 'initial-cluster-size',
  ]),
  stream: new Set([
    'expires', 'message-ttl', 'dead-letter-exchange', 'dead-letter-routing-key', 'max-length', 'max-in-memory-length',
    'max-in-memory-bytes', 'max-priority', 'overflow', 'queue-mode', 'single-active-consumer', 'delivery-limit', 'ha-mode',
    'ha-params', 'ha-sync-mode', 'ha-promote-on-shutdown', 'ha-promote-on-failure', 'queue-master-locator', 'dead-letter-strategy',
  ]),
};

/**
 * One user policy of a vhost, already validated (policy-validation.ts). Immutable: changing a
 * policy replaces it, so "the policy of this queue changed" is an identity check.
 */
export class Policy {
  readonly definition: PolicyDefinition;

  constructor(
    readonly vhost: string,
    readonly name: string,
    readonly pattern: string,
    readonly regex: NamePattern,
    readonly applyTo: ApplyTo,
    readonly priority: number,
    definition: PolicyDefinition,
  ) {
    // kept in RabbitMQ's order (a map, keys sorted), which is how it lists them
    // no prototype: a `__proto__` key stays a key
    const sorted = Object.create(null) as Record<string, PolicyValue>;
    for (const k of Object.keys(definition).sort(byteCompare)) sorted[k] = definition[k];
    this.definition = Object.freeze(sorted);
  }

  /** Whether it would be `name`'s policy, were it the highest-ranked match. */
  matches(kind: 'queue' | 'exchange', name: string, queueType: QueueType = 'classic'): boolean {
    if (this.applyTo !== 'all' && this.applyTo !== (kind === 'queue' ? 'queues' : 'exchanges')) return false;
    if (kind === 'queue') {
      const unsupported = UNSUPPORTED[queueType];
      for (const k of Object.keys(this.definition)) if (unsupported.has(k)) return false;
    }
    return this.regex.test(name);
  }

  /** Same name, pattern, apply-to, priority and definition: setting it again changes nothing. */
  sameAs(other: Policy): boolean {
    return (
      this.name === other.name && this.pattern === other.pattern && this.applyTo === other.applyTo && this.priority === other.priority &&
      JSON.stringify(this.definition) === JSON.stringify(other.definition)
    );
  }

  /** An integer setting, or undefined when the definition has none. */
  int(key: string): number | undefined {
    const v = this.definition[key];
    return typeof v === 'number' ? v : undefined;
  }

  str(key: string): string | undefined {
    const v = this.definition[key];
    return typeof v === 'string' ? v : undefined;
  }
}

/**
 * Highest priority first. RabbitMQ leaves the winner among equal priorities undefined (it is the
 * order of an internal hash table); Warren takes the name that sorts first, so the choice is the
 * same on every node and after every restart.
 */
export function rankPolicies(policies: Iterable<Policy>): Policy[] {
  return [...policies].sort((a, b) => b.priority - a.priority || byteCompare(a.name, b.name));
}

/**
 * The settings a queue gets from its user and operator policies together, as RabbitMQ's
 * `effective_policy_definition`: a key set by both takes the smaller value (operator policies hold
 * only numeric limits), a key set by one takes that one's.
 */
export function effectiveDefinition(policy: Policy | undefined, operator: Policy | undefined): PolicyDefinition {
  if (operator === undefined) return policy?.definition ?? {};
  if (policy === undefined) return operator.definition;
  const out = Object.create(null) as Record<string, PolicyValue>;
  for (const k of new Set([...Object.keys(policy.definition), ...Object.keys(operator.definition)].sort(byteCompare))) {
    const a = policy.definition[k];
    const b = operator.definition[k];
    out[k] = a === undefined ? b : b === undefined ? a : typeof a === 'number' && typeof b === 'number' ? Math.min(a, b) : a;
  }
  return out;
}

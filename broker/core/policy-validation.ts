// RabbitMQ 3.10's checks of a policy, in its order and with its words: the definition first (the
// keys each validator module owns, then keys nobody owns), then apply-to, the pattern and the
// priority. Values are quoted as Erlang prints the JSON it decoded (`<<"5">>`, `null`).
import { flat, fromJson, pretty, type Term } from './erl-pretty';
import { compilePattern, type NamePattern } from './pcre';
import { Policy, type ApplyTo, type PolicyDefinition, type PolicyValue } from './policy';

/** A policy as given: `undefined` for a field that was left out. */
export interface PolicyInput {
  pattern: unknown;
  definition: unknown;
  /** absent means 0 */
  priority?: unknown;
  /** absent means 'all' */
  applyTo?: unknown;
}

/** Why a policy was refused: `message` is RabbitMQ's whole reason, `errors` its lines. */
export class PolicyError extends Error {
  constructor(readonly errors: readonly string[]) {
    super(`Validation failed\n\n${errors.map((e) => `${e}\n`).join('')}`);
    this.name = 'PolicyError';
  }
}

/** The policy, or PolicyError with every reason RabbitMQ would give. */
export function parsePolicy(vhost: string, name: string, input: PolicyInput): Policy {
  return parseWith(MODULES, vhost, name, input);
}

/**
 * An operator policy: as a user policy, but only the limits RabbitMQ 3.10 lets an operator set
 * (its operator_policy_validator); any other key is "not recognised".
 */
export function parseOperatorPolicy(vhost: string, name: string, input: PolicyInput): Policy {
  return parseWith(OPERATOR_MODULES, vhost, name, input);
}

function parseWith(modules: readonly ValidatorModule[], vhost: string, name: string, input: PolicyInput): Policy {
  const errors: string[] = [];
  const definitionError = checkDefinition(input.definition, modules);
  if (definitionError !== undefined) errors.push(definitionError);
  const applyTo = input.applyTo === undefined ? 'all' : input.applyTo;
  if (applyTo !== 'all' && applyTo !== 'queues' && applyTo !== 'exchanges') {
    errors.push(`apply-to '${typeof applyTo === 'string' ? applyTo : applyTo === null ? 'null' : JSON.stringify(applyTo)}' unrecognised; should be 'queues', 'exchanges' or 'all'`);
  }
  let regex: NamePattern | undefined;
  if (typeof input.pattern !== 'string') errors.push(term('pattern should be a binary but was ', fromJson(input.pattern)));
  else {
    const r = compilePattern(input.pattern);
    if (r.ok) regex = r.regex;
    else errors.push(term('pattern should be regular expression but is invalid: ', { tuple: [{ str: r.message }, { int: BigInt(r.offset) }] }));
  }
  const priority = input.priority === undefined ? 0 : input.priority;
  if (typeof priority !== 'number') errors.push(term('priority should be a number, actually was ', fromJson(priority)));
  if (errors.length > 0 || regex === undefined || typeof priority !== 'number' || typeof input.pattern !== 'string') throw new PolicyError(errors);
  return new Policy(vhost, name, input.pattern, regex, applyTo as ApplyTo, priority, input.definition as PolicyDefinition);
}

/** `prefix` then the term, wrapped as ~p wraps it after that many columns. */
function term(prefix: string, t: Term, suffix = ''): string {
  return `${prefix}${pretty(t, Buffer.byteLength(prefix))}${suffix}`;
}

/** `~p is not a valid ...`: the term starts the line. */
const notValid = (v: PolicyValue, what: string) => term('', fromJson(v), ` is not a valid ${what}`);

function checkDefinition(def: unknown, modules: readonly ValidatorModule[]): string | undefined {
  if (Array.isArray(def)) {
    if (def.length === 0) return 'no policy provided';
    return term('definition must be a dictionary: ', fromJson(def));
  }
  if (typeof def !== 'object' || def === null) {
    return `parse error while reading policy definition: ${flat(fromJson(def))}. Validator: policy_validator.`;
  }
  const entries = Object.entries(def as Record<string, PolicyValue>).sort(([a], [b]) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  if (entries.length === 0) return 'no policy provided';
  // each validator module sees its own keys, in this order (as RabbitMQ 3.10.8 runs them)
  const owned = new Set<string>();
  for (const module of modules) {
    const scope = entries.filter(([k]) => module.keys.has(k));
    for (const [k] of scope) owned.add(k);
    if (scope.length === 0) continue;
    const error = module.validate(scope);
    if (error !== undefined) return error;
  }
  const unknown = entries.filter(([k]) => !owned.has(k));
  if (unknown.length === 0) return undefined;
  return term('', { list: unknown.map(([k, v]) => ({ tuple: [{ bin: k }, fromJson(v)] })) }, ' are not recognised policy settings');
}

type Entry = [string, PolicyValue];

interface ValidatorModule {
  keys: ReadonlySet<string>;
  validate(scope: Entry[]): string | undefined;
}

const isInt = (v: PolicyValue): v is number => typeof v === 'number' && Number.isInteger(v);
const oneOf = (...allowed: string[]) => (v: PolicyValue) => typeof v === 'string' && allowed.includes(v);

/** rabbit_policies: one check per key, the first failure wins. */
const SIMPLE: Record<string, [(v: PolicyValue) => boolean, string]> = {
  'alternate-exchange': [(v) => typeof v === 'string', 'alternate exchange name'],
  'dead-letter-exchange': [(v) => typeof v === 'string', 'dead letter exchange name'],
  'dead-letter-routing-key': [(v) => typeof v === 'string', 'dead letter routing key'],
  'dead-letter-strategy': [oneOf('at-most-once', 'at-least-once'), 'dead letter strategy'],
  'message-ttl': [(v) => isInt(v) && v >= 0, 'message TTL'],
  expires: [(v) => isInt(v) && v >= 1, 'queue expiry'],
  'max-length': [(v) => isInt(v) && v >= 0, 'maximum length'],
  'max-length-bytes': [(v) => isInt(v) && v >= 0, 'maximum length in bytes'],
  'max-in-memory-length': [(v) => isInt(v) && v >= 0, 'maximum memory in bytes'],
  'max-in-memory-bytes': [(v) => isInt(v) && v >= 0, 'maximum memory in bytes'],
  'queue-mode': [oneOf('default', 'lazy'), 'queue-mode value'],
  'queue-version': [(v) => v === 1 || v === 2, 'queue-version value'],
  overflow: [oneOf('drop-head', 'reject-publish', 'reject-publish-dlx'), 'overflow value'],
  'delivery-limit': [(v) => isInt(v) && v >= 0, 'delivery limit'],
  // RabbitMQ crashes (HTTP 500) on a max-age that is not a string or has no digits; Warren says it is invalid
  'max-age': [(v) => typeof v === 'string' && /^[0-9]+(Y|M|D|h|m|s)$/.test(v) && Number(/^[0-9]+/.exec(v)?.[0]) > 0, 'max age'],
  'stream-max-segment-size-bytes': [(v) => isInt(v) && v >= 0 && v <= 3_000_000_000, 'segment size'],
  'queue-leader-locator': [oneOf('client-local', 'balanced', 'random', 'least-leaders'), 'queue leader locator value'],
  'initial-cluster-size': [(v) => isInt(v) && v >= 0, 'cluster size'],
};

const queueLocation: ValidatorModule = {
  keys: new Set(['queue-master-locator']),
  validate([[, v]]) {
    return oneOf('client-local', 'min-masters', 'random')(v) ? undefined : term('', fromJson(v), ' invalid queue-master-locator value');
  },
};

const policies: ValidatorModule = {
  keys: new Set(Object.keys(SIMPLE)),
  validate(scope) {
    for (const [k, v] of scope) {
      const [ok, what] = SIMPLE[k];
      if (!ok(v)) return notValid(v, what);
    }
    return undefined;
  },
};

const HA_KEYS = ['ha-mode', 'ha-params', 'ha-sync-mode', 'ha-sync-batch-size', 'ha-promote-on-shutdown', 'ha-promote-on-failure'];

/** rabbit_mirror_queue_misc: the ha-* keys are checked together; absent ones are `none`. */
const mirroring: ValidatorModule = {
  keys: new Set(HA_KEYS),
  validate(scope) {
    const get = (k: string): PolicyValue | undefined => scope.find(([key]) => key === k)?.[1];
    const show = (v: PolicyValue | undefined) => (v === undefined ? 'none' : flat(fromJson(v)));
    const mode = get('ha-mode');
    if (mode === undefined) return 'ha-mode must be specified to specify ha-params, ha-sync-mode or ha-promote-on-shutdown';
    if (mode !== 'all' && mode !== 'exactly' && mode !== 'nodes') return `${show(mode)} is not a valid ha-mode value`;
    const params = get('ha-params');
    if (mode === 'all' && params !== undefined) return 'ha-mode="all" does not take parameters';
    if (mode === 'exactly' && !(params !== undefined && isInt(params) && params > 0)) return `ha-mode="exactly" takes an integer, ${show(params)} given`;
    if (mode === 'nodes') {
      if (!Array.isArray(params)) return `ha-mode="nodes" takes a list, ${show(params)} given`;
      if (params.length === 0) return 'ha-mode="nodes" list must be non-empty';
      const bad = params.filter((p) => typeof p !== 'string');
      if (bad.length > 0) return `ha-mode="nodes" takes a list of strings, ${show(bad)} was not a string`;
    }
    const sync = get('ha-sync-mode');
    if (sync !== undefined && sync !== 'automatic' && sync !== 'manual') return `ha-sync-mode must be "manual" or "automatic", got ${show(sync)}`;
    const batch = get('ha-sync-batch-size');
    if (batch !== undefined && !(isInt(batch) && batch > 0)) return `ha-sync-batch-size takes an integer greater than 0, ${show(batch)} given`;
    for (const [key, when] of [['ha-promote-on-shutdown', 'shutdown'], ['ha-promote-on-failure', 'failure']]) {
      const v = get(key);
      if (v !== undefined && v !== 'always' && v !== 'when-synced') return `ha-promote-on-${when} must be "always" or "when-synced", got ${show(v)}`;
    }
    return undefined;
  },
};

const MODULES: readonly ValidatorModule[] = [queueLocation, policies, mirroring];

/** The keys of RabbitMQ 3.10's operator policies, each checked as the user policy's key of that name. */
export const OPERATOR_POLICY_KEYS: readonly string[] = [
  'expires', 'message-ttl', 'max-length', 'max-length-bytes', 'max-in-memory-length', 'max-in-memory-bytes', 'delivery-limit',
];

const operatorLimits: ValidatorModule = { keys: new Set(OPERATOR_POLICY_KEYS), validate: policies.validate };

const OPERATOR_MODULES: readonly ValidatorModule[] = [operatorLimits];

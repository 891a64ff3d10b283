// Importing definitions in RabbitMQ's format: read every entry, check the whole plan against the
// broker (every reference between entries, every redeclare against what exists, every policy as
// RabbitMQ validates it), and only then apply it — so a bad file changes nothing. Runtime
// parameters (which Warren does not have) are skipped.
import { valueText, type FieldTable } from '../core/field-values';
import type { Permission, TopicPermission, User } from '../auth/users';
import { stableStringify } from '../core/binding';
import type { BrokerCore } from '../core/broker-core';
import { AmqpError } from '../core/errors';
import type { ExchangeOptions } from '../core/exchange';
import { isValidMatchMode } from '../core/headers-exchange';
import type { Policy } from '../core/policy';
import { parseOperatorPolicy, parsePolicy, PolicyError } from '../core/policy-validation';
import type { QueueOptions } from '../core/queue';
import { validateQueueArguments } from '../core/queue-arguments';
import { BUILT_IN, type VirtualHost } from '../core/vhost';
import { BrokerError } from '../api/errors';
import { isJsonObject, optBool, optStr, optTable, reqStr, toTags, type JsonObject } from '../api/json-fields';
import { isBuiltInExchange } from './exchanges';
import { jsonToTable } from './field-json';
import type { ManagementContext } from './management-context';
import { EXCHANGE_TYPES } from './overview';
import { policyRefused } from './policies';
import { permissionFromSpec, topicPermissionFromSpec, userFromSpec } from './users';

const badRequest = BrokerError.badRequest;
/** The reply text without RabbitMQ's `NAME - ` prefix. */
const detailOf = (err: AmqpError): string => {
  const i = err.message.indexOf(' - ');
  return i < 0 ? err.message : err.message.slice(i + 3);
};

const KNOWN_TYPES = new Set(EXCHANGE_TYPES.map((t) => t.name));
const BUILT_IN_TYPES = new Map<string, string>(BUILT_IN);

// --- import: reading ------------------------------------------------------------------------

/** A user entry as PUT /api/users and definitions files give it; `tags` is required. */
export function readUser(name: string, o: JsonObject): User {
  if (o.tags === undefined) throw badRequest('tags_not_present');
  const tags = toTags(o.tags);
  if (o.password !== undefined && typeof o.password !== 'string') throw badRequest(['not_string', 'password']);
  if (o.password_hash !== undefined && typeof o.password_hash !== 'string') throw badRequest(['not_base64', o.password_hash]);
  const algorithm = o.hashing_algorithm;
  return userFromSpec(name, {
    tags,
    password: o.password as string | undefined,
    passwordHash: o.password_hash as string | undefined,
    hashingAlgorithm: typeof algorithm === 'string' ? algorithm : algorithm === undefined ? undefined : String(algorithm),
  });
}

interface VhostDef {
  name: string;
  description: string | undefined;
  tags: string[] | undefined;
}
interface ExchangeDef {
  vhost: string;
  name: string;
  type: string;
  opts: ExchangeOptions;
}
interface QueueDef {
  vhost: string;
  name: string;
  opts: QueueOptions;
}
interface BindingDef {
  vhost: string;
  source: string;
  destination: string;
  destinationType: 'queue' | 'exchange';
  routingKey: string;
  args: FieldTable;
}
interface PermissionDef {
  vhost: string;
  user: string;
  permission: Permission;
}
interface TopicPermissionDef {
  vhost: string;
  user: string;
  permission: TopicPermission;
}
/** Read as given; checkPlan validates it into `policy`. */
interface PolicyDef {
  vhost: string;
  name: string | undefined;
  fields: JsonObject;
  policy?: Policy;
}

export interface Plan {
  vhosts: VhostDef[];
  users: User[];
  permissions: PermissionDef[];
  topicPermissions: TopicPermissionDef[];
  policies: PolicyDef[];
  /** runtime parameters of component `operator_policy`, their `value` as `fields` */
  operatorPolicies: PolicyDef[];
  exchanges: ExchangeDef[];
  queues: QueueDef[];
  bindings: BindingDef[];
  skipped: string[];
}

/** The entries of one section; each must be an object. */
function section(body: JsonObject, key: string): JsonObject[] {
  const v = body[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw badRequest(['not_a_list', key]);
  return v.map((entry) => {
    if (!isJsonObject(entry)) throw badRequest(['not_an_object', key]);
    return entry;
  });
}

/** `target`: the vhost of a per-vhost import; entries then carry no vhost of their own. */
export function readDefinitions(body: JsonObject, target?: string): Plan {
  const vhostOf = (o: JsonObject) => target ?? reqStr(o, 'vhost');
  const plan: Plan = {
    vhosts: target !== undefined ? [] : section(body, 'vhosts').map((o) => ({
      name: reqStr(o, 'name'),
      description: typeof o.description === 'string' ? o.description : undefined,
      tags: o.tags === undefined ? undefined : toTags(o.tags),
    })),
    users: target !== undefined ? [] : section(body, 'users').map((o) => readUser(reqStr(o, 'name'), o)),
    permissions: target !== undefined ? [] : section(body, 'permissions').map((o) => ({
      vhost: reqStr(o, 'vhost'),
      user: reqStr(o, 'user'),
      permission: permissionFromSpec({ configure: reqStr(o, 'configure'), write: reqStr(o, 'write'), read: reqStr(o, 'read') }),
    })),
    topicPermissions: target !== undefined ? [] : section(body, 'topic_permissions').map((o) => ({
      vhost: reqStr(o, 'vhost'),
      user: reqStr(o, 'user'),
      permission: topicPermissionFromSpec({ exchange: reqStr(o, 'exchange'), write: reqStr(o, 'write'), read: reqStr(o, 'read') }),
    })),
    policies: section(body, 'policies').map((o) => ({
      vhost: vhostOf(o),
      name: o.name === undefined || o.name === null ? undefined : String(o.name),
      fields: o,
    })),
    exchanges: section(body, 'exchanges').map((o) => ({
      vhost: vhostOf(o),
      name: reqStr(o, 'name'),
      type: reqStr(o, 'type'),
      opts: {
        durable: optBool(o, 'durable', true),
        autoDelete: optBool(o, 'auto_delete', false),
        internal: optBool(o, 'internal', false),
        arguments: jsonToTable(optTable(o, 'arguments')),
      },
    })),
    queues: section(body, 'queues').map((o) => ({
      vhost: vhostOf(o),
      name: reqStr(o, 'name'),
      opts: { durable: optBool(o, 'durable', true), autoDelete: optBool(o, 'auto_delete', false), exclusiveOwner: null, arguments: jsonToTable(optTable(o, 'arguments')) },
    })),
    bindings: section(body, 'bindings').map((o) => {
      const destinationType = reqStr(o, 'destination_type');
      if (destinationType !== 'queue' && destinationType !== 'exchange') throw badRequest(['invalid_destination_type', destinationType]);
      return {
        vhost: vhostOf(o),
        source: reqStr(o, 'source'),
        destination: reqStr(o, 'destination'),
        destinationType,
        routingKey: optStr(o, 'routing_key', ''),
        args: jsonToTable(optTable(o, 'arguments')),
      };
    }),
    operatorPolicies: section(body, 'parameters')
      .filter((o) => o.component === 'operator_policy')
      .map((o) => ({
        vhost: vhostOf(o),
        name: o.name === undefined || o.name === null ? undefined : String(o.name),
        fields: isJsonObject(o.value) ? o.value : {},
      })),
    // Warren has no other runtime parameters (federation upstreams, shovels, ...)
    skipped: [
      ...(section(body, 'parameters').some((o) => o.component !== 'operator_policy') ? ['parameters'] : []),
      ...(section(body, 'global_parameters').length > 0 ? ['global_parameters'] : []),
    ],
  };
  return plan;
}

// --- import: checking -----------------------------------------------------------------------

/** Runs a check that may throw the core's AmqpError; the import answers 400 with its text. */
function check(op: () => void): void {
  try {
    op();
  } catch (err) {
    if (err instanceof AmqpError) throw badRequest(detailOf(err));
    throw err;
  }
}

/** A name defined twice in one file must be defined the same way both times. */
function sameAsBefore<T>(earlier: T | undefined, now: T, what: string): void {
  if (earlier !== undefined && stableStringify(earlier) !== stableStringify(now)) throw badRequest(`inequivalent definitions of ${what}`);
}

/** Every problem the apply step could hit, found without changing anything. */
export function checkPlan(core: BrokerCore, plan: Plan): void {
  const vhosts = new Set([...core.vhosts.keys(), ...plan.vhosts.map((v) => v.name)]);
  const users = new Set([...core.users.users.keys(), ...plan.users.map((u) => u.name)]);
  const needVhost = (name: string) => {
    if (!vhosts.has(name)) throw badRequest(['no_such_vhost', name]);
  };
  for (const p of [...plan.permissions, ...plan.topicPermissions]) {
    needVhost(p.vhost);
    if (!users.has(p.user)) throw badRequest(['no_such_user', p.user]);
  }
  for (const p of plan.policies) {
    needVhost(p.vhost);
    if (p.name === undefined) throw badRequest(`policy in virtual host '${p.vhost}' has undefined name`);
    const f = p.fields;
    try {
      p.policy = parsePolicy(p.vhost, p.name, { pattern: f.pattern, definition: f.definition, priority: f.priority, applyTo: f['apply-to'] });
    } catch (err) {
      if (err instanceof PolicyError) throw policyRefused(err, ` (${p.vhost}/${p.name})`);
      throw err;
    }
  }
  for (const p of plan.operatorPolicies) {
    needVhost(p.vhost);
    if (p.name === undefined) throw badRequest(`operator policy in virtual host '${p.vhost}' has undefined name`);
    const f = p.fields;
    try {
      p.policy = parseOperatorPolicy(p.vhost, p.name, { pattern: f.pattern, definition: f.definition, priority: f.priority, applyTo: f['apply-to'] });
    } catch (err) {
      if (err instanceof PolicyError) throw badRequest(`${err.message} (${p.vhost}/${p.name})`);
      throw err;
    }
  }
  const newExchanges = new Map<string, ExchangeDef>();
  for (const e of plan.exchanges) {
    needVhost(e.vhost);
    sameAsBefore(newExchanges.get(`${e.vhost}\u0000${e.name}`), e, `exchange '${e.name}' in vhost '${e.vhost}'`);
    const existing = core.vhosts.get(e.vhost)?.exchanges.get(e.name);
    if (existing !== undefined) {
      // declaring an existing exchange only compares it: nothing changes when it matches
      check(() => core.vhosts.get(e.vhost)?.declareExchange(e.name, e.type, e.opts));
      continue;
    }
    if (!KNOWN_TYPES.has(e.type)) throw badRequest(`unknown exchange type '${e.type}'`);
    if (isBuiltInExchange(e.name)) throw badRequest(`exchange name '${e.name}' contains reserved prefix 'amq.*'`);
    const ae = e.opts.arguments['alternate-exchange'];
    if (ae !== undefined && typeof ae !== 'string') throw badRequest(`invalid arg 'alternate-exchange' for exchange '${e.name}' in vhost '${e.vhost}'`);
    newExchanges.set(`${e.vhost}\u0000${e.name}`, e);
  }
  const newQueues = new Map<string, QueueDef>();
  for (const q of plan.queues) {
    needVhost(q.vhost);
    sameAsBefore(newQueues.get(`${q.vhost}\u0000${q.name}`), q, `queue '${q.name}' in vhost '${q.vhost}'`);
    const vh = core.vhosts.get(q.vhost);
    const existing = vh?.queues.get(q.name);
    if (vh !== undefined && existing !== undefined) {
      check(() => {
        vh.checkOwner(existing, null);
        vh.declareQueue(q.name, q.opts);
      });
      continue;
    }
    if (q.name.startsWith('amq.')) throw badRequest(`queue name '${q.name}' contains reserved prefix 'amq.*'`);
    check(() => validateQueueArguments(q.name, q.vhost, q.opts.arguments));
    newQueues.set(`${q.vhost}\u0000${q.name}`, q);
  }
  for (const b of plan.bindings) {
    needVhost(b.vhost);
    const vh = core.vhosts.get(b.vhost);
    // a vhost the file makes has the built-in exchanges too
    const builtIn = vh === undefined ? BUILT_IN_TYPES.get(b.source) : undefined;
    const sourceType = vh?.exchanges.get(b.source)?.type ?? newExchanges.get(`${b.vhost}\u0000${b.source}`)?.type ?? builtIn;
    if (b.source === '') throw badRequest('operation not permitted on the default exchange');
    if (sourceType === undefined) throw badRequest(`no exchange '${b.source}' in vhost '${b.vhost}'`);
    const key = `${b.vhost}\u0000${b.destination}`;
    const destinationExists = b.destinationType === 'queue'
      ? vh?.queues.has(b.destination) === true || newQueues.has(key)
      : (vh?.exchanges.has(b.destination) === true && b.destination !== '') || newExchanges.has(key);
    if (!destinationExists) throw badRequest(`no ${b.destinationType} '${b.destination}' in vhost '${b.vhost}'`);
    if (sourceType === 'headers' && !isValidMatchMode(b.args['x-match'])) {
      throw badRequest(`Invalid x-match field value '${valueText(b.args['x-match'])}'; expected all, any, all-with-x, or any-with-x`);
    }
  }
}

// --- import: applying -----------------------------------------------------------------------

export function applyPlan(core: BrokerCore, mgmt: ManagementContext, plan: Plan): void {
  for (const v of plan.vhosts) {
    core.addVhost(v.name);
    if (v.description !== undefined || v.tags !== undefined) {
      const old = mgmt.metadata(v.name);
      mgmt.setMetadata(v.name, { ...old, description: v.description ?? old.description, tags: v.tags ?? old.tags });
    }
  }
  for (const u of plan.users) core.users.putUser(u);
  for (const p of plan.permissions) core.users.setPermission(p.vhost, p.user, p.permission);
  for (const p of plan.topicPermissions) core.users.setTopicPermission(p.vhost, p.user, p.permission);
  const vhost = (name: string) => core.vhosts.get(name) as VirtualHost;
  // before the topology, so new queues and exchanges start with their effective settings
  for (const p of plan.policies) if (p.policy !== undefined) vhost(p.vhost).putPolicy(p.policy);
  for (const p of plan.operatorPolicies) if (p.policy !== undefined) vhost(p.vhost).putOperatorPolicy(p.policy);
  for (const e of plan.exchanges) vhost(e.vhost).declareExchange(e.name, e.type, e.opts);
  for (const q of plan.queues) vhost(q.vhost).declareQueue(q.name, q.opts);
  for (const b of plan.bindings) {
    const vh = vhost(b.vhost);
    vh.bind(vh.getExchange(b.source), b.destinationType === 'queue' ? vh.getQueue(b.destination) : vh.getExchange(b.destination), b.routingKey, b.args);
  }
}

/** Reads, checks, then applies; a 400 before any change when something is wrong. */
export function importDefinitions(core: BrokerCore, mgmt: ManagementContext, body: JsonObject, target?: string): Plan {
  const plan = readDefinitions(body, target);
  checkPlan(core, plan);
  applyPlan(core, mgmt, plan);
  return plan;
}

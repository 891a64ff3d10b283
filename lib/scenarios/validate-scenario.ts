// Checks an untrusted JSON scenario (a file someone loads) against the format and returns it
// typed, or every problem found, each with the path of the bad field (`actors[1].prefetch`).
// Bounds keep a loaded file from asking the player for unbounded work.
import { SCENARIO_FORMAT, type ScenarioFile } from './scenario-format';

export type Validation = { ok: true; scenario: ScenarioFile } | { ok: false; errors: string[] };

export const LIMITS = {
  actors: 20, steps: 50, checkpoints: 20, topologyItems: 100, text: 4_000, code: 20_000, name: 200,
  rate: 500, count: 1_000_000, prefetch: 1_000, processingMs: 60_000, timeoutMs: 600_000,
  users: 5, faults: 10, variants: 20, faultCount: 10_000, expiration: 3_600_000,
} as const;

const ID = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const ACKS = ['auto', 'ack', 'nack-requeue', 'nack-drop', 'reject-requeue', 'reject-drop'];
const EXCHANGE_TYPES = ['direct', 'fanout', 'topic', 'headers'];
const QUEUE_FIELDS = ['messages', 'messages_ready', 'messages_unacknowledged', 'consumers'];
const ACTOR_KINDS = ['producer', 'consumer', 'rpc-server', 'rpc-client'];
const FAULT_KINDS = ['kill', 'publish', 'restart-broker'];
const DEATH_REASONS = ['rejected', 'expired', 'maxlen'];
const CHECKPOINT_TYPES = ['queue', 'bindings', 'delivered', 'redelivered', 'ratio', 'queue-exists', 'received', 'returned', 'refused', 'dead-lettered'];
const USER = /^[a-z0-9]+(-[a-z0-9]+)*$/;

type Obj = Record<string, unknown>;

class Checker {
  readonly errors: string[] = [];

  fail(path: string, what: string): void {
    if (this.errors.length < 50) this.errors.push(`${path}: ${what}`);
  }

  obj(v: unknown, path: string): Obj | undefined {
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Obj;
    this.fail(path, 'must be an object');
    return undefined;
  }

  arr(v: unknown, path: string, max: number, optional = false): unknown[] {
    if (v === undefined && optional) return [];
    if (!Array.isArray(v)) {
      this.fail(path, 'must be an array');
      return [];
    }
    if (v.length > max) {
      this.fail(path, `at most ${max} entries`);
      return [];
    }
    return v;
  }

  str(o: Obj, key: string, path: string, max: number = LIMITS.name, optional = false): string {
    const v = o[key];
    if (v === undefined && optional) return '';
    if (typeof v !== 'string') this.fail(`${path}.${key}`, 'must be a string');
    else if (v.length > max) this.fail(`${path}.${key}`, `at most ${max} characters`);
    else return v;
    return '';
  }

  num(o: Obj, key: string, path: string, min: number, max: number, optional = false): number | undefined {
    const v = o[key];
    if (v === undefined && optional) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(`${path}.${key}`, 'must be a number');
    else if (v < min || v > max) this.fail(`${path}.${key}`, `must be between ${min} and ${max}`);
    else return v;
    return undefined;
  }

  int(o: Obj, key: string, path: string, min: number, max: number, optional = false): number | undefined {
    const v = this.num(o, key, path, min, max, optional);
    if (v !== undefined && !Number.isInteger(v)) this.fail(`${path}.${key}`, 'must be a whole number');
    return v;
  }

  bool(o: Obj, key: string, path: string, optional = false): void {
    const v = o[key];
    if (v === undefined && optional) return;
    if (typeof v !== 'boolean') this.fail(`${path}.${key}`, 'must be true or false');
  }

  oneOf(o: Obj, key: string, path: string, allowed: readonly string[]): void {
    if (!allowed.includes(o[key] as string)) this.fail(`${path}.${key}`, `must be one of ${allowed.join(', ')}`);
  }

  args(o: Obj, key: string, path: string): void {
    if (o[key] === undefined) return;
    const a = this.obj(o[key], `${path}.${key}`);
    if (a === undefined) return;
    for (const [k, v] of Object.entries(a)) {
      if (!['string', 'number', 'boolean'].includes(typeof v)) this.fail(`${path}.${key}.${k}`, 'must be a string, number or boolean');
    }
  }
}

export function validateScenario(input: unknown): Validation {
  const c = new Checker();
  const root = c.obj(input, '$');
  if (root === undefined) return { ok: false, errors: c.errors };
  if (root.format !== SCENARIO_FORMAT) c.fail('$.format', `must be "${SCENARIO_FORMAT}"`);
  const id = c.str(root, 'id', '$', 60);
  if (id !== '' && !ID.test(id)) c.fail('$.id', 'lower-case letters, digits and single dashes only');
  c.str(root, 'title', '$');
  c.str(root, 'summary', '$', LIMITS.text);
  c.int(root, 'tutorial', '$', 1, 100, true);

  const topology = c.obj(root.topology, '$.topology');
  const users = topology === undefined ? new Set<string>() : checkTopology(c, topology);

  const names = new Set<string>();
  c.arr(root.actors, '$.actors', LIMITS.actors).forEach((a, i) => {
    const name = checkActor(c, a, `$.actors[${i}]`, users);
    if (name === '') return;
    if (names.has(name)) c.fail(`$.actors[${i}].name`, `"${name}" is already an actor's name`);
    names.add(name);
  });

  const faults = new Set<string>();
  c.arr(root.faults, '$.faults', LIMITS.faults, true).forEach((f, i) => {
    const name = checkFault(c, f, `$.faults[${i}]`, names);
    if (name === '') return;
    if (faults.has(name)) c.fail(`$.faults[${i}].name`, `"${name}" is already a fault's name`);
    faults.add(name);
  });

  const steps = c.arr(root.steps, '$.steps', LIMITS.steps);
  if (steps.length === 0) c.fail('$.steps', 'needs at least one step');
  steps.forEach((s, i) => checkStep(c, s, `$.steps[${i}]`, names, faults));

  return c.errors.length === 0 ? { ok: true, scenario: input as ScenarioFile } : { ok: false, errors: c.errors };
}

function checkTopology(c: Checker, t: Obj): Set<string> {
  c.arr(t.exchanges, '$.topology.exchanges', LIMITS.topologyItems).forEach((e, i) => {
    const p = `$.topology.exchanges[${i}]`;
    const o = c.obj(e, p);
    if (o === undefined) return;
    const name = c.str(o, 'name', p);
    if (name === '' || name.startsWith('amq.')) c.fail(`${p}.name`, 'must be non-empty and not start with "amq."');
    c.oneOf(o, 'type', p, EXCHANGE_TYPES);
    c.bool(o, 'durable', p);
  });
  c.arr(t.queues, '$.topology.queues', LIMITS.topologyItems).forEach((q, i) => {
    const p = `$.topology.queues[${i}]`;
    const o = c.obj(q, p);
    if (o === undefined) return;
    if (c.str(o, 'name', p) === '') c.fail(`${p}.name`, 'must be non-empty');
    c.bool(o, 'durable', p);
    c.args(o, 'arguments', p);
  });
  c.arr(t.bindings, '$.topology.bindings', LIMITS.topologyItems).forEach((b, i) => {
    const p = `$.topology.bindings[${i}]`;
    const o = c.obj(b, p);
    if (o === undefined) return;
    c.str(o, 'source', p);
    c.str(o, 'destination', p);
    c.str(o, 'routingKey', p);
    c.args(o, 'arguments', p);
  });
  const users = new Set<string>();
  c.arr(t.users, '$.topology.users', LIMITS.users, true).forEach((u, i) => {
    const p = `$.topology.users[${i}]`;
    const o = c.obj(u, p);
    if (o === undefined) return;
    const name = c.str(o, 'name', p, 40);
    if (!USER.test(name)) c.fail(`${p}.name`, 'lower-case letters, digits and single dashes only');
    else users.add(name);
    if (c.str(o, 'password', p, 100) === '') c.fail(`${p}.password`, 'must be non-empty');
    for (const k of ['configure', 'write', 'read']) {
      const re = c.str(o, k, p, 500);
      try {
        new RegExp(re);
      } catch {
        c.fail(`${p}.${k}`, 'must be a regular expression');
      }
    }
  });
  return users;
}

function checkFault(c: Checker, f: unknown, p: string, actors: Set<string>): string {
  const o = c.obj(f, p);
  if (o === undefined) return '';
  const name = c.str(o, 'name', p, 60);
  if (!ID.test(name)) c.fail(`${p}.name`, 'lower-case letters, digits and single dashes only');
  c.str(o, 'label', p, 100);
  c.oneOf(o, 'kind', p, FAULT_KINDS);
  if (o.kind === 'kill' && (typeof o.actor !== 'string' || !actors.has(o.actor))) c.fail(`${p}.actor`, 'must name an actor');
  if (o.kind === 'publish') {
    c.str(o, 'exchange', p);
    c.str(o, 'routingKey', p);
    c.str(o, 'message', p, LIMITS.text);
    c.int(o, 'count', p, 1, LIMITS.faultCount);
    c.bool(o, 'persistent', p, true);
    c.args(o, 'headers', p);
  }
  return name;
}

function checkCode(c: Checker, v: unknown, p: string): void {
  if (v === undefined) return;
  const o = c.obj(v, p);
  if (o === undefined) return;
  c.str(o, 'pika', p, LIMITS.code);
  c.str(o, 'amqplib', p, LIMITS.code);
}

function checkActor(c: Checker, a: unknown, p: string, users: Set<string>): string {
  const o = c.obj(a, p);
  if (o === undefined) return '';
  const name = c.str(o, 'name', p, 100);
  if (name.trim() === '') c.fail(`${p}.name`, 'must be non-empty');
  checkCode(c, o.code, `${p}.code`);
  if (o.user !== undefined && (typeof o.user !== 'string' || !users.has(o.user))) c.fail(`${p}.user`, 'must name a user of topology.users');
  c.str(o, 'vhost', p, LIMITS.name, true);
  switch (o.kind) {
    case 'producer':
      c.str(o, 'exchange', p);
      c.str(o, 'routingKey', p);
      c.str(o, 'message', p, LIMITS.text);
      c.num(o, 'rate', p, 0.01, LIMITS.rate);
      c.int(o, 'count', p, 1, LIMITS.count, true);
      c.bool(o, 'persistent', p, true);
      c.bool(o, 'mandatory', p, true);
      c.int(o, 'expiration', p, 0, LIMITS.expiration, true);
      c.args(o, 'headers', p);
      c.arr(o.variants, `${p}.variants`, LIMITS.variants, true).forEach((v, i) => {
        const vp = `${p}.variants[${i}]`;
        const vo = c.obj(v, vp);
        if (vo === undefined) return;
        c.str(vo, 'routingKey', vp);
        c.str(vo, 'message', vp, LIMITS.text, true);
        c.args(vo, 'headers', vp);
      });
      break;
    case 'consumer': {
      const queue = c.str(o, 'queue', p);
      c.arr(o.bind, `${p}.bind`, LIMITS.topologyItems, true).forEach((b, i) => {
        const bo = c.obj(b, `${p}.bind[${i}]`);
        if (bo === undefined) return;
        c.str(bo, 'exchange', `${p}.bind[${i}]`);
        c.str(bo, 'routingKey', `${p}.bind[${i}]`);
        c.args(bo, 'arguments', `${p}.bind[${i}]`);
      });
      if (o.bind !== undefined && queue !== '') c.fail(`${p}.bind`, 'only a consumer of its own queue (queue "") binds it');
      c.oneOf(o, 'ack', p, ACKS);
      c.int(o, 'prefetch', p, 0, LIMITS.prefetch);
      c.int(o, 'processingMs', p, 0, LIMITS.processingMs);
      c.int(o, 'crashAfter', p, 1, LIMITS.count, true);
      c.str(o, 'poison', p, LIMITS.name, true);
      break;
    }
    case 'rpc-server':
      if (c.str(o, 'queue', p) === '') c.fail(`${p}.queue`, 'must be non-empty');
      c.int(o, 'prefetch', p, 0, LIMITS.prefetch);
      c.int(o, 'processingMs', p, 0, LIMITS.processingMs);
      break;
    case 'rpc-client':
      c.str(o, 'routingKey', p);
      c.str(o, 'message', p, LIMITS.text);
      c.num(o, 'rate', p, 0.01, LIMITS.rate);
      c.int(o, 'count', p, 1, LIMITS.count, true);
      c.oneOf(o, 'replyTo', p, ['callback-queue', 'direct']);
      break;
    default:
      c.fail(`${p}.kind`, `must be one of ${ACTOR_KINDS.join(', ')}`);
  }
  return name;
}

function checkStep(c: Checker, s: unknown, p: string, actors: Set<string>, faults: Set<string>): void {
  const o = c.obj(s, p);
  if (o === undefined) return;
  c.str(o, 'title', p);
  c.str(o, 'text', p, LIMITS.text);
  for (const key of ['start', 'stop'] as const) {
    c.arr(o[key], `${p}.${key}`, LIMITS.actors, true).forEach((n, i) => {
      if (typeof n !== 'string' || !actors.has(n)) c.fail(`${p}.${key}[${i}]`, 'must name an actor');
    });
  }
  c.arr(o.faults, `${p}.faults`, LIMITS.faults, true).forEach((n, i) => {
    if (typeof n !== 'string' || !faults.has(n)) c.fail(`${p}.faults[${i}]`, 'must name a fault of $.faults');
  });
  c.int(o, 'timeoutMs', p, 100, LIMITS.timeoutMs, true);
  c.int(o, 'holdMs', p, 0, LIMITS.timeoutMs, true);
  c.arr(o.checkpoints, `${p}.checkpoints`, LIMITS.checkpoints).forEach((cp, i) => checkCheckpoint(c, cp, `${p}.checkpoints[${i}]`, actors));
}

function checkCheckpoint(c: Checker, v: unknown, p: string, actors: Set<string>): void {
  const o = c.obj(v, p);
  if (o === undefined) return;
  c.str(o, 'label', p, LIMITS.text);
  const actor = (key: string) => {
    if (typeof o[key] !== 'string' || !actors.has(o[key] as string)) c.fail(`${p}.${key}`, 'must name an actor');
  };
  switch (o.type) {
    case 'queue':
      c.str(o, 'queue', p);
      c.oneOf(o, 'field', p, QUEUE_FIELDS);
      break;
    case 'bindings':
      c.str(o, 'exchange', p);
      break;
    case 'delivered':
    case 'redelivered':
      actor('actor');
      break;
    case 'ratio':
      actor('actor');
      actor('over');
      c.int(o, 'minOver', p, 1, LIMITS.count);
      break;
    case 'queue-exists':
      c.str(o, 'queue', p);
      break;
    case 'received':
      actor('actor');
      c.str(o, 'routingKey', p, LIMITS.name, true);
      break;
    case 'returned':
    case 'refused':
      actor('actor');
      break;
    case 'dead-lettered':
      c.str(o, 'queue', p);
      c.oneOf(o, 'reason', p, DEATH_REASONS);
      break;
    default:
      c.fail(`${p}.type`, `must be one of ${CHECKPOINT_TYPES.join(', ')}`);
      return;
  }
  const bounds = ['atLeast', 'atMost', 'equals'].filter((k) => o[k] !== undefined);
  if (bounds.length === 0) c.fail(p, 'needs atLeast, atMost or equals');
  for (const k of bounds) c.num(o, k, p, 0, Number.MAX_SAFE_INTEGER);
}


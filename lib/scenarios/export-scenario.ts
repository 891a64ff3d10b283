// A vhost as it is now, written as a scenario: its exchanges, queues and bindings, and the clients
// working on it as actors (consumers from the broker's consumer list, producers from the channels
// that published in the last seconds), all started in one step whose checkpoints say how many
// consumers each queue had. Loaded again, the scenario rebuilds the picture in a vhost of its own.
import type { Actor, BrokerApi, Row, StatsTick } from '../../broker/index';
import type { ActorSpec, ArgTable, CheckpointSpec, ScenarioFile, Topology } from './scenario-format';
import { SCENARIO_FORMAT } from './scenario-format';
import { LIMITS, validateScenario } from './validate-scenario';

const EXCHANGE_TYPES = new Set(['direct', 'fanout', 'topic', 'headers']);
/** how long to wait for the stats tick that names the producers */
const TICK_WAIT_MS = 2_500;

function args(v: unknown): ArgTable {
  const out: ArgTable = {};
  if (typeof v !== 'object' || v === null) return out;
  for (const [k, x] of Object.entries(v)) if (typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean') out[k] = x;
  return out;
}

function slug(vhost: string): string {
  const s = vhost.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  return s === '' ? 'default' : s.slice(0, 40);
}

/** The first stats tick of the vhost: producers are known only from it. */
async function firstTick(api: BrokerApi, who: Actor, vhost: string): Promise<StatsTick | undefined> {
  let resolveTick: (t: StatsTick | undefined) => void = () => {};
  const tick = new Promise<StatsTick | undefined>((resolve) => (resolveTick = resolve));
  const watch = await api.watchVhost(who, vhost, { topology: () => {}, stats: (t) => resolveTick(t), gone: () => resolveTick(undefined) });
  const timer = setTimeout(() => resolveTick(undefined), TICK_WAIT_MS);
  try {
    return await tick;
  } finally {
    clearTimeout(timer);
    watch.close();
  }
}

export async function exportScenario(api: BrokerApi, who: Actor, vhost: string): Promise<ScenarioFile> {
  const [exchanges, queues, bindings, consumers, tick] = await Promise.all([
    api.listExchanges(who, vhost), api.listQueues(who, vhost), api.listBindings(who, vhost), api.listConsumers(who, vhost), firstTick(api, who, vhost),
  ]);
  const named = (q: Row) => q.exclusive !== true && !String(q.name).startsWith('amq.');
  const topology: Topology = {
    exchanges: exchanges
      .filter((e) => e.name !== '' && !String(e.name).startsWith('amq.') && EXCHANGE_TYPES.has(String(e.type)))
      .slice(0, LIMITS.topologyItems)
      .map((e) => ({ name: String(e.name), type: e.type as Topology['exchanges'][number]['type'], durable: e.durable === true })),
    queues: queues.filter(named).slice(0, LIMITS.topologyItems).map((q) => ({ name: String(q.name), durable: q.durable === true, arguments: args(q.arguments) })),
    bindings: [],
  };
  const kept = new Set(topology.queues.map((q) => q.name));
  const exchangeNames = new Set(topology.exchanges.map((e) => e.name));
  const queueBindings = bindings.filter((b) => b.destination_type === 'queue' && b.source !== '' && exchangeNames.has(String(b.source)));
  topology.bindings = queueBindings
    .filter((b) => kept.has(String(b.destination)))
    .slice(0, LIMITS.topologyItems)
    .map((b) => ({ source: String(b.source), destination: String(b.destination), routingKey: String(b.routing_key), arguments: args(b.arguments) }));

  const names = new Set<string>();
  const unique = (base: string) => {
    let name = base.slice(0, 90) || 'actor';
    for (let i = 2; names.has(name); i++) name = `${base.slice(0, 90)}-${i}`;
    names.add(name);
    return name;
  };
  const actors: ActorSpec[] = [];
  for (const c of consumers) {
    if (actors.length >= LIMITS.actors) break;
    const details = (c.channel_details ?? {}) as Row;
    const queue = String((c.queue as Row | undefined)?.name ?? '');
    const own = !kept.has(queue);
    actors.push({
      kind: 'consumer',
      name: unique(String(details.user_provided_name ?? '') || `consumer-${actors.length + 1}`),
      // a server-named or exclusive queue belongs to its consumer: it declares its own and binds it the same way
      queue: own ? '' : queue,
      ...(own ? { bind: queueBindings.filter((b) => b.destination === queue).slice(0, 20).map((b) => ({ exchange: String(b.source), routingKey: String(b.routing_key), arguments: args(b.arguments) })) } : {}),
      prefetch: Math.min(Number(c.prefetch_count) || 0, LIMITS.prefetch),
      processingMs: 0,
      ack: c.ack_required === true ? 'ack' : 'auto',
    });
  }
  for (const p of Object.values(tick?.producers ?? {})) {
    if (actors.length >= LIMITS.actors || p.gone === true || p.reply_to !== undefined) continue;
    if (p.exchange !== '' && !exchangeNames.has(p.exchange)) continue;
    actors.push({
      kind: 'producer',
      name: unique(p.connection_name ?? `producer-${actors.length + 1}`),
      exchange: p.exchange,
      routingKey: p.routing_key ?? '',
      message: `${p.connection_name ?? 'message'} #{n}`,
      // the rate it was measured at, within what a scenario may ask for
      rate: Math.min(LIMITS.rate, Math.max(0.1, Math.round(p.publish_rate * 10) / 10)),
    });
  }

  const perQueue = new Map<string, number>();
  for (const a of actors) if (a.kind === 'consumer' && a.queue !== '') perQueue.set(a.queue, (perQueue.get(a.queue) ?? 0) + 1);
  const checkpoints: CheckpointSpec[] = [...perQueue].slice(0, LIMITS.checkpoints).map(([queue, n]) => ({
    label: `${n} consumer${n === 1 ? '' : 's'} on ${queue}`, type: 'queue', queue, field: 'consumers', equals: n,
  }));
  const file: ScenarioFile = {
    format: SCENARIO_FORMAT,
    id: `export-${slug(vhost)}`,
    title: `Vhost ${vhost}, as exported`,
    summary: `The topology of vhost ${vhost} and the clients that were working on it when it was exported (${new Date().toISOString()}).`,
    topology,
    actors,
    steps: [{ title: 'Everything running', text: `The exchanges, queues and bindings of ${vhost}, with its consumers and producers started again as actors.`, start: actors.map((a) => a.name), checkpoints }],
  };
  const v = validateScenario(file);
  if (!v.ok) throw new Error(`the export is not a valid scenario: ${v.errors.join('; ')}`);
  return v.scenario;
}

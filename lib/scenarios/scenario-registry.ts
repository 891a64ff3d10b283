// The scenarios a broker offers (built-in and loaded) and their players, one per scenario, kept per
// broker API instance so the REST routes, which are plain functions, find the same players on every
// request. Actors log in as one user made for them, with permissions on scenario vhosts only, so
// the code shown beside them runs as it is copied, whoever opened the console.
import { randomBytes } from 'node:crypto';
import type { Actor, BrokerApi } from '../../broker/index';
import { actorCode } from './actor-code';
import { BUILTIN_SCENARIOS } from './builtin-scenarios';
import type { ActorKind, ScenarioFile } from './scenario-format';
import { actorUrl, ScenarioPlayer, scenarioVhost, vhostUrl, type ScenarioState } from './scenario-player';
import { validateScenario, type Validation } from './validate-scenario';

export const SCENARIO_USER = 'warren-scenarios';
/** loaded scenarios kept at once, beside the built-in ones */
export const MAX_LOADED = 20;

export interface ScenarioSummary {
  id: string;
  title: string;
  summary: string;
  tutorial?: number;
  builtin: boolean;
  steps: number;
  status: ScenarioState['status'];
}

export interface ActorProgram {
  actor: string;
  kind: ActorKind;
  /** the URL its programs connect with */
  url: string;
  pika: string;
  amqplib: string;
}

export class ScenarioRegistry {
  private readonly loaded = new Map<string, ScenarioFile>();
  private readonly players = new Map<string, ScenarioPlayer>();
  private readonly password = randomBytes(18).toString('base64url');
  private base: Promise<string> | undefined;

  constructor(private readonly api: BrokerApi) {}

  scenario(id: string): ScenarioFile | undefined {
    return BUILTIN_SCENARIOS.find((s) => s.id === id) ?? this.loaded.get(id);
  }

  list(): ScenarioSummary[] {
    const all = [...BUILTIN_SCENARIOS.map((s) => [s, true] as const), ...[...this.loaded.values()].map((s) => [s, false] as const)];
    return all.map(([s, builtin]) => ({
      id: s.id, title: s.title, summary: s.summary, ...(s.tutorial === undefined ? {} : { tutorial: s.tutorial }), builtin,
      steps: s.steps.length, status: this.players.get(s.id)?.state().status ?? 'idle',
    }));
  }

  /** Adds or replaces a loaded scenario; built-in ids and a full registry refuse it. */
  async load(file: unknown): Promise<Validation> {
    const v = validateScenario(file);
    if (!v.ok) return v;
    const { id } = v.scenario;
    if (BUILTIN_SCENARIOS.some((s) => s.id === id)) return { ok: false, errors: [`$.id: "${id}" is a built-in scenario`] };
    if (!this.loaded.has(id) && this.loaded.size >= MAX_LOADED) return { ok: false, errors: [`$: at most ${MAX_LOADED} loaded scenarios; remove one first`] };
    // a new file for a scenario being played: the old player's actors and vhost go first
    await this.players.get(id)?.reset();
    this.players.delete(id);
    this.loaded.set(id, v.scenario);
    return v;
  }

  async remove(id: string): Promise<boolean> {
    if (!this.loaded.has(id)) return false;
    await this.players.get(id)?.reset();
    this.players.delete(id);
    this.loaded.delete(id);
    return true;
  }

  state(id: string): ScenarioState | undefined {
    return this.players.get(id)?.state();
  }

  /** The scenario's player, made on first use as `who` (who must be an administrator). */
  async player(id: string, who: Actor): Promise<ScenarioPlayer | undefined> {
    const scenario = this.scenario(id);
    if (scenario === undefined) return undefined;
    let player = this.players.get(id);
    if (player === undefined) {
      player = new ScenarioPlayer(scenario, { api: this.api, who, amqpUrl: await this.amqpBase(who) });
      this.players.set(id, player);
    }
    return player;
  }

  /** The actors' programs with the scenario vhost's URL filled in. */
  async programs(id: string, who: Actor): Promise<{ url: string; actors: ActorProgram[] } | undefined> {
    const scenario = this.scenario(id);
    if (scenario === undefined) return undefined;
    const base = await this.amqpBase(who);
    const url = vhostUrl(base, scenarioVhost(id));
    return {
      url,
      actors: scenario.actors.map((a) => {
        // an actor that logs in as a scenario user, or into another vhost, shows its own URL
        const own = actorUrl(base, scenario, a);
        return { actor: a.name, kind: a.kind, url: own, pika: actorCode(scenario, a.name, 'pika', own)!, amqplib: actorCode(scenario, a.name, 'amqplib', own)! };
      }),
    };
  }

  /** amqp://warren-scenarios:<password>@host:port, the user made (or its password set) once per process. */
  private amqpBase(who: Actor): Promise<string> {
    this.base ??= (async () => {
      await this.api.putUser(who, SCENARIO_USER, { password: this.password, tags: [] });
      const { amqp } = await this.api.info();
      // a broker listening on every interface is reached on loopback from its own process
      const host = ['0.0.0.0', '::', ''].includes(amqp.host) ? '127.0.0.1' : amqp.host;
      return `amqp://${SCENARIO_USER}:${this.password}@${host.includes(':') ? `[${host}]` : host}:${amqp.port}`;
    })();
    this.base.catch(() => {
      this.base = undefined;
    });
    return this.base;
  }

  /** Resets every player: closes their actors and deletes their vhosts. */
  async resetAll(): Promise<void> {
    await Promise.all([...this.players.values()].map((p) => p.reset()));
  }
}

const registries = new WeakMap<BrokerApi, ScenarioRegistry>();

export function scenarioRegistry(api: BrokerApi): ScenarioRegistry {
  let r = registries.get(api);
  if (r === undefined) {
    r = new ScenarioRegistry(api);
    registries.set(api, r);
  }
  return r;
}

// Plays one scenario on a broker: makes its vhost (with permissions for the AMQP user the actors
// log in as), declares its topology through the broker API, runs its actors as real AMQP clients,
// walks its steps and checks each step's checkpoints against the broker's state. Controls: play,
// pause, step, speed, reset. Every failure lands in `state().errors`; no method throws.
import type { Actor, BrokerApi, StatsTick, VhostWatch } from '../../broker/index';
import { isBrokerError } from '../../broker/index';
import { evaluate, needs, type BrokerView } from './checkpoints';
import { ConsumerActor, ProducerActor, type ActorState, type AnyActor } from './scenario-actors';
import type { ScenarioFile } from './scenario-format';

export type PlayerStatus = 'idle' | 'starting' | 'playing' | 'paused' | 'finished' | 'failed';

export interface CheckpointState {
  label: string;
  state: 'waiting' | 'pending' | 'passed' | 'failed';
  actual?: number;
}

export interface StepState {
  title: string;
  text: string;
  state: 'waiting' | 'current' | 'passed' | 'failed';
  checkpoints: CheckpointState[];
}

export interface ScenarioState {
  id: string;
  title: string;
  vhost: string;
  status: PlayerStatus;
  speed: number;
  /** index of the current step; -1 before the first */
  step: number;
  steps: StepState[];
  actors: ActorState[];
  errors: string[];
}

export interface PlayerOptions {
  api: BrokerApi;
  /** who the player declares and reads as (an administrator: it creates and deletes a vhost) */
  who: Actor;
  /** the broker's AMQP URL with the actors' credentials and no vhost: amqp://user:pass@host:port */
  amqpUrl: string;
  /** how often checkpoints are read while playing; default 250 ms */
  checkEveryMs?: number;
}

export const MIN_SPEED = 0.1;
export const MAX_SPEED = 10;
const DEFAULT_STEP_TIMEOUT_MS = 30_000;
const MAX_ERRORS = 20;

export function scenarioVhost(id: string): string {
  return `scenario-${id}`;
}

/** The AMQP URL of a vhost, as the actors and the code beside them use it. */
export function vhostUrl(amqpUrl: string, vhost: string): string {
  return `${amqpUrl.replace(/\/+$/, '')}/${encodeURIComponent(vhost)}`;
}

function describe(err: unknown): string {
  if (isBrokerError(err)) return `${err.kind}: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}

export class ScenarioPlayer {
  readonly vhost: string;
  private status: PlayerStatus = 'idle';
  private speed = 1;
  private stepIndex = -1;
  private steps: StepState[];
  private readonly errors: string[] = [];
  private actors = new Map<string, AnyActor>();
  private watch: VhostWatch | undefined;
  /** per consumer tag, the broker's delivered count as last ticked (cancelled consumers keep theirs) */
  private readonly deliveredByTag = new Map<string, number>();
  private readonly redeliveredByTag = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private checking = false;
  /** time spent in the current step while playing, in scenario time */
  private stepElapsed = 0;
  private lastCheck = 0;
  private prepared: Promise<boolean> | undefined;
  /** bumped by reset, so work started before it does not touch what comes after */
  private generation = 0;

  constructor(readonly scenario: ScenarioFile, private readonly options: PlayerOptions) {
    this.vhost = scenarioVhost(scenario.id);
    this.steps = this.freshSteps();
  }

  private freshSteps(): StepState[] {
    return this.scenario.steps.map((s) => ({
      title: s.title, text: s.text, state: 'waiting',
      checkpoints: s.checkpoints.map((c) => ({ label: c.label, state: 'waiting' })),
    }));
  }

  get url(): string {
    return vhostUrl(this.options.amqpUrl, this.vhost);
  }

  state(): ScenarioState {
    return {
      id: this.scenario.id, title: this.scenario.title, vhost: this.vhost, status: this.status, speed: this.speed, step: this.stepIndex,
      steps: this.steps.map((s) => ({ ...s, checkpoints: s.checkpoints.map((c) => ({ ...c })) })),
      actors: this.scenario.actors.map((a) => ({ ...(this.actors.get(a.name)?.state ?? { name: a.name, kind: a.kind, phase: 'idle', published: 0, received: 0, settled: 0 }) })),
      errors: [...this.errors],
    };
  }

  private report(what: string, err: unknown): void {
    this.errors.push(`${what}: ${describe(err)}`);
    if (this.errors.length > MAX_ERRORS) this.errors.shift();
  }

  /** Starts or resumes: the first play makes the vhost and topology and enters the first step. */
  async play(): Promise<void> {
    if (this.status === 'playing' || this.status === 'starting' || this.status === 'finished' || this.status === 'failed') return;
    const gen = this.generation;
    if (this.stepIndex < 0) {
      this.status = 'starting';
      if (!(await this.prepare()) || gen !== this.generation) return;
      this.status = 'playing';
      await this.enterStep(0);
      if (gen !== this.generation) return;
    } else {
      this.status = 'playing';
      for (const a of this.actors.values()) a.play();
    }
    this.lastCheck = Date.now();
    this.schedule();
  }

  pause(): void {
    if (this.status !== 'playing') return;
    this.status = 'paused';
    clearTimeout(this.timer);
    for (const a of this.actors.values()) a.pause();
  }

  /** While paused: each actor does one message, then the checkpoints are read once. */
  async step(): Promise<void> {
    if (this.status !== 'paused') return;
    for (const a of this.actors.values()) a.step();
    await this.check(false);
  }

  setSpeed(speed: number): void {
    if (!Number.isFinite(speed)) return;
    this.speed = Math.min(MAX_SPEED, Math.max(MIN_SPEED, speed));
    for (const a of this.actors.values()) a.setSpeed(this.speed);
  }

  /** Stops every actor and closes the watch; the vhost and what is in it stay. */
  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await Promise.all([...this.actors.values()].map((a) => a.close()));
    this.watch?.close();
    this.watch = undefined;
    if (this.status === 'playing' || this.status === 'starting') this.status = 'paused';
  }

  /** Stops everything and deletes the scenario's vhost: nothing the scenario made is left. */
  async reset(): Promise<void> {
    this.generation++;
    // a set-up under way finishes first, or it would make the vhost again after the delete
    await this.prepared;
    await this.stop();
    this.actors = new Map();
    this.deliveredByTag.clear();
    this.redeliveredByTag.clear();
    try {
      await this.options.api.deleteVhost(this.options.who, this.vhost);
    } catch (err) {
      if (!(isBrokerError(err) && err.kind === 'not_found')) this.report(`deleting vhost ${this.vhost}`, err);
    }
    this.prepared = undefined;
    this.status = 'idle';
    this.stepIndex = -1;
    this.stepElapsed = 0;
    this.steps = this.freshSteps();
  }

  private prepare(): Promise<boolean> {
    this.prepared ??= this.makeVhost().then(
      () => true,
      (err: unknown) => {
        this.report('setting up the scenario', err);
        this.status = 'failed';
        return false;
      },
    );
    return this.prepared;
  }

  private async makeVhost(): Promise<void> {
    const { api, who } = this.options;
    const { topology } = this.scenario;
    // a run starts clean: what an earlier run left in its vhost would skew the checkpoints
    if ((await api.getVhost(who, this.vhost)) !== undefined) await api.deleteVhost(who, this.vhost);
    await api.putVhost(who, this.vhost, { description: `Warren scenario: ${this.scenario.title}` });
    const user = decodeURIComponent(new URL(this.options.amqpUrl).username || 'guest');
    await api.setPermission(who, this.vhost, user, { configure: '.*', write: '.*', read: '.*' });
    for (const e of topology.exchanges) {
      await api.declareExchange(who, this.vhost, e.name, { type: e.type, durable: e.durable, autoDelete: false, internal: false, arguments: {} });
    }
    for (const q of topology.queues) {
      await api.declareQueue(who, this.vhost, q.name, { durable: q.durable, autoDelete: false, arguments: q.arguments ?? {} });
    }
    for (const b of topology.bindings) {
      await api.bind(who, this.vhost, { source: b.source, destination: b.destination, destinationType: 'queue', routingKey: b.routingKey, arguments: b.arguments ?? {} });
    }
    this.watch = await api.watchVhost(who, this.vhost, {
      topology: () => {},
      stats: (tick) => this.ticked(tick),
      gone: () => {
        this.watch = undefined;
      },
    });
  }

  private ticked(tick: StatsTick): void {
    for (const c of Object.values(tick.consumers)) {
      this.deliveredByTag.set(c.consumer_tag, Math.max(c.delivered, this.deliveredByTag.get(c.consumer_tag) ?? 0));
      this.redeliveredByTag.set(c.consumer_tag, Math.max(c.redelivered, this.redeliveredByTag.get(c.consumer_tag) ?? 0));
    }
  }

  private counted(actor: string, byTag: Map<string, number>): number {
    const a = this.actors.get(actor);
    if (!(a instanceof ConsumerActor)) return 0;
    return a.tags.reduce((sum, tag) => sum + (byTag.get(tag) ?? 0), 0);
  }

  private async enterStep(index: number): Promise<void> {
    const gen = this.generation;
    const spec = this.scenario.steps[index];
    this.stepIndex = index;
    this.stepElapsed = 0;
    const step = this.steps[index];
    step.state = 'current';
    for (const c of step.checkpoints) c.state = 'pending';
    await Promise.all((spec.stop ?? []).map((name) => this.actors.get(name)?.close()));
    if (gen !== this.generation) return;
    const started: AnyActor[] = [];
    for (const name of spec.start ?? []) {
      const actorSpec = this.scenario.actors.find((a) => a.name === name);
      if (actorSpec === undefined || this.actors.has(name)) continue;
      const actor = actorSpec.kind === 'producer' ? new ProducerActor(actorSpec, this.url) : new ConsumerActor(actorSpec, this.url);
      this.actors.set(name, actor);
      started.push(actor);
    }
    // consumers first, so a producer's first messages find their queues and bindings
    const consumers = started.filter((a) => a instanceof ConsumerActor);
    await Promise.all(consumers.map((a) => a.start(this.speed)));
    await Promise.all(started.filter((a) => a instanceof ProducerActor).map((a) => a.start(this.speed)));
    if (gen !== this.generation) return;
    for (const a of started) {
      if (a.state.phase === 'failed') this.report(`actor ${a.name}`, new Error(a.state.error));
      // a scenario paused while its actors were connecting: they wait too
      if (this.status !== 'playing') a.pause();
    }
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.check(true), this.options.checkEveryMs ?? 250);
  }

  private async view(): Promise<BrokerView> {
    const { api, who } = this.options;
    const cps = this.scenario.steps[this.stepIndex].checkpoints;
    const need = needs(cps);
    const queues = new Map<string, Record<string, unknown>>();
    const bindingsFrom = new Map<string, number>();
    if (need.queues) for (const q of await api.listQueues(who, this.vhost)) queues.set(String(q.name), q);
    if (need.bindings) {
      for (const b of await api.listBindings(who, this.vhost)) {
        if (b.source === '' || b.destination_type !== 'queue') continue;
        bindingsFrom.set(String(b.source), (bindingsFrom.get(String(b.source)) ?? 0) + 1);
      }
    }
    return {
      queues, bindingsFrom,
      delivered: (a) => this.counted(a, this.deliveredByTag),
      redelivered: (a) => this.counted(a, this.redeliveredByTag),
    };
  }

  /** Reads the current step's checkpoints; all passed: the next step, or the end. */
  private async check(playing: boolean): Promise<void> {
    if (this.checking || this.stepIndex < 0) return;
    this.checking = true;
    const gen = this.generation;
    try {
      const now = Date.now();
      // slower play stretches a step's time limit; faster play does not shrink it below the stats tick's pace
      if (playing) this.stepElapsed += (now - this.lastCheck) * Math.min(this.speed, 1);
      this.lastCheck = now;
      const index = this.stepIndex;
      const spec = this.scenario.steps[index];
      const step = this.steps[index];
      const view = await this.view();
      if (gen !== this.generation) return;
      let all = true;
      spec.checkpoints.forEach((cp, i) => {
        const r = evaluate(cp, view);
        step.checkpoints[i].state = r.passed ? 'passed' : 'pending';
        step.checkpoints[i].actual = r.actual;
        all &&= r.passed;
      });
      if (all) {
        step.state = 'passed';
        if (index + 1 < this.steps.length) await this.enterStep(index + 1);
        else this.finish('finished');
      } else if (this.stepElapsed > (spec.timeoutMs ?? DEFAULT_STEP_TIMEOUT_MS)) {
        step.state = 'failed';
        for (const c of step.checkpoints) if (c.state === 'pending') c.state = 'failed';
        this.report(`step ${index + 1} "${spec.title}"`, new Error('its checkpoints did not pass in time'));
        this.finish('failed');
      }
    } catch (err) {
      this.report('reading the broker', err);
    } finally {
      this.checking = false;
      if (gen === this.generation && this.status === 'playing' && playing) this.schedule();
    }
  }

  private finish(status: 'finished' | 'failed'): void {
    this.status = status;
    clearTimeout(this.timer);
    // the actors stop where they are, so the broker's state stays as the scenario left it to look at
    for (const a of this.actors.values()) a.pause();
  }
}

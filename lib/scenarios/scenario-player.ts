// Plays one scenario on a broker: makes its vhost (with permissions for the AMQP user the actors
// log in as), declares its topology through the broker API, runs its actors as real AMQP clients,
// walks its steps and checks each step's checkpoints against the broker's state. Controls: play,
// pause, step, speed, reset. Every failure lands in `state().errors`; no method throws.
import type { Actor, BrokerApi, StatsTick, VhostWatch } from '../../broker/index';
import { isBrokerError } from '../../broker/index';
import { deathReason, evaluate, needs, type BrokerView } from './checkpoints';
import { ConsumerActor, newActorState, ProducerActor, RpcClientActor, type ActorState, type AnyActor } from './scenario-actors';
import type { ActorSpec, FaultSpec, ScenarioFile, ScenarioUser } from './scenario-format';

export type PlayerStatus = 'idle' | 'starting' | 'playing' | 'paused' | 'finished' | 'failed';

export interface CheckpointState {
  label: string;
  state: 'waiting' | 'pending' | 'passed' | 'failed';
  actual?: number;
}

export interface StepState {
  title: string;
  text: string;
  /** skipped: the scenario was started at a later step */
  state: 'waiting' | 'current' | 'passed' | 'failed' | 'skipped';
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
  /** the faults a presenter can set off, and how often each was */
  faults: { name: string; label: string; kind: FaultSpec['kind']; fired: number }[];
  /** what the faults and the step changes did, newest last (a restart's report, a flood's count) */
  notes: string[];
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
  /** a step's least time on screen at 1× when the scenario does not say (default 8000; tests use 0) */
  holdMs?: number;
}

export const MIN_SPEED = 0.1;
export const MAX_SPEED = 10;
const DEFAULT_STEP_TIMEOUT_MS = 30_000;
/** A step that passes at once still stays on this long at 1×: the room reads its text and sees it happen. */
const DEFAULT_HOLD_MS = 8_000;
const MAX_ERRORS = 20;

export function scenarioVhost(id: string): string {
  return `scenario-${id}`;
}

/** Users are broker-wide: a scenario's user is known to the broker under its scenario's id. */
export function scenarioUserName(scenarioId: string, user: string): string {
  return `${scenarioId}-${user}`;
}

/** The URL an actor connects with: its own user and vhost when the scenario gives it one. */
export function actorUrl(amqpUrl: string, scenario: ScenarioFile, actor: ActorSpec): string {
  const vhost = actor.vhost ?? scenarioVhost(scenario.id);
  const user: ScenarioUser | undefined = actor.user === undefined ? undefined : scenario.topology.users?.find((u) => u.name === actor.user);
  let base = amqpUrl;
  if (user !== undefined) {
    const u = new URL(amqpUrl);
    u.username = encodeURIComponent(scenarioUserName(scenario.id, user.name));
    u.password = encodeURIComponent(user.password);
    base = u.toString();
  }
  return vhostUrl(base, vhost);
}

/** Declares a scenario's vhost, users and topology through the broker API (the player, and tests of its code). */
export async function declareScenario(api: BrokerApi, who: Actor, scenario: ScenarioFile, actorsUser: string): Promise<void> {
  const vhost = scenarioVhost(scenario.id);
  const { topology } = scenario;
  if ((await api.getVhost(who, vhost)) !== undefined) await api.deleteVhost(who, vhost);
  await api.putVhost(who, vhost, { description: `Warren scenario: ${scenario.title}` });
  await api.setPermission(who, vhost, actorsUser, { configure: '.*', write: '.*', read: '.*' });
  for (const u of topology.users ?? []) {
    const name = scenarioUserName(scenario.id, u.name);
    await api.putUser(who, name, { password: u.password, tags: [] });
    await api.setPermission(who, vhost, name, { configure: u.configure, write: u.write, read: u.read });
  }
  for (const e of topology.exchanges) {
    await api.declareExchange(who, vhost, e.name, { type: e.type, durable: e.durable, autoDelete: false, internal: false, arguments: {} });
  }
  for (const q of topology.queues) {
    await api.declareQueue(who, vhost, q.name, { durable: q.durable, autoDelete: false, arguments: q.arguments ?? {} });
  }
  for (const b of topology.bindings) {
    await api.bind(who, vhost, { source: b.source, destination: b.destination, destinationType: 'queue', routingKey: b.routingKey, arguments: b.arguments ?? {} });
  }
}

/** The counters of an actor a checkpoint counts from, taken when a step begins. */
interface Snapshot {
  delivered: number;
  redelivered: number;
  received: number;
  receivedByKey: Record<string, number>;
  returned: number;
}

const MAX_NOTES = 20;
/** messages peeked for their x-death at most, per queue and check */
const PEEK_MAX = 50;

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
  /** time the current step has been played, scaled by speed (10× counts ten times as fast) */
  private stepShown = 0;
  private lastCheck = 0;
  /** pause() came while the vhost was being prepared: pause as soon as the first step is entered */
  private pauseWhenStarted = false;
  /** per actor, its counters when the current step began */
  private base = new Map<string, Snapshot>();
  private readonly fired = new Map<string, number>();
  private readonly notes: string[] = [];
  /** a fault under way (a restart): checkpoints wait for it */
  private faulting = 0;
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
      actors: this.scenario.actors.map((a) => {
        const st = this.actors.get(a.name)?.state ?? newActorState(a.name, a.kind);
        return { ...st, receivedByKey: { ...st.receivedByKey } };
      }),
      faults: (this.scenario.faults ?? []).map((f) => ({ name: f.name, label: f.label, kind: f.kind, fired: this.fired.get(f.name) ?? 0 })),
      notes: [...this.notes],
      errors: [...this.errors],
    };
  }

  private note(text: string): void {
    this.notes.push(text);
    if (this.notes.length > MAX_NOTES) this.notes.shift();
  }

  private report(what: string, err: unknown): void {
    this.errors.push(`${what}: ${describe(err)}`);
    if (this.errors.length > MAX_ERRORS) this.errors.shift();
  }

  /**
   * Starts or resumes: the first play makes the vhost and topology and enters the first step, or
   * `fromStep` (0-based) with the actors the earlier steps would have left running; their faults
   * and checkpoints are skipped.
   */
  async play(fromStep = 0): Promise<void> {
    if (this.status === 'playing' || this.status === 'starting' || this.status === 'finished' || this.status === 'failed') return;
    const gen = this.generation;
    if (this.stepIndex < 0) {
      const first = Number.isInteger(fromStep) ? Math.min(Math.max(fromStep, 0), this.steps.length - 1) : 0;
      this.status = 'starting';
      if (!(await this.prepare()) || gen !== this.generation) return;
      this.status = 'playing';
      for (let i = 0; i < first; i++) this.steps[i].state = 'skipped';
      await this.enterStep(first, this.runningBefore(first));
      if (gen !== this.generation) return;
      if (this.pauseWhenStarted) {
        this.pauseWhenStarted = false;
        this.pause();
        return;
      }
    } else {
      this.status = 'playing';
      for (const a of this.actors.values()) a.play();
    }
    this.lastCheck = Date.now();
    this.schedule();
  }

  pause(): void {
    if (this.status === 'starting') this.pauseWhenStarted = true;
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
    this.base.clear();
    this.fired.clear();
    this.notes.length = 0;
    try {
      await this.options.api.deleteVhost(this.options.who, this.vhost);
    } catch (err) {
      if (!(isBrokerError(err) && err.kind === 'not_found')) this.report(`deleting vhost ${this.vhost}`, err);
    }
    const users = (this.scenario.topology.users ?? []).map((u) => scenarioUserName(this.scenario.id, u.name));
    if (users.length > 0) await this.options.api.deleteUsers(this.options.who, users).catch((err: unknown) => this.report('deleting the scenario\'s users', err));
    this.prepared = undefined;
    this.status = 'idle';
    this.stepIndex = -1;
    this.stepElapsed = 0;
    this.stepShown = 0;
    this.pauseWhenStarted = false;
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
    // a run starts clean: what an earlier run left in its vhost would skew the checkpoints
    const user = decodeURIComponent(new URL(this.options.amqpUrl).username || 'guest');
    await declareScenario(this.options.api, this.options.who, this.scenario, user);
    await this.watchStats();
  }

  private async watchStats(): Promise<void> {
    this.watch = await this.options.api.watchVhost(this.options.who, this.vhost, {
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
    if (!(a instanceof ConsumerActor || a instanceof RpcClientActor)) return 0;
    return a.tags.reduce((sum, tag) => sum + (byTag.get(tag) ?? 0), 0);
  }

  private snapshot(actor: string): Snapshot {
    const st = this.actors.get(actor)?.state;
    return {
      delivered: this.counted(actor, this.deliveredByTag),
      redelivered: this.counted(actor, this.redeliveredByTag),
      received: st?.received ?? 0,
      receivedByKey: { ...(st?.receivedByKey ?? {}) },
      returned: st?.returned ?? 0,
    };
  }

  /** Sets off a fault of the scenario (a button, or a step entered); false when there is none of that name. */
  async fault(name: string): Promise<boolean> {
    const spec = this.scenario.faults?.find((f) => f.name === name);
    if (spec === undefined) return false;
    if (this.stepIndex < 0) {
      this.report(`fault "${spec.label}"`, new Error('the scenario has not started'));
      return true;
    }
    this.fired.set(name, (this.fired.get(name) ?? 0) + 1);
    this.faulting++;
    try {
      await this.runFault(spec);
    } catch (err) {
      this.report(`fault "${spec.label}"`, err);
    } finally {
      this.faulting--;
    }
    return true;
  }

  private async runFault(spec: FaultSpec): Promise<void> {
    const { api, who } = this.options;
    switch (spec.kind) {
      case 'kill': {
        const a = this.actors.get(spec.actor);
        if (a === undefined || a.state.phase === 'crashed' || a.state.phase === 'stopped') {
          this.note(`${spec.label}: ${spec.actor} is not running`);
          return;
        }
        a.crash(`killed by "${spec.label}"`);
        this.note(`${spec.label}: ${spec.actor}'s TCP connection dropped`);
        return;
      }
      case 'publish': {
        let routed = 0;
        for (let i = 1; i <= spec.count; i++) {
          const body = Buffer.from(spec.message.replaceAll('{n}', String(i)));
          const r = await api.publish(who, this.vhost, spec.exchange, {
            routingKey: spec.routingKey, body,
            properties: { ...(spec.persistent === true ? { delivery_mode: 2 } : {}), ...(spec.headers === undefined ? {} : { headers: spec.headers }) },
          });
          if (r.routed) routed++;
        }
        this.note(`${spec.label}: ${spec.count} published, ${routed} routed`);
        return;
      }
      case 'restart-broker': {
        // every connection goes with the restart; the actors are told so they do not report it as their failure
        for (const a of this.actors.values()) a.expectLoss('the broker restarted');
        this.watch?.close();
        this.watch = undefined;
        const r = await api.restartBroker(who);
        this.note(`${spec.label}: the broker recovered ${r.queues} durable queues and ${r.messages} persistent messages in ${r.ms} ms`);
        await this.watchStats();
        return;
      }
    }
  }

  /** The actors the steps before `index` leave running, in the order they started. */
  private runningBefore(index: number): string[] {
    const running: string[] = [];
    for (const s of this.scenario.steps.slice(0, index)) {
      for (const n of s.stop ?? []) if (running.includes(n)) running.splice(running.indexOf(n), 1);
      for (const n of s.start ?? []) if (!running.includes(n)) running.push(n);
    }
    return running;
  }

  private async enterStep(index: number, alsoStart: readonly string[] = []): Promise<void> {
    const gen = this.generation;
    const spec = this.scenario.steps[index];
    this.stepIndex = index;
    this.stepElapsed = 0;
    this.stepShown = 0;
    const step = this.steps[index];
    step.state = 'current';
    for (const c of step.checkpoints) c.state = 'pending';
    // counters count from here: this step cannot pass on what an earlier step's traffic did
    this.base = new Map(this.scenario.actors.map((a) => [a.name, this.snapshot(a.name)]));
    await Promise.all((spec.stop ?? []).map((name) => this.actors.get(name)?.close()));
    if (gen !== this.generation) return;
    const started: AnyActor[] = [];
    for (const name of [...alsoStart, ...(spec.start ?? [])]) {
      const actorSpec = this.scenario.actors.find((a) => a.name === name);
      if (actorSpec === undefined || this.actors.has(name)) continue;
      const url = actorUrl(this.options.amqpUrl, this.scenario, actorSpec);
      const actor = actorSpec.kind === 'producer' ? new ProducerActor(actorSpec, url)
        : actorSpec.kind === 'rpc-client' ? new RpcClientActor(actorSpec, url)
        : new ConsumerActor(actorSpec, url);
      this.actors.set(name, actor);
      started.push(actor);
    }
    // consumers first, so a producer's first messages find their queues and bindings
    const consumers = started.filter((a) => a instanceof ConsumerActor);
    await Promise.all(consumers.map((a) => a.start(this.speed)));
    await Promise.all(started.filter((a) => !(a instanceof ConsumerActor)).map((a) => a.start(this.speed)));
    if (gen !== this.generation) return;
    for (const a of started) {
      // a refusal the scenario is about is a note; anything else an error
      if (a.state.phase === 'failed') {
        if (a.state.refusedCode !== undefined && this.expectsRefusal(a.name)) this.note(`${a.name}: ${a.state.error}`);
        else this.report(`actor ${a.name}`, new Error(a.state.error));
      }
      // a scenario paused while its actors were connecting: they wait too
      if (this.status !== 'playing') a.pause();
    }
    for (const name of spec.faults ?? []) {
      await this.fault(name);
      if (gen !== this.generation) return;
    }
  }

  private expectsRefusal(actor: string): boolean {
    return this.scenario.steps.some((s) => s.checkpoints.some((c) => c.type === 'refused' && c.actor === actor));
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
    const deaths = new Map<string, Map<string, number>>();
    for (const q of need.peek) {
      const byReason = new Map<string, number>();
      // peeked and put back, as the console's Get messages with "requeue" does
      const got = await api.get(who, this.vhost, q, { count: PEEK_MAX, ackMode: 'ack_requeue_true', encoding: 'auto', truncate: 64 }).catch((err: unknown) => {
        if (isBrokerError(err) && err.kind === 'not_found') return [];
        throw err;
      });
      for (const m of got) {
        const reason = deathReason((m.properties as { headers?: unknown } | null)?.headers);
        if (reason !== undefined) byReason.set(reason, (byReason.get(reason) ?? 0) + 1);
      }
      deaths.set(q, byReason);
    }
    const base = (a: string) => this.base.get(a);
    const state = (a: string) => this.actors.get(a)?.state;
    return {
      queues, bindingsFrom,
      delivered: (a) => this.counted(a, this.deliveredByTag) - (base(a)?.delivered ?? 0),
      redelivered: (a) => this.counted(a, this.redeliveredByTag) - (base(a)?.redelivered ?? 0),
      received: (a, key) => key === undefined
        ? (state(a)?.received ?? 0) - (base(a)?.received ?? 0)
        : (state(a)?.receivedByKey[key] ?? 0) - (base(a)?.receivedByKey[key] ?? 0),
      returned: (a) => (state(a)?.returned ?? 0) - (base(a)?.returned ?? 0),
      refused: (a) => state(a)?.refusedCode,
      deadLettered: (q, reason) => deaths.get(q)?.get(reason) ?? 0,
    };
  }

  /** Reads the current step's checkpoints; all passed: the next step, or the end. */
  private async check(playing: boolean): Promise<void> {
    if (this.checking || this.stepIndex < 0 || this.faulting > 0) {
      if (playing && this.status === 'playing' && !this.checking) this.schedule();
      return;
    }
    this.checking = true;
    const gen = this.generation;
    try {
      const now = Date.now();
      // slower play stretches a step's time limit; faster play does not shrink it below the stats tick's pace
      if (playing) {
        this.stepElapsed += (now - this.lastCheck) * Math.min(this.speed, 1);
        this.stepShown += (now - this.lastCheck) * this.speed;
      }
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
      const hold = spec.holdMs ?? this.options.holdMs ?? DEFAULT_HOLD_MS;
      if (all && this.stepShown >= hold) {
        step.state = 'passed';
        if (index + 1 < this.steps.length) await this.enterStep(index + 1);
        else this.finish('finished');
      } else if (!all && this.stepElapsed > (spec.timeoutMs ?? DEFAULT_STEP_TIMEOUT_MS)) {
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

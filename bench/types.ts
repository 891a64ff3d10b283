// The shape every benchmark scenario shares. A scenario is an object with a name and an async
// run(url, opts) that returns one number per metric it declares. Later scenarios (persistent
// messages with publisher confirms, fan-out, topic routing, ...) are added by writing another object
// of this shape and listing it in scenarios.ts; the runner, the report and the JSON file need no change.

import type { BrokerProcess } from './broker-process';
import type { Resources } from './resources';

export type Unit = 'msgs/s' | 'ms' | 'µs/msg' | 'B/msg' | '% of a core' | 'MiB' | 'times';

/** One row of the report. A scenario may produce several (latency: p50, p99, max). */
export interface MetricSpec {
  /** key in the values object run() returns */
  key: string;
  /** appended to the scenario name in the table, e.g. "p99"; empty for single-metric scenarios */
  label: string;
  unit: Unit;
  better: 'higher' | 'lower';
}

export interface ScenarioOptions {
  /** measured window, seconds (warm-up and settling come on top) */
  durationSec: number;
  /** connections, channels and queues made through this are cleaned up by the runner, even on failure */
  resources: Resources;
  /** aborted when the runner gives up (time-out, broker error) or the scenario is over */
  signal: AbortSignal;
  /** progress to stderr */
  log: (message: string) => void;
  /** the broker's process on this machine, for its CPU and memory; absent when it cannot be seen */
  broker?: BrokerProcess;
}

export interface ScenarioResult {
  /** one value per MetricSpec.key */
  values: Record<string, number>;
  /** anything worth keeping in the JSON file (counts, windows, settings) */
  details?: Record<string, number | string | boolean>;
}

export interface Scenario {
  /** short, unique, lower-case; matched by --only together with the name */
  id: string;
  /** human-readable, shown in the table */
  name: string;
  /** how it measures, one sentence (shown by --list and kept in the JSON) */
  description: string;
  metrics: MetricSpec[];
  /** upper bound on the whole run including set-up and settling; default 4 × duration + 30 s */
  timeoutSec?: (durationSec: number) => number;
  run(url: string, opts: ScenarioOptions): Promise<ScenarioResult>;
}

/** What the runner records for one scenario against one broker. */
export interface ScenarioOutcome {
  id: string;
  name: string;
  values?: Record<string, number>;
  details?: Record<string, number | string | boolean>;
  error?: string;
  /** broker sent connection.blocked, cleanup problems, ... */
  notes?: string[];
  elapsedMs: number;
}

export interface TargetResult {
  label: string;
  /** password replaced by *** */
  url: string;
  outcomes: ScenarioOutcome[];
  /** the broker could not be started or reached at all */
  error?: string;
}

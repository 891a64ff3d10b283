// The built-in scenarios, one per RabbitMQ tutorial, as JSON files in builtin/. They pass through
// the same validator as a file someone loads, so a broken built-in fails at start-up and in tests.
import helloWorld from './builtin/01-hello-world.json';
import workQueues from './builtin/02-work-queues.json';
import publishSubscribe from './builtin/03-publish-subscribe.json';
import type { ScenarioFile } from './scenario-format';
import { validateScenario } from './validate-scenario';

function checked(file: unknown): ScenarioFile {
  const v = validateScenario(file);
  if (!v.ok) throw new Error(`built-in scenario is invalid: ${v.errors.join('; ')}`);
  return v.scenario;
}

export const BUILTIN_SCENARIOS: readonly ScenarioFile[] = [helloWorld, workQueues, publishSubscribe].map(checked);

export function builtinScenario(id: string): ScenarioFile | undefined {
  return BUILTIN_SCENARIOS.find((s) => s.id === id);
}

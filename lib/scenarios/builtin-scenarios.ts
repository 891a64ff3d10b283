// The built-in scenarios, one per RabbitMQ tutorial, as JSON files in builtin/. They pass through
// the same validator as a file someone loads, so a broken built-in fails at start-up and in tests.
import helloWorld from './builtin/01-hello-world.json';
import workQueues from './builtin/02-work-queues.json';
import publishSubscribe from './builtin/03-publish-subscribe.json';
import routing from './builtin/04-routing.json';
import topics from './builtin/05-topics.json';
import rpc from './builtin/06-rpc.json';
import headers from './builtin/07-headers.json';
import durability from './builtin/08-durability.json';
import permissions from './builtin/09-permissions.json';
import deadLetters from './builtin/10-dead-letters.json';
import type { ScenarioFile } from './scenario-format';
import { validateScenario } from './validate-scenario';

function checked(file: unknown): ScenarioFile {
  const v = validateScenario(file);
  if (!v.ok) throw new Error(`built-in scenario is invalid: ${v.errors.join('; ')}`);
  return v.scenario;
}

export const BUILTIN_SCENARIOS: readonly ScenarioFile[] = [
  helloWorld, workQueues, publishSubscribe, routing, topics, rpc, headers, durability, permissions, deadLetters,
].map(checked);

export function builtinScenario(id: string): ScenarioFile | undefined {
  return BUILTIN_SCENARIOS.find((s) => s.id === id);
}

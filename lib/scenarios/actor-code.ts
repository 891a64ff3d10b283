// The program beside each actor: its pika or amqplib code with the scenario vhost's AMQP URL in
// place of `{{AMQP_URL}}`, ready to copy and run against the same broker.
import type { ScenarioFile } from './scenario-format';

export const AMQP_URL_PLACEHOLDER = '{{AMQP_URL}}';

export function actorCode(scenario: ScenarioFile, actor: string, client: 'pika' | 'amqplib', amqpUrl: string): string | undefined {
  const spec = scenario.actors.find((a) => a.name === actor);
  return spec?.code[client].replaceAll(AMQP_URL_PLACEHOLDER, amqpUrl);
}

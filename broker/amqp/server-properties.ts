import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

export const PRODUCT = 'Warren';
export const VERSION: string = pkg.version;
/** The RabbitMQ release whose behaviour (and management API) Warren follows. */
export const RABBITMQ_VERSION = '3.10.8';

/**
 * What connection.start announces. Clients switch features on from `capabilities`, and some from
 * `product` and `version`: kombu (so Celery) reads basic.qos's `global` flag the RabbitMQ way only
 * when the product is "RabbitMQ" at 3.3 or later, and Warren's qos is RabbitMQ's. So the wire
 * names the RabbitMQ release Warren behaves as; `information` and the management API name Warren.
 */
export function serverProperties(clusterName: string) {
  return {
    product: 'RabbitMQ',
    version: RABBITMQ_VERSION,
    platform: `Node.js ${process.version}`,
    copyright: 'Warren contributors',
    information: `${PRODUCT} ${VERSION}, an AMQP 0-9-1 broker with a live console, behaving as RabbitMQ ${RABBITMQ_VERSION}. MIT licence.`,
    cluster_name: clusterName,
    capabilities: {
      publisher_confirms: true,
      exchange_exchange_bindings: true,
      'basic.nack': true,
      consumer_cancel_notify: true,
      'connection.blocked': true,
      consumer_priorities: true,
      authentication_failure_close: true,
      per_consumer_qos: true,
      direct_reply_to: true,
    },
  };
}

import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

export const PRODUCT = 'Warren';
export const VERSION: string = pkg.version;

/** What connection.start announces. Clients switch features on from `capabilities`. */
export function serverProperties(clusterName: string) {
  return {
    product: PRODUCT,
    version: VERSION,
    platform: `Node.js ${process.version}`,
    copyright: 'Warren contributors',
    information: 'Licensed under the MIT licence. An AMQP 0-9-1 broker with a live console.',
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

import { randomBytes } from 'node:crypto';

// RabbitMQ's server-made names are a prefix and 16 random bytes in URL-safe base64.
export function generatedName(prefix: string): string {
  // one flat string: `prefix + random` would be a pair of strings that every read of the name (a
  // consumer tag in each delivery, a queue name in each lookup) goes through first
  return Buffer.from(prefix + randomBytes(16).toString('base64url'), 'latin1').toString('latin1');
}

export const generatedQueueName = () => generatedName('amq.gen-');
export const generatedConsumerTag = () => generatedName('amq.ctag-');

import { randomBytes } from 'node:crypto';

// RabbitMQ's server-made names are a prefix and 16 random bytes in URL-safe base64.
export function generatedName(prefix: string): string {
  return prefix + randomBytes(16).toString('base64url');
}

export const generatedQueueName = () => generatedName('amq.gen-');
export const generatedConsumerTag = () => generatedName('amq.ctag-');

import { REPLY_NAMES } from '../amqp/generated/protocol';

// Errors are values carrying the AMQP reply code; the connection turns them into the right close
// frame in one place (connection.ts), so the core never needs to know about frames.

export type ErrorScope = 'channel' | 'connection';

export class AmqpError extends Error {
  readonly code: number;
  readonly scope: ErrorScope;
  classId: number;
  methodId: number;

  /** `detail` is the human part; the reply text gets RabbitMQ's `NAME - ` prefix. */
  constructor(code: number, detail: string, scope?: ErrorScope, classId = 0, methodId = 0) {
    super(`${REPLY_NAMES[code] ?? 'ERROR'} - ${detail}`);
    this.name = 'AmqpError';
    this.code = code;
    // The spec's soft errors (3xx, 4xx except 402) only close the channel.
    this.scope = scope ?? (code < 500 && code !== 320 && code !== 402 ? 'channel' : 'connection');
    this.classId = classId;
    this.methodId = methodId;
  }

  get replyText(): string {
    return this.message;
  }
}

export const notFound = (detail: string) => new AmqpError(404, detail);
export const accessRefused = (detail: string) => new AmqpError(403, detail);
export const resourceLocked = (detail: string) => new AmqpError(405, detail);
export const preconditionFailed = (detail: string) => new AmqpError(406, detail);
export const notAllowed = (detail: string) => new AmqpError(530, detail);
export const commandInvalid = (detail: string) => new AmqpError(503, detail);

export function replyName(code: number): string {
  return REPLY_NAMES[code] ?? 'ERROR';
}

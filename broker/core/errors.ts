// Errors are values carrying the AMQP reply code; the connection turns them into the right close
// frame in one place (connection.ts), so the core never needs to know about frames.

/**
 * Reply code → its name, e.g. 404 → NOT_FOUND, for reply texts: the reply codes of the 0-9-1 spec
 * (amqp-rabbitmq-0.9.1.json; broker/amqp/protocol.test.ts checks the two agree).
 */
export const REPLY_NAMES: { readonly [code: number]: string } = {
  200: 'REPLY_SUCCESS',
  311: 'CONTENT_TOO_LARGE',
  312: 'NO_ROUTE',
  313: 'NO_CONSUMERS',
  320: 'CONNECTION_FORCED',
  402: 'INVALID_PATH',
  403: 'ACCESS_REFUSED',
  404: 'NOT_FOUND',
  405: 'RESOURCE_LOCKED',
  406: 'PRECONDITION_FAILED',
  501: 'FRAME_ERROR',
  502: 'SYNTAX_ERROR',
  503: 'COMMAND_INVALID',
  504: 'CHANNEL_ERROR',
  505: 'UNEXPECTED_FRAME',
  506: 'RESOURCE_ERROR',
  530: 'NOT_ALLOWED',
  540: 'NOT_IMPLEMENTED',
  541: 'INTERNAL_ERROR',
};

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

/** Declaring, deleting, binding and unbinding the default exchange: 403, before anything is looked up. */
export const defaultExchangeRefused = () => accessRefused(`operation not permitted on the default exchange`);

export function refuseDefaultExchange(name: string): void {
  if (name === '') throw defaultExchangeRefused();
}
export const resourceLocked = (detail: string) => new AmqpError(405, detail);
export const preconditionFailed = (detail: string) => new AmqpError(406, detail);
export const notAllowed = (detail: string) => new AmqpError(530, detail);
export const commandInvalid = (detail: string) => new AmqpError(503, detail);

export function replyName(code: number): string {
  return REPLY_NAMES[code] ?? 'ERROR';
}

// Errors of the broker API: a kind for machines, a sentence for people, and the AMQP reply code
// when the broker refused something the way it would refuse an AMQP client. Callers test `kind`
// (isBrokerError), never `instanceof`: a second copy of this module (a bundler's, a remote
// implementation's) must still be understood.

/** AMQP's reply names for the refusals a broker makes, plus the API's own. */
export type BrokerErrorKind =
  /** 404: no such vhost, exchange, queue, binding, user, policy, connection */
  | 'not_found'
  /** 403: a configure/write/read permission or a reserved name */
  | 'access_refused'
  /** 405: an exclusive queue of another connection, or in exclusive use */
  | 'resource_locked'
  /** 406: inequivalent redeclare, in use, not empty, bad argument or property */
  | 'precondition_failed'
  /** 530, 503, 540 ...: what AMQP treats as a connection error */
  | 'not_allowed'
  /** the input itself is malformed (`reason` is RabbitMQ's term for it) */
  | 'bad_request'
  /** failed login, a user without the tag or vhost the operation needs */
  | 'not_authorised'
  /** the broker cannot do it now (disk refused, remote unreachable) */
  | 'unavailable'
  /** this kind of broker cannot do it at all (a remote RabbitMQ cannot be restarted from here, nor browse without consuming) */
  | 'not_supported';

const NAMES: Record<number, string> = {
  200: 'REPLY_SUCCESS', 311: 'CONTENT_TOO_LARGE', 312: 'NO_ROUTE', 313: 'NO_CONSUMERS', 320: 'CONNECTION_FORCED',
  402: 'INVALID_PATH', 403: 'ACCESS_REFUSED', 404: 'NOT_FOUND', 405: 'RESOURCE_LOCKED', 406: 'PRECONDITION_FAILED',
  501: 'FRAME_ERROR', 502: 'SYNTAX_ERROR', 503: 'COMMAND_INVALID', 504: 'CHANNEL_ERROR', 505: 'UNEXPECTED_FRAME',
  506: 'RESOURCE_ERROR', 530: 'NOT_ALLOWED', 540: 'NOT_IMPLEMENTED', 541: 'INTERNAL_ERROR',
};

const KIND_OF_CODE: Record<number, BrokerErrorKind> = { 403: 'access_refused', 404: 'not_found', 405: 'resource_locked', 406: 'precondition_failed' };

export interface BrokerErrorInit {
  /** AMQP reply code when the refusal is one AMQP would give */
  code?: number;
  /** for bad_request: RabbitMQ's term (`["not_base64", ...]`), shown as the HTTP reason */
  reason?: unknown;
}

export class BrokerError extends Error {
  readonly kind: BrokerErrorKind;
  /** AMQP reply code, 0 when the refusal has none */
  readonly code: number;
  /** the human part, without the `NAME - ` prefix */
  readonly detail: string;
  readonly reason: unknown;

  constructor(kind: BrokerErrorKind, detail: string, init: BrokerErrorInit = {}) {
    const code = init.code ?? 0;
    super(code === 0 ? detail : `${NAMES[code] ?? 'ERROR'} - ${detail}`);
    this.name = 'BrokerError';
    this.kind = kind;
    this.code = code;
    this.detail = detail;
    this.reason = init.reason ?? detail;
  }

  /** The AMQP reply text: `NOT_FOUND - no exchange 'x' in vhost '/'`. */
  get replyText(): string {
    return this.message;
  }

  /** A refusal with an AMQP reply code; its kind follows from the code. */
  static amqp(code: number, detail: string): BrokerError {
    return new BrokerError(KIND_OF_CODE[code] ?? 'not_allowed', detail, { code });
  }

  static badRequest(reason: unknown): BrokerError {
    return new BrokerError('bad_request', typeof reason === 'string' ? reason : JSON.stringify(reason), { reason });
  }
}

export function isBrokerError(err: unknown): err is BrokerError {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { name?: unknown; kind?: unknown; code?: unknown; detail?: unknown };
  return e.name === 'BrokerError' && typeof e.kind === 'string' && typeof e.code === 'number' && typeof e.detail === 'string';
}

export function replyName(code: number): string {
  return NAMES[code] ?? 'ERROR';
}

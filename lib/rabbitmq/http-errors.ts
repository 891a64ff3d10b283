// RabbitMQ's management API answers back into the broker API's errors, so that the REST API and the
// console show a remote cluster's refusals as RabbitMQ words them. lib/management/errors.ts turns
// BrokerErrors into HTTP answers; this is its inverse, and the round trip keeps status and reason.
import { BrokerError, replyName } from '../../broker/index';

/** `{"error": ..., "reason": ...}` as the management plugin writes it. */
export interface ErrorBody {
  error?: unknown;
  reason?: unknown;
}

/** `404 NOT_FOUND - no exchange 'x' in vhost '/'` or `PRECONDITION_FAILED - ...`: an AMQP refusal. */
const AMQP_TEXT = /^(?:(\d{3}) )?([A-Z_]+) - ([\s\S]*)$/;
const CODE_OF_NAME: Record<string, number> = {};
for (const code of [311, 312, 313, 320, 402, 403, 404, 405, 406, 501, 502, 503, 504, 505, 506, 530, 540, 541]) {
  CODE_OF_NAME[replyName(code)] = code;
}

export function errorFromResponse(status: number, body: ErrorBody | undefined, what: string): BrokerError {
  const reason = body?.reason;
  const text = typeof reason === 'string' ? reason : reason === undefined ? `HTTP ${status}` : JSON.stringify(reason);
  if (status === 401 || status === 403) {
    // the user lacks a permission ("Access refused.") or a tag ("Not administrator user")
    if (text === 'Access refused.') return new BrokerError('access_refused', text, { code: 403 });
    return new BrokerError('not_authorised', text);
  }
  if (status === 404) return new BrokerError('not_found', text);
  if (status >= 500 || status === 408 || status === 429) {
    return new BrokerError('unavailable', `${what}: RabbitMQ answered ${status} ${text}`);
  }
  if (typeof reason === 'string') {
    const m = AMQP_TEXT.exec(reason);
    const code = m === null ? undefined : m[1] !== undefined ? Number(m[1]) : CODE_OF_NAME[m[2]];
    if (m !== null && code !== undefined) return BrokerError.amqp(code, m[3]);
    // RabbitMQ's declare handlers leave the reply name out of these two
    if (reason.startsWith('inequivalent arg')) return BrokerError.amqp(406, reason);
    if (reason.startsWith('unknown exchange type')) return BrokerError.amqp(503, reason);
  }
  if (status === 400) return BrokerError.badRequest(reason ?? text);
  return new BrokerError('not_allowed', text);
}

export function unreachable(what: string, err: unknown): BrokerError {
  const cause = err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err);
  return new BrokerError('unavailable', `${what}: ${cause}`);
}

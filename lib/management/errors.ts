// RabbitMQ's error bodies: `{"error": <kind>, "reason": <text or term>}` with the HTTP codes its
// management plugin uses. Handlers throw HttpError; the router turns it into the response.
import { AmqpError } from '../../broker/core/errors';
import { empty, json, type ManagementResponse } from './http';

export class HttpError extends Error {
  readonly status: number;
  readonly error: string;
  readonly reason: unknown;
  readonly headers: Record<string, string>;

  constructor(status: number, error: string, reason: unknown, headers: Record<string, string> = {}) {
    super(typeof reason === 'string' ? reason : JSON.stringify(reason));
    this.name = 'HttpError';
    this.status = status;
    this.error = error;
    this.reason = reason;
    this.headers = headers;
  }

  /** An error with no name has no body either (the 401 that asks a browser for credentials). */
  toResponse(): ManagementResponse {
    if (this.error === '') return empty(this.status, this.headers);
    return json({ error: this.error, reason: this.reason }, this.status, this.headers);
  }
}

export const objectNotFound = () => new HttpError(404, 'Object Not Found', 'Not Found');
export const badRequest = (reason: unknown) => new HttpError(400, 'bad_request', reason);
export const notAuthorised = (reason: string) => new HttpError(401, 'not_authorised', reason);
/** A missing configure/write/read permission: RabbitMQ says this and nothing more. */
export const accessRefused = () => notAuthorised('Access refused.');
/** `[{key_missing,routing_key}]`, RabbitMQ's words for a required field that is absent. */
export const keyMissing = (key: string) => badRequest(`[{key_missing,${key}}]`);

/** The reply text without RabbitMQ's `NAME - ` prefix: how the HTTP API quotes AMQP errors. */
export function detailOf(err: AmqpError): string {
  const i = err.message.indexOf(' - ');
  return i < 0 ? err.message : err.message.slice(i + 3);
}

/**
 * Maps an error from the core to RabbitMQ's HTTP answer for declare/delete/bind operations:
 * 403 → 401 "Access refused.", 404 → 404, 405/406 and the rest → 400 with the reply text.
 */
export function fromAmqp(err: unknown): unknown {
  if (!(err instanceof AmqpError)) return err;
  if (err.code === 403) return accessRefused();
  if (err.code === 404) return new HttpError(404, 'not_found', detailOf(err));
  return badRequest(detailOf(err));
}

/** Runs a core operation, translating its AmqpError as `fromAmqp` does. */
export function amqpOp<T>(op: () => T): T {
  try {
    return op();
  } catch (err) {
    throw fromAmqp(err);
  }
}

/** How publish quotes a core error: `404 NOT_FOUND - no exchange ...`, always a 400. */
export function publishError(err: unknown): unknown {
  if (!(err instanceof AmqpError)) return err;
  return badRequest(`${err.code} ${err.message}`);
}

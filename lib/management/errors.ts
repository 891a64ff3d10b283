// RabbitMQ's error bodies: `{"error": <kind>, "reason": <text or term>}` with the HTTP codes its
// management plugin uses. Handlers throw HttpError or let the broker API's BrokerError through;
// the router turns either into the response.
import { isBrokerError, type BrokerError } from '../../broker/index';
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

export function isHttpError(err: unknown): err is HttpError {
  return err instanceof Error && err.name === 'HttpError' && typeof (err as HttpError).toResponse === 'function';
}

/**
 * RabbitMQ's HTTP answer for a broker refusal of a declare/delete/bind: 403 → 401 "Access
 * refused.", 404 → 404 with the reply text, a malformed input → 400 with its term, the rest → 400.
 */
export function fromBroker(err: BrokerError): HttpError {
  switch (err.kind) {
    case 'access_refused':
      return accessRefused();
    case 'not_found':
      return new HttpError(404, 'not_found', err.detail);
    case 'not_authorised':
      return notAuthorised(err.detail);
    case 'bad_request':
      return badRequest(err.reason);
    case 'unavailable':
      return new HttpError(503, 'service_unavailable', err.detail);
    case 'not_supported':
      return new HttpError(501, 'not_implemented', err.detail);
    default:
      return badRequest(err.detail);
  }
}

/** Any error as an HttpError when it is one the API answers; other errors pass (they are 500s). */
export function toHttpError(err: unknown): unknown {
  if (isHttpError(err)) return err;
  if (isBrokerError(err)) return fromBroker(err);
  return err;
}

/**
 * Runs a broker call, mapping its refusals with `map` first (routes whose RabbitMQ answers differ
 * from fromBroker's, like publish's `404 NOT_FOUND - ...` in a 400).
 */
export async function mapped<T>(op: Promise<T>, map: (err: BrokerError) => HttpError | undefined): Promise<T> {
  try {
    return await op;
  } catch (err) {
    if (isBrokerError(err)) throw map(err) ?? fromBroker(err);
    throw err;
  }
}

/** For `mapped`: the broker's 404 about the URL's own object is the API's plain 404. */
export const notFoundPlain = (err: BrokerError): HttpError | undefined => (err.kind === 'not_found' ? objectNotFound() : undefined);

// Importing messages into an exchange of the embedded broker as a job (broker/api/message-import.ts
// runs it): the exchange and write permission on it are checked before the first message goes, so
// a wrong exchange is a 404 or 403 at once rather than a job whose every publish fails.
import type { BrokerCore } from '../core/broker-core';
import { AmqpError } from '../core/errors';
import { DEFAULT_EXCHANGE_ALIAS } from '../core/publishing';
import { IMPORT_MAX_MESSAGES, IMPORT_MAX_RATE, type Actor, type ImportSpec, type OutgoingMessage, type TransferJob } from '../api/broker-api';
import { BrokerError } from '../api/errors';
import { runImport } from '../api/message-import';
import { checkPermission, requireVhostLogin, vhostFor } from './access';
import { jobsOf } from './message-transfer';

/** The management API's name for the default exchange, also in its permission check. */

const reason = (err: unknown) => (err instanceof AmqpError || err instanceof BrokerError || err instanceof Error ? err.message : String(err));

/** `publish` publishes one message as the broker API's publish does and says whether it was routed. */
export function startImport(core: BrokerCore, who: Actor, vhost: string, spec: ImportSpec, publish: (m: OutgoingMessage) => boolean): TransferJob {
  const vh = vhostFor(core, who, vhost);
  requireVhostLogin(core, who, vhost);
  if (!Number.isFinite(spec.rate) || spec.rate < 0 || spec.rate > IMPORT_MAX_RATE) throw BrokerError.badRequest(`rate must be from 0 to ${IMPORT_MAX_RATE} messages a second`);
  if (spec.messages.length > IMPORT_MAX_MESSAGES) throw BrokerError.badRequest(`at most ${IMPORT_MAX_MESSAGES} messages in one import`);
  const ex = vh.exchanges.get(spec.exchange);
  if (ex === undefined) throw new BrokerError('not_found', `no exchange '${spec.exchange}' in vhost '${vhost}'`, { code: 404 });
  if (ex.internal) throw new BrokerError('access_refused', `cannot publish to internal exchange '${spec.exchange}' in vhost '${vhost}'`, { code: 403 });
  checkPermission(core, who, vhost, 'write', spec.exchange === '' ? DEFAULT_EXCHANGE_ALIAS : spec.exchange, 'exchange');
  const init = { mode: 'import' as const, queue: null, target: { exchange: spec.exchange, routing_key: null }, remaining: spec.messages.length, total: spec.messages.length, rate_limit: spec.rate };
  return jobsOf(core).start(who, vhost, init, (job) => runImport(job, spec, publish, reason));
}

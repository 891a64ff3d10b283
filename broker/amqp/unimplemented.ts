import { AmqpError } from '../core/errors';

/**
 * RabbitMQ 3.10's answer to a well-formed method that a server does not take — one of its own
 * (basic.deliver, channel.open-ok, ...) or a connection method on a channel: connection.close 503
 * "COMMAND_INVALID - unimplemented method" with the method's ids. 540 NOT_IMPLEMENTED is for
 * what RabbitMQ knows and refuses (immediate=true, prefetch_size, channel.flow active=false).
 */
export function unimplemented(m: { classId: number; methodId: number }): AmqpError {
  return new AmqpError(503, 'unimplemented method', 'connection', m.classId, m.methodId);
}

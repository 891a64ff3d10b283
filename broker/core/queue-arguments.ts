import type { FieldTable } from '../amqp/field-table';
import { stableStringify } from './binding';
import { preconditionFailed } from './errors';

/** How RabbitMQ names an argument's value in its inequivalent-arg errors. */
export function describeArg(v: unknown): string {
  if (v === undefined) return 'none';
  return `the value '${typeof v === 'object' ? stableStringify(v) : String(v)}' of type '${argType(v)}'`;
}

function argType(v: unknown): string {
  if (typeof v === 'string') return 'longstr';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'signedint' : 'double';
  return 'table';
}

export function validateQueueArguments(queue: string, vhost: string, args: FieldTable): void {
  const where = `for queue '${queue}' in vhost '${vhost}'`;
  const nonNegInt = (k: string, min = 0) => {
    const v = args[k];
    if (v === undefined) return;
    const n = typeof v === 'bigint' ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isInteger(n)) {
      throw preconditionFailed(`invalid arg '${k}' ${where}: {unacceptable_type,${argType(v)}}`);
    }
    if (n < min) throw preconditionFailed(`invalid arg '${k}' ${where}: {value_${min > 0 ? 'zero' : 'negative'},${n}}`);
  };
  nonNegInt('x-message-ttl');
  nonNegInt('x-expires', 1);
  nonNegInt('x-max-length');
  nonNegInt('x-max-length-bytes');
  nonNegInt('x-max-priority');
  const overflow = args['x-overflow'];
  if (overflow !== undefined && overflow !== 'drop-head' && overflow !== 'reject-publish' && overflow !== 'reject-publish-dlx') {
    throw preconditionFailed(`invalid arg 'x-overflow' ${where}: {unacceptable_value,${String(overflow)}}`);
  }
  const dlx = args['x-dead-letter-exchange'];
  if (dlx !== undefined && typeof dlx !== 'string') {
    throw preconditionFailed(`invalid arg 'x-dead-letter-exchange' ${where}: {unacceptable_type,${argType(dlx)}}`);
  }
  const dlk = args['x-dead-letter-routing-key'];
  if (dlk !== undefined && dlx === undefined) {
    throw preconditionFailed(`invalid arg 'x-dead-letter-routing-key' ${where}: {routing_key_but_no_dlx_defined,${String(dlk)}}`);
  }
}


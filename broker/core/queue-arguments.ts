import { fieldType, type FieldTable, type FieldType, type FieldValue } from './field-values';
import { stableStringify } from './binding';
import { preconditionFailed } from './errors';
import { erlString, expiryError, formatReason, type ErlTerm } from './expiry';

/** RabbitMQ's name of the wire type of `table[key]` (undefined when absent). */
export function rabbitType(table: FieldTable, key: string): string | undefined {
  if (table[key] === undefined) return undefined;
  return RABBIT_TYPE_NAMES[fieldType(table, key)];
}

const RABBIT_TYPE_NAMES: Record<FieldType, string> = {
  boolean: 'bool', int8: 'byte', uint8: 'unsignedbyte', int16: 'short', uint16: 'unsignedshort', int32: 'signedint',
  uint32: 'unsignedint', int64: 'long', float: 'float', double: 'double', decimal: 'decimal', longstr: 'longstr',
  timestamp: 'timestamp', table: 'table', array: 'array', void: 'void', bytes: 'binary',
};

const INTEGER_TYPES = new Set(['byte', 'short', 'signedint', 'long', 'unsignedbyte', 'unsignedshort', 'unsignedint']);

/** A value as RabbitMQ prints it in a reply text (Erlang ~p, or the text itself for strings). */
function printValue(v: FieldValue, type: string | undefined): string {
  if (typeof v === 'number' && (type === 'float' || type === 'double') && Number.isInteger(v)) return `${v}.0`;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  return stableStringify(v);
}

/** Integer types compare as one class, as do float and double; every other type only with itself. */
const typeClass = (t: string): string => (INTEGER_TYPES.has(t) ? 'int' : t === 'float' ? 'double' : t);

/**
 * RabbitMQ's 406 text when argument `key` of a redeclare differs from the existing one, or
 * undefined when they are equivalent. With both present it prints the two values; with one
 * missing it names the other's type.
 */
export function inequivalentArg(key: string, where: string, current: FieldTable, received: FieldTable): string | undefined {
  const a = current[key];
  const b = received[key];
  const ta = rabbitType(current, key);
  const tb = rabbitType(received, key);
  if (ta === undefined && tb === undefined) return undefined;
  if (ta !== undefined && tb !== undefined) {
    const same = typeof a === 'string' || typeof a === 'boolean' || typeof a === 'object'
      ? stableStringify(a) === stableStringify(b)
      : (typeof b === 'number' || typeof b === 'bigint') && Number(a) === Number(b);
    if (same && typeClass(ta) === typeClass(tb)) return undefined;
    return `inequivalent arg '${key}' ${where}: received '${printValue(b, tb)}' but current is '${printValue(a, ta)}'`;
  }
  const describe = (v: FieldValue, t: string | undefined) => (t === undefined ? 'none' : `the value '${printValue(v, t)}' of type '${t}'`);
  return `inequivalent arg '${key}' ${where}: received ${describe(b, tb)} but current is ${describe(a, ta)}`;
}

/**
 * RabbitMQ 3.10's checks of queue arguments, in its order, with its reasons (printed as Erlang
 * terms, so `"expected integer, got longstr"` keeps its quotes).
 */
export function validateQueueArguments(queue: string, vhost: string, args: FieldTable): void {
  const where = `for queue '${queue}' in vhost '${vhost}'`;
  const fail = (k: string, reason: ErlTerm): never => {
    const head = `invalid arg '${k}' ${where}: `;
    throw preconditionFailed(`${head}${formatReason(reason, Buffer.byteLength(head), 255)}`);
  };
  /** the value as a bigint; any type but an integer one fails */
  const int = (k: string): bigint | undefined => {
    const t = rabbitType(args, k);
    if (t === undefined) return undefined;
    if (!INTEGER_TYPES.has(t)) fail(k, erlString(`expected integer, got ${t}`));
    return BigInt(args[k] as number | bigint);
  };
  const nonNegInt = (k: string): bigint | undefined => {
    const n = int(k);
    if (n !== undefined && n < 0n) fail(k, { tuple: ['value_negative', String(n)] });
    return n;
  };
  const expires = int('x-expires');
  if (expires === 0n) fail('x-expires', { tuple: ['value_zero', '0'] });
  if (expires !== undefined) {
    const e = expiryError(expires);
    if (e !== undefined) fail('x-expires', e);
  }
  const ttl = int('x-message-ttl');
  if (ttl !== undefined) {
    const e = expiryError(ttl);
    if (e !== undefined) fail('x-message-ttl', e);
  }
  const dlxType = rabbitType(args, 'x-dead-letter-exchange');
  if (dlxType !== undefined && dlxType !== 'longstr') {
    throw preconditionFailed(`invalid type '${dlxType}' for arg 'x-dead-letter-exchange' in queue '${queue}' in vhost '${vhost}'`);
  }
  const dlkType = rabbitType(args, 'x-dead-letter-routing-key');
  if (dlkType !== undefined && dlkType !== 'longstr') fail('x-dead-letter-routing-key', { tuple: ['unacceptable_type', dlkType] });
  if (dlkType !== undefined && dlxType === undefined) fail('x-dead-letter-routing-key', 'routing_key_but_no_dlx_defined');
  nonNegInt('x-max-length');
  nonNegInt('x-max-length-bytes');
  const priority = nonNegInt('x-max-priority');
  if (priority !== undefined && priority > 255n) fail('x-max-priority', { tuple: ['max_value_exceeded', String(priority)] });
  const oneOf = (k: string, allowed: string[], unsupported?: string) => {
    const t = rabbitType(args, k);
    if (t === undefined) return;
    if (t !== 'longstr') fail(k, { tuple: ['unacceptable_type', t] });
    const v = String(args[k]);
    if (!allowed.includes(v)) fail(k, unsupported === undefined ? 'invalid_overflow' : erlString(`unsupported ${unsupported} '${v}'`));
  };
  oneOf('x-overflow', ['drop-head', 'reject-publish', 'reject-publish-dlx']);
  oneOf('x-queue-mode', ['default', 'lazy'], 'queue mode');
  const sac = rabbitType(args, 'x-single-active-consumer');
  if (sac !== undefined && sac !== 'bool') fail('x-single-active-consumer', { tuple: ['unacceptable_type', sac] });
  oneOf('x-queue-type', ['classic', 'quorum', 'stream'], 'queue type');
}

/** RabbitMQ's checks of basic.consume arguments (x-priority must be an integer). */
export function validateConsumeArguments(queue: string, vhost: string, args: FieldTable): void {
  const t = rabbitType(args, 'x-priority');
  if (t === undefined || INTEGER_TYPES.has(t)) return;
  const head = `invalid arg 'x-priority' for queue '${queue}' in vhost '${vhost}': `;
  throw preconditionFailed(`${head}${formatReason(erlString(`expected integer, got ${t}`), Buffer.byteLength(head), 255)}`);
}

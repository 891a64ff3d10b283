// Expiry values (per-message `expiration`, x-message-ttl, x-expires) and the Erlang-term wording of
// the errors about them: RabbitMQ prints the reason with io_lib's ~p, and clients compare texts.

/** The largest TTL RabbitMQ accepts, in milliseconds (ten years). */
export const MAX_EXPIRY_MS = 315_360_000_000n;

/** An Erlang term as ~p prints it, kept structured so a long tuple can be wrapped the same way. */
export type ErlTerm = string | { tuple: [string, string] };

/** `v` printed by ~p as an Erlang string: quoted when every byte is printable latin-1, else a list of bytes. */
export function erlString(v: string): string {
  const bytes = Buffer.from(v, 'utf8');
  const printable = bytes.every((b) => (b >= 32 && b <= 126) || b >= 160 || b === 9 || b === 10);
  if (!printable) return `[${[...bytes].join(',')}]`;
  return `"${v.replace(/[\\"]/g, (c) => `\\${c}`).replace(/\n/g, '\\n').replace(/\t/g, '\\t')}"`;
}

/**
 * The reason as ~p writes it when it starts at column `col` (bytes of text before it): a tuple that
 * does not fit the line (width − 2, as observed for RabbitMQ 3.10) goes on two lines, the second
 * indented under the tuple's first element.
 */
export function formatReason(reason: ErlTerm, col: number, width = 80): string {
  if (typeof reason === 'string') return reason;
  const [a, b] = reason.tuple;
  const flat = `{${a},${b}}`;
  if (col + Buffer.byteLength(flat) <= width - 2) return flat;
  return `{${a},\n${' '.repeat(col + 1)}${b}}`;
}

/** RabbitMQ's check of an expiry in milliseconds: its error reason, or undefined when fine. */
export function expiryError(n: bigint): ErlTerm | undefined {
  if (n < 0n) return { tuple: ['value_negative', String(n)] };
  if (n > MAX_EXPIRY_MS) return { tuple: ['value_too_large', String(n)] };
  return undefined;
}

/**
 * The 406 text for an invalid `expiration` property, or undefined when RabbitMQ takes it. The value
 * is read like Erlang's string:to_integer: an optional sign, digits, nothing after them.
 */
export function invalidExpiration(expiration: string): string | undefined {
  const m = /^([+-]?\d+)(.*)$/s.exec(expiration);
  let reason: ErlTerm | undefined;
  if (m === null) reason = 'no_integer';
  else if (m[2] !== '') reason = { tuple: ['leftover_string', erlString(m[2])] };
  else reason = expiryError(BigInt(m[1]));
  if (reason === undefined) return undefined;
  const head = `invalid expiration '${expiration}': `;
  return `${head}${formatReason(reason, Buffer.byteLength(head))}`;
}

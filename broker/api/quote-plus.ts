// mochiweb's quote_plus, which RabbitMQ's management API uses to put names in URLs and in a
// binding's `properties_key`: bytes other than alphanumerics and `.-~_` as %XX, space as `+`.
export function quotePlus(s: string): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const ch = String.fromCharCode(byte);
    if (/[A-Za-z0-9.\-~_]/.test(ch)) out += ch;
    else if (byte === 0x20) out += '+';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

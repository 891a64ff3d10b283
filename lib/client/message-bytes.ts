// A browsed body arrives as base64 bytes; the console shows it as text, JSON or a hex dump. These
// turn the bytes into each, bounded so that a large body cannot freeze the page.

export function base64ToBytes(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** How many bytes a base64 text holds, without decoding it. */
export function base64Length(b64: string): number {
  const pad = b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0;
  return Math.floor((b64.length * 3) / 4) - pad;
}

/** The bytes as UTF-8 text, or null when they are not UTF-8 (a truncated body may end mid-character: that tail is allowed). */
export function utf8Text(bytes: Uint8Array, truncated: boolean): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    if (!truncated) return null;
    // up to three bytes of a character cut off by the truncation
    for (let cut = 1; cut <= 3 && cut < bytes.length; cut++) {
      try {
        return new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, bytes.length - cut));
      } catch {
        // try a shorter one
      }
    }
    return null;
  }
}

/** JSON parsed from text that is an object or array; undefined otherwise. */
export function jsonOf(text: string | null): unknown {
  if (text === null) return undefined;
  const t = text.trim();
  if (!(t.startsWith('{') || t.startsWith('['))) return undefined;
  try {
    return JSON.parse(t);
  } catch {
    return undefined;
  }
}

export const HEX_MAX_BYTES = 64 * 1024;

/** `00000010  68 65 6c 6c …  |hell…|` lines, 16 bytes each, for at most HEX_MAX_BYTES. */
export function hexDump(bytes: Uint8Array): string {
  const n = Math.min(bytes.length, HEX_MAX_BYTES);
  const lines: string[] = [];
  for (let off = 0; off < n; off += 16) {
    const row = bytes.subarray(off, Math.min(off + 16, n));
    let hex = '';
    let ascii = '';
    for (let i = 0; i < 16; i++) {
      if (i < row.length) {
        hex += row[i].toString(16).padStart(2, '0') + (i === 7 ? '  ' : ' ');
        ascii += row[i] >= 0x20 && row[i] < 0x7f ? String.fromCharCode(row[i]) : '.';
      } else hex += i === 7 ? '    ' : '   ';
    }
    lines.push(`${off.toString(16).padStart(8, '0')}  ${hex} |${ascii}|`);
  }
  return lines.join('\n');
}

/** A one-line preview of a body for the list: text as is, JSON compacted, else a note. */
export function previewOf(b64: string, truncated: boolean): string {
  const bytes = base64ToBytes(b64);
  const text = utf8Text(bytes, truncated);
  if (text === null) return `binary, ${bytes.length} bytes shown`;
  return text.replace(/\s+/g, ' ').slice(0, 200);
}

// How the publish form sends its body. "Auto" (the default) looks at the body: a JSON object or
// array goes as JSON (content type application/json), anything else — `hello`, `42 apples` — as
// plain text. Only a body the user marked as JSON has to parse.

export type BodyFormat = 'auto' | 'text' | 'json';

export interface BodyCheck {
  /** what the body will be sent as */
  sentAs: 'text' | 'json';
  /** why the body cannot be sent (only when marked JSON) */
  error: string | null;
}

/** A body that parses as a JSON object or array; scalars (`42`, `"x"`, `true`) read as text. */
export function looksLikeJson(body: string): boolean {
  const t = body.trim();
  if (!(t.startsWith('{') || t.startsWith('['))) return false;
  try {
    JSON.parse(t);
    return true;
  } catch {
    return false;
  }
}

export function checkBody(body: string, format: BodyFormat): BodyCheck {
  if (format === 'text') return { sentAs: 'text', error: null };
  if (format === 'auto') return { sentAs: looksLikeJson(body) ? 'json' : 'text', error: null };
  try {
    JSON.parse(body);
    return { sentAs: 'json', error: null };
  } catch (err) {
    return { sentAs: 'json', error: err instanceof Error ? err.message : 'not JSON' };
  }
}

/** A saved template's format; older templates knew only text and JSON. */
export function parseBodyFormat(v: unknown): BodyFormat {
  return v === 'text' || v === 'json' || v === 'auto' ? v : 'auto';
}

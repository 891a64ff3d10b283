// Where the login page sends the browser afterwards: the `next` parameter, but only when it names a
// path on this site. Browsers read `\` as `/` and drop tabs and newlines, so `/\evil.example` or
// `/\t/evil.example` are other hosts; the URL parser decides, not a prefix check.

/** A same-origin path (with query and hash) from `next`, or `/`. */
export function loginTarget(next: string | null, origin: string): string {
  if (next === null || !next.startsWith('/')) return '/';
  let url: URL;
  try {
    url = new URL(next, origin);
  } catch {
    return '/';
  }
  if (url.origin !== new URL(origin).origin) return '/';
  const path = url.pathname + url.search + url.hash;
  // `//host` would again be another site when handed to the router
  if (!path.startsWith('/') || path.startsWith('//') || path.includes('\\')) return '/';
  return path;
}

// What keeps another site from acting with the console's login cookie. SameSite=Strict already
// keeps the cookie off cross-site requests; on top of that, a request that changes something with
// the cookie must carry CSRF_HEADER (a cross-site form cannot set a header, and a cross-site script
// would need a CORS preflight that Warren never grants) and, when it says where it comes from, an
// Origin of this very host. WebSocket handshakes get no CORS at all: with the cookie, their Origin
// must be present and this host.

export const CSRF_HEADER = 'x-warren-csrf';

/** Origin names the host the request was sent to; undefined Origin is left to the caller. */
export function sameOrigin(origin: string | undefined, host: string | undefined): boolean {
  if (origin === undefined || host === undefined) return false;
  try {
    return new URL(origin).host === host.toLowerCase();
  } catch {
    return false;
  }
}

/** Why a cookie-authenticated change is refused, or undefined when it may go ahead. */
export function csrfRefusal(headers: Record<string, string | undefined>): string | undefined {
  if (headers[CSRF_HEADER] === undefined) return `a request that changes something needs the ${CSRF_HEADER} header`;
  const origin = headers.origin;
  if (origin !== undefined && !sameOrigin(origin, headers.host)) return 'cross-origin request refused';
  return undefined;
}

// warrenctl's HTTP side: calls a running Warren's management API with basic auth and turns its
// error bodies into CtlError (with rabbitmqctl-like exit codes).

/** sysexits.h codes, as rabbitmqctl uses them. */
export const EXIT = { ok: 0, usage: 64, dataErr: 65, noUser: 67, unavailable: 69, software: 70 } as const;

export class CtlError extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
    this.name = 'CtlError';
  }
}

export interface Credentials {
  baseUrl: string;
  user: string;
  password: string;
}

export class ManagementClient {
  constructor(private readonly creds: Credentials) {}

  async request(method: string, path: string, body?: unknown): Promise<unknown> {
    const text = await this.send(method, path, body === undefined ? undefined : { text: JSON.stringify(body), type: 'application/json' });
    try {
      return text === '' ? undefined : JSON.parse(text);
    } catch {
      return text;
    }
  }

  /** A call whose body and answer are text of their own type (JSON Lines), not JSON. */
  async send(method: string, path: string, body?: { text: string; type: string }): Promise<string> {
    const { baseUrl, user, password } = this.creds;
    const headers: Record<string, string> = { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` };
    if (body !== undefined) headers['content-type'] = body.type;
    let res: Response;
    try {
      res = await fetch(new URL(path, baseUrl), { method, headers, body: body?.text });
    } catch (err) {
      const why = err instanceof Error && err.cause instanceof Error ? err.cause.message : String(err);
      throw new CtlError(`unable to reach Warren at ${baseUrl}: ${why}`, EXIT.unavailable);
    }
    const text = await res.text();
    if (res.ok) return text;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
    const reason = typeof parsed === 'object' && parsed !== null && 'reason' in parsed ? (parsed as { reason: unknown }).reason : text;
    const message = typeof reason === 'string' ? reason : JSON.stringify(reason);
    if (res.status === 401) throw new CtlError(message === '' ? 'authentication failed' : message, EXIT.noUser);
    if (res.status === 404) throw new CtlError(message === 'Not Found' ? 'not found' : message, EXIT.dataErr);
    throw new CtlError(message, res.status >= 500 ? EXIT.software : EXIT.dataErr);
  }

  get = (path: string) => this.request('GET', path);
  put = (path: string, body: unknown = {}) => this.request('PUT', path, body);
  post = (path: string, body: unknown) => this.request('POST', path, body);
  del = (path: string) => this.request('DELETE', path);
}

/** One path segment: `%2F` for the default vhost. */
export const seg = (s: string): string => encodeURIComponent(s);

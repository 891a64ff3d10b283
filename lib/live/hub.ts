// The live hub: every browser session on /api/ws, and what they share. All a browser sees comes
// through the broker API — a vhost watch per session (snapshot, diffs, stats ticks, flow events
// within the session's budget) and API consumers — so the hub works alike on any broker behind it,
// and the broker does the console's work only while a session watches. The hub itself listens for
// access changes (users, tags, permissions, deleted vhosts) only while a browser is connected.
import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import type { AccessEvent, BrokerApi, BrokerInfo, Logger } from '../../broker/index';
import type { LoginSessions } from '../management/sessions';
import type { ServerMessage } from './protocol';
import { LiveSession, type SessionHost } from './session';

export class LiveHub implements SessionHost {
  readonly api: BrokerApi;
  readonly authTimeoutMs: number;
  readonly sessions: LoginSessions | undefined;
  private readonly log: Logger;
  private readonly live = new Set<LiveSession>();
  private stopListening: (() => void) | undefined;
  private info: Promise<BrokerInfo> | undefined;
  /**
   * JSON of what the broker hands several sessions as one object (a vhost's stats tick, a diff
   * every monitor sees), so it is encoded once however many browsers watch.
   */
  private readonly texts = new WeakMap<object, string>();

  /** ends the hub's interest in login sessions (logout closes the sockets opened with that login) */
  private readonly stopLoginWatch: (() => void) | undefined;

  constructor(api: BrokerApi, options: { authTimeoutMs: number; log: Logger; sessions?: LoginSessions }) {
    this.api = api;
    this.authTimeoutMs = options.authTimeoutMs;
    this.log = options.log;
    this.sessions = options.sessions;
    this.stopLoginWatch = this.sessions?.onEnd(this.onLoginsEnded);
  }

  /** `loginId`: the login cookie of a same-origin browser, which then needs no `auth` message. */
  accept(ws: WebSocket, req: IncomingMessage, loginId?: string): LiveSession {
    const session = new LiveSession(this, ws, req, loginId);
    this.live.add(session);
    // wanted for the hello once the browser has logged in: asked meanwhile (a remote cluster's overview, 70-110 ms)
    this.brokerInfo().catch(() => {});
    this.stopListening ??= this.api.onAccessChange(this.onAccessChange);
    return session;
  }

  closed(session: LiveSession): void {
    this.live.delete(session);
    if (this.live.size === 0 && this.stopListening !== undefined) {
      this.stopListening();
      this.stopListening = undefined;
    }
  }

  close(): void {
    this.stopLoginWatch?.();
    for (const s of [...this.live]) {
      s.ws.terminate();
      s.release();
    }
  }

  /** For `hello`: asked once, and again only if asking failed. */
  brokerInfo(): Promise<BrokerInfo> {
    const info = (this.info ??= this.api.info());
    info.catch(() => {
      if (this.info === info) this.info = undefined;
    });
    return info;
  }

  encoded(shared: object, message: () => ServerMessage): string {
    let text = this.texts.get(shared);
    if (text === undefined) this.texts.set(shared, (text = JSON.stringify(message())));
    return text;
  }

  /** Listeners and timers report their failures here instead of taking the server down. */
  failed(what: string, err: unknown): void {
    this.log.error(`live hub (${what}): ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  }

  /** Logins ended (logout, expiry, a new login in its place): their sockets go too. */
  private readonly onLoginsEnded = (ids: readonly string[]): void => {
    if (this.live.size === 0) return;
    const ended = new Set(ids);
    for (const s of [...this.live]) if (s.loginId !== undefined && ended.has(s.loginId)) s.loginEnded();
  };

  /** The broker calls this inside whatever changed access: it must never throw. */
  private readonly onAccessChange = (e: AccessEvent): void => {
    try {
      for (const s of [...this.live]) {
        if (e.type === 'users.changed') s.recheckUser();
        else s.vhostDeleted(e.name);
      }
    } catch (err) {
      this.failed('access change', err);
    }
  };
}

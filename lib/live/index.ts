// The console's live endpoint at /api/ws: server.ts hands it the HTTP upgrades for that path.
// A `ws` server in noServer mode; each socket becomes a session of the hub (see hub.ts, session.ts
// and protocol.ts for what goes over it). It works on whatever broker the BrokerApi stands for.
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { createLogger, type BrokerApi, type Logger } from '../../broker/index';
import { sameOrigin } from '../management/browser-origin';
import { sessionIdOf } from '../management/session-cookie';
import type { LoginSessions } from '../management/sessions';
import { LiveHub } from './hub';
import { AUTH_TIMEOUT_MS } from './session';

/** Browser messages are small; a bigger frame is a protocol error (close 1009). */
export const MAX_CLIENT_MESSAGE_BYTES = 64 * 1024;

export interface LiveEndpoint {
  handleUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void;
  close(): void;
}

export interface LiveOptions {
  /** ms a browser has to send `auth` (default AUTH_TIMEOUT_MS, 5 s); tests shorten it */
  authTimeoutMs?: number;
  /** where failures inside the hub and its sessions are reported (default: stderr at info level) */
  log?: Logger;
  /** the console's login sessions: a browser with the login cookie needs no `auth` message */
  sessions?: LoginSessions;
}

export function createLiveEndpoint(api: BrokerApi, options: LiveOptions = {}): LiveEndpoint {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_MESSAGE_BYTES, perMessageDeflate: false });
  const hub = new LiveHub(api, { authTimeoutMs: options.authTimeoutMs ?? AUTH_TIMEOUT_MS, log: options.log ?? createLogger('info'), sessions: options.sessions });
  return {
    handleUpgrade(req, socket, head) {
      // Browsers send Origin with WebSocket handshakes but apply no CORS to them: a page from
      // another site must not get in (cross-site WebSocket hijacking with the login cookie).
      const origin = req.headers.origin;
      if (origin !== undefined && !sameOrigin(origin, req.headers.host)) return rejectUpgrade(socket, 403, 'Forbidden');
      // the cookie counts only from a browser that said where the page came from; others send `auth`
      const loginId = origin === undefined || options.sessions === undefined ? undefined : sessionIdOf(req.headers.cookie, options.sessions.cookieName);
      wss.handleUpgrade(req, socket, head, (ws) => {
        hub.accept(ws, req, loginId);
      });
    },
    close() {
      hub.close();
      wss.close();
    },
  };
}

function rejectUpgrade(socket: Duplex, status: number, text: string): void {
  if (socket.writable) socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  socket.destroy();
}

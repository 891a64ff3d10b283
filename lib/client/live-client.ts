// The WebSocket to /api/ws: the browser's login cookie goes with the handshake (same origin), so
// the socket only picks a vhost, and reconnects with backoff when the connection drops. Messages are handed to one listener; what
// they change (query cache, stores) is decided in use-live.ts.
import { brokerPath } from './broker-choice';
import type { ClientMessage, ServerMessage } from '../live/protocol';
import type { LiveStatus } from './live-status';

export interface LiveCallbacks {
  message(msg: ServerMessage): void;
  status(status: LiveStatus, reason: string): void;
  /** the socket closed: anything tied to it (browser consumers) is gone */
  disconnected(): void;
}

/** The hub closes with this code when authentication fails. */
const CLOSE_UNAUTHORISED = 4401;

const BACKOFF_MS = [300, 600, 1200, 2500, 5000, 10_000];

export class LiveClient {
  private ws: WebSocket | null = null;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = true;
  private vhost = '/';
  private budget = 50;

  constructor(private readonly callbacks: LiveCallbacks) {}

  start(vhost: string): void {
    this.vhost = vhost;
    this.stopped = false;
    this.attempt = 0;
    this.open();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      ws.onclose = null;
      ws.close(1000, 'logout');
    }
    this.callbacks.disconnected();
    this.callbacks.status('idle', '');
  }

  setVhost(vhost: string): void {
    if (vhost === this.vhost) return;
    this.vhost = vhost;
    this.send({ type: 'vhost', vhost });
  }

  setFlowBudget(budget: number): void {
    this.budget = budget;
    this.send({ type: 'flow', budget });
  }

  get isOpen(): boolean {
    return this.ws !== null && this.ws.readyState === WebSocket.OPEN;
  }

  /** false when the socket is not open (the message is dropped) */
  send(msg: ClientMessage): boolean {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(msg));
    return true;
  }

  private open(): void {
    if (this.stopped) return;
    this.callbacks.status(this.attempt === 0 ? 'connecting' : 'reconnecting', '');
    const url = `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}${brokerPath('/api/ws')}`;
    let ws: WebSocket;
    try {
      ws = new WebSocket(url);
    } catch {
      this.schedule('cannot open the live connection');
      return;
    }
    this.ws = ws;
    let greeted = false;
    ws.onopen = () => {
      ws.send(JSON.stringify({ type: 'vhost', vhost: this.vhost } satisfies ClientMessage));
      if (this.budget !== 50) ws.send(JSON.stringify({ type: 'flow', budget: this.budget } satisfies ClientMessage));
    };
    ws.onmessage = (ev: MessageEvent) => {
      if (typeof ev.data !== 'string') return;
      let msg: ServerMessage;
      try {
        msg = JSON.parse(ev.data) as ServerMessage;
      } catch {
        return;
      }
      if (typeof msg !== 'object' || msg === null || typeof msg.type !== 'string') return;
      if (msg.type === 'hello' || msg.type === 'snapshot') {
        if (!greeted) {
          greeted = true;
          this.attempt = 0;
          this.callbacks.status('open', '');
        }
      }
      this.callbacks.message(msg);
    };
    ws.onclose = (ev: CloseEvent) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.callbacks.disconnected();
      if (this.stopped) return;
      if (ev.code === CLOSE_UNAUTHORISED && ev.reason !== '' && !/timeout/i.test(ev.reason)) {
        // an ended login does not come back by retrying
        this.stopped = true;
        this.callbacks.status('refused', ev.reason);
        return;
      }
      this.schedule(ev.reason || 'live connection lost');
    };
    ws.onerror = () => {
      /* onclose follows */
    };
  }

  private schedule(reason: string): void {
    if (this.stopped) return;
    const base = BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)];
    this.attempt++;
    this.callbacks.status('reconnecting', reason);
    const delay = base * (0.8 + Math.random() * 0.4);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.open();
    }, delay);
  }
}

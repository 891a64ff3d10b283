// The fuzzer's own end of one raw TCP connection: it takes the handshake as far as a case asks,
// sends the case's bytes, and keeps everything the broker answers — frames (checked for framing),
// the connection.close or close-ok, channel.close codes, and the socket closing.
import net from 'node:net';
import {
  Bytes, FRAME_METHOD, PROTOCOL_HEADER, frame, methodPayload, readClose, splitServerFrames, streamEnd, tableBody,
  type ServerFrame,
} from './wire-fuzz-frames';
import { caseChunks, type FuzzCase, type Stage } from './wire-fuzz-cases';

const STEP_MS = 2000;
/** frame_max the broker holds its frames to before tune-ok */
const UNTUNED_FRAME_MAX = 131072;

const method = (channel: number, classId: number, methodId: number, args: Buffer = Buffer.alloc(0)) =>
  frame(FRAME_METHOD, channel, methodPayload({ classId, methodId }, args));

const isMethod = (f: ServerFrame, classId: number, methodId: number) =>
  f.type === FRAME_METHOD && f.payload.length >= 4 && f.payload.readUInt16BE(0) === classId && f.payload.readUInt16BE(2) === methodId;

export class FuzzConnection {
  closed = false;
  /** the broker's connection.close, if it sent one */
  close: { code: number; text: string; classId: number; methodId: number } | undefined;
  closeOk = false;
  readonly channelCloses: number[] = [];
  /** what was wrong with the broker's framing, if anything */
  badFraming: string | undefined;
  private frameMax = UNTUNED_FRAME_MAX;
  private buf: Buffer = Buffer.alloc(0);
  private readonly frames: ServerFrame[] = [];
  private wake: (() => void) | undefined;

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => {
      this.buf = this.buf.length === 0 ? d : Buffer.concat([this.buf, d]);
      this.parse();
      this.wake?.();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake?.();
    });
    socket.on('error', () => {}); // a reset shows up as `closed`
  }

  static connect(port: number, host = '127.0.0.1'): Promise<FuzzConnection> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, host, () => {
        s.off('error', reject);
        s.setNoDelay(true);
        resolve(new FuzzConnection(s));
      });
      s.once('error', reject);
    });
  }

  private parse(): void {
    if (this.badFraming !== undefined) return;
    let split;
    try {
      split = splitServerFrames(this.buf, this.frameMax);
    } catch (err) {
      this.badFraming = (err as Error).message;
      return;
    }
    this.buf = split.rest;
    for (const f of split.frames) {
      this.frames.push(f);
      if (f.type !== FRAME_METHOD || f.payload.length < 4) continue;
      const id = f.payload.readUInt32BE(0);
      try {
        if (id === 0x000a0032) this.close ??= readClose(f.payload);
        else if (id === 0x000a0033) this.closeOk = true;
        else if (id === 0x00140028) this.channelCloses.push(readClose(f.payload).code);
      } catch {
        this.badFraming = `unreadable close from the server: ${f.payload.toString('hex')}`;
      }
    }
  }

  /** How the exchange ended, for tallies and comparisons. */
  outcome(): string {
    if (this.close !== undefined) return `close ${this.close.code}`;
    if (this.closeOk) return 'close-ok';
    return this.closed ? 'socket closed' : 'open';
  }

  /** Waits until `done()` holds, the socket closes, or `ms` pass; returns `done()`. */
  async waitFor(done: () => boolean, ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (!done() && !this.closed) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.wake = undefined;
    }
    return done();
  }

  /** Waits for the next method `classId.methodId` on `channel`; throws if something else ends the wait. */
  private async expect(what: string, channel: number, classId: number, methodId: number): Promise<void> {
    const from = this.frames.length;
    const found = () => this.frames.slice(from).some((f) => f.channel === channel && isMethod(f, classId, methodId));
    if (!(await this.waitFor(() => found() || this.close !== undefined, STEP_MS)) || !found()) {
      const why = this.close ? `connection.close ${this.close.code} ${this.close.text}` : this.closed ? 'the socket closed' : `nothing in ${STEP_MS} ms`;
      throw new Error(`handshake: expected ${what}, got ${why}`);
    }
  }

  /** A well-behaved client's handshake, up to `stage`. */
  async handshake(stage: Stage, frameMax: number, vhost = '/', user = 'guest', pass = 'guest'): Promise<void> {
    this.send(PROTOCOL_HEADER);
    await this.expect('connection.start', 0, 10, 10);
    if (stage === 'header') return;
    const capabilities = tableBody([
      { key: Buffer.from('authentication_failure_close'), value: { tag: 0x74, bytes: Buffer.from([1]) } },
      { key: Buffer.from('consumer_cancel_notify'), value: { tag: 0x74, bytes: Buffer.from([1]) } },
    ]);
    const props = tableBody([
      { key: Buffer.from('product'), value: { tag: 0x53, bytes: new Bytes().longstr('warren-wire-fuzz').build() } },
      { key: Buffer.from('capabilities'), value: { tag: 0x46, bytes: new Bytes().longstr(capabilities).build() } },
    ]);
    this.send(method(0, 10, 11, new Bytes().longstr(props).shortstr('PLAIN').longstr(`\0${user}\0${pass}`).shortstr('en_US').build()));
    await this.expect('connection.tune', 0, 10, 30);
    if (stage === 'start-ok') return;
    this.send(method(0, 10, 31, new Bytes().short(2047).long(frameMax).short(0).build()));
    this.frameMax = frameMax;
    if (stage === 'tune-ok') return;
    this.send(method(0, 10, 40, new Bytes().shortstr(vhost).shortstr('').bit(false).build()));
    await this.expect('connection.open-ok', 0, 10, 41);
    if (stage === 'open') return;
    this.send(method(1, 20, 10, new Bytes().shortstr('').build()));
    await this.expect('channel.open-ok', 1, 20, 11);
  }

  /**
   * Sends a case's bytes (after its handshake) and waits for what must answer them: for whole
   * frames, the answer to a connection.close sent after them; for a frame the broker cannot read
   * on from, its connection.close; for a frame left unfinished, nothing (a broker waits for the
   * rest). Returns how the bytes ended and, if the answer did not come within `answerMs`, why not.
   */
  async play(c: FuzzCase, answerMs: number): Promise<{ end: 'aligned' | 'partial' | 'fatal'; unanswered: string | undefined }> {
    const chunks = caseChunks(c);
    for (let i = 0; i < chunks.length; i++) {
      if (i > 0) await new Promise((r) => setImmediate(r));
      this.send(chunks[i]);
    }
    const limit = c.stage === 'header' || c.stage === 'start-ok' ? UNTUNED_FRAME_MAX : c.frameMax;
    const end = streamEnd(Buffer.concat(chunks), limit);
    let unanswered: string | undefined;
    if (end === 'aligned') {
      this.sendClose();
      if (!(await this.waitFor(() => this.close !== undefined || this.closeOk, answerMs)) && !this.closed) {
        unanswered = `no answer to connection.close within ${answerMs} ms after whole frames`;
      }
    } else if (end === 'fatal') {
      if (!(await this.waitFor(() => this.close !== undefined, answerMs)) && !this.closed) {
        unanswered = `no connection.close within ${answerMs} ms after a frame that cannot be read`;
      }
    } else {
      await this.waitFor(() => this.close !== undefined, 10);
    }
    return { end, unanswered };
  }

  send(b: Buffer): void {
    if (!this.socket.destroyed) this.socket.write(b);
  }

  /** connection.close from the client: a well-framed stream must get an answer to it. */
  sendClose(): void {
    this.send(method(0, 10, 50, new Bytes().short(200).shortstr('wire fuzz case done').short(0).short(0).build()));
  }

  sendCloseOk(): void {
    this.send(method(0, 10, 51));
  }

  destroy(): void {
    this.socket.destroy();
  }
}

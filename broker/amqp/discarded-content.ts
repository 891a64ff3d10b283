import { AmqpError } from '../core/errors';
import { METHODS, type AmqpMethod } from './generated/protocol';

/** Methods the spec says carry content: basic.publish, and the server's basic.return, deliver, get-ok. */
const CARRIES_CONTENT = new Set(METHODS.filter((m) => m.content).map((m) => m.name as string));

export function carriesContent(m: AmqpMethod): boolean {
  return CARRIES_CONTENT.has(m.name);
}

/**
 * The content of a method that will be refused once its content is whole: a content-carrying
 * method on a channel that is not open (504), or one only a server sends (basic.deliver, 503); or
 * content arriving on a channel that is closing, which is dropped. RabbitMQ's command assembler
 * gathers a method's content before its channel looks at the method, and goes on following
 * content while a channel closes, so what is wrong with the content (a method in its middle, a
 * header of another class, a body with no method) is what it answers. The body is counted, never kept.
 */
export class DiscardedContent {
  constructor(
    private readonly method: { classId: number; methodId: number },
    /** what the method earns once its content is whole; none for content the channel drops while closing */
    readonly refusal?: AmqpError,
    /** body size from the content header; -1 until the header has come */
    private size = -1,
    private received = 0,
  ) {}

  /** A method frame where the content should be. */
  interrupted(): AmqpError {
    const detail = this.size < 0
      ? `expected content header for class ${this.method.classId}, got non content header frame instead`
      : 'expected content body, got non content body frame instead';
    return new AmqpError(505, detail, 'connection', this.method.classId, this.method.methodId);
  }

  /** The content header (at least the 12 octets checkFrame let through); true once the content is whole. */
  header(payload: Buffer): boolean {
    if (this.size >= 0) throw unexpectedContent();
    if (payload.readUInt16BE(2) !== 0) throw this.interrupted(); // weight must be 0: no content header at all
    const classId = payload.readUInt16BE(0);
    if (classId !== this.method.classId) {
      throw new AmqpError(505, `expected content header for class ${this.method.classId}, got one for class ${classId} instead`, 'connection', this.method.classId, this.method.methodId);
    }
    this.size = payload.readUInt32BE(4) * 0x100000000 + payload.readUInt32BE(8);
    return this.size === 0;
  }

  /** A body frame; true once the content is whole. */
  body(payload: Buffer): boolean {
    if (this.size < 0) throw unexpectedContent();
    this.received += payload.length;
    if (this.received > this.size) {
      throw new AmqpError(505, `content body of ${this.received} bytes exceeds the ${this.size} bytes declared in its header`, 'connection', this.method.classId, this.method.methodId);
    }
    return this.received === this.size;
  }
}

/** A content frame with no method waiting for it. */
export function unexpectedContent(): AmqpError {
  return new AmqpError(505, 'expected method frame, got non method frame instead', 'connection');
}

// The one error the wire codec throws for bytes it cannot accept. It carries what the connection
// needs to send connection.close: the reply code, the reply text (already formatted the way
// RabbitMQ formats it, "FRAME_ERROR - ..."), and the failing class and method ids (0 when the
// failure is below the method layer).
//
// Codes, as observed on RabbitMQ 3.10 (see the tests for the exact texts):
// - a frame larger than frame_max, a wrong frame-end octet, an unknown frame type, a heartbeat with
//   a payload, a method frame shorter than its 4-byte id: 501, no failing method;
// - method arguments that cannot be decoded (too short, a string running past the end, trailing
//   octets, a bad field table): 501 "cannot decode ...", with the method's class and method id.
//   RabbitMQ sends 501 here, not the 502 the spec's prose suggests.
// - an unknown class/method id: RabbitMQ 3.10 drops the TCP connection without a close
//   (its reader crashes on {unknown_method_id, ...}); Warren answers 503 COMMAND_INVALID, the code
//   RabbitMQ gives for a method it does not handle ("unimplemented method").

/** The reply code for anything the decoders cannot parse; RabbitMQ uses FRAME_ERROR for all of it. */
export const MALFORMED = 501;

const CODE_NAMES: { readonly [code: number]: string } = {
  501: 'FRAME_ERROR',
  502: 'SYNTAX_ERROR',
  503: 'COMMAND_INVALID',
  505: 'UNEXPECTED_FRAME',
};

export class CodecError extends Error {
  override readonly name = 'CodecError';
  /** the text after "NAME - ", without the prefix */
  readonly detail: string;

  constructor(
    /** the AMQP reply code: 501, 502, 503, ... */
    readonly code: number,
    detail: string,
    readonly classId = 0,
    readonly methodId = 0,
  ) {
    super(replyText(code, detail));
    this.detail = detail;
  }
}

/** "FRAME_ERROR - detail", cut to fit a reply-text short string. */
export function replyText(code: number, detail: string, codeName = CODE_NAMES[code] ?? String(code)): string {
  return fitShortstr(`${codeName} - ${detail}`);
}

/**
 * The text itself if it fits the 255 bytes of a short string; otherwise cut the way RabbitMQ cuts
 * reply texts, to 252 bytes and "...", without splitting a UTF-8 sequence.
 */
export function fitShortstr(text: string): string {
  if (text.length <= 85 || Buffer.byteLength(text) <= 255) return text;
  const bytes = Buffer.from(text);
  let cut = 252;
  // 0b10xxxxxx is a continuation byte: back up to the start of the sequence it belongs to.
  while (cut > 0 && (bytes[cut] & 0xc0) === 0x80) cut--;
  return `${bytes.toString('utf8', 0, cut)}...`;
}

/**
 * RabbitMQ's description of a payload in frame errors: all of it when it is at most 16 octets,
 * otherwise the first 16, as an Erlang binary.
 */
export function describeOctets(buf: Buffer, start = 0, end = buf.length): string {
  const n = end - start;
  const shown = Math.min(n, 16);
  const octets: number[] = [];
  for (let i = 0; i < shown; i++) octets.push(buf[start + i]);
  return `${n <= 16 ? 'all' : 'first 16'} octets = <<${octets.join(',')}>>`;
}

/** A frame-level error as RabbitMQ words it: "type 1, all octets = <<...>>: reason". */
export function frameError(type: number, payload: Buffer, reason: string): CodecError {
  return new CodecError(501, `type ${type}, ${describeOctets(payload)}: ${reason}`);
}

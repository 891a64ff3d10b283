// The one error the wire codec throws for bytes it cannot accept. It carries what the connection
// needs to answer the way RabbitMQ does: the reply code, the reply text (formatted as RabbitMQ
// formats it, "FRAME_ERROR - ..."), the failing class and method ids (0 below the method layer),
// what went wrong (`kind`), and whether the byte stream can still be followed (`fatal`).
//
// RabbitMQ 3.10's answers, observed with raw sockets (the tests pin the texts):
// - payload larger than frame_max        501 "type 3, all octets = <<>>: {frame_too_large,4097,4088}"
//                                        checked on the 7-byte header; fatal (stops reading)
// - frame-end octet other than 0xCE      501 "type 1, all octets = <<...>>: {invalid_frame_end_marker,0}"; fatal
// - unknown frame type; heartbeat with   501 "type 7, all octets = <<...>>: unknown_frame"; not fatal:
//   a payload; method frame under 4 B        RabbitMQ goes on reading and waits for close-ok
// - method arguments that end early, run 501 "cannot decode <<...>>" with the method's class/method
//   past the end, or leave octets over      ids — 501, not the 502 the spec's prose suggests
// - unknown class or method id           no answer: RabbitMQ's reader crashes and resets the TCP
//                                        connection. Thrown here as 503 COMMAND_INVALID, kind
//                                        'unknown_method', so the connection can choose.
// - unknown field-table value type       likewise a reset (a crash); thrown as 501, kind
//                                        'unknown_field_type'.
// - a method's short string that is not  501 "Malformed UTF-8 in shortstr", ids 0/0 on a channel, the
//   UTF-8 (names, tags, reply texts)         method's on channel 0; properties and table keys are not checked
// - malformed content header properties  541 INTERNAL_ERROR (RabbitMQ's channel crashes); thrown
//                                        as 501 "cannot decode content header properties".

/** The reply code for anything the decoders cannot parse; RabbitMQ uses FRAME_ERROR for all of it. */
export const MALFORMED = 501;

export type CodecErrorKind =
  | 'frame_too_large'
  | 'invalid_frame_end_marker'
  | 'unknown_frame'
  | 'cannot_decode'
  | 'unknown_method'
  | 'unknown_field_type'
  | 'malformed_utf8';

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
    /** the AMQP reply code: 501, 503 */
    readonly code: number,
    detail: string,
    readonly classId = 0,
    readonly methodId = 0,
    readonly kind: CodecErrorKind = 'cannot_decode',
  ) {
    super(replyText(code, detail));
    this.detail = detail;
  }

  /** The frame reader has stopped: nothing after this (not even a close-ok) can be read. */
  get fatal(): boolean {
    return this.kind === 'frame_too_large' || this.kind === 'invalid_frame_end_marker';
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

// Erlang prints a binary of printable characters as a string, with these escapes.
const ERLANG_ESCAPES: { readonly [octet: number]: string } = {
  8: '\\b',
  9: '\\t',
  10: '\\n',
  11: '\\v',
  12: '\\f',
  13: '\\r',
  27: '\\e',
  34: '\\"',
  92: '\\\\',
};

/** buf[start, end) as Erlang's ~p prints a binary: <<"abc">> when printable ASCII, else <<0,60>>. */
export function erlangBinary(buf: Buffer, start = 0, end = buf.length): string {
  let printable = end > start;
  for (let i = start; i < end && printable; i++) {
    const c = buf[i];
    printable = (c >= 32 && c <= 126) || ERLANG_ESCAPES[c] !== undefined;
  }
  const parts: string[] = [];
  if (printable) {
    for (let i = start; i < end; i++) parts.push(ERLANG_ESCAPES[buf[i]] ?? String.fromCharCode(buf[i]));
    return `<<"${parts.join('')}">>`;
  }
  for (let i = start; i < end; i++) parts.push(String(buf[i]));
  return `<<${parts.join(',')}>>`;
}

/**
 * RabbitMQ's description of a payload in frame errors: all of it when it is at most 16 octets,
 * otherwise the first 16, as an Erlang binary.
 */
export function describeOctets(buf: Buffer, start = 0, end = buf.length): string {
  const n = end - start;
  return `${n <= 16 ? 'all' : 'first 16'} octets = ${erlangBinary(buf, start, start + Math.min(n, 16))}`;
}

/** A frame-level error as RabbitMQ words it: "type 1, all octets = <<...>>: reason". */
export function frameError(type: number, payload: Buffer, kind: CodecErrorKind, reason: string = kind): CodecError {
  return new CodecError(MALFORMED, `type ${type}, ${describeOctets(payload)}: ${reason}`, 0, 0, kind);
}

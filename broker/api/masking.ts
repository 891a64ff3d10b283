// Masking: every message a broker API hands out (browse, filter matches, "load all", get,
// browser-consumer deliveries — and so the export, built on browse; a remote RabbitMQ's get and
// consumers too) passes through here on its way out, so no path shows what the rules hide. Only
// what is shown changes: the message in the queue, what AMQP consumers receive and what a filter
// evaluates stay the original.
//
// Header values whose name is listed become "***" (any AMQP type); in a body that is JSON, the
// values at the listed paths become "***" (the rest of the text as written); in a body that is
// UTF-8 text, every match of a body pattern becomes "***". Binary bodies are left as they are.
//
// A body is masked whole and then cut to what is shown, so a value a JSON path names is found
// however far in it lies and a match the cut would split is hidden whole. Bodies above
// MASK_WHOLE_MAX_BYTES are not read: when some of one would be shown as text, the shown part is a
// placeholder saying why. So is a shown part cut from a body not at hand whole (a delivery or a get
// that is cut short) that is JSON while JSON paths are set. Never the unmasked text.
//
// Cost is bounded twice: each pattern may spend MASK_STEPS_PER_CHAR steps per character of the
// body (where it runs out, the body is masked from there to its end: a costly pattern hides more,
// never less), and the work runs in slices of a few milliseconds (loop-slices.ts), so masking a
// page of big bodies never holds the event loop — and with it the broker's AMQP clients.
import type { MaskRules, JsonPathStep } from '../core/mask-rules';
import type { BrowsedMessage, Delivery, DeliverySink, GotMessage, Row } from './broker-api';
import { JsonSpans } from './json-spans';
import { LoopSlices, runWhole, type Sliced } from './loop-slices';

export const MASK = '***';
/** Steps each body pattern may take per character of the body (a plain pattern takes a few). */
export const MASK_STEPS_PER_CHAR = 64;
/** Bodies masking reads at most; a larger one is shown as a placeholder when some would show. */
export const MASK_WHOLE_MAX_BYTES = 16 * 1024 * 1024;
/** Characters decoded, or scanned for JSON paths, between two chances to pause. */
const CHARS_PER_STEP = 128 * 1024;
/** Starts a pattern tries per call, and the steps one call may take before the loop gets a turn. */
const STARTS_PER_FIND = 8 * 1024;
const STEPS_PER_FIND = 400_000;

/** What the shown part of a body says when masking could not read the body. */
export function maskPlaceholder(why: string): string {
  return `${MASK} not shown: ${why} ${MASK}`;
}

const tooLarge = (bytes: number) => maskPlaceholder(`masking reads bodies of at most ${MASK_WHOLE_MAX_BYTES} bytes and this one has ${bytes}`);
const cutJson = (bytes: number) => maskPlaceholder(`JSON masking needs the whole body and only the first ${bytes} bytes are at hand`);

/** The headers with listed names masked; the same object when none is. */
function maskHeaders(rules: MaskRules, properties: Row): Row {
  const headers = properties.headers;
  if (rules.headers.size === 0 || typeof headers !== 'object' || headers === null || Array.isArray(headers)) return properties;
  let out: Record<string, unknown> | undefined;
  for (const name of Object.keys(headers)) {
    if (!rules.headers.has(name.toLowerCase())) continue;
    out ??= { ...(headers as Record<string, unknown>) };
    out[name] = MASK;
  }
  return out === undefined ? properties : { ...properties, headers: out };
}

const looksLikeJson = (text: string) => /^\s*[{[]/.test(text.slice(0, 256));

/** The text with the values at the rules' JSON paths replaced by "***"; the same text when none is. */
function* maskJson(paths: readonly (readonly JsonPathStep[])[], text: string): Sliced<string> {
  const scan = new JsonSpans(text, paths);
  while (!scan.scan(CHARS_PER_STEP)) yield;
  if (scan.spans.length === 0) return text;
  const parts: string[] = [];
  let done = 0;
  for (const [s, e] of scan.spans) {
    parts.push(text.slice(done, s), `"${MASK}"`);
    done = e;
  }
  parts.push(text.slice(done));
  return parts.join('');
}

/**
 * `text` with every match of `pattern` that starts before `examine` masked (past its step budget,
 * the rest masked too), and how much of the result is settled: every match starting there is
 * masked. Later characters were not looked at.
 */
function* maskMatches(pattern: MaskRules['bodyPatterns'][number], text: string, examine: number, shownBytes: number): Sliced<{ text: string; settled: number }> {
  const budget = { steps: MASK_STEPS_PER_CHAR * (text.length + 1) };
  const out: string[] = [];
  let outLength = 0;
  let outBytes = 0;
  let done = 0;
  let from = 0;
  // bytes of text[done, from): counted as the scan moves, so each character is counted once
  let pendingBytes = 0;
  const counted = Number.isFinite(shownBytes);
  const emit = (piece: string) => {
    out.push(piece);
    outLength += piece.length;
    if (counted) outBytes += Buffer.byteLength(piece);
  };
  const moveTo = (to: number) => {
    if (counted) pendingBytes += Buffer.byteLength(text.slice(from, to));
    from = to;
  };
  let limit = Math.min(examine, text.length + 1);
  let starts = STARTS_PER_FIND;
  while (from < limit) {
    // past what will be shown, matches no longer matter: what they would hide is cut off
    if (counted && outBytes + pendingBytes > shownBytes) {
      limit = from;
      break;
    }
    const granted = Math.min(budget.steps, STEPS_PER_FIND);
    const call = { steps: granted };
    const until = Math.min(limit, from + starts);
    const m = pattern.find(text, from, call, until);
    budget.steps -= granted - call.steps;
    if (m === 'budget') {
      // the call's share of a slice ran out: fewer starts a call
      if (granted === STEPS_PER_FIND && starts > 1) {
        starts = Math.max(1, starts >> 3);
        yield;
        continue;
      }
      // out of steps, or one start alone took longer than a slice may: hide the rest
      emit(text.slice(done, from));
      emit(MASK);
      return { text: out.join(''), settled: outLength };
    }
    starts = STARTS_PER_FIND;
    if (m === undefined) {
      moveTo(until);
    } else {
      const [s, e] = m;
      if (e === s) {
        // an empty match hides nothing; go on from the next character
        moveTo(s + 1);
      } else {
        emit(text.slice(done, s));
        emit(MASK);
        done = from = e;
        pendingBytes = 0;
      }
    }
    yield;
  }
  const settled = outLength + Math.max(0, limit - done);
  emit(text.slice(done));
  return { text: out.join(''), settled };
}

/** The decoded text, a stretch at a time; undefined when the bytes are not UTF-8 (a cut character at the end of a part may be). */
function* decode(body: Buffer, part: boolean): Sliced<{ text: string; tail: Buffer } | undefined> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const parts: string[] = [];
  try {
    for (let at = 0; at < body.length; at += CHARS_PER_STEP) {
      const end = Math.min(body.length, at + CHARS_PER_STEP);
      parts.push(decoder.decode(body.subarray(at, end), { stream: part || end < body.length }));
      yield;
    }
  } catch {
    return undefined;
  }
  const text = parts.join('');
  return { text, tail: body.subarray(Buffer.byteLength(text)) };
}

/**
 * A body masked and cut to `shownBytes` (Infinity: shown whole); undefined when masking changes
 * nothing of it. `body` is the whole body, or (`part`) only its first bytes, those shown.
 */
export function* maskBodyWork(rules: MaskRules, body: Buffer, part: boolean, shownBytes: number, bodyBytes = body.length): Sliced<{ body: Buffer; cut: boolean } | undefined> {
  if (body.length === 0 || shownBytes <= 0 || (rules.jsonPaths.length === 0 && rules.bodyPatterns.length === 0)) return undefined;
  if (bodyBytes > MASK_WHOLE_MAX_BYTES) {
    // a binary body is shown as it is, as a small one would be (a cut may split a character)
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(body.subarray(0, Math.min(shownBytes, 4096)), { stream: true });
    } catch {
      return undefined;
    }
    return { body: Buffer.from(tooLarge(bodyBytes)), cut: shownBytes < bodyBytes };
  }
  const decoded = yield* decode(body, part);
  if (decoded === undefined) return undefined;
  let { text } = decoded;
  const original = text;
  if (rules.jsonPaths.length > 0 && looksLikeJson(text)) {
    if (part) return { body: Buffer.from(cutJson(body.length)), cut: false };
    text = yield* maskJson(rules.jsonPaths, text);
  }
  // each pattern looks at what the ones before it settled; where that cannot fill what is shown
  // (a long match became "***" and drew later text forward), they all look further
  let want = shownBytes;
  let masked = text;
  for (;;) {
    masked = text;
    let settled = text.length;
    for (const pattern of rules.bodyPatterns) {
      const r = yield* maskMatches(pattern, masked, settled, want);
      masked = r.text;
      settled = Math.min(r.text.length, r.settled);
    }
    if (settled >= masked.length || Buffer.byteLength(masked.slice(0, settled)) >= shownBytes) break;
    want *= 2;
  }
  if (masked === original) return undefined;
  const whole = Buffer.concat([Buffer.from(masked, 'utf8'), decoded.tail]);
  return whole.length > shownBytes ? { body: whole.subarray(0, shownBytes), cut: true } : { body: whole, cut: false };
}

/** A body (`truncated`: only its first bytes) masked; undefined when nothing changed. For small bodies and tests. */
export function maskBody(rules: MaskRules, body: Buffer, truncated: boolean): Buffer | undefined {
  return runWhole(maskBodyWork(rules, body, truncated, truncated ? body.length : Infinity))?.body;
}

/**
 * A browsed message (browse, filter match, load all; so export) as the rules let it be shown.
 * `whole` gives the message's whole body when the page shows it cut; without it only the
 * shown part is masked.
 */
export function* maskBrowsedWork(rules: MaskRules, m: BrowsedMessage, whole?: () => Buffer): Sliced<BrowsedMessage> {
  const properties = maskHeaders(rules, m.properties);
  const shown = Buffer.from(m.payload, 'base64');
  let body: { body: Buffer; cut: boolean } | undefined;
  if (m.truncated && whole !== undefined && shown.length > 0 && m.payload_bytes <= MASK_WHOLE_MAX_BYTES) {
    let all: Buffer | undefined;
    try {
      all = whole();
    } catch {
      // the message left the queue (its body with it) since the page was read
    }
    body = all === undefined ? { body: Buffer.from(maskPlaceholder('the message left the queue before its body could be masked')), cut: true } : yield* maskBodyWork(rules, all, false, shown.length);
  } else {
    body = yield* maskBodyWork(rules, shown, m.truncated, m.truncated ? shown.length : Infinity, m.payload_bytes);
  }
  if (properties === m.properties && body === undefined) return m;
  const out: BrowsedMessage = { ...m, properties, masked: true };
  if (body !== undefined) {
    out.payload = body.body.toString('base64');
    out.truncated = body.cut;
  }
  // the AMQP encoding would carry the original header values
  if (properties !== m.properties) delete out.properties_raw;
  return out;
}

/** Browsed messages masked a slice at a time on one clock; `wholes[i]` gives message i's whole body. */
export async function maskBrowsedAll(rules: MaskRules | undefined, messages: BrowsedMessage[], wholes: ((() => Buffer) | undefined)[] = [], slices = new LoopSlices()): Promise<BrowsedMessage[]> {
  if (rules === undefined) return messages;
  const out: BrowsedMessage[] = [];
  for (let i = 0; i < messages.length; i++) out.push(await slices.run(maskBrowsedWork(rules, messages[i], wholes[i])));
  return out;
}

function* maskPayload(rules: MaskRules, payload: string, encoding: 'string' | 'base64', whole: Buffer | undefined, part: boolean, bodyBytes: number): Sliced<string | undefined> {
  const shown = Buffer.from(payload, encoding === 'string' ? 'utf8' : 'base64');
  const allowed = part ? shown.length : Infinity;
  const r = whole !== undefined ? yield* maskBodyWork(rules, whole, false, allowed) : yield* maskBodyWork(rules, shown, part, allowed, bodyBytes);
  if (r === undefined) return undefined;
  return encoding === 'string' ? r.body.toString('utf8') : r.body.toString('base64');
}

/** A message taken by get, masked; `whole`: its whole body, when the payload is cut from it. */
export async function maskGot(rules: MaskRules | undefined, m: GotMessage, whole?: Buffer, slices = new LoopSlices()): Promise<GotMessage> {
  if (rules === undefined) return m;
  const props = Array.isArray(m.properties) ? undefined : (m.properties as Row);
  const properties = props === undefined ? undefined : maskHeaders(rules, props);
  const part = Buffer.byteLength(m.payload, m.payload_encoding === 'string' ? 'utf8' : 'base64') < m.payload_bytes;
  const payload = await slices.run(maskPayload(rules, m.payload, m.payload_encoding, part ? whole : undefined, part, m.payload_bytes));
  if (properties === props && payload === undefined) return m;
  return { ...m, properties: properties ?? m.properties, payload: payload ?? m.payload, masked: true };
}

/** A delivery to a browser consumer, masked; `whole`: its whole body, when the payload is cut from it. */
export async function maskDelivery(rules: MaskRules | undefined, d: Delivery, slices = new LoopSlices(), whole?: Buffer): Promise<Delivery> {
  if (rules === undefined) return d;
  const properties = maskHeaders(rules, d.properties);
  const part = Buffer.byteLength(d.payload, d.payloadEncoding === 'string' ? 'utf8' : 'base64') < d.payloadBytes;
  const payload = await slices.run(maskPayload(rules, d.payload, d.payloadEncoding, part ? whole : undefined, part, d.payloadBytes));
  if (properties === d.properties && payload === undefined) return d;
  return { ...d, properties, payload: payload ?? d.payload, masked: true };
}

/** Deliveries the sink has not taken yet past which it is told it cannot take more. */
const MASK_PENDING = 32;

/**
 * A sink that masks each delivery before passing it on, in order, a slice at a time. While
 * deliveries wait to be masked it says it cannot take more; `resume` is called when it can again.
 */
export function maskingSink(rules: MaskRules | undefined, sink: DeliverySink, resume: () => void): DeliverySink {
  if (rules === undefined) return sink;
  let chain: Promise<void> = Promise.resolve();
  let pending = 0;
  let held = false;
  const slices = new LoopSlices();
  return {
    canTake: () => {
      const ok = pending < MASK_PENDING && sink.canTake();
      if (!ok && pending >= MASK_PENDING) held = true;
      return ok;
    },
    deliver: (d, whole) => {
      pending++;
      chain = chain.then(async () => {
        const shown = await maskDelivery(rules, d, slices, whole);
        pending--;
        sink.deliver(shown);
        if (held && pending < MASK_PENDING / 2) {
          held = false;
          resume();
        }
      });
    },
    cancelled: (reason) => {
      chain = chain.then(() => sink.cancelled(reason));
    },
  };
}

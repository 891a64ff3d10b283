// Where the values at JSON paths lie in a JSON text, found in one pass over the characters that can
// stop after any number of them and go on later: a body of megabytes is read a slice at a time and
// never parsed into objects. The spans are in text order and never nest (a value to mask is
// skipped whole). The text is left as written, so masking keeps the body's own layout.
import type { JsonPathStep } from '../core/mask-rules';

type Path = readonly JsonPathStep[];
/** A path and how many of its steps lead here. */
type Partial = readonly [path: Path, step: number];

interface Frame {
  array: boolean;
  /** paths partly matched at this container */
  active: readonly Partial[];
  /** the member name whose value comes next, or the element's index */
  key: string;
  index: number;
}

const enum State {
  Value,
  ArrayStart,
  AfterValue,
  Key,
  Colon,
  String,
  Literal,
  End,
}

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
/** characters that end a number or a literal */
const isDelimiter = (c: number) => isSpace(c) || c === 0x2c || c === 0x5d || c === 0x7d;

export class JsonSpans {
  /** [start, end) of each value to mask, in order */
  readonly spans: [number, number][] = [];
  /** the text broke off or was not JSON: what was found before stays found */
  invalid = false;
  private pos = 0;
  private state = State.Value;
  private readonly stack: Frame[] = [];
  /** the partial paths the next value is reached by; whether it is masked whole */
  private nextActive: readonly Partial[];
  private nextMasked = false;
  /** where the value being masked began and how deep its container is; -1: none */
  private maskStart = -1;
  private maskDepth = -1;
  /** a string under way: its start, whether it is a member name, and a backslash pending */
  private strStart = 0;
  private strIsKey = false;
  private escaped = false;
  private keyHasEscape = false;

  constructor(
    private readonly text: string,
    paths: readonly Path[],
  ) {
    this.nextActive = paths.map((p) => [p, 0] as const);
  }

  get done(): boolean {
    return this.state === State.End || this.invalid;
  }

  /** Reads up to `chars` more characters; whether the text is read through. */
  scan(chars: number): boolean {
    const text = this.text;
    const n = text.length;
    const stop = Math.min(n, this.pos + chars);
    let pos = this.pos;
    while (pos < stop && !this.invalid) {
      const c = text.charCodeAt(pos);
      switch (this.state) {
        case State.Value:
          if (isSpace(c)) {
            pos++;
            break;
          }
          if (this.nextMasked && this.maskStart < 0) {
            this.maskStart = pos;
            this.maskDepth = this.stack.length;
          }
          if (c === 0x7b || c === 0x5b) {
            this.stack.push({ array: c === 0x5b, active: this.nextMasked ? [] : this.nextActive, key: '', index: 0 });
            pos++;
            this.state = c === 0x5b ? State.ArrayStart : State.Key;
          } else if (c === 0x2c || c === 0x3a || c === 0x5d || c === 0x7d) {
            this.invalid = true;
          } else if (c === 0x22) {
            this.strStart = pos++;
            this.strIsKey = false;
            this.escaped = false;
            this.state = State.String;
          } else {
            this.state = State.Literal;
          }
          break;
        case State.Literal:
          if (isDelimiter(c)) this.valueEnded(pos);
          else pos++;
          break;
        case State.String:
          pos++;
          if (this.escaped) this.escaped = false;
          else if (c === 0x5c) {
            this.escaped = true;
            if (this.strIsKey) this.keyHasEscape = true;
          } else if (c === 0x22) {
            if (this.strIsKey) {
              this.top().key = this.keyText(this.strStart, pos);
              this.state = State.Colon;
            } else this.valueEnded(pos);
          }
          break;
        case State.ArrayStart:
          if (isSpace(c)) pos++;
          else if (c === 0x5d) {
            pos++;
            this.stack.pop();
            this.valueEnded(pos);
          } else {
            this.enterElement();
            this.state = State.Value;
          }
          break;
        case State.Key:
          if (isSpace(c)) pos++;
          else if (c === 0x22) {
            this.strStart = pos++;
            this.strIsKey = true;
            this.escaped = false;
            this.keyHasEscape = false;
            this.state = State.String;
          } else if (c === 0x7d && this.top().index === 0) {
            // {} closes before any member
            pos++;
            this.stack.pop();
            this.valueEnded(pos);
          } else this.invalid = true;
          break;
        case State.Colon:
          if (isSpace(c)) pos++;
          else if (c === 0x3a) {
            pos++;
            this.enterMember();
            this.state = State.Value;
          } else this.invalid = true;
          break;
        case State.AfterValue: {
          if (isSpace(c)) {
            pos++;
            break;
          }
          const top = this.stack[this.stack.length - 1];
          if (top === undefined) {
            this.invalid = true;
            break;
          }
          pos++;
          if (c === 0x2c) {
            top.index++;
            if (top.array) {
              this.state = State.Value;
              this.enterElement();
            } else this.state = State.Key;
          } else if (c === (top.array ? 0x5d : 0x7d)) {
            this.stack.pop();
            this.valueEnded(pos);
          } else this.invalid = true;
          break;
        }
        case State.End:
          if (isSpace(c)) pos++;
          else this.invalid = true;
          break;
      }
    }
    this.pos = pos;
    // a number or literal that ends the text ends there
    if (pos === n && this.state === State.Literal) this.valueEnded(pos);
    if (pos === n && this.state !== State.End) this.invalid = true;
    return pos === n || this.invalid;
  }

  private top(): Frame {
    return this.stack[this.stack.length - 1];
  }

  private keyText(start: number, end: number): string {
    const raw = this.text.slice(start, end);
    if (!this.keyHasEscape) return raw.slice(1, -1);
    try {
      return JSON.parse(raw) as string;
    } catch {
      this.invalid = true;
      return '';
    }
  }

  /** The paths that reach the value of the member just named, and whether one ends at it. */
  private enterMember(): void {
    const top = this.top();
    this.advance(top.active, (s) => ('name' in s ? s.name === top.key : 'any' in s));
  }

  /** The paths that reach the array's next element, and whether one ends at it. */
  private enterElement(): void {
    const top = this.top();
    this.advance(top.active, (s) => ('index' in s ? s.index === top.index : 'any' in s));
  }

  private advance(active: readonly Partial[], fits: (s: JsonPathStep) => boolean): void {
    const next: Partial[] = [];
    let masked = false;
    for (const [path, step] of active) {
      if (!fits(path[step])) continue;
      if (step + 1 === path.length) masked = true;
      else next.push([path, step + 1]);
    }
    this.nextMasked = masked;
    this.nextActive = masked ? [] : next;
  }

  private valueEnded(pos: number): void {
    if (this.maskStart >= 0 && this.stack.length === this.maskDepth) {
      this.spans.push([this.maskStart, pos]);
      this.maskStart = -1;
      this.maskDepth = -1;
    }
    this.nextMasked = false;
    this.state = this.stack.length === 0 ? State.End : State.AfterValue;
  }
}

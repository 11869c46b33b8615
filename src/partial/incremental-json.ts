// The incremental JSON parser: JSON text arriving in pieces (a model's tokens) → patches, each character read once.
import { StreamError } from "../errors.js";
import { MAX_PATH_LENGTH, escapeText, type Patch, type Path } from "./patch.js";

const enum State {
  /** A value must come (the start, after ':' or ','). */
  Value,
  /** A value or ']' (just after '['). */
  ValueOrEnd,
  /** A key or '}' (just after '{'). */
  KeyOrEnd,
  /** A key (after ',' in an object). */
  Key,
  /** ':' after a key. */
  Colon,
  /** ',' or the end of the container. */
  After,
  /** Inside a string (a key's or a value's). */
  Text,
  /** After '\' in a string. */
  Escape,
  /** In the four hex digits of '\u'. */
  Unicode,
  /** Inside a number or true/false/null. */
  Bare,
  /** The root value is finished: only whitespace may follow. */
  Done,
}

/** An open container. */
interface Frame {
  readonly array: boolean;
  readonly path: Path;
  /** Elements so far (arrays). */
  length: number;
  /** Keys so far (objects): a repeated key is refused, since a patched value cannot be set twice. */
  readonly keys: Set<string> | undefined;
  /** The patch that opened it, while it is the last one of the current batch (an empty container is then one patch). */
  opening: { op: "set" | "push"; path: Path; value: unknown; done?: boolean } | undefined;
}

/** Where the value being read goes. */
interface Target {
  /** The value's own path. */
  readonly path: Path;
  /** Pushed onto the array at this path, or undefined: set at `path`. */
  readonly pushTo: Path | undefined;
}

const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const ESCAPES: Readonly<Record<string, string>> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };

/**
 * Reads JSON text piece by piece and turns it into the patches that build the same value: each `write()` returns
 * the patches its text completes (a string's text so far as `set`/`append`, finished values with `done`, `close`
 * for a finished object or array). Linear in the text: no character is read twice and nothing before is re-parsed.
 * Invalid JSON is `FORMAT` with the character's position. A repeated key in an object is refused too (a value of
 * the object cannot be set twice).
 *
 * @example
 * const json = incrementalJson();
 * json.write('{"title":"Pan');  // [{ op: "set", path: [], value: {} }, { op: "set", path: ["title"], value: "Pan" }]
 * json.write('cakes","serves":4}'); // [{ op: "append", path: ["title"], text: "cakes", done: true }, { op: "set", path: ["serves"], value: 4, done: true }, { op: "close", path: [] }]
 * json.end(); // []
 */
export function incrementalJson(): IncrementalJson {
  return new IncrementalJson();
}

/** See {@link incrementalJson}. */
export class IncrementalJson {
  private state = State.Value;
  private readonly stack: Frame[] = [];
  private out: Patch[] = [];
  /** Characters read so far, for messages. */
  private position = 0;
  /** The string being read is a key. */
  private inKey = false;
  /** The text of the string being read, not yet in a patch (a key's whole text). */
  private text = "";
  /** The value string being read has had its first patch. */
  private started = false;
  private target: Target | undefined;
  private hex = "";
  private bare = "";
  private key = "";

  /** True once the whole value has been read. */
  get done(): boolean {
    return this.state === State.Done;
  }

  /** Reads the next piece of the text; returns the patches it completes. */
  write(chunk: string): Patch[] {
    this.out = [];
    const n = chunk.length;
    let i = 0;
    while (i < n) {
      const state = this.state;
      if (state === State.Text) {
        // The run of plain characters up to a quote, a backslash or a control character, in one slice.
        let j = i;
        while (j < n) {
          const c = chunk.charCodeAt(j);
          if (c === 0x22 || c === 0x5c || c < 0x20) break;
          j++;
        }
        if (j > i) this.text += chunk.slice(i, j);
        if (j === n) {
          i = n;
          break;
        }
        const c = chunk.charCodeAt(j);
        if (c === 0x22) this.endString();
        else if (c === 0x5c) this.state = State.Escape;
        else this.fail(j, chunk, "a control character must be escaped inside a string");
        i = j + 1;
        continue;
      }
      const ch = chunk[i]!;
      switch (state) {
        case State.Escape: {
          if (ch === "u") {
            this.hex = "";
            this.state = State.Unicode;
          } else {
            const plain = ESCAPES[ch];
            if (plain === undefined) this.fail(i, chunk, "not an escape");
            this.text += plain;
            this.state = State.Text;
          }
          break;
        }
        case State.Unicode: {
          if (!/[0-9a-fA-F]/.test(ch)) this.fail(i, chunk, "\\u needs four hex digits");
          this.hex += ch;
          if (this.hex.length === 4) {
            this.text += String.fromCharCode(parseInt(this.hex, 16));
            this.state = State.Text;
          }
          break;
        }
        case State.Bare: {
          if (isBareChar(ch)) this.bare += ch;
          else {
            this.endBare(i, chunk);
            continue; // the delimiter is read in the state after the value
          }
          break;
        }
        default:
          if (ch === " " || ch === "\n" || ch === "\r" || ch === "\t") break;
          this.structural(ch, i, chunk);
      }
      i++;
    }
    this.position += n;
    this.flushText();
    for (const frame of this.stack) frame.opening = undefined;
    return this.out;
  }

  /** The end of the text: the patches of a number still being read at the root; `FORMAT` if the value is incomplete. */
  end(): Patch[] {
    this.out = [];
    if (this.state === State.Bare && this.stack.length === 0) this.endBare(0, "");
    if (this.state !== State.Done) {
      throw new StreamError("FORMAT", `The JSON text ended before its value was complete (after ${this.position} characters${this.stack.length ? `, ${this.stack.length} containers open` : ""}).`);
    }
    return this.out;
  }

  /** A character outside strings, numbers and literals. */
  private structural(ch: string, i: number, chunk: string): void {
    switch (this.state) {
      case State.Value:
      case State.ValueOrEnd:
        if (ch === "]" && this.state === State.ValueOrEnd) return this.closeContainer(i, chunk);
        return this.startValue(ch, i, chunk);
      case State.KeyOrEnd:
      case State.Key:
        if (ch === "}" && this.state === State.KeyOrEnd) return this.closeContainer(i, chunk);
        if (ch !== '"') return this.fail(i, chunk, "expected a key (a string)");
        this.inKey = true;
        this.text = "";
        this.state = State.Text;
        return;
      case State.Colon:
        if (ch !== ":") return this.fail(i, chunk, "expected ':' after the key");
        this.state = State.Value;
        return;
      case State.After: {
        const frame = this.stack[this.stack.length - 1]!;
        if (ch === ",") this.state = frame.array ? State.Value : State.Key;
        else if (ch === (frame.array ? "]" : "}")) this.closeContainer(i, chunk);
        else this.fail(i, chunk, `expected ',' or '${frame.array ? "]" : "}"}'`);
        return;
      }
      case State.Done:
        return this.fail(i, chunk, "the value is complete: nothing may follow it");
    }
  }

  private startValue(ch: string, i: number, chunk: string): void {
    const target = this.nextTarget(i, chunk);
    if (ch === "{" || ch === "[") {
      const array = ch === "[";
      const patch = this.opening(target, array ? [] : {});
      this.out.push(patch);
      this.stack.push({ array, path: target.path, length: 0, keys: array ? undefined : new Set(), opening: patch });
      this.state = array ? State.ValueOrEnd : State.KeyOrEnd;
    } else if (ch === '"') {
      this.inKey = false;
      this.started = false;
      this.text = "";
      this.target = target;
      this.state = State.Text;
    } else if (isBareChar(ch)) {
      this.bare = ch;
      this.target = target;
      this.state = State.Bare;
    } else this.fail(i, chunk, "expected a value");
  }

  /** Where the value that starts now goes. */
  private nextTarget(i: number, chunk: string): Target {
    const frame = this.stack[this.stack.length - 1];
    if (frame === undefined) return { path: [], pushTo: undefined };
    if (frame.path.length >= MAX_PATH_LENGTH) this.fail(i, chunk, `nested deeper than ${MAX_PATH_LENGTH} levels`);
    if (frame.array) return { path: [...frame.path, frame.length++], pushTo: frame.path };
    return { path: [...frame.path, this.key], pushTo: undefined };
  }

  private opening(target: Target, value: unknown, done?: boolean): { op: "set" | "push"; path: Path; value: unknown; done?: boolean } {
    const patch: { op: "set" | "push"; path: Path; value: unknown; done?: boolean } =
      target.pushTo === undefined ? { op: "set", path: target.path, value } : { op: "push", path: target.pushTo, value };
    if (done) patch.done = true;
    return patch;
  }

  private endString(): void {
    if (this.inKey) {
      const frame = this.stack[this.stack.length - 1]!;
      if (frame.keys!.has(this.text)) {
        throw new StreamError("FORMAT", `The JSON object at character ${this.position} repeats the key "${escapeText(this.text.slice(0, 64))}": each value of a streamed object is set once.`);
      }
      frame.keys!.add(this.text);
      this.key = this.text;
      this.text = "";
      this.state = State.Colon;
      return;
    }
    const target = this.target!;
    if (!this.started) this.out.push(this.opening(target, this.text, true));
    else if (this.text !== "") this.out.push({ op: "append", path: target.path, text: this.text, done: true });
    else this.out.push({ op: "close", path: target.path });
    this.text = "";
    this.afterValue();
  }

  /** At the end of a write: the text of a value string so far, in a patch (a trailing high surrogate waits for its pair). */
  private flushText(): void {
    if (this.inKey || (this.state !== State.Text && this.state !== State.Escape && this.state !== State.Unicode)) return;
    let text = this.text;
    let held = "";
    const last = text.charCodeAt(text.length - 1);
    if (last >= 0xd800 && last <= 0xdbff) {
      held = text.slice(-1);
      text = text.slice(0, -1);
    }
    const target = this.target!;
    if (!this.started) {
      this.out.push(this.opening(target, text));
      this.started = true;
    } else if (text !== "") this.out.push({ op: "append", path: target.path, text });
    this.text = held;
  }

  private endBare(i: number, chunk: string): void {
    const text = this.bare;
    let value: unknown;
    if (text === "true") value = true;
    else if (text === "false") value = false;
    else if (text === "null") value = null;
    else if (NUMBER.test(text)) value = Number(text);
    else return this.fail(i, chunk, `"${escapeText(text.slice(0, 32))}" is not a number, true, false or null`);
    this.out.push(this.opening(this.target!, value, true));
    this.afterValue();
  }

  private closeContainer(i: number, chunk: string): void {
    const frame = this.stack.pop();
    if (frame === undefined) return this.fail(i, chunk, "nothing to close");
    const last = this.out[this.out.length - 1];
    if (frame.opening !== undefined && last === frame.opening) frame.opening.done = true;
    else this.out.push({ op: "close", path: frame.path });
    this.afterValue();
  }

  private afterValue(): void {
    const frame = this.stack[this.stack.length - 1];
    if (frame !== undefined) frame.opening = undefined;
    this.state = frame === undefined ? State.Done : State.After;
  }

  private fail(i: number, chunk: string, why: string): never {
    const at = this.position + i;
    const near = chunk.slice(Math.max(0, i - 16), i + 16);
    throw new StreamError("FORMAT", `The JSON text is not valid at character ${at} (near "${escapeText(near)}"): ${why}.`);
  }
}

function isBareChar(ch: string): boolean {
  return (ch >= "0" && ch <= "9") || ch === "-" || ch === "+" || ch === "." || ch === "e" || ch === "E" || (ch >= "a" && ch <= "z");
}

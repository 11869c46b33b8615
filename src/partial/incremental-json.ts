// The incremental JSON parser: JSON text arriving in pieces (a model's tokens) → patches, each character read once.
import { StreamError } from "../errors.js";
import { JsonPatchBuilder } from "./json-patch-builder.js";
import { escapeText, type Patch } from "./patch.js";

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
  private readonly patches = new JsonPatchBuilder();
  /** Characters read so far, for messages. */
  private position = 0;
  /** The string being read is a key. */
  private inKey = false;
  /** The text of the string being read, not yet in a patch (a key's whole text). */
  private text = "";
  private hex = "";
  private bare = "";

  /** True once the whole value has been read. */
  get done(): boolean {
    return this.state === State.Done;
  }

  /** Reads the next piece of the text; returns the patches it completes. */
  write(chunk: string): Patch[] {
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
    return this.patches.take();
  }

  /** The end of the text: the patches of a number still being read at the root; `FORMAT` if the value is incomplete. */
  end(): Patch[] {
    if (this.state === State.Bare && this.patches.depth === 0) this.endBare(0, "");
    if (this.state !== State.Done) {
      const open = this.patches.depth;
      throw new StreamError("FORMAT", `The JSON text ended before its value was complete (after ${this.position} characters${open ? `, ${open} containers open` : ""}).`);
    }
    return this.patches.take();
  }

  /** A character outside strings, numbers and literals. */
  private structural(ch: string, i: number, chunk: string): void {
    switch (this.state) {
      case State.Value:
      case State.ValueOrEnd:
        if (ch === "]" && this.state === State.ValueOrEnd) return this.closeContainer();
        return this.startValue(ch, i, chunk);
      case State.KeyOrEnd:
      case State.Key:
        if (ch === "}" && this.state === State.KeyOrEnd) return this.closeContainer();
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
        const array = this.patches.inArray;
        if (ch === ",") this.state = array ? State.Value : State.Key;
        else if (ch === (array ? "]" : "}")) this.closeContainer();
        else this.fail(i, chunk, `expected ',' or '${array ? "]" : "}"}'`);
        return;
      }
      case State.Done:
        return this.fail(i, chunk, "the value is complete: nothing may follow it");
    }
  }

  private startValue(ch: string, i: number, chunk: string): void {
    if (ch === "{" || ch === "[") {
      this.patches.openContainer(ch === "[");
      this.state = ch === "[" ? State.ValueOrEnd : State.KeyOrEnd;
    } else if (ch === '"') {
      this.patches.startString();
      this.inKey = false;
      this.text = "";
      this.state = State.Text;
    } else if (isBareChar(ch)) {
      this.bare = ch;
      this.state = State.Bare;
    } else this.fail(i, chunk, "expected a value");
  }

  private endString(): void {
    const text = this.text;
    this.text = "";
    if (this.inKey) {
      this.patches.setKey(text, this.position);
      this.state = State.Colon;
      return;
    }
    this.patches.stringText(text, true);
    this.afterValue();
  }

  /** At the end of a write: the text of a value string so far, in a patch (a trailing high surrogate waits for its pair). */
  private flushText(): void {
    if (this.inKey || (this.state !== State.Text && this.state !== State.Escape && this.state !== State.Unicode)) return;
    const text = this.text;
    const last = text.charCodeAt(text.length - 1);
    const held = last >= 0xd800 && last <= 0xdbff ? 1 : 0;
    this.patches.stringText(text.slice(0, text.length - held), false);
    this.text = text.slice(text.length - held);
  }

  private endBare(i: number, chunk: string): void {
    const text = this.bare;
    let value: unknown;
    if (text === "true") value = true;
    else if (text === "false") value = false;
    else if (text === "null") value = null;
    else if (NUMBER.test(text)) value = Number(text);
    else return this.fail(i, chunk, `"${escapeText(text.slice(0, 32))}" is not a number, true, false or null`);
    this.patches.scalar(value);
    this.afterValue();
  }

  private closeContainer(): void {
    this.patches.closeContainer();
    this.afterValue();
  }

  private afterValue(): void {
    this.state = this.patches.depth === 0 ? State.Done : State.After;
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

// What the incremental JSON parser's events become: the fewest patches, with each value's path, an empty container or a one-piece string in one patch.
import { StreamError } from "../errors.js";
import { MAX_PATH_LENGTH, escapeText, type Patch, type Path } from "./patch.js";

/** A patch that puts a value (set or push), which may still get `done` while it is the last of its batch. */
type Opening = { op: "set" | "push"; path: Path; value: unknown; done?: boolean };

/** An open container. */
interface Frame {
  readonly array: boolean;
  readonly path: Path;
  /** Elements so far (arrays). */
  length: number;
  /** Keys so far (objects): a repeated key is refused, since a patched value cannot be set twice. */
  readonly keys: Set<string> | undefined;
  /** The patch that opened it, while it is the last one of the current batch (an empty container is then one patch). */
  opening: Opening | undefined;
}

/** Where the value being read goes. */
interface Target {
  /** The value's own path. */
  readonly path: Path;
  /** Pushed onto the array at this path, or undefined: set at `path`. */
  readonly pushTo: Path | undefined;
}

/**
 * Turns parse events (a container opens or closes, a key, a scalar, a string's text) into patches, collected in
 * batches (one per `write()` of the parser). Knows the paths; the parser knows the grammar.
 */
export class JsonPatchBuilder {
  private out: Patch[] = [];
  private readonly stack: Frame[] = [];
  private key = "";
  /** The string value being read. */
  private target: Target | undefined;
  /** That string has had its first patch. */
  private started = false;

  /** Whether the innermost open container is an array; undefined at the root (nothing open). */
  get inArray(): boolean | undefined {
    return this.stack[this.stack.length - 1]?.array;
  }

  /** Containers open. */
  get depth(): number {
    return this.stack.length;
  }

  /** The patches since the last call; the batch ends (an opening patch can no longer be marked done). */
  take(): Patch[] {
    const out = this.out;
    this.out = [];
    for (const frame of this.stack) frame.opening = undefined;
    return out;
  }

  /** The next property's key. `FORMAT` for a key the object has already. */
  setKey(key: string, position: number): void {
    const frame = this.stack[this.stack.length - 1]!;
    if (frame.keys!.has(key)) {
      throw new StreamError("FORMAT", `The JSON object at character ${position} repeats the key "${escapeText(key.slice(0, 64))}": each value of a streamed object is set once.`);
    }
    frame.keys!.add(key);
    this.key = key;
  }

  openContainer(array: boolean): void {
    const target = this.nextTarget();
    const patch = opening(target, array ? [] : {});
    this.out.push(patch);
    this.stack.push({ array, path: target.path, length: 0, keys: array ? undefined : new Set(), opening: patch });
  }

  closeContainer(): void {
    const frame = this.stack.pop()!;
    if (frame.opening !== undefined && this.out[this.out.length - 1] === frame.opening) frame.opening.done = true;
    else this.out.push({ op: "close", path: frame.path });
    this.afterValue();
  }

  scalar(value: unknown): void {
    this.out.push(opening(this.nextTarget(), value, true));
    this.afterValue();
  }

  startString(): void {
    this.target = this.nextTarget();
    this.started = false;
  }

  /** The string's text since the last call; `end` when its closing quote came. */
  stringText(text: string, end: boolean): void {
    const target = this.target!;
    if (!this.started) {
      this.out.push(opening(target, text, end));
      this.started = true;
    } else if (text !== "") this.out.push(end ? { op: "append", path: target.path, text, done: true } : { op: "append", path: target.path, text });
    else if (end) this.out.push({ op: "close", path: target.path });
    if (end) this.afterValue();
  }

  private nextTarget(): Target {
    const frame = this.stack[this.stack.length - 1];
    if (frame === undefined) return { path: [], pushTo: undefined };
    if (frame.path.length >= MAX_PATH_LENGTH) throw new StreamError("FORMAT", `The JSON text is nested deeper than ${MAX_PATH_LENGTH} levels.`);
    if (frame.array) return { path: [...frame.path, frame.length++], pushTo: frame.path };
    return { path: [...frame.path, this.key], pushTo: undefined };
  }

  private afterValue(): void {
    const frame = this.stack[this.stack.length - 1];
    if (frame !== undefined) frame.opening = undefined;
  }
}

function opening(target: Target, value: unknown, done?: boolean): Opening {
  const patch: Opening = target.pushTo === undefined ? { op: "set", path: target.path, value } : { op: "push", path: target.pushTo, value };
  if (done) patch.done = true;
  return patch;
}

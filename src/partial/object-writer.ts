// The writer of an object stream: patches typed by the schema's paths, from a model's JSON text or from whole partial objects, and the footer that finishes the object.
import type { BaseStreamWriter } from "../define.js";
import { IncrementalJson } from "./incremental-json.js";
import { partialDiff } from "./partial-diff.js";
import type { PartChecks } from "./part-checks.js";
import { PartialObject } from "./partial-object.js";
import { StreamError, describeThrown } from "../errors.js";
import { pathText, type Patch, type PatchSchemaType, type Path } from "./patch.js";
import type { ArrayPathOf, DeepPartial, ElementAt, PathOf, StringPathOf, ValueAt } from "./path-types.js";

/** The stream writer an object writer writes with: patches as items, the object as the footer. */
export interface PatchFrameWriter extends BaseStreamWriter<PatchSchemaType> {
  footer(value: never): Uint8Array;
}

/**
 * Writes one object as patches, each returned as the frame to send (or an array of frames). Every patch is
 * applied to the writer's own copy first, so a patch that does not fit (`FORMAT`), changes a finished value
 * (`ORDER`) or finishes a value that does not match its subschema (`VALIDATION`) throws before anything is sent.
 * `finish()` closes what is open and writes the footer: the whole object, validated.
 *
 * @example
 * const o = RECIPE.objectWriter();
 * frames.push(o.set([], {}), o.set(["title"], "Pan"), o.append(["title"], "cakes", true));
 * frames.push(...o.json(', "ignored"')); // or: the whole object from a model's JSON text, piece by piece
 * frames.push(...o.finish());
 */
export class ObjectWriter<T> {
  private readonly object: PartialObject;
  private json_: IncrementalJson | undefined;
  private count: number;

  /** @internal Object writers come from `objectStream(...).objectWriter()`. */
  constructor(
    private readonly writer: PatchFrameWriter,
    checks: PartChecks | undefined,
  ) {
    this.object = new PartialObject(checks);
    this.count = writer.startIndex;
  }

  /** The object written so far (the writer's copy: do not change it). */
  get value(): DeepPartial<T> | undefined {
    return this.object.value as DeepPartial<T> | undefined;
  }

  /** Sets the value at `path` (`[]`: the whole object); `done` says it is finished. */
  set<const P extends PathOf<T>>(path: P, value: ValueAt<T, P>, done?: boolean): Uint8Array {
    return this.patch(done ? { op: "set", path, value, done } : { op: "set", path, value });
  }

  /** Appends to the open string at `path`; `done` finishes it. */
  append<const P extends StringPathOf<T>>(path: P, text: string, done?: boolean): Uint8Array {
    return this.patch(done ? { op: "append", path, text, done } : { op: "append", path, text });
  }

  /** Adds an element to the open array at `path`; `done` says the element is finished. */
  push<const P extends ArrayPathOf<T>>(path: P, value: ElementAt<T, P>, done?: boolean): Uint8Array {
    return this.patch(done ? { op: "push", path, value, done } : { op: "push", path, value });
  }

  /** Finishes the value at `path` (default: the whole object) and everything open inside it. */
  close(path: PathOf<T> = []): Uint8Array {
    return this.patch({ op: "close", path });
  }

  /** Any patch, checked against the object so far. The value is copied (`structuredClone`): change yours freely afterwards. */
  patch(patch: Patch): Uint8Array {
    const copy = patch.op === "set" || patch.op === "push" ? { ...patch, value: copyOf(patch.value, patch.path) } : patch;
    this.object.apply(copy, this.count);
    const frame = this.writer.item(copy);
    this.count++;
    return frame;
  }

  /**
   * The next piece of the object's JSON text (a model's tokens, as they come): the frames of the patches it
   * completes, often none. Linear in the text: nothing is parsed twice. `FORMAT` for text that is not JSON.
   */
  json(text: string): Uint8Array[] {
    this.json_ ??= new IncrementalJson();
    return this.json_.write(text).map((p) => this.applied(p));
  }

  /**
   * The object as a producer has it now (another SDK's partial objects, each a bit more complete): the frames of
   * the smallest patches from what was sent to it. Costs the object's size per call; with JSON text, use `json()`.
   */
  partial(next: DeepPartial<T>): Uint8Array[] {
    const patches: Patch[] = [];
    partialDiff(this.object.value, next, [], patches);
    return patches.map((p) => this.patch(p));
  }

  /** Finishes the object: the end of the JSON text (if `json()` was used), a close of what is open, and the footer. */
  finish(): Uint8Array[] {
    const frames = this.json_ === undefined ? [] : this.json_.end().map((p) => this.applied(p));
    if (!this.object.closed) frames.push(this.close());
    frames.push(this.writer.footer(this.object.value as never));
    return frames;
  }

  /** A patch made here (by the JSON parser): nothing of the caller's to copy. */
  private applied(patch: Patch): Uint8Array {
    this.object.apply(patch, this.count);
    const frame = this.writer.item(patch);
    this.count++;
    return frame;
  }
}

/** A copy of a patch's value, so that the caller may change theirs; `VALIDATION` for one that cannot be copied (a function). */
function copyOf(value: unknown, path: Path): unknown {
  try {
    return structuredClone(value);
  } catch (err) {
    throw new StreamError("VALIDATION", `The value for ${pathText(path)} cannot be sent: ${describeThrown(err)}. Send data: objects, arrays, strings, numbers, booleans, null.`, { part: "item" });
  }
}

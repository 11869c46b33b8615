// The reader of an object stream: readPartials() yields the growing object patch by patch, each value checked as it finishes.
import type { StreamReader } from "../define.js";
import type { Output, SchemaLike } from "../schema/infer.js";
import type { PartChecks } from "./part-checks.js";
import { PartialObject } from "./partial-object.js";
import type { Patch, PatchSchemaType, Path } from "./patch.js";
import type { DeepPartial } from "./path-types.js";

/** One step of {@link ObjectReaderMethods.readPartials}: the object after one patch. */
export interface PartialStep<T> {
  /** The object so far: one object throughout, changed in place (copy it to keep a snapshot). */
  readonly value: DeepPartial<T>;
  /** The patch just applied. */
  readonly patch: Patch;
  /** The paths this patch finished (each checked against its subschema), inner ones first; often none. */
  readonly closed: readonly Path[];
  /** True once the whole object is finished. */
  readonly done: boolean;
  /** Whether the value at `path` is finished (checked, and will not change). O(depth). */
  isClosed(path: Path): boolean;
}

/** What an object stream's reader adds to a stream reader. */
export interface ObjectReaderMethods<T> {
  /**
   * The object as it grows, one step per patch. Each value is checked against its subschema as soon as it is
   * finished (a string, a number, an object, an array element): one that does not match is `VALIDATION` naming its
   * path at once. Work per patch is the patch's size plus the path's depth. Call instead of readItems(), once; then
   * `readFooter()` gives the whole object, validated.
   */
  readPartials(): AsyncIterableIterator<PartialStep<T>>;
}

/** A reader of an object stream of schema `S`. */
export type ObjectReader<S extends SchemaLike> = StreamReader<PatchSchemaType, undefined, S> & ObjectReaderMethods<Output<S>>;

/** Adds readPartials() to a reader of patches. */
export function withPartials<S extends SchemaLike>(reader: StreamReader<PatchSchemaType, undefined, S>, checks: PartChecks | undefined): ObjectReader<S> {
  const methods: ObjectReaderMethods<Output<S>> = { readPartials: () => readPartials<Output<S>>(reader, checks) };
  return Object.assign(reader, methods);
}

async function* readPartials<T>(reader: StreamReader<PatchSchemaType, undefined, SchemaLike>, checks: PartChecks | undefined): AsyncGenerator<PartialStep<T>> {
  const object = new PartialObject(checks);
  const isClosed = (path: Path) => object.isClosed(path);
  let index = 0;
  for await (const batch of reader.readItemBatches()) {
    for (const patch of batch) {
      const closed = object.apply(patch, index++);
      yield { value: object.value as DeepPartial<T>, patch, closed, done: object.closed, isClosed };
    }
  }
}

// The browser entry (streamtypes/browser): reading only, interpreted validation (CSP-safe), and only the formats a page imports.
import type { Format } from "./format.js";
import { ReaderTypes, type DefinitionOptions } from "./define.js";
import type { SchemaLike } from "./schema/infer.js";
import { typeboxInterpreted, typeboxInterpretedPlan } from "./schema/typebox.js";
import { defineObjectStream, type ObjectReaderTypes } from "./partial/object-stream.js";
import { binaryDefaults, namedDefaults } from "./browser-defaults.js";

// Everything of the Standard-Schema-only browser entry; this one adds TypeBox schemas (and TypedArray).
export {
  StreamError,
  ReaderTypes,
  isKind,
  kindOf,
  match,
  knownKinds,
  eventSourceStream,
  binary,
  sse,
  ndjson,
  truss,
  json,
  msgpackReadOnly,
} from "./standard-browser.js";
export type * from "./standard-browser.js";
export { TypedArray } from "./schema/typed-array.js";
export type { ObjectReaderTypes, ObjectReading } from "./partial/object-stream.js";
export { PartialObject } from "./partial/partial-object.js";
export type { Patch, Path, PathKey, PatchSchemaType } from "./partial/patch.js";
export type { PartialStep, ObjectReader, ObjectReaderMethods } from "./partial/read-partials.js";
export type { DeepPartial } from "./partial/path-types.js";

/**
 * Validation interprets the schemas (TypeBox `Check`): no code generation, so a strict Content-Security-Policy
 * needs no 'unsafe-eval', and no compiler in the bundle. streamTypes() reads binary MessagePack through a codec compiled from the schema as closures (CSP-safe), which
 * decodes and checks in one pass; readerTypes() leaves the plan out, so that a page reading only SSE or NDJSON
 * carries none of it.
 */
const BINARY = /* @__PURE__ */ binaryDefaults(typeboxInterpreted, typeboxInterpretedPlan);
const NAMED = /* @__PURE__ */ namedDefaults(typeboxInterpreted);

/**
 * Defines a stream's types for reading in a browser: same arguments as `streamTypes` from "streamtypes". The
 * format defaults to the binary framing with MessagePack; pass `{ format: sse() }` and the like for others.
 * Without `@sinclair/typebox` installed, import the same from "streamtypes/standard/browser".
 *
 * @example
 * import { streamTypes } from "streamtypes/browser";
 * const TOKENS = streamTypes(Token, RunHeader, RunFooter);
 * for await (const token of TOKENS.reader(fetch("/tokens")).readItems()) render(token);
 */
export function streamTypes<I extends SchemaLike, H extends SchemaLike | undefined = undefined, F extends SchemaLike | undefined = undefined>(
  item: I,
  header?: H,
  footer?: F,
  options: DefinitionOptions = {},
): ReaderTypes<I, H, F> {
  return new ReaderTypes(item, header as H, footer as F, options, BINARY);
}

/**
 * Like {@link streamTypes}, with no default format: a page that reads only SSE (or NDJSON) then bundles no
 * MessagePack code at all.
 *
 * @example
 * import { readerTypes, sse } from "streamtypes/browser";
 * const TOKENS = readerTypes(Token, RunHeader, RunFooter, { format: sse() });
 */
export function readerTypes<I extends SchemaLike, H extends SchemaLike | undefined = undefined, F extends SchemaLike | undefined = undefined>(
  item: I,
  header: H,
  footer: F,
  options: DefinitionOptions & { format: Format },
): ReaderTypes<I, H, F> {
  return new ReaderTypes(item, header, footer, options, NAMED);
}

/**
 * Reads a stream of one object (see `objectStream` in "streamtypes"): `reader().readPartials()` yields the growing
 * object, each value checked as it finishes. The format defaults to the binary framing with MessagePack.
 *
 * @example
 * const RECIPE = objectStream(Recipe, { format: sse() });
 * for await (const step of RECIPE.fetch("/recipe").readPartials()) render(step.value);
 */
export function objectStream<S extends SchemaLike>(schema: S, options: DefinitionOptions = {}): ObjectReaderTypes<S> {
  return defineObjectStream((item) => new ReaderTypes(item, undefined, schema, options, BINARY), schema, options, BINARY);
}

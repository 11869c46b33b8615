// The browser entry (streamtypes/browser): reading only, interpreted validation (CSP-safe), and only the formats a page imports.
import { chooseValidator } from "./schema/choose.js";
import type { SchemaLike } from "./schema/infer.js";
import { msgpackReadOnly } from "./codecs/msgpack-read-only.js";
import { ReaderTypes, type DefinitionOptions, type EntryDefaults } from "./define.js";
import { StreamError } from "./errors.js";
import type { Format } from "./format.js";
import { binaryReadOnly } from "./formats/binary.js";
import { typeboxInterpreted, typeboxInterpretedPlan } from "./schema/typebox.js";
import { defineObjectStream, type ObjectReaderTypes } from "./partial/object-stream.js";

export { StreamError } from "./errors.js";
export type { StreamErrorCode, StreamPart, ValidationIssue, RemoteErrorInfo } from "./errors.js";
export { ReaderTypes } from "./define.js";
export type { StreamReader, BaseStreamReader, ConsumeHandlers, ConsumeSummary, DefinitionOptions } from "./define.js";
export type { Format } from "./format.js";
export type { ReaderOptions } from "./reader/reader.js";
export { isKind, kindOf, match, knownKinds, type KindsOf, type OfKind, type KindHandlers, type HandlerResult, type KindValue, type UnknownKindsOptions } from "./kinds.js";
export type { TypedPart, PartTransform, DecoderStreamOptions } from "./reader/decoder-stream.js";
export type { StreamSource } from "./sources/source.js";
export { eventSourceStream, type EventSourceLike, type EventSourceStreamOptions } from "./sources/event-source.js";
export { binary } from "./formats/binary.js";
export { sse } from "./formats/sse.js";
export { ndjson } from "./formats/ndjson.js";
export { truss } from "./formats/truss.js";
export { json } from "./codecs/json.js";
export { msgpackReadOnly } from "./codecs/msgpack-read-only.js";
export { TypedArray } from "./schema/typed-array.js";
export type { SchemaLike, Input, Output } from "./schema/infer.js";
export type { ObjectReaderTypes, ObjectReading } from "./partial/object-stream.js";
export { PartialObject } from "./partial/partial-object.js";
export type { Patch, Path, PathKey, PatchSchemaType } from "./partial/patch.js";
export type { PartialStep, ObjectReader, ObjectReaderMethods } from "./partial/read-partials.js";
export type { DeepPartial } from "./partial/path-types.js";

/**
 * Validation interprets the schemas (TypeBox `Check`): no code generation, so a strict Content-Security-Policy
 * needs no 'unsafe-eval', and no compiler in the bundle.
 */
const validatorFor = (schema: unknown) => chooseValidator(schema, typeboxInterpreted);

/** Definitions that name their format; the browser entry has no string options, so that a page bundles only what it imports. */
const NAMED: EntryDefaults = {
  format(options) {
    if ("framing" in options || "codec" in options || "compat" in options) {
      throw new StreamError("OPTIONS", 'streamtypes/browser takes a format value, not strings: { format: sse() } instead of { framing: "sse" }.');
    }
    throw new StreamError("OPTIONS", "readerTypes() needs a format: { format: binary(msgpackReadOnly()) }, sse(), ndjson() or truss().");
  },
  validatorFor,
};

/**
 * The default for streamTypes(): the binary framing with MessagePack, read-only (no frame encoder: nothing here
 * writes), read by a codec compiled from the schema as closures (CSP-safe), which decodes and checks in one pass.
 * readerTypes() leaves the plan out, so that a page reading only SSE or NDJSON carries none of it.
 */
const BINARY_MSGPACK: EntryDefaults = {
  format: (options) => (Object.keys(options).some((k) => k === "framing" || k === "codec" || k === "compat") ? NAMED.format(options) : binaryReadOnly(msgpackReadOnly())),
  validatorFor,
  planFor: typeboxInterpretedPlan,
};

/**
 * Defines a stream's types for reading in a browser: same arguments as `streamTypes` from "streamtypes". The
 * format defaults to the binary framing with MessagePack; pass `{ format: sse() }` and the like for others.
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
  return new ReaderTypes(item, header as H, footer as F, options, BINARY_MSGPACK);
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
  return defineObjectStream((item) => new ReaderTypes(item, undefined, schema, options, BINARY_MSGPACK), schema, options, BINARY_MSGPACK);
}

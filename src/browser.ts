// The browser entry (streamtypes/browser): reading only, validation through the schema's plan (CSP-safe), and only the formats a page imports.
import type { TSchema } from "@sinclair/typebox";
import type { Format } from "./format.js";
import { ReaderTypes, type DefinitionOptions } from "./define.js";
import type { SchemaLike } from "./schema/infer.js";
import { typeboxInterpreted } from "./schema/typebox.js";
import { typeboxInterpretedPlan, typeboxPlanned } from "./schema/typebox-planned.js";
import type { Validator } from "./schema/validator.js";
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
 * TypeBox's own `Value.Check`, for the schemas the browser entry's plans do not cover (Intersect, Not, a Ref to
 * another schema, minProperties…): pass it as a definition's `fallback`, and the page bundles it (about 4 KB
 * gzipped). Without it such a schema is `OPTIONS` when the stream is defined, naming what is not covered.
 *
 * @example
 * import { streamTypes, typeboxCheck } from "streamtypes/browser";
 * const EVENTS = streamTypes(Type.Intersect([Base, Extra]), undefined, undefined, { fallback: typeboxCheck });
 */
export const typeboxCheck: (schema: TSchema) => Validator = typeboxInterpreted;

/** A browser entry's definition options: those of every entry, and what checks the TypeBox schemas that plans do not cover. */
export interface BrowserDefinitionOptions extends DefinitionOptions {
  /** `typeboxCheck`, for TypeBox schemas that the entry's plans do not cover; default none (such a schema is `OPTIONS`). */
  fallback?: ((schema: TSchema) => Validator) | undefined;
}

/**
 * Validation follows each TypeBox schema's plan (src/plan/plan-check.ts): no code generation, so a strict
 * Content-Security-Policy needs no 'unsafe-eval', and neither TypeBox's compiler nor its Check in the bundle
 * unless a definition asks for the latter (`fallback`). streamTypes() also reads binary MessagePack through a
 * codec compiled from the plan as closures (CSP-safe), which decodes and checks in one pass.
 */
const BINARY = /* @__PURE__ */ binaryDefaults(/* @__PURE__ */ typeboxPlanned(), typeboxInterpretedPlan);
const NAMED = /* @__PURE__ */ namedDefaults(/* @__PURE__ */ typeboxPlanned());

/** The defaults of a definition: the entry's own, or the same with a fallback for uncovered TypeBox schemas. */
function binaryWith(options: BrowserDefinitionOptions) {
  return options.fallback === undefined ? BINARY : binaryDefaults(typeboxPlanned(options.fallback), typeboxInterpretedPlan);
}

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
  options: BrowserDefinitionOptions = {},
): ReaderTypes<I, H, F> {
  return new ReaderTypes(item, header as H, footer as F, options, binaryWith(options));
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
  options: BrowserDefinitionOptions & { format: Format },
): ReaderTypes<I, H, F> {
  return new ReaderTypes(item, header, footer, options, options.fallback === undefined ? NAMED : namedDefaults(typeboxPlanned(options.fallback)));
}

/**
 * Reads a stream of one object (see `objectStream` in "streamtypes"): `reader().readPartials()` yields the growing
 * object, each value checked as it finishes. The format defaults to the binary framing with MessagePack.
 *
 * @example
 * const RECIPE = objectStream(Recipe, { format: sse() });
 * for await (const step of RECIPE.fetch("/recipe").readPartials()) render(step.value);
 */
export function objectStream<S extends SchemaLike>(schema: S, options: BrowserDefinitionOptions = {}): ObjectReaderTypes<S> {
  const defaults = binaryWith(options);
  return defineObjectStream((item) => new ReaderTypes(item, undefined, schema, options, defaults), schema, options, defaults);
}

// The browser entry (streamtypes/browser): reading only, interpreted validation (CSP-safe), and only the formats a page imports.
import type { Format } from "./format.js";
import { ReaderTypes, type DefinitionOptions } from "./define.js";
import type { SchemaLike } from "./schema/infer.js";
import { typeboxInterpreted } from "./schema/typebox.js";
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

/**
 * Validation interprets the schemas (TypeBox `Check`): no code generation, so a strict Content-Security-Policy
 * needs no 'unsafe-eval', and no compiler in the bundle.
 */
const BINARY = /* @__PURE__ */ binaryDefaults(typeboxInterpreted);
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

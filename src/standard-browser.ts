// The streamtypes/standard/browser entry: the browser entry's reading half for Standard Schemas (zod, valibot, arktype) alone, without TypeBox installed.
import { binaryDefaults, namedDefaults } from "./browser-defaults.js";
import { ReaderTypes, type DefinitionOptions } from "./define.js";
import { StreamError } from "./errors.js";
import type { Format } from "./format.js";
import type { SchemaLike } from "./schema/infer.js";

export { StreamError } from "./errors.js";
export type { StreamErrorCode, StreamPart, ValidationIssue, RemoteErrorInfo } from "./errors.js";
export { ReaderTypes } from "./define.js";
export type { StreamReader, BaseStreamReader, ConsumeHandlers, ConsumeSummary, DefinitionOptions } from "./define.js";
export type { Format } from "./format.js";
export type { ReaderOptions } from "./reader/reader.js";
export { isKind, kindOf, match, knownKinds, type KindsOf, type OfKind, type KindHandlers, type HandlerResult, type KindValue, type UnknownKindsOptions } from "./kinds.js";
export type { TypedPart, PartTransform, DecoderStreamOptions } from "./reader/decoder-stream.js";
export type { StreamSource } from "./sources/source.js";
export { eventSourceStream, type EventSourceLike } from "./sources/event-source.js";
export { binary } from "./formats/binary.js";
export { sse } from "./formats/sse.js";
export { ndjson } from "./formats/ndjson.js";
export { truss } from "./formats/truss.js";
export { json } from "./codecs/json.js";
export { msgpackReadOnly } from "./codecs/msgpack-read-only.js";
export type { SchemaLike, Input, Output } from "./schema/infer.js";

/** This entry's answer to a TypeBox schema: it validates Standard Schemas only, so that it needs no TypeBox. */
function refuseTypeBox(): never {
  throw new StreamError(
    "OPTIONS",
    'This is a TypeBox schema: read it with streamTypes() from "streamtypes/browser", which validates TypeBox schemas; "streamtypes/standard/browser" takes Standard Schemas only.',
  );
}

const BINARY = /* @__PURE__ */ binaryDefaults(refuseTypeBox);
const NAMED = /* @__PURE__ */ namedDefaults(refuseTypeBox);

/**
 * Defines a stream's types for reading in a browser from Standard Schemas (zod 4, valibot 1, arktype 2), in a
 * project without `@sinclair/typebox`: the same API as `streamTypes` from "streamtypes/browser". The format
 * defaults to the binary framing with MessagePack; pass `{ format: sse() }` and the like for others.
 *
 * @example
 * import * as z from "zod";
 * import { streamTypes } from "streamtypes/standard/browser";
 * const TOKENS = streamTypes(z.object({ token: z.string() }));
 * for await (const { token } of TOKENS.reader(fetch("/tokens")).readItems()) render(token);
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
 * import { readerTypes, sse } from "streamtypes/standard/browser";
 * const TOKENS = readerTypes(Token, undefined, undefined, { format: sse() });
 */
export function readerTypes<I extends SchemaLike, H extends SchemaLike | undefined = undefined, F extends SchemaLike | undefined = undefined>(
  item: I,
  header: H,
  footer: F,
  options: DefinitionOptions & { format: Format },
): ReaderTypes<I, H, F> {
  return new ReaderTypes(item, header, footer, options, NAMED);
}

// The streamtypes/standard entry: everything of the main entry for Standard Schemas (zod, valibot, arktype, …) alone, without TypeBox installed.
import { compileForWriting } from "./plan/compile-writers.js";
import { StreamTypes, type DefinitionOptions, type EntryDefaults } from "./define.js";
import { defineObjectStream, type ObjectStream } from "./partial/object-stream.js";
import { formatNamed, type FormatNames } from "./formats/by-name.js";
import { StreamError } from "./errors.js";
import { chooseValidator } from "./schema/choose.js";
import { standardSchemaPlan } from "./schema/standard-plan.js";
import type { SchemaLike } from "./schema/infer.js";

export { StreamTypes, ReaderTypes } from "./define.js";
export type { StreamWriter, StreamReader, BaseStreamWriter, BaseStreamReader, ConsumeHandlers, ConsumeSummary, DefinitionOptions } from "./define.js";
export { StreamError } from "./errors.js";
export type { StreamErrorCode, StreamPart, ValidationIssue, RemoteErrorInfo } from "./errors.js";
export type { Format, FrameDecoder, FrameEncoder, Frame, ResumePoint, EncoderOptions } from "./format.js";
export type { Codec, TextCodec } from "./codecs/codec.js";
export { DecodeError, MAX_DEPTH } from "./codecs/codec.js";
export { binary, BINARY_MEDIA_TYPE } from "./formats/binary.js";
export { truss, TRUSS_MEDIA_TYPE } from "./formats/truss.js";
export { sse, SSE_MEDIA_TYPE } from "./formats/sse.js";
export { ndjson, NDJSON_MEDIA_TYPE } from "./formats/ndjson.js";
export { encodeFrame, LengthPrefixedDecoder, type LengthPrefixedFrame } from "./formats/length-prefixed.js";
export type { FormatNames } from "./formats/by-name.js";
export { json } from "./codecs/json.js";
export { msgpack } from "./codecs/msgpack.js";
export { msgpackReadOnly } from "./codecs/msgpack-read-only.js";
export { FrameKind, PROTOCOL_VERSION } from "./protocol.js";
export type { ReaderOptions } from "./reader/reader.js";
export type { TypedPart, TypedPartInput, PartTransform, DecoderStreamOptions } from "./reader/decoder-stream.js";
export type { EncoderStreamOptions } from "./writer/encoder-stream.js";
export type { ErrorFrameOptions, WriterOptions } from "./writer/writer.js";
export { eventSourceStream, type EventSourceLike, type EventSourceStreamOptions } from "./sources/event-source.js";
export type { StreamSource } from "./sources/source.js";
export { producerStream, type Producer, type ProducerOptions, type YieldFrames } from "./writer/producer.js";
export type { Channel, BaseChannel, ChannelOptions, OnFull } from "./writer/channel.js";
export { isKind, kindOf, match, knownKinds, type KindsOf, type OfKind, type KindHandlers, type HandlerResult, type KindValue, type UnknownKindsOptions } from "./kinds.js";
export type { JsonSchema, JsonSchemaOptions, StreamJsonSchemas } from "./schema/json-schema.js";
export { streamResponse, streamingHeaders, type StreamResponseInit, type HeadersLike } from "./writer/http.js";
export type { SchemaLike, Input, Output } from "./schema/infer.js";
export type { StandardSchemaV1 } from "./schema/standard-schema.js";
export { memoryStore, MemoryStore, type MemoryStoreOptions } from "./durable/memory-store.js";
export type { ReplayStore, StoredPart, StoreLimits } from "./durable/store.js";
export type { DurableOptions } from "./durable/durable-response.js";
export type { ObjectStream, ObjectReading } from "./partial/object-stream.js";
export { ObjectWriter, type PatchFrameWriter } from "./partial/object-writer.js";
export { PartialObject } from "./partial/partial-object.js";
export { IncrementalJson, incrementalJson } from "./partial/incremental-json.js";
export { PatchSchema, type Patch, type Path, type PathKey, type PatchSchemaType } from "./partial/patch.js";
export type { PartialStep, ObjectReader, ObjectReaderMethods } from "./partial/read-partials.js";
export type { DeepPartial, PathOf, ValueAt, StringPathOf, ArrayPathOf, ElementAt } from "./partial/path-types.js";

/** Options of `streamTypes()`: a format value, or the string options of earlier versions. */
export interface StreamTypesOptions extends DefinitionOptions, FormatNames {}

/**
 * @internal
 * A definition with an entry's validators: what `streamTypes()` of "streamtypes" (TypeBox and Standard Schema) and
 * of "streamtypes/standard" (Standard Schema only) share.
 */
export function defineStreamTypes<I extends SchemaLike, H extends SchemaLike | undefined, F extends SchemaLike | undefined>(
  item: I,
  header: H,
  footer: F,
  options: StreamTypesOptions,
  validatorFor: EntryDefaults["validatorFor"],
  planFor?: EntryDefaults["planFor"],
): StreamTypes<I, H, F> {
  return new StreamTypes(item, header, footer, options, entryDefaults(options, validatorFor, planFor));
}

/** @internal What a definition of this entry (or the main one) resolves its format and validators with. */
export function entryDefaults(options: StreamTypesOptions, validatorFor: EntryDefaults["validatorFor"], planFor?: EntryDefaults["planFor"]): EntryDefaults {
  if (options.format !== undefined && (options.codec !== undefined || options.framing !== undefined || options.compat !== undefined)) {
    throw new StreamError("OPTIONS", "Give either format (e.g. format: sse()) or the older codec/framing/compat options, not both.");
  }
  return { format: (o) => formatNamed(o as FormatNames), validatorFor, planFor, compile: compileForWriting };
}

/**
 * Defines a stream's types from Standard Schemas (zod 4, valibot 1, arktype 2, TypeBox 1.x through `typebox1()`),
 * for a project without `@sinclair/typebox`; "streamtypes" itself takes these and TypeBox schemas. The format
 * defaults to `binary(msgpack())`.
 *
 * @example
 * import * as z from "zod";
 * import { streamTypes, sse } from "streamtypes/standard";
 * const TOKENS = streamTypes(z.object({ token: z.string() }), undefined, undefined, { format: sse() });
 */
export function streamTypes<I extends SchemaLike, H extends SchemaLike | undefined = undefined, F extends SchemaLike | undefined = undefined>(
  item: I,
  header?: H,
  footer?: F,
  options: StreamTypesOptions = {},
): StreamTypes<I, H, F> {
  return defineStreamTypes(item, header as H, footer as F, options, (schema) => chooseValidator(schema, refuseTypeBox), standardSchemaPlan);
}

/**
 * Defines a stream of one object, written as patches while it is made (a model's structured output, token by
 * token) and read as a growing object whose every value is checked as it finishes; the footer is the whole object.
 * See docs/partial-objects.md.
 *
 * @example
 * const RECIPE = objectStream(z.object({ title: z.string(), steps: z.array(z.string()) }), { format: sse() });
 */
export function objectStream<S extends SchemaLike>(schema: S, options: StreamTypesOptions = {}): ObjectStream<S> {
  return defineObjectStreamIn(schema, options, entryDefaults(options, (s) => chooseValidator(s, refuseTypeBox), standardSchemaPlan));
}

/** @internal An object stream of this entry or the main one, with the entry's defaults. */
export function defineObjectStreamIn<S extends SchemaLike>(schema: S, options: StreamTypesOptions, defaults: EntryDefaults): ObjectStream<S> {
  return defineObjectStream((item) => new StreamTypes(item, undefined, schema, options, defaults), schema, options, defaults) as unknown as ObjectStream<S>;
}

/** This entry's answer to a TypeBox schema: it validates Standard Schemas only. */
function refuseTypeBox(): never {
  throw new StreamError("OPTIONS", 'This is a TypeBox schema: define the stream with streamTypes() from "streamtypes", which validates TypeBox schemas; "streamtypes/standard" takes Standard Schemas only.');
}

// The main entry: streamTypes() with the binary MessagePack format and compiled TypeBox validation by default, every format and codec, and the producer helpers.
import { StreamTypes, type DefinitionOptions, type EntryDefaults } from "./define.js";
import { formatNamed, type FormatNames } from "./formats/by-name.js";
import { StreamError } from "./errors.js";
import { chooseValidator } from "./schema/choose.js";
import type { SchemaLike } from "./schema/infer.js";
import { typeboxCompiled } from "./schema/typebox-compiled.js";

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
export { eventSourceStream, type EventSourceLike } from "./sources/event-source.js";
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
export { TypedArray, type TTypedArray, type TypedArrayName, type TypedArrayOptions } from "./schema/typed-array.js";

/** Options of `streamTypes()` from "streamtypes": a format value, or the string options of earlier versions. */
export interface StreamTypesOptions extends DefinitionOptions, FormatNames {}

const MAIN: EntryDefaults = {
  format: (options) => formatNamed(options as FormatNames),
  validatorFor: (schema) => chooseValidator(schema, typeboxCompiled),
};

/**
 * Defines a stream's types once, for producer and consumer alike. The format defaults to `binary(msgpack())`.
 *
 * @example
 * const STREAM = streamTypes(
 *   Type.Object({ words: Type.Array(Type.String()) }),              // item
 *   Type.Object({ time: Type.Number(), msg: Type.String() }),       // header (optional)
 *   Type.Object({ durationSec: Type.Number() }),                    // footer (optional)
 * );
 * const TOKENS = streamTypes(Token, undefined, undefined, { format: sse() });
 */
export function streamTypes<I extends SchemaLike, H extends SchemaLike | undefined = undefined, F extends SchemaLike | undefined = undefined>(
  item: I,
  header?: H,
  footer?: F,
  options: StreamTypesOptions = {},
): StreamTypes<I, H, F> {
  if (options.format !== undefined && (options.codec !== undefined || options.framing !== undefined || options.compat !== undefined)) {
    throw new StreamError("OPTIONS", "Give either format (e.g. format: sse()) or the older codec/framing/compat options, not both.");
  }
  return new StreamTypes(item, header as H, footer as F, options, MAIN);
}

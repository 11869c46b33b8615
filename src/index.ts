// Public entry point of streamtypes.
export { streamTypes, StreamTypes } from "./stream-types.js";
export type { StreamWriter, StreamReader, BaseStreamWriter, BaseStreamReader } from "./stream-types.js";
export { StreamError } from "./errors.js";
export type { StreamErrorCode, StreamPart, ValidationIssue, RemoteErrorInfo } from "./errors.js";
export type { StreamTypesOptions } from "./spec.js";
export type { ReaderOptions } from "./reader.js";
export type { ErrorFrameOptions } from "./writer.js";
export type { StreamSource } from "./source.js";
export type { Producer, ProducerOptions } from "./producer.js";
export { producerStream } from "./producer.js";
export { streamResponse, streamingHeaders, BINARY_MEDIA_TYPE } from "./http.js";
export type { StreamResponseInit } from "./http.js";
export type { ConsumeHandlers, ConsumeSummary } from "./consume.js";
export { FrameKind, FrameDecoder, encodeFrame } from "./frame.js";
export type { Frame } from "./frame.js";
export { PROTOCOL_VERSION } from "./marker.js";
export { TypedArray, type TTypedArray, type TypedArrayName, type TypedArrayOptions } from "./typed-array.js";

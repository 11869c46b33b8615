// Every public options object with each optional field set to `undefined`, which `exactOptionalPropertyTypes`
// rejects unless the field's type says `| undefined`. Type-checked only.
import { Type } from "@sinclair/typebox";
import { StreamError, TypedArray, producerStream, streamResponse, streamTypes, type ConsumeHandlers, type DefinitionOptions, type ErrorFrameOptions, type ProducerOptions, type ReaderOptions, type StreamResponseInit, type StreamTypesOptions, type WriterOptions } from "streamtypes";
import { readerTypes, sse, streamTypes as browserStreamTypes } from "streamtypes/browser";
import { nodeHandler, type NodeHandlerOptions } from "streamtypes/node";

const definition: DefinitionOptions = { format: undefined, validate: undefined, maxFrameBytes: undefined };
const main: StreamTypesOptions = { ...definition, codec: undefined, framing: undefined, compat: undefined };
const reader: ReaderOptions = {
  signal: undefined,
  idleTimeoutMs: undefined,
  maxItems: undefined,
  maxTotalBytes: undefined,
  maxFrameBytes: undefined,
  reconnect: undefined,
  maxReconnects: undefined,
};
const writer: WriterOptions = { resumeAfter: undefined };
const producer: ProducerOptions = { highWaterMark: undefined, keepAliveMs: undefined, includeStack: undefined, onError: undefined };
const response: StreamResponseInit = { status: undefined, statusText: undefined, headers: undefined };
const errorFrame: ErrorFrameOptions = { includeStack: undefined };
const node: NodeHandlerOptions = { onError: undefined };
const handlers: ConsumeHandlers<unknown, unknown, unknown> = { onHeader: undefined, onItem: undefined, onFooter: undefined };

const STREAM = streamTypes(Type.Object({ n: Type.Number(), v: TypedArray("Float32Array", { minLength: undefined, maxLength: undefined }) }), undefined, undefined, main);
STREAM.writer(writer).error(new Error("x"), errorFrame);
STREAM.toResponse(function* (w) {
  yield w.item({ n: 1, v: new Float32Array(1) });
}, { ...producer, ...writer, ...response });
void STREAM.consume(new Uint8Array(0), { ...handlers, ...reader });
streamResponse(new ReadableStream<Uint8Array>(), STREAM.contentType, response);
nodeHandler(() => new Response(""), node);
browserStreamTypes(Type.Number(), undefined, undefined, definition).reader(new Uint8Array(0), reader);
readerTypes(Type.Number(), undefined, undefined, { ...definition, format: sse() });
new StreamError("REMOTE", "x", { cause: undefined, part: undefined, index: undefined, issues: undefined, remote: undefined, status: undefined });

// The producer helpers with a writer made by the definition.
producerStream(STREAM.writer(), async function* (w, signal) {
  if (!signal.aborted) yield w.item({ n: 1, v: new Float32Array(1) });
}, producer);

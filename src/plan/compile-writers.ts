// Which back end compiles a plan for a codec, in the entries that write: the codec's own (MessagePack), or the JSON writer for a text codec.
import type { Codec, SchemaCodec, TextCodec } from "../codecs/codec.js";
import { compileJson } from "./compile-json.js";
import type { Plan } from "./plan.js";

/**
 * The compiled codec of one part for a writing entry: a codec that compiles itself (MessagePack: writer and
 * reader) does; a JSON text codec gets the generated JSON writer (its reading stays JSON.parse and the validator).
 * Reading-only entries call `codec.compile` alone, so that a page carries no writer.
 *
 * @example
 * compileForWriting(json(), plan)?.backend; // "code"
 */
export function compileForWriting(codec: Codec, plan: Plan): SchemaCodec | undefined {
  if (codec.compile !== undefined) return codec.compile(plan);
  if (typeof (codec as Partial<TextCodec>).encodeText === "function") return compileJson(plan, codec as TextCodec);
  return undefined;
}

// Which back end compiles a plan for a codec, in the entries that write: the codec's own (MessagePack), or the JSON writer for a text codec; a Standard Schema's validator after it.
import type { Codec, SchemaCodec, TextCodec } from "../codecs/codec.js";
import { compileJson } from "./compile-json.js";
import type { Plan } from "./plan.js";
import type { Validator } from "../schema/validator.js";
import { validatedCodec } from "./validated-codec.js";

/**
 * The compiled codec of one part for a writing entry: a codec that compiles itself (MessagePack: writer and
 * reader) does; a JSON text codec gets the generated JSON writer (its reading stays JSON.parse and the validator).
 * A plan whose schema's own validation must still run (a Standard Schema's, `plan.validateAfter`) gets `validator`
 * after the compiled codec. Reading-only entries call `codec.compile` alone, so that a page carries no writer.
 *
 * @example
 * compileForWriting(json(), plan, validator)?.backend; // "code"
 */
export function compileForWriting(codec: Codec, plan: Plan, validator: Validator): SchemaCodec | undefined {
  const compiled = codec.compile !== undefined ? codec.compile(plan) : typeof (codec as Partial<TextCodec>).encodeText === "function" ? compileJson(plan, codec as TextCodec) : undefined;
  return compiled !== undefined && plan.validateAfter === true ? validatedCodec(compiled, validator) : compiled;
}

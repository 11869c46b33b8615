// A JSON SchemaCodec from a plan: the generated JSON writer, with the JSON codec's generic text for what the plan leaves open.
import { MISS, type SchemaCodec, type TextCodec } from "../codecs/codec.js";
import type { Output } from "../codecs/output.js";
import { emitJson } from "./emit-json.js";
import { writeJsonByte, writeJsonGeneric, writeJsonNumber, writeJsonRaw, writeJsonString } from "./json-write.js";
import type { Plan } from "./plan.js";

/**
 * The plan's JSON writer as generated code, or undefined where code generation is forbidden (the generic JSON
 * codec then writes, as before: JSON writing has no closure back end, as the pages that forbid code generation
 * read and do not write). What the plan leaves open is written as the codec's own text (`encodeText`), and -0 as it spells it.
 *
 * @example
 * compileJson(plan, json())?.write!(value, out);
 */
export function compileJson(plan: Plan, codec: TextCodec): SchemaCodec | undefined {
  const { source, constants } = emitJson(plan);
  const helpers = { MISS, writeJsonString, writeJsonNumber, writeJsonRaw, writeJsonByte, writeJsonGeneric, encodeGeneric: codec.encodeText, negativeZero: codec.negativeZero };
  let write: (value: unknown, out: Output) => void;
  try {
    write = (new Function("h", "c", source)(helpers, constants) as { write: typeof write }).write;
  } catch (err) {
    if (err instanceof EvalError) return undefined;
    throw err;
  }
  return {
    backend: "code",
    write(value, out) {
      try {
        write(value, out);
        return true;
      } catch {
        return false;
      }
    },
  };
}

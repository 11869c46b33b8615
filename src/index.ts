// The main entry: streamTypes() with the binary MessagePack format and compiled TypeBox validation by default, every format and codec, and the producer helpers.
import type { StreamTypes } from "./define.js";
import { chooseValidator } from "./schema/choose.js";
import type { SchemaLike } from "./schema/infer.js";
import { typeboxCompiled, typeboxCompiledPlan } from "./schema/typebox-compiled.js";
import { standardSchemaPlan } from "./schema/standard-plan.js";
import type { Plan } from "./plan/plan.js";
import { defineObjectStreamIn, defineStreamTypes, entryDefaults, type StreamTypesOptions } from "./standard.js";
import type { ObjectStream } from "./partial/object-stream.js";

// Everything but streamTypes() is the same as in streamtypes/standard; this entry adds TypeBox.
export * from "./standard.js";
export { TypedArray, type TTypedArray, type TypedArrayName, type TypedArrayOptions } from "./schema/typed-array.js";

/**
 * Defines a stream's types once, for producer and consumer alike, from TypeBox schemas or any Standard Schema. The
 * format defaults to `binary(msgpack())`.
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
  return defineStreamTypes(item, header as H, footer as F, options, (schema) => chooseValidator(schema, typeboxCompiled), mainPlan);
}

/**
 * Defines a stream of one object, written as patches while it is made (a model's structured output, token by
 * token) and read as a growing object whose every value is checked against its subschema as it finishes; the
 * footer is the whole object, validated. See docs/partial-objects.md.
 *
 * @example
 * const RECIPE = objectStream(Type.Object({ title: Type.String(), steps: Type.Array(Type.String()) }), { format: sse() });
 * for await (const step of RECIPE.fetch("/recipe").readPartials()) render(step.value);
 */
export function objectStream<S extends SchemaLike>(schema: S, options: StreamTypesOptions = {}): ObjectStream<S> {
  return defineObjectStreamIn(schema, options, entryDefaults(options, (s) => chooseValidator(s, typeboxCompiled), mainPlan));
}

/** This entry's plans: TypeBox 0.34 schemas walked directly, Standard Schemas through the JSON Schema their library exposes. */
function mainPlan(schema: unknown): Plan | undefined {
  return typeboxCompiledPlan(schema) ?? standardSchemaPlan(schema);
}

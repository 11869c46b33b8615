// Plans for Standard Schemas: the shape from the JSON Schema a library exposes (Standard JSON Schema, TypeBox 1.x through typebox1()), its own validation still run.
import { jsonSchemaPlan } from "../plan/build-json-schema.js";
import type { Plan } from "../plan/plan.js";
import { isStandardSchema, VALIDATOR } from "./standard-schema.js";
import { zodChecksOnlyJsonSchema } from "./zod-exact.js";

/**
 * The plan of a Standard Schema whose library exposes its JSON Schema, or undefined (the generic path): zod ≥ 4.2
 * and arktype ≥ 2.1.28 through Standard JSON Schema (`~standard.jsonSchema.input`, the shape a writer takes and the
 * wire carries; a schema the library cannot express throws there, and stays generic), TypeBox 1.x through
 * `typebox1()` (its schema is JSON Schema). valibot implements no JSON Schema itself: generic. arktype sorts an
 * object's properties in its JSON Schema, losing the order they were written in (the order values come in): its
 * objects of two or more properties stay generic; arrays, tuples, records, unions and one-property objects compile.
 *
 * The plan gives the codec its shape; the library's own validation still runs on every value the compiled codec
 * takes (`validateAfter`), so refinements, transforms, defaults and formats apply exactly as on the generic path —
 * except for a zod schema whose validation adds nothing to its JSON Schema (zod-exact.ts), which the plan then
 * checks alone.
 *
 * @example
 * standardSchemaPlan(z.object({ id: z.int() }))?.root.kind; // "object"
 */
export function standardSchemaPlan(schema: unknown): Plan | undefined {
  const json = jsonSchemaOf(schema);
  if (json === undefined) return undefined;
  // arktype lists properties sorted, not as written: its objects of two or more properties stay generic.
  const vendor = (schema as { "~standard": { vendor?: unknown } })["~standard"].vendor;
  const plan = jsonSchemaPlan(json, { declaredKeyOrder: vendor !== "arktype" });
  if (plan === undefined) return undefined;
  // zod's validation is skipped only where it checks exactly what the JSON Schema says and returns an equal value.
  return { ...plan, validateAfter: !(vendor === "zod" && zodChecksOnlyJsonSchema(schema)) };
}

/** The JSON Schema of a Standard Schema's input, or undefined where its library gives none. */
function jsonSchemaOf(schema: unknown): unknown {
  if (!isStandardSchema(schema)) return undefined;
  // typebox1(): a TypeBox 1.x schema is JSON Schema, kept as given beside the checker it carries.
  const wrapped = (schema as { schema?: unknown }).schema;
  if (VALIDATOR in schema && typeof wrapped === "object" && wrapped !== null) return wrapped;
  const converter = (schema["~standard"] as { jsonSchema?: { input?: unknown } }).jsonSchema;
  if (typeof converter?.input !== "function") return undefined;
  try {
    return (converter.input as (options: { target: string }) => unknown)({ target: "draft-2020-12" });
  } catch {
    // Transforms without an input type, Date, bigint…: the library says it cannot express the schema.
    return undefined;
  }
}

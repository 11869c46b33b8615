// Which validator a schema gets: TypeBox 0.34 through the entry's TypeBox validator, any Standard Schema through its own check.
import { StreamError } from "../errors.js";

/** TypeBox 0.34's Kind key, a global symbol: the check needs no import of TypeBox. */
const TYPEBOX_KIND = Symbol.for("TypeBox.Kind");
import { isStandardSchema, standardValidator } from "./standard-schema.js";
import type { Validator } from "./validator.js";

/**
 * The validator for one schema: a TypeBox 0.34 schema (`@sinclair/typebox`) goes to `typebox` (compiled in the
 * main entry, interpreted in the browser; in `streamtypes/standard`, a function that refuses it with `OPTIONS`), a
 * Standard Schema (zod 4, valibot 1, arktype 2, TypeBox 1.x wrapped by `typebox1()`) to its own validation.
 * Anything else is `OPTIONS`, with a hint for a bare TypeBox 1.x schema.
 *
 * @example
 * chooseValidator(z.object({ n: z.number() }), typeboxCompiled).mode; // "standard"
 */
export function chooseValidator(schema: unknown, typebox: (schema: never) => Validator): Validator {
  if (typeof schema === "object" && schema !== null && TYPEBOX_KIND in schema) return typebox(schema as never);
  if (isStandardSchema(schema)) return standardValidator(schema);
  if (typeof schema === "object" && schema !== null && "~kind" in schema) {
    throw new StreamError("OPTIONS", 'This looks like a TypeBox 1.x schema (package "typebox"): wrap it with typebox1() from "streamtypes/typebox1".');
  }
  throw new StreamError(
    "OPTIONS",
    "A schema must be a TypeBox schema (@sinclair/typebox) or a Standard Schema (zod 4, valibot 1, arktype 2, …); got " +
      (schema === null ? "null" : typeof schema) +
      ".",
  );
}

// TypeBox 0.34 schemas compiled with TypeCompiler, falling back to the interpreted validator where code generation is forbidden.
import type { TSchema } from "@sinclair/typebox";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import { collectIssues, typeboxInterpreted, withSafeIntegers, type TypeBoxError } from "./typebox.js";
import { INVALID, type Validator } from "./validator.js";

/**
 * A validator for `schema`, compiled with TypeBox's TypeCompiler (several times faster than interpreting), or
 * interpreted when a Content-Security-Policy without 'unsafe-eval' makes code generation throw `EvalError`.
 *
 * @example
 * typeboxCompiled(Type.Object({ n: Type.Integer() })).mode; // "compiled", or "interpreted" under a strict CSP
 */
export function typeboxCompiled(schema: TSchema, options: { compile?: boolean } = {}): Validator {
  if (options.compile !== false) {
    try {
      const compiled = TypeCompiler.Compile(withSafeIntegers(schema));
      return {
        mode: "compiled",
        parse: (value) => (compiled.Check(value) ? value : INVALID),
        issues: (value, max) => collectIssues(compiled.Errors(value) as Iterable<TypeBoxError>, max),
      };
    } catch (err) {
      // Anything but EvalError is a real problem with the schema.
      if (!(err instanceof EvalError)) throw err;
    }
  }
  return typeboxInterpreted(schema);
}

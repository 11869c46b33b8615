// TypeBox 0.34 schemas compiled with TypeCompiler, falling back to the interpreted validator where code generation is forbidden.
import { FormatRegistry, type TSchema } from "@sinclair/typebox";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import { Check } from "@sinclair/typebox/value";
import type { Plan } from "../plan/plan.js";
import { typeboxPlan } from "../plan/build-typebox.js";
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

/**
 * The plan of a TypeBox 0.34 schema for compiled codecs (undefined for any other schema, or one the plan does not
 * cover): leaf kinds (Date, Uint8Array, TypedArray, BigInt) are judged by TypeBox's own compiled check (its
 * interpreted `Check` under a strict CSP), formats by TypeBox's FormatRegistry.
 *
 * @example
 * typeboxCompiledPlan(Type.Object({ id: Type.Integer() }))?.root.kind; // "object"
 */
export function typeboxCompiledPlan(schema: unknown): Plan | undefined {
  if (typeof schema !== "object" || schema === null || !(TYPEBOX_KIND in schema)) return undefined;
  return typeboxPlan(schema, {
    leafCheck(leaf) {
      try {
        const compiled = TypeCompiler.Compile(leaf as TSchema);
        return (value) => compiled.Check(value);
      } catch (err) {
        if (!(err instanceof EvalError)) throw err;
        return (value) => Check(leaf as TSchema, value);
      }
    },
    format(name) {
      const check = FormatRegistry.Get(name);
      return check === undefined ? undefined : (value) => check(value);
    },
  });
}

/** TypeBox 0.34's Kind key (a global symbol). */
const TYPEBOX_KIND = Symbol.for("TypeBox.Kind");

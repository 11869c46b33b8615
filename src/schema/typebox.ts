// TypeBox 0.34 schemas, interpreted with Value.Check: no code generation (CSP-safe); the main entry's fallback under a CSP, and the browser's typeboxCheck.
import { Kind, type TSchema } from "@sinclair/typebox";
import { Check } from "@sinclair/typebox/value";
import type { ValidationIssue } from "../errors.js";
import { checkIssues } from "./typebox-issues.js";
import { INVALID, type Validator } from "./validator.js";
import { typedArrayMessage, unsafeIntegerMessage, type TypedArraySchema } from "./value-messages.js";

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/**
 * A validator that interprets the schema with TypeBox's `Check`: no code generation, so it works under a
 * Content-Security-Policy without 'unsafe-eval', and it is small. Integer fields are held to ±(2^53 − 1): a
 * larger integer cannot be represented exactly as a JavaScript number, so accepting it would pass on a silently
 * rounded value.
 *
 * @example
 * const v = typeboxInterpreted(Type.Object({ n: Type.Integer() }));
 * v.check({ n: 1 }); // true
 * v.check({ n: 2 ** 60 }); // false: not exactly representable
 */
export function typeboxInterpreted(schema: TSchema): Validator {
  const safe = withSafeIntegers(schema);
  return {
    mode: "interpreted",
    parse: (value) => (Check(safe, value) ? value : INVALID),
    issues: (value, max) => collectIssues(checkIssues(safe, value), max),
  };
}

export interface TypeBoxError {
  path: string;
  message: string;
  value: unknown;
  schema: TSchema;
}

export function collectIssues(errors: Iterable<TypeBoxError>, max = 8): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  for (const e of errors) {
    out.push({ path: e.path === "" ? "/" : e.path, message: explain(e) });
    if (out.length >= max) break;
  }
  return out;
}

function explain(e: TypeBoxError): string {
  if (e.schema[Kind] === "streamtypes:TypedArray") return typedArrayMessage(e.schema as unknown as TypedArraySchema, e.value);
  return (e.schema[Kind] === "Integer" && unsafeIntegerMessage(e.value)) || e.message;
}

/** A copy of `schema` in which every Integer without its own bounds is bounded to the safe range. */
export function withSafeIntegers(schema: TSchema): TSchema {
  return rewrite(schema, new Map()) as TSchema;
}

function rewrite(node: unknown, seen: Map<object, unknown>): unknown {
  if (typeof node !== "object" || node === null) return node;
  const proto = Object.getPrototypeOf(node);
  // Only schema structure is copied; values inside a schema (a Date default, a Uint8Array const) stay as they are.
  if (proto !== Object.prototype && proto !== null && !Array.isArray(node)) return node;
  const done = seen.get(node);
  if (done !== undefined) return done;
  if (Array.isArray(node)) {
    const copy: unknown[] = [];
    seen.set(node, copy);
    for (const entry of node) copy.push(rewrite(entry, seen));
    return copy;
  }
  const source = node as Record<string | symbol, unknown>;
  const copy: Record<string | symbol, unknown> = {};
  seen.set(node, copy);
  for (const key of Reflect.ownKeys(source)) copy[key] = rewrite(source[key], seen);
  if (source[Kind] === "Integer") {
    if (copy.minimum === undefined && copy.exclusiveMinimum === undefined) copy.minimum = -MAX_SAFE;
    if (copy.maximum === undefined && copy.exclusiveMaximum === undefined) copy.maximum = MAX_SAFE;
  }
  return copy;
}

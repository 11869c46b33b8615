// TypeBox 0.34 schemas, interpreted with Value.Check: no code generation (CSP-safe) and small, for browsers.
import { FormatRegistry, Kind, type TSchema } from "@sinclair/typebox";
import { Check } from "@sinclair/typebox/value";
import type { ValidationIssue } from "../errors.js";
import { checkIssues } from "./typebox-issues.js";
import { INVALID, type Validator } from "./validator.js";
import { typeboxPlan } from "../plan/build-typebox.js";
import type { Plan } from "../plan/plan.js";

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
  if (e.schema[Kind] === "streamtypes:TypedArray") return explainTypedArray(e.schema as unknown as TypedArraySchema, e.value);
  if (e.schema[Kind] === "Integer") {
    if (typeof e.value === "number" && Number.isInteger(e.value) && !Number.isSafeInteger(e.value)) {
      return (
        `integer ${e.value} is outside ±(2^53 − 1), so it is not exactly representable as a JavaScript number ` +
        `(a larger integer on the wire arrives rounded). Declare the field Type.BigInt() and use the msgpack codec ` +
        `to carry it exactly as a bigint, or send it as a string`
      );
    }
    if (typeof e.value === "bigint") {
      return `integer ${e.value} arrived as a bigint because it is outside ±(2^53 − 1); declare the field Type.BigInt() to accept it`;
    }
  }
  return e.message;
}

/** The bounds of a TypedArray schema (./typed-array.ts, not imported here: a page that uses none does not bundle it). */
interface TypedArraySchema {
  arrayType: string;
  minLength?: number;
  maxLength?: number;
}

/** Why a value fails a TypedArray schema: TypeBox itself only says "Expected kind 'streamtypes:TypedArray'". */
function explainTypedArray(schema: TypedArraySchema, value: unknown): string {
  const want = schema.arrayType;
  // A typed array's toString tag is its class name, also from another realm.
  const got = ArrayBuffer.isView(value) ? Object.prototype.toString.call(value).slice(8, -1) : Array.isArray(value) ? "an array" : value === null ? "null" : typeof value;
  if (got !== want) return `expected a ${want}, got ${got}`;
  const length = (value as Uint8Array).length;
  const bound = length < (schema.minLength ?? 0) ? `at least ${schema.minLength} elements (minLength)` : `at most ${schema.maxLength} elements (maxLength)`;
  return `expected a ${want} of ${bound}, got ${length}`;
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

/**
 * The plan of a TypeBox 0.34 schema for compiled codecs, with no code generation anywhere (leaf kinds judged by
 * TypeBox's interpreted `Check`): the browser entry's, for its closure back end. Undefined for any other schema.
 *
 * @example
 * typeboxInterpretedPlan(Type.Object({ id: Type.Integer() }))?.root.kind; // "object"
 */
export function typeboxInterpretedPlan(schema: unknown): Plan | undefined {
  if (typeof schema !== "object" || schema === null || !(Kind in schema)) return undefined;
  return typeboxPlan(schema, {
    leafCheck: (leaf) => (value) => Check(leaf as TSchema, value),
    format(name) {
      const check = FormatRegistry.Get(name);
      return check === undefined ? undefined : (value) => check(value);
    },
  });
}

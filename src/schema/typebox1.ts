// TypeBox 1.x (package `typebox`) behind the Validator interface: the entry of the `streamtypes/typebox1` subpath.
//
// This module imports `typebox` and is meant to be its own subpath entry, never imported by the main entry: TypeBox 1.x
// is an optional peer dependency. A user wraps each 1.x schema with `typebox1(schema)`, which returns a Standard
// Schema v1 object typed with TypeBox 1.x's `Static`; the main entry accepts it like any Standard Schema, and
// `standardValidator` picks up the compiled checker it carries (under the `VALIDATOR` symbol) instead of going
// through `~standard.validate`. TypeBox 1.x itself does not implement Standard Schema (dropped in 1.0.28).
import type { Static, TSchema } from "typebox";
import { Compile } from "typebox/compile";
import { Settings } from "typebox/system";
import { Check, Errors } from "typebox/value";
import type { ValidationIssue } from "../errors.js";
import { VALIDATOR, type StandardSchemaV1 } from "./standard-schema.js";
import { INVALID, type Validator } from "./validator.js";

/** A TypeBox 1.x schema (TypeBox 1.x's `TSchema`: any JSON Schema object). */
export type TypeBox1Schema = TSchema;

/** What TypeBox 1.x reports for one failed keyword (the fields streamtypes reads). */
interface TypeBox1Error {
  keyword: string;
  instancePath: string;
  params: object;
  message: string;
}

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
/** TypeBox 0.34 marks its schemas with this symbol; TypeBox 1.x with a non-enumerable string property "~kind". */
const KIND_034 = Symbol.for("TypeBox.Kind");

/**
 * True for a schema built with TypeBox 1.x (`typebox`): an object with its own "~kind" string property (non-enumerable
 * by default) and without TypeBox 0.34's `Symbol.for("TypeBox.Kind")`. Plain JSON Schema (e.g. a 1.x schema that went
 * through JSON) has no "~kind" and is not recognised. This check needs nothing from `typebox`.
 */
export function isTypeBox1Schema(x: unknown): x is TypeBox1Schema {
  if (typeof x !== "object" || x === null) return false;
  const kind = Object.getOwnPropertyDescriptor(x, "~kind");
  return kind !== undefined && typeof kind.value === "string" && !(KIND_034 in x);
}

/** Options of {@link typebox1Validator} and {@link typebox1}. */
export interface TypeBox1Options {
  /** false: interpret with `typebox/value` Check/Errors, never generating code. Default: compile where allowed. */
  compile?: boolean | undefined;
}

/**
 * A validator for a TypeBox 1.x schema: compiled with `typebox/compile` where code generation is allowed, else
 * interpreted. TypeBox 1.x falls back to interpreting by itself when its one-time probe of `new Function` fails
 * (`IsAccelerated()` is then false); if code generation becomes forbidden after that probe (a CSP installed later),
 * compiling throws `EvalError` and this falls back to `typebox/value` Check/Errors. Integer fields without their own
 * bounds are held to ±(2^53 − 1), as with TypeBox 0.34: a larger integer arrives rounded.
 *
 * @example
 * const v = typebox1Validator(Type.Object({ n: Type.Integer() }));
 * v.mode; // "compiled" ("interpreted" under a strict Content-Security-Policy)
 * v.parse({ n: 2 ** 60 }); // INVALID
 * v.issues({ n: 2 ** 60 }); // [{ path: "/n", message: "integer 1152921504606846976 is outside ±(2^53 − 1), …" }]
 */
export function typebox1Validator(schema: TypeBox1Schema, options: TypeBox1Options = {}): Validator {
  const safe = withSafeIntegers(schema);
  if (options.compile !== false) {
    try {
      const compiled = Compile(safe);
      return {
        mode: compiled.IsAccelerated() ? "compiled" : "interpreted",
        parse: (value) => (compiled.Check(value) ? value : INVALID),
        issues: (value, max) => collectIssues(() => compiled.Errors(value), value, max),
      };
    } catch (err) {
      // Anything but EvalError is a real problem with the schema.
      if (!(err instanceof EvalError)) throw err;
    }
  }
  return {
    mode: "interpreted",
    parse: (value) => (Check(safe, value) ? value : INVALID),
    issues: (value, max) => collectIssues(() => Errors(safe, value), value, max),
  };
}

/** A TypeBox 1.x schema wrapped as a Standard Schema v1, typed with TypeBox 1.x's `Static`, carrying its checker. */
export interface TypeBox1Standard<T extends TypeBox1Schema = TypeBox1Schema> extends StandardSchemaV1<Static<T>, Static<T>> {
  /** The schema as given (without the safe-integer bounds). */
  readonly schema: T;
  readonly [VALIDATOR]: Validator;
}

/**
 * Wraps a TypeBox 1.x schema for a stream definition: `streamTypes(typebox1(Item), typebox1(Header))`. The result is a
 * Standard Schema v1 (usable by any Standard Schema consumer) whose static types are TypeBox 1.x's `Static`, and
 * which carries a compiled (or interpreted) checker that streamtypes uses directly.
 *
 * @example
 * import Type from "typebox";
 * import { typebox1 } from "streamtypes/typebox1";
 * const Item = typebox1(Type.Object({ id: Type.Integer(), words: Type.Array(Type.String()) }));
 */
export function typebox1<T extends TypeBox1Schema>(schema: T, options: TypeBox1Options = {}): TypeBox1Standard<T> {
  const validator = typebox1Validator(schema, options);
  const validate = (value: unknown): StandardSchemaV1.Result<Static<T>> => {
    if (validator.parse(value) !== INVALID) return { value: value as Static<T> };
    return { issues: validator.issues(value).map((i) => ({ message: i.message, path: segments(i.path) })) };
  };
  return {
    schema,
    [VALIDATOR]: validator,
    "~standard": { version: 1, vendor: "typebox", validate },
  };
}

function collectIssues(errors: () => TypeBox1Error[], value: unknown, max = 8): ValidationIssue[] {
  // TypeBox 1.x stops collecting at its global `maxErrors` setting (8 by default): raise it for this call only.
  const settings = Settings.Get();
  const before = settings.maxErrors;
  let list: TypeBox1Error[];
  if (max > before) {
    Settings.Set({ maxErrors: max });
    try {
      list = errors();
    } finally {
      Settings.Set({ maxErrors: before });
    }
  } else {
    list = errors();
  }
  const out: ValidationIssue[] = [];
  for (const e of list) {
    if (out.length >= max) break;
    out.push({ path: e.instancePath === "" ? "/" : e.instancePath, message: explain(e, value) });
  }
  return out;
}

function explain(e: TypeBox1Error, root: unknown): string {
  const bound = e.keyword === "minimum" || e.keyword === "maximum" || e.keyword === "exclusiveMinimum" || e.keyword === "exclusiveMaximum";
  if (bound || e.keyword === "type") {
    const value = at(root, e.instancePath);
    if (bound && typeof value === "number" && Number.isInteger(value) && !Number.isSafeInteger(value)) {
      return (
        `integer ${value} is outside ±(2^53 − 1), so it is not exactly representable as a JavaScript number ` +
        `(a larger integer on the wire arrives rounded). Declare the field Type.BigInt() and use the msgpack codec ` +
        `to carry it exactly as a bigint, or send it as a string`
      );
    }
    if (e.keyword === "type" && typeof value === "bigint" && (e.params as { type?: unknown }).type === "integer") {
      return `integer ${value} arrived as a bigint because it is outside ±(2^53 − 1); declare the field Type.BigInt() to accept it`;
    }
  }
  return e.message;
}

/** The value at a JSON pointer ("" is the root), or undefined. */
function at(root: unknown, path: string): unknown {
  let node = root;
  for (const key of segments(path)) {
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** "/a~1b/0" → ["a/b", "0"]; "" and "/" → []. */
function segments(path: string): string[] {
  if (path === "" || path === "/") return [];
  return path
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

/** Keywords whose value is one schema, or an array of schemas. */
const SCHEMA_KEYS = new Set([
  "items", "prefixItems", "additionalItems", "contains", "unevaluatedItems",
  "additionalProperties", "unevaluatedProperties", "propertyNames",
  "allOf", "anyOf", "oneOf", "not", "if", "then", "else",
]);
/** Keywords whose value maps names to schemas. */
const SCHEMA_MAP_KEYS = new Set(["properties", "patternProperties", "$defs", "definitions", "dependentSchemas"]);

/**
 * A copy of a TypeBox 1.x (or plain JSON) schema in which every integer schema without its own bounds is bounded to
 * the safe range. Only schema positions are walked (not `const`, `enum`, `default`, `examples` or unknown keywords,
 * which hold values); property descriptors are kept, so TypeBox's non-enumerable "~kind" / "~optional" stay as they are.
 */
export function withSafeIntegers<T extends TypeBox1Schema>(schema: T): T {
  return rewriteSchema(schema, new Map()) as T;
}

function rewriteSchema(node: unknown, seen: Map<object, unknown>): unknown {
  if (typeof node !== "object" || node === null || Array.isArray(node)) return node;
  const proto = Object.getPrototypeOf(node);
  if (proto !== Object.prototype && proto !== null) return node;
  const done = seen.get(node);
  if (done !== undefined) return done;
  const copy: Record<PropertyKey, unknown> = Object.create(proto);
  seen.set(node, copy);
  const descriptors = Object.getOwnPropertyDescriptors(node) as Record<PropertyKey, PropertyDescriptor>;
  for (const key of Reflect.ownKeys(descriptors)) {
    const d = descriptors[key as string]!;
    if ("value" in d && typeof key === "string") {
      if (SCHEMA_KEYS.has(key)) {
        d.value = Array.isArray(d.value) ? d.value.map((s: unknown) => rewriteSchema(s, seen)) : rewriteSchema(d.value, seen);
      } else if (SCHEMA_MAP_KEYS.has(key) && typeof d.value === "object" && d.value !== null && !Array.isArray(d.value)) {
        d.value = rewriteMap(d.value as object, seen);
      }
    }
    Object.defineProperty(copy, key, d);
  }
  const type = (node as { type?: unknown }).type;
  const integer = type === "integer" || (Array.isArray(type) && type.includes("integer") && !type.includes("number"));
  if (integer) {
    if (copy.minimum === undefined && copy.exclusiveMinimum === undefined) copy.minimum = -MAX_SAFE;
    if (copy.maximum === undefined && copy.exclusiveMaximum === undefined) copy.maximum = MAX_SAFE;
  }
  return copy;
}

function rewriteMap(map: object, seen: Map<object, unknown>): object {
  const copy: Record<PropertyKey, unknown> = Object.create(Object.getPrototypeOf(map));
  const descriptors = Object.getOwnPropertyDescriptors(map) as Record<PropertyKey, PropertyDescriptor>;
  for (const key of Reflect.ownKeys(descriptors)) {
    const d = descriptors[key as string]!;
    if ("value" in d) d.value = rewriteSchema(d.value, seen);
    Object.defineProperty(copy, key, d);
  }
  return copy;
}

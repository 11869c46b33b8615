// Differential fuzzer of compiled codecs: streamTypes() (codecs compiled from TypeBox schemas) against the generic path (defineStreamTypes without a plan) on random schemas, values and bytes; `node --import tsx bench/fuzz-compiled.ts [pairs] [seed] [--avoid-known]`.
import { joinBytes } from "./contender.js";
import { Type, type TSchema } from "@sinclair/typebox";
import { Packr } from "msgpackr";
import { pathToFileURL } from "node:url";
import { StreamError, TypedArray, streamTypes } from "../src/index.js";
import { decodeMessagePack } from "../src/codecs/msgpack-decode.js";
import { chooseValidator } from "../src/schema/choose.js";
import { typeboxCompiled } from "../src/schema/typebox-compiled.js";
import type { StreamSpec } from "../src/spec.js";
import { defineStreamTypes } from "../src/standard.js";
import { Rng } from "./fuzz-core.js";

export { Rng };

// ---- definitions: one schema, compiled and generic ----

export interface AnyWriter {
  header(value: unknown): Uint8Array;
  item(value: unknown): Uint8Array;
  footer(value: unknown): Uint8Array;
  end(): Uint8Array;
}

export interface AnyReader {
  readHeader(): Promise<unknown>;
  readItems(): AsyncIterable<unknown>;
  readItemBatches(max?: number): AsyncIterable<unknown[]>;
  readFooter(): Promise<unknown>;
}

export interface AnyDefinition {
  readonly header: unknown;
  readonly footer: unknown;
  writer(): AnyWriter;
  reader(source: Iterable<Uint8Array>): AnyReader;
}

/** The same schema twice: with the compiled codec (streamTypes from src/index.ts) and without (defineStreamTypes, no planFor). */
export interface DefinitionPair {
  readonly schema: TSchema;
  readonly compiled: AnyDefinition;
  readonly generic: AnyDefinition;
  /** "code", "closures", or undefined when the schema has no plan (both sides then take the generic path). */
  readonly backend: string | undefined;
  /** The definitions also have a header and a footer, of the same schema. */
  readonly headerFooter: boolean;
  readonly maxFrameBytes: number | undefined;
}

const validatorFor = (schema: unknown) => chooseValidator(schema, typeboxCompiled);

export function definitionPair(schema: TSchema, options: { headerFooter?: boolean; maxFrameBytes?: number } = {}): DefinitionPair {
  const hf = options.headerFooter === true ? schema : undefined;
  const opts = options.maxFrameBytes === undefined ? {} : { maxFrameBytes: options.maxFrameBytes };
  const compiled = streamTypes(schema, hf, hf, opts) as unknown as AnyDefinition;
  const generic = defineStreamTypes(schema, hf, hf, opts, validatorFor) as unknown as AnyDefinition;
  const spec = (compiled as unknown as { spec: StreamSpec }).spec;
  const genericSpec = (generic as unknown as { spec: StreamSpec }).spec;
  if (genericSpec.compiled.item !== undefined) throw new Error("the generic definition has a compiled codec");
  return { schema, compiled, generic, backend: spec.compiled.item?.backend, headerFooter: hf !== undefined, maxFrameBytes: options.maxFrameBytes };
}

// ---- random schemas, each with a generator of (mostly) valid values ----

/** A schema and a generator of values it accepts (by construction; a few may still be refused). */
export interface SchemaGen {
  readonly schema: TSchema;
  /** A value for the schema; `ctx.extra` is set when it holds keys beyond the schema's (so not in schema order). */
  valid(rng: Rng, ctx: GenContext): unknown;
  /** The schema has a non-discriminated union with object members: a compiled writer may follow another member's key order. */
  readonly objectUnion: boolean;
}

export interface GenContext {
  extra: boolean;
  /** Nesting budget for recursive schemas. */
  depth: number;
}

/** Property names (TypeBox refuses control characters in them; records and extra keys get "k\nl" too). */
let KEYS = ["a", "b", "id", "name", "type", "constructor", "toString", "é", "日本", "x".repeat(33), "", "0", "10", "valueOf"];
let EXTRA_KEYS = ["zz", "extra", "b", "type", "__proto__x", "x".repeat(70), "k\nl", "toString"];

/**
 * Leaves out what triggers the disagreements already reported (see the "disagreements found" tests in
 * test/compiled-differential.test.ts), so that a run shows only new ones: property names of Object.prototype,
 * record keys with a line break, non-enumerable properties, Unknown/Any in unions, Literal(0), three arrays per
 * step of a recursion. Off by default; the script's --avoid-known turns it on.
 */
export let avoidKnown = false;
export function setAvoidKnown(on: boolean): void {
  avoidKnown = on;
  KEYS = on ? KEYS.filter((k) => !(k in Object.prototype)) : KEYS;
  EXTRA_KEYS = on ? EXTRA_KEYS.filter((k) => !(k in Object.prototype) && !k.includes("\n")) : EXTRA_KEYS;
}

const ASCII = "abcdefghijklmnopqrstuvwxyz0123456789 ";
/** Characters of each UTF-8 width: 1 (ASCII), 2 (é), 3 (日, €), 4 (astral, two UTF-16 units). */
const ALPHABETS: readonly (readonly string[])[] = [ASCII.split(""), ["é", "ß", "ñ", "ü"], ["日", "本", "€", "語"], ["😀", "𝄞", "🚀"]];

/** String lengths (in UTF-16 units) around MessagePack's header and msgpackr's JS/native boundaries. */
const LENGTHS = [0, 1, 2, 3, 5, 8, 10, 11, 15, 16, 21, 22, 31, 32, 33, 42, 63, 64, 65, 85, 86, 100, 127, 128, 255, 256, 257, 1000, 4095, 4096, 4097, 5000];

/** A string of exactly `units` UTF-16 units from one alphabet (or a mix), never splitting a surrogate pair. */
export function randomText(rng: Rng, units: number, alphabet?: readonly string[]): string {
  const mixed = alphabet === undefined && rng.chance(0.3);
  const letters = alphabet ?? rng.pick(ALPHABETS);
  let out = "";
  while (out.length < units) {
    let c = rng.pick(mixed ? rng.pick(ALPHABETS) : letters);
    if (out.length + c.length > units) c = "a";
    out += c;
  }
  return out;
}

function stringLength(rng: Rng, min: number | undefined, max: number | undefined): number {
  const lo = min ?? 0;
  const hi = max ?? (rng.chance(0.03) ? 70000 : 5000);
  const candidates = LENGTHS.filter((n) => n >= lo && n <= hi);
  if (candidates.length > 0 && rng.chance(0.8)) return rng.pick(candidates);
  return lo + rng.int(Math.min(hi, lo + 300) - lo + 1);
}

/** Patterns a string schema may carry, each with a way to make a string that matches. */
const PATTERNS: readonly { pattern: string; make(rng: Rng, units: number): string }[] = [
  { pattern: "^[a-z]*$", make: (rng, n) => randomText(rng, n, ASCII.slice(0, 26).split("")) },
  { pattern: "^a", make: (rng, n) => (n === 0 ? "a" : "a" + randomText(rng, n - 1)) },
  { pattern: "z$", make: (rng, n) => (n === 0 ? "z" : randomText(rng, n - 1) + "z") },
  { pattern: "[0-9]", make: (rng, n) => (n === 0 ? "7" : "7" + randomText(rng, n - 1)) },
  { pattern: "^[^\\n]*$", make: (rng, n) => randomText(rng, n) },
];

function stringGen(rng: Rng): SchemaGen {
  const options: { minLength?: number; maxLength?: number; pattern?: string } = {};
  if (rng.chance(0.3)) options.minLength = rng.pick([0, 1, 3, 32, 64]);
  if (rng.chance(0.3)) options.maxLength = (options.minLength ?? 0) + rng.pick([0, 1, 10, 31, 100, 300]);
  const pattern = rng.chance(0.25) ? rng.pick(PATTERNS) : undefined;
  if (pattern !== undefined) options.pattern = pattern.pattern;
  return {
    schema: Type.String(options),
    valid: (r) => {
      const n = stringLength(r, options.minLength, options.maxLength);
      const s = pattern === undefined ? randomText(r, n) : pattern.make(r, n);
      return s.length > (options.maxLength ?? Infinity) ? s.slice(0, options.maxLength) : s;
    },
    objectUnion: false,
  };
}

const NUMBERS = [0, -0, 1, -1, 0.5, -2.5, 7, 31, 127, 128, 255, 256, -32, -33, -128, -129, 32767, 65535, 65536, 2 ** 31 - 1, 2 ** 31, -(2 ** 31), -(2 ** 31) - 1, 2 ** 32 - 1, 2 ** 32, 2 ** 40, 2 ** 53 - 1, -(2 ** 53) + 1, 2 ** 53, 1e300, 5e-324, 0.1, 1 / 3];

function numberGen(rng: Rng, integer: boolean): SchemaGen {
  const options: { minimum?: number; maximum?: number; exclusiveMinimum?: number; exclusiveMaximum?: number; multipleOf?: number } = {};
  if (rng.chance(0.3)) options.minimum = rng.pick([-10, 0, 1, -1e6, integer ? 100 : 0.5]);
  if (rng.chance(0.3)) options.maximum = (options.minimum ?? 0) + rng.pick([0, 1, 10, 1000, 2 ** 32]);
  if (rng.chance(0.1)) options.exclusiveMinimum = rng.pick([-1, 0]);
  if (rng.chance(0.1)) options.exclusiveMaximum = rng.pick([10, 2 ** 31]);
  if (rng.chance(0.2)) options.multipleOf = rng.pick(integer ? [1, 2, 3, 7] : [0.5, 0.25, 2, 0.1, 3]);
  const ok = (v: number) =>
    (integer ? Number.isSafeInteger(v) : Number.isFinite(v)) &&
    (options.minimum === undefined || v >= options.minimum) &&
    (options.maximum === undefined || v <= options.maximum) &&
    (options.exclusiveMinimum === undefined || v > options.exclusiveMinimum) &&
    (options.exclusiveMaximum === undefined || v < options.exclusiveMaximum) &&
    (options.multipleOf === undefined || v % options.multipleOf === 0);
  return {
    schema: integer ? Type.Integer(options) : Type.Number(options),
    valid: (r) => {
      for (let i = 0; i < 12; i++) {
        let v: number;
        if (r.chance(0.5)) v = r.pick(NUMBERS);
        else {
          const lo = options.minimum ?? options.exclusiveMinimum ?? -1000;
          const hi = Math.min(options.maximum ?? options.exclusiveMaximum ?? 1000, lo + 1e6);
          v = lo + r.next() * (hi - lo);
          if (integer || r.chance(0.5)) v = Math.round(v);
        }
        if (options.multipleOf !== undefined) v = Math.round(v / options.multipleOf) * options.multipleOf;
        if (ok(v)) return v;
      }
      return options.minimum ?? 0;
    },
    objectUnion: false,
  };
}

const LITERALS: readonly (string | number | boolean)[] = ["a", "b", "", "é", "x".repeat(40), 0, 1, -1, 1.5, 300, 2 ** 33, true, false];

function leafGen(rng: Rng): SchemaGen {
  switch (rng.int(8)) {
    case 0:
      return { schema: Type.Boolean(), valid: (r) => r.chance(0.5), objectUnion: false };
    case 1:
      return { schema: Type.Null(), valid: () => null, objectUnion: false };
    case 2: {
      const value = avoidKnown ? rng.pick(LITERALS.filter((l) => l !== 0)) : rng.pick(LITERALS);
      return { schema: Type.Literal(value), valid: () => value, objectUnion: false };
    }
    case 3:
      return { schema: Type.Date(), valid: (r) => new Date(r.pick([0, 1_700_000_000_123, -1e12, 2 ** 40 * 1000, r.int(2 ** 31) * 1000])), objectUnion: false };
    case 4: {
      const max = rng.chance(0.5) ? rng.pick([0, 4, 300]) : undefined;
      return {
        schema: Type.Uint8Array(max === undefined ? {} : { maxByteLength: max }),
        valid: (r) => r.bytes(r.int((max ?? 600) + 1)),
        objectUnion: false,
      };
    }
    case 5:
      return { schema: Type.BigInt(rng.chance(0.3) ? { minimum: 0n } : {}), valid: (r) => r.pick([0n, 1n, 2n ** 63n, 2n ** 64n + 5n, 2n ** 200n]), objectUnion: false };
    case 6: {
      const name = rng.pick(["Float32Array", "Int16Array", "Float64Array", "BigInt64Array", "Uint8Array"] as const);
      const maxLength = rng.chance(0.3) ? 3 : undefined;
      return {
        schema: TypedArray(name, maxLength === undefined ? {} : { maxLength }),
        valid: (r) => {
          const n = r.int((maxLength ?? 20) + 1);
          if (name === "BigInt64Array") return BigInt64Array.from({ length: n }, () => BigInt(r.int(1000) - 500));
          const values = Array.from({ length: n }, () => r.int(200) - 100);
          return name === "Float32Array" ? Float32Array.from(values) : name === "Int16Array" ? Int16Array.from(values) : name === "Float64Array" ? Float64Array.from(values) : Uint8Array.from(values);
        },
        objectUnion: false,
      };
    }
    default:
      return rng.chance(0.5)
        ? { schema: Type.Unknown(), valid: (r) => anyValue(r, 2), objectUnion: false }
        : { schema: Type.Any(), valid: (r) => anyValue(r, 2), objectUnion: false };
  }
}

/** Any plain value (what Unknown and Any take), a few levels deep. */
export function anyValue(rng: Rng, depth: number): unknown {
  switch (rng.int(depth > 0 ? 9 : 6)) {
    case 0:
      return rng.pick(NUMBERS);
    case 1:
      return randomText(rng, rng.pick(LENGTHS.slice(0, 20)));
    case 2:
      return rng.pick([null, true, false, undefined]);
    case 3:
      return rng.pick<unknown>([new Date(5), Float32Array.of(1.5), Uint8Array.of(1, 2), 2n ** 70n, -0]);
    case 4:
      return rng.int(100);
    case 5:
      return "";
    case 6:
    case 7:
      return Array.from({ length: rng.int(4) }, () => anyValue(rng, depth - 1));
    default: {
      const o: Record<string, unknown> = {};
      for (let i = rng.int(4); i > 0; i--) o[rng.pick(KEYS)] = anyValue(rng, depth - 1);
      return o;
    }
  }
}

function objectGen(rng: Rng, depth: number, fixed?: { key: string; value: string | number | boolean }): SchemaGen {
  const count = rng.int(depth > 0 ? 5 : 3);
  const keys: string[] = [];
  while (keys.length < count) {
    const k = rng.pick(KEYS);
    if (!keys.includes(k) && k !== fixed?.key) keys.push(k);
  }
  const fields = keys.map((key) => ({ key, gen: schemaGen(rng, depth - 1), required: rng.chance(0.6) }));
  if (fixed !== undefined) fields.splice(rng.int(fields.length + 1), 0, { key: fixed.key, gen: { schema: Type.Literal(fixed.value), valid: () => fixed.value, objectUnion: false }, required: true });
  const properties: Record<string, TSchema> = {};
  for (const f of fields) properties[f.key] = f.required ? f.gen.schema : Type.Optional(f.gen.schema);
  const mode = rng.int(4); // 0 absent, 1 true, 2 false, 3 a schema
  const extraGen = mode === 3 ? (rng.chance(0.5) ? stringGen(rng) : numberGen(rng, rng.chance(0.5))) : undefined;
  const options = mode === 0 ? {} : mode === 1 ? { additionalProperties: true } : mode === 2 ? { additionalProperties: false } : { additionalProperties: extraGen!.schema };
  return {
    schema: Type.Object(properties, options),
    valid: (r, ctx) => {
      const o: Record<string, unknown> = {};
      for (const f of fields) if (f.required || r.chance(0.6)) o[f.key] = f.gen.valid(r, ctx);
      if (mode !== 2 && r.chance(0.15)) {
        const k = r.pick(EXTRA_KEYS);
        if (!(k in properties) && k !== "toString") {
          o[k] = extraGen !== undefined ? extraGen.valid(r, ctx) : anyValue(r, 1);
          ctx.extra = true;
        }
      }
      return o;
    },
    objectUnion: fields.some((f) => f.gen.objectUnion) || (extraGen?.objectUnion ?? false),
  };
}

function recursiveGen(rng: Rng, depth: number): SchemaGen {
  switch (rng.int(avoidKnown ? 2 : 3)) {
    case 0: {
      const leaf = leafOrScalar(rng);
      const kids = rng.pick([undefined, 3]);
      const tree = (r: Rng, ctx: GenContext): unknown => {
        ctx.depth--;
        const out = { v: leaf.valid(r, ctx), kids: ctx.depth > 0 ? Array.from({ length: r.int(kids ?? 3) }, () => tree(r, ctx)) : [] };
        ctx.depth++;
        return out;
      };
      return {
        schema: Type.Recursive((This) => Type.Object({ v: leaf.schema, kids: Type.Array(This, kids === undefined ? {} : { maxItems: kids }) })),
        valid: (r, ctx) => tree(r, { ...ctx, depth: r.int(4) }),
        objectUnion: false,
      };
    }
    case 1: {
      // Arrays in arrays: values near the depth limit (MAX_DEPTH) now and then.
      const nest = (r: Rng, d: number): unknown => (d <= 0 || r.chance(0.2) ? (r.chance(0.5) ? r.int(100) : randomText(r, r.int(5))) : Array.from({ length: 1 + r.int(2) }, () => nest(r, d - 1)));
      return {
        schema: Type.Recursive((This) => Type.Union([Type.Number(), Type.String(), Type.Array(This)])),
        valid: (r) => (r.chance(0.05) ? deepArray(r.pick([997, 998, 999, 1000, 1001]), r.int(100)) : nest(r, 5)),
        objectUnion: false,
      };
    }
    default: {
      // Three containers per step of the recursion: depth is checked only where the recursion re-enters.
      const levels = (r: Rng): unknown => {
        const steps = r.chance(0.1) ? r.pick([332, 333, 334]) : r.int(4);
        let v: unknown = [];
        for (let i = 0; i < steps * 3 + 2; i++) v = [v];
        return v;
      };
      return { schema: Type.Recursive((This) => Type.Array(Type.Array(Type.Array(This)))), valid: levels, objectUnion: false };
    }
  }
}

/** `inner` wrapped in `levels` arrays. */
export function deepArray(levels: number, inner: unknown): unknown {
  let v = inner;
  for (let i = 0; i < levels; i++) v = [v];
  return v;
}

function leafOrScalar(rng: Rng): SchemaGen {
  return rng.chance(0.5) ? leafGen(rng) : rng.chance(0.5) ? stringGen(rng) : numberGen(rng, rng.chance(0.5));
}

/** A random TypeBox schema from the kinds compiled codecs cover, and a few they do not. */
export function schemaGen(rng: Rng, depth: number): SchemaGen {
  const k = depth <= 0 ? rng.int(4) : rng.int(16);
  switch (k) {
    case 0:
      return stringGen(rng);
    case 1:
      return numberGen(rng, rng.chance(0.5));
    case 2:
    case 3:
      return leafGen(rng);
    case 4:
    case 5:
      return objectGen(rng, depth);
    case 6: {
      const items = schemaGen(rng, depth - 1);
      const options: { minItems?: number; maxItems?: number } = {};
      if (rng.chance(0.3)) options.minItems = rng.pick([0, 1, 2]);
      if (rng.chance(0.3)) options.maxItems = (options.minItems ?? 0) + rng.pick([0, 1, 3, 16]);
      return {
        schema: Type.Array(items.schema, options),
        valid: (r, ctx) => {
          const lo = options.minItems ?? 0;
          const hi = options.maxItems ?? lo + (r.chance(0.05) ? 40 : 4);
          return Array.from({ length: lo + r.int(hi - lo + 1) }, () => items.valid(r, ctx));
        },
        objectUnion: items.objectUnion,
      };
    }
    case 7: {
      const items = Array.from({ length: rng.int(4) }, () => schemaGen(rng, depth - 1));
      return { schema: Type.Tuple(items.map((i) => i.schema)), valid: (r, ctx) => items.map((i) => i.valid(r, ctx)), objectUnion: items.some((i) => i.objectUnion) };
    }
    case 8: {
      const KIND = Symbol.for("TypeBox.Kind");
      const members = Array.from({ length: 2 + rng.int(2) }, () => schemaGen(rng, depth - 1)).map((m) =>
        avoidKnown && ["Unknown", "Any"].includes(String((m.schema as unknown as Record<symbol, unknown>)[KIND])) ? { schema: Type.Null(), valid: () => null, objectUnion: false } : m,
      );
      const objectMembers = members.filter((m) => (m.schema as { type?: string }).type === "object").length;
      return {
        schema: Type.Union(members.map((m) => m.schema)),
        valid: (r, ctx) => r.pick(members).valid(r, ctx),
        objectUnion: objectMembers > 0 || members.some((m) => m.objectUnion),
      };
    }
    case 9: {
      // A discriminated union of event kinds: objects with a literal under one key.
      const key = rng.chance(0.8) ? "type" : "kind";
      const values = [...new Set(Array.from({ length: 2 + rng.int(2) }, () => rng.pick<string | number | boolean>(["a", "b", "c", "delta", 1, 2, true])))];
      const members = values.map((value) => objectGen(rng, depth - 1, { key, value }));
      return { schema: Type.Union(members.map((m) => m.schema)), valid: (r, ctx) => r.pick(members).valid(r, ctx), objectUnion: members.some((m) => m.objectUnion) || values.length < 2 };
    }
    case 10: {
      const values = schemaGen(rng, depth - 1);
      const variant = rng.int(4);
      const options = rng.chance(0.4) ? { additionalProperties: false } : {};
      const keyPattern = variant === 1 ? /^[a-z]+$/ : variant === 2 ? /^(0|[1-9][0-9]*)$/ : undefined;
      const schema =
        variant === 1 ? Type.Record(Type.String({ pattern: "^[a-z]+$" }), values.schema, options) : variant === 2 ? Type.Record(Type.Number(), values.schema, options) : Type.Record(Type.String(), values.schema, options);
      return {
        schema,
        valid: (r, ctx) => {
          const o: Record<string, unknown> = {};
          for (let i = r.int(5); i > 0; i--) {
            let key = variant === 2 ? String(r.int(20)) : r.chance(0.8) ? r.pick(KEYS) : r.pick(EXTRA_KEYS);
            if (keyPattern !== undefined && !keyPattern.test(key)) key = variant === 2 ? "3" : "abc";
            o[key] = values.valid(r, ctx);
          }
          return o;
        },
        objectUnion: values.objectUnion,
      };
    }
    case 11:
      return recursiveGen(rng, depth);
    case 12: {
      // Not covered by plans: both definitions take the generic path.
      if (rng.chance(0.5)) {
        const a = objectGen(rng, depth - 1);
        const b = objectGen(rng, depth - 1);
        return {
          schema: Type.Intersect([a.schema, b.schema]),
          valid: (r, ctx) => ({ ...(a.valid(r, ctx) as object), ...(b.valid(r, ctx) as object) }),
          objectUnion: true,
        };
      }
      return { schema: Type.Not(Type.String()), valid: (r) => r.int(100), objectUnion: false };
    }
    case 13:
      return { schema: Type.Object({ u: Type.Optional(Type.Undefined()), n: Type.Number() }), valid: (r) => ({ n: r.int(10) }), objectUnion: false };
    case 14: {
      if (avoidKnown) return leafOrScalar(rng);
      // Optional fields whose values may be anything: the `in` check of required Unknown/Any.
      const inner = leafOrScalar(rng);
      return {
        schema: Type.Object({ a: Type.Unknown(), b: Type.Optional(inner.schema), c: Type.Union([inner.schema, Type.Unknown()]) }),
        valid: (r, ctx) => (r.chance(0.5) ? { a: anyValue(r, 1), b: inner.valid(r, ctx), c: anyValue(r, 1) } : { a: anyValue(r, 1), c: inner.valid(r, ctx) }),
        objectUnion: false,
      };
    }
    default:
      return leafOrScalar(rng);
  }
}

// ---- odd values: a valid value with things changed in it ----

/** Values of the wrong type, or at the edges: what mutations put in place of a part of a value. */
export function oddValue(rng: Rng): unknown {
  switch (rng.int(14)) {
    case 0:
      return rng.pick([-0, NaN, Infinity, -Infinity, 2 ** 53, 2 ** 64, -(2 ** 63), 1.5, 5e-324]);
    case 1:
      return rng.pick(["\ud800", "a\udc00b", "x".repeat(70) + "\ud83d", "\ud83d" + "y".repeat(5000), "😀".repeat(40)]);
    case 2:
      return randomText(rng, rng.pick([65, 4097, 5000, 66000]));
    case 3:
      return rng.pick([null, undefined, true, "", "a", 0, []]);
    case 4:
      return {};
    case 5:
      return Object.create(null) as object;
    case 6:
      return new (class Thing {
        a = 1;
      })();
    case 7:
      return rng.pick<unknown>([new Date(NaN), new Date(0), Uint8Array.of(1), Float32Array.of(NaN), 1n, -(2n ** 65000n)]);
    case 8:
      return deepArray(rng.pick([998, 999, 1000, 1001, 1002]), rng.int(3));
    case 9: {
      const sparse: unknown[] = [];
      sparse[2] = 1;
      return sparse;
    }
    case 10:
      return anyValue(rng, 2);
    case 11:
      return rng.pick([() => 1, Symbol("s")]);
    case 12:
      return { type: rng.pick(["a", "b", "c", 1, true, "zz"]) };
    default:
      return randomText(rng, rng.pick(LENGTHS));
  }
}

/** `value` with keys in another order (each object, with probability 1/2). */
export function reorderKeys(rng: Rng, value: unknown, depth = 0): unknown {
  if (depth > 50 || typeof value !== "object" || value === null || ArrayBuffer.isView(value) || value instanceof Date) return value;
  if (Array.isArray(value)) return value.map((v) => reorderKeys(rng, v, depth + 1));
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  const keys = Object.keys(value);
  if (rng.chance(0.5)) keys.reverse();
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = reorderKeys(rng, (value as Record<string, unknown>)[k], depth + 1);
  return out;
}

/** A copy of `value` with one or two things changed at random places: a wrong type, an extra or missing key, another key order, -0, NaN, a lone surrogate, a long string, a deep nesting. */
export function mutateValue(rng: Rng, value: unknown): unknown {
  const nodes = countNodes(value, 0);
  let left = 1 + rng.int(2);
  const at = new Set<number>();
  for (let i = 0; i < left; i++) at.add(rng.int(nodes));
  let index = 0;
  const walk = (v: unknown, depth: number): unknown => {
    const here = index++;
    if (at.has(here) && left-- > 0) return changeOne(rng, v);
    if (depth > 60 || typeof v !== "object" || v === null || ArrayBuffer.isView(v) || v instanceof Date) return v;
    if (Array.isArray(v)) return v.map((e) => walk(e, depth + 1));
    if (Object.getPrototypeOf(v) !== Object.prototype) return v;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v)) out[k] = walk((v as Record<string, unknown>)[k], depth + 1);
    return out;
  };
  return walk(value, 0);
}

function countNodes(v: unknown, depth: number): number {
  if (depth > 60 || typeof v !== "object" || v === null || ArrayBuffer.isView(v) || v instanceof Date) return 1;
  let n = 1;
  if (Array.isArray(v)) for (const e of v) n += countNodes(e, depth + 1);
  else if (Object.getPrototypeOf(v) === Object.prototype) for (const k of Object.keys(v)) n += countNodes((v as Record<string, unknown>)[k], depth + 1);
  return n;
}

function changeOne(rng: Rng, v: unknown): unknown {
  if (typeof v === "number" && rng.chance(0.6)) return rng.pick([-0, NaN, Infinity, v + 0.5, -v, v * 2 ** 32, 2 ** 53]);
  if (typeof v === "string" && rng.chance(0.6)) return rng.pick([v + "\ud800", "\udfff" + v, v + "x".repeat(70), v + "y".repeat(4100), v.slice(1), v + "😀", v.repeat(3)]);
  if (Array.isArray(v) && rng.chance(0.6)) {
    const copy = v.slice();
    switch (rng.int(4)) {
      case 0:
        copy.push(copy.length > 0 ? copy[0] : oddValue(rng));
        return copy;
      case 1:
        copy.pop();
        return copy;
      case 2:
        return deepArray(rng.pick([997, 999, 1000, 1001]), copy);
      default:
        copy.length += 1; // a hole at the end
        return copy;
    }
  }
  if (typeof v === "object" && v !== null && Object.getPrototypeOf(v) === Object.prototype && rng.chance(0.7)) {
    const keys = Object.keys(v);
    const out: Record<string, unknown> = {};
    switch (avoidKnown ? rng.pick([0, 1, 2, 3, 5, 6]) : rng.int(7)) {
      case 0: // another key order
        for (const k of keys.slice().reverse()) out[k] = (v as Record<string, unknown>)[k];
        return out;
      case 1: // an extra key
        Object.assign(out, v);
        out[rng.pick(EXTRA_KEYS)] = rng.chance(0.5) ? oddValue(rng) : rng.int(5);
        return out;
      case 2: // a missing key
        Object.assign(out, v);
        if (keys.length > 0) delete out[rng.pick(keys)];
        return out;
      case 3: // a key set to undefined
        Object.assign(out, v);
        out[keys.length > 0 && rng.chance(0.7) ? rng.pick(keys) : rng.pick(KEYS)] = undefined;
        return out;
      case 4: // a non-enumerable extra property
        Object.assign(out, v);
        Object.defineProperty(out, rng.pick(EXTRA_KEYS), { value: 1, enumerable: false });
        return out;
      case 5: // a null prototype
        return Object.assign(Object.create(null) as object, v);
      default: // a missing key and an extra one: the same count
        Object.assign(out, v);
        if (keys.length > 0) delete out[rng.pick(keys)];
        out[rng.pick(EXTRA_KEYS)] = rng.int(5);
        return out;
    }
  }
  return oddValue(rng);
}

// ---- comparing values ----

/** Strict deep equality: -0 is not 0, NaN is NaN, a present undefined is not a missing key, classes must match; key order is ignored. */
export function sameValue(a: unknown, b: unknown, depth = 0): boolean {
  if (typeof a !== typeof b) return false;
  if (typeof a === "number") return Object.is(a, b);
  if (typeof a !== "object" || a === null || b === null) return a === b;
  const bo = b as object;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(bo)) return false;
  if (a instanceof Date) return Object.is(a.getTime(), (bo as Date).getTime());
  if (ArrayBuffer.isView(a)) {
    const x = a as unknown as ArrayLike<unknown>;
    const y = bo as unknown as ArrayLike<unknown>;
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return false;
    return true;
  }
  if (depth > 2000) return true;
  if (Array.isArray(a)) {
    const y = bo as unknown[];
    if (a.length !== y.length) return false;
    for (let i = 0; i < a.length; i++) if (i in a !== i in y || !sameValue(a[i], y[i], depth + 1)) return false;
    return true;
  }
  const ka = Object.keys(a).sort();
  const kb = Object.keys(bo).sort();
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i] || !sameValue((a as Record<string, unknown>)[ka[i]!], (bo as Record<string, unknown>)[kb[i]!], depth + 1)) return false;
  return true;
}

/** The keys of every object in `v`, in order: equal for two values whose key orders agree. */
export function keyOrder(v: unknown, depth = 0): string {
  if (depth > 2000 || typeof v !== "object" || v === null || ArrayBuffer.isView(v) || v instanceof Date) return "";
  if (Array.isArray(v)) return "[" + v.map((e) => keyOrder(e, depth + 1)).join(",") + "]";
  return "{" + Object.keys(v).map((k) => JSON.stringify(k) + ":" + keyOrder((v as Record<string, unknown>)[k], depth + 1)).join(",") + "}";
}

/** A short, exact description of a value for reports: -0, NaN, undefined, bigints, Dates, typed arrays, long strings by length. */
export function show(v: unknown, depth = 0): string {
  if (depth > 6) return "…";
  if (typeof v === "number") return Object.is(v, -0) ? "-0" : String(v);
  if (typeof v === "bigint") return `${v}n`;
  if (typeof v === "string") return v.length > 80 ? `${JSON.stringify(v.slice(0, 40))}…(${v.length} units)` : JSON.stringify(v);
  if (typeof v !== "object" || v === null) return String(v);
  if (v instanceof Date) return `Date(${v.getTime()})`;
  if (ArrayBuffer.isView(v)) return `${v.constructor.name}[${Array.from(v as unknown as ArrayLike<unknown>, (e) => show(e)).slice(0, 8).join(",")}]`;
  if (Array.isArray(v)) {
    let levels = 0;
    let inner: unknown = v;
    while (Array.isArray(inner) && inner.length === 1 && levels < 5000) {
      inner = inner[0];
      levels++;
    }
    if (levels > 8) return `${levels}×[ ${show(inner, depth + 1)} ]`;
    return "[" + v.slice(0, 12).map((e) => show(e, depth + 1)).join(", ") + (v.length > 12 ? `, …(${v.length})` : "") + "]";
  }
  const proto = Object.getPrototypeOf(v);
  const prefix = proto === null ? "null-proto " : proto !== Object.prototype ? `${proto?.constructor?.name ?? "?"} ` : "";
  const hidden = Object.getOwnPropertyNames(v).filter((k) => !Object.prototype.propertyIsEnumerable.call(v, k));
  const entries = Object.keys(v)
    .slice(0, 12)
    .map((k) => `${JSON.stringify(k)}: ${show((v as Record<string, unknown>)[k], depth + 1)}`);
  return prefix + "{" + entries.join(", ") + (hidden.length > 0 ? ` /* non-enumerable: ${hidden.join(", ")} */` : "") + "}";
}

/** A schema as JSON, with TypeBox's Kind shown (and bigints). */
export function showSchema(schema: unknown): string {
  const KIND = Symbol.for("TypeBox.Kind");
  const OPTIONAL = Symbol.for("TypeBox.Optional");
  return JSON.stringify(schema, function (_key, value: unknown) {
    if (typeof value === "bigint") return `${value}n`;
    if (typeof value === "object" && value !== null && KIND in value) {
      const s = value as Record<string | symbol, unknown>;
      return { kind: s[KIND], ...(s[OPTIONAL] ? { optional: true } : {}), ...s };
    }
    return value;
  });
}

// ---- writing ----

export type WriteOutcome = { ok: true; payload: Uint8Array } | { ok: false; error: string };

/** A thrown value as "CODE: message" (StreamError) or "ClassName! message" (anything else). */
export function describeError(err: unknown): string {
  if (err instanceof StreamError) return `${err.code}: ${err.message}`;
  if (err instanceof Error) return `${err.constructor.name}! ${err.message}`;
  return `thrown! ${String(err)}`;
}

const KIND_OPEN = 1;

/** The payload of a frame a writer returned (after the binary marker, when it carries it), checking the length its header gives. */
export function payloadOf(frame: Uint8Array): Uint8Array {
  const at = frame[0] === KIND_OPEN ? 11 : 0;
  const length = ((frame[at + 1]! << 24) | (frame[at + 2]! << 16) | (frame[at + 3]! << 8) | frame[at + 4]!) >>> 0;
  if (at + 5 + length !== frame.length) throw new Error(`a frame of ${frame.length} bytes whose header announces a ${length}-byte payload`);
  return frame.slice(at + 5);
}

export function writeOne(write: (value: unknown) => Uint8Array, value: unknown): WriteOutcome {
  try {
    return { ok: true, payload: payloadOf(write(value)) };
  } catch (err) {
    return { ok: false, error: describeError(err) };
  }
}

function decodeOrError(payload: Uint8Array): { value: unknown } | { error: string } {
  try {
    return { value: decodeMessagePack(payload, 0, payload.length) };
  } catch (err) {
    return { error: describeError(err) };
  }
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

/** Why two write outcomes disagree, or undefined when they agree (see the rule in test/compiled-differential.test.ts). */
const STACK_LIMIT = /could not be checked against its schema: RangeError: Maximum call stack size exceeded/;
const ISSUES_FAILED = /it was rejected by its schema\.$/;

export function writeDisagreement(compiled: WriteOutcome, generic: WriteOutcome, value: unknown, inSchemaOrder: boolean): string | undefined {
  if (!compiled.ok || !generic.ok) {
    const c = compiled.ok ? "wrote a payload" : compiled.error;
    const g = generic.ok ? "wrote a payload" : generic.error;
    // Writers live on across values: after a pair one of them refused, their item numbers differ by design.
    if (c.replace(/item \d+/g, "item #") === g.replace(/item \d+/g, "item #")) return undefined;
    // The interpreted TypeBox check (code generation forbidden) runs out of stack near MAX_DEPTH on recursive
    // values, at a depth that depends on the stack in use when it runs: a limit of that check, not a disagreement.
    if (STACK_LIMIT.test(c) || STACK_LIMIT.test(g)) return undefined;
    // Likewise TypeBox's issue list for a value nested near MAX_DEPTH: when it overflows, the message falls back to
    // "rejected by its schema" (validation-errors.ts), on either side, whichever has less stack left.
    if (c.startsWith("VALIDATION") && g.startsWith("VALIDATION") && (ISSUES_FAILED.test(c) || ISSUES_FAILED.test(g))) return undefined;
    const decoded = compiled.ok ? decodeOrError(compiled.payload) : generic.ok ? decodeOrError(generic.payload) : undefined;
    const shown = decoded === undefined ? "" : "value" in decoded ? ` (decoding to ${show(decoded.value)})` : ` (that does not decode: ${decoded.error})`;
    return `compiled: ${c}${compiled.ok ? shown : ""}; generic: ${g}${generic.ok ? shown : ""}`;
  }
  if (sameBytes(compiled.payload, generic.payload)) return undefined;
  const c = decodeOrError(compiled.payload);
  const g = decodeOrError(generic.payload);
  if (!("value" in c) || !("value" in g)) return `compiled payload ${"value" in c ? "decodes" : c.error}; generic payload ${"value" in g ? "decodes" : g.error}`;
  if (!sameValue(c.value, g.value)) return `payloads decode to different values: compiled ${show(c.value)}, generic ${show(g.value)}`;
  if (keyOrder(c.value) === keyOrder(g.value)) return `the same value in different bytes: compiled ${hex(compiled.payload)}, generic ${hex(generic.payload)}`;
  if (inSchemaOrder) return `the value's keys are in schema order, but the compiled payload's key order differs: compiled ${keyOrder(c.value)}, generic ${keyOrder(g.value)}`;
  void value;
  return undefined;
}

export const hex = (b: Uint8Array) => Array.from(b.subarray(0, 64), (x) => x.toString(16).padStart(2, "0")).join(" ") + (b.length > 64 ? ` …(${b.length} bytes)` : "");

// ---- reading ----

export interface ReadOutcome {
  header?: unknown;
  items: unknown[];
  footer?: unknown;
  error?: string;
}

/** Reads a whole stream (readHeader, readItems or readItemBatches, readFooter), collecting the parts and the error. */
export async function readAllOf(def: AnyDefinition, chunks: readonly Uint8Array[], batches: boolean): Promise<ReadOutcome> {
  const out: ReadOutcome = { items: [] };
  const reader = def.reader(chunks.map((c) => c.slice()));
  try {
    if (def.header !== undefined) out.header = await reader.readHeader();
    if (batches) for await (const batch of reader.readItemBatches(7)) out.items.push(...batch);
    else for await (const item of reader.readItems()) out.items.push(item);
    if (def.footer !== undefined) out.footer = await reader.readFooter();
  } catch (err) {
    out.error = describeError(err);
  }
  return out;
}

export function readDisagreement(c: ReadOutcome, g: ReadOutcome): string | undefined {
  if (c.error !== g.error) return `compiled error: ${c.error ?? "none"}; generic error: ${g.error ?? "none"} (items ${c.items.length} vs ${g.items.length})`;
  const same = (x: unknown, y: unknown) => sameValue(x, y) && keyOrder(x) === keyOrder(y);
  if ("header" in c !== "header" in g || !same(c.header, g.header)) return `headers differ: compiled ${show(c.header)}, generic ${show(g.header)}`;
  if (c.items.length !== g.items.length) return `compiled read ${c.items.length} items, generic ${g.items.length}`;
  for (let i = 0; i < c.items.length; i++) if (!same(c.items[i], g.items[i])) return `item ${i} differs: compiled ${show(c.items[i])}, generic ${show(g.items[i])}`;
  if ("footer" in c !== "footer" in g || !same(c.footer, g.footer)) return `footers differ: compiled ${show(c.footer)}, generic ${show(g.footer)}`;
  return undefined;
}

const packr = new Packr({ useRecords: false, moreTypes: true, variableMapSize: true });

/** A payload changed at the byte level: a bit flipped, a byte set, truncated, extended, or a slice replaced. */
export function mutateBytes(rng: Rng, payload: Uint8Array): Uint8Array {
  const b = payload.slice();
  switch (rng.int(6)) {
    case 0:
      if (b.length > 0) b[rng.int(b.length)]! ^= 1 << rng.int(8);
      return b;
    case 1:
      if (b.length > 0) b[rng.int(b.length)] = rng.pick([0x00, 0x7f, 0x80, 0x90, 0xa0, 0xc0, 0xc1, 0xc2, 0xc3, 0xca, 0xcb, 0xcc, 0xd3, 0xd9, 0xdc, 0xde, 0xff, rng.int(256)]);
      return b;
    case 2:
      return b.slice(0, rng.int(b.length + 1));
    case 3: {
      const out = new Uint8Array(b.length + 1);
      out.set(b);
      out[b.length] = rng.int(256);
      return out;
    }
    case 4: {
      const at = rng.int(b.length + 1);
      const n = Math.min(b.length - at, 1 + rng.int(4));
      b.set(rng.bytes(n), at);
      return b;
    }
    default:
      return rng.bytes(rng.int(12));
  }
}

/** msgpackr's bytes for a value (undefined when it cannot pack it). */
export function packed(value: unknown): Uint8Array | undefined {
  try {
    return (packr.pack(value) as Uint8Array).slice();
  } catch {
    return undefined;
  }
}

const MARKER = Uint8Array.of(1, 0, 0, 0, 6, 0x53, 0x54, 0x59, 0x50, 1, 1);

/** One length-prefixed frame, built by hand: kind, uint32 BE length, payload. */
export function frame(kind: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(5 + payload.length);
  out[0] = kind;
  out[1] = payload.length >>> 24;
  out[2] = (payload.length >>> 16) & 0xff;
  out[3] = (payload.length >>> 8) & 0xff;
  out[4] = payload.length & 0xff;
  out.set(payload, 5);
  return out;
}

/** One buffer of all the parts (the benchmarks' joinBytes). */
export const concatBytes = joinBytes;

/** A binary MessagePack stream by hand: marker, the header payload, item payloads, the footer payload, the end frame (sometimes left off or cut). */
export function streamOfPayloads(rng: Rng, pair: DefinitionPair, payloads: readonly Uint8Array[]): Uint8Array[] {
  const frames: Uint8Array[] = [MARKER];
  let items = payloads;
  if (pair.headerFooter && items.length > 0) {
    frames.push(frame(2, items[0]!));
    items = items.slice(1);
  }
  const footer = pair.headerFooter && items.length > 0 ? items[items.length - 1] : undefined;
  if (footer !== undefined) items = items.slice(0, -1);
  for (const p of items) frames.push(frame(3, p));
  if (footer !== undefined) frames.push(frame(4, footer));
  if (!rng.chance(0.05)) frames.push(frame(5, new Uint8Array(0)));
  let bytes = concatBytes(frames);
  if (rng.chance(0.05)) bytes = bytes.slice(0, rng.int(bytes.length));
  // The same chunks for both readers: one chunk (the batch fast path), or cut anywhere.
  if (rng.chance(0.5)) return [bytes];
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; ) {
    const n = 1 + rng.int(rng.chance(0.5) ? 8 : 200);
    chunks.push(bytes.slice(at, at + n));
    at += n;
  }
  return chunks;
}

// ---- one schema's round of comparisons ----

export interface Disagreement {
  side: "writer" | "reader";
  schema: string;
  backend: string | undefined;
  input: string;
  detail: string;
}

export interface RoundStats {
  writes: number;
  writeAgreements: number;
  writesOk: number;
  reads: number;
  readAgreements: number;
  readsWithItems: number;
  compiledSchemas: number;
  schemas: number;
  disagreements: Disagreement[];
}

export function emptyStats(): RoundStats {
  return { writes: 0, writeAgreements: 0, writesOk: 0, reads: 0, readAgreements: 0, readsWithItems: 0, compiledSchemas: 0, schemas: 0, disagreements: [] };
}

/** A random definition pair: a random schema, sometimes with a header and footer of the same schema, sometimes a small maxFrameBytes. */
export function randomPair(rng: Rng): { pair: DefinitionPair; gen: SchemaGen } {
  for (;;) {
    const gen = schemaGen(rng, 1 + rng.int(3));
    const options = { headerFooter: rng.chance(0.2), ...(rng.chance(0.15) ? { maxFrameBytes: rng.pick([64, 300, 4096]) } : {}) };
    let pair: DefinitionPair;
    try {
      pair = definitionPair(gen.schema, options);
    } catch (err) {
      // A schema TypeBox itself refuses is refused by both definitions alike; the compiled one must not be the only one to.
      let generic: unknown;
      try {
        defineStreamTypes(gen.schema, undefined, undefined, {}, validatorFor);
      } catch (e) {
        generic = e;
      }
      if (generic === undefined) throw err;
      continue;
    }
    return { pair, gen };
  }
}

/** A value for the pair: valid, or valid then mutated, or odd; and whether its keys are in schema order. */
export function randomValue(rng: Rng, gen: SchemaGen): { value: unknown; inSchemaOrder: boolean } {
  const ctx: GenContext = { extra: false, depth: 3 };
  const valid = gen.valid(rng, ctx);
  const roll = rng.next();
  if (roll < 0.55) return { value: valid, inSchemaOrder: !ctx.extra && !gen.objectUnion };
  if (roll < 0.65) return { value: reorderKeys(rng, valid), inSchemaOrder: false };
  if (roll < 0.95) return { value: mutateValue(rng, valid), inSchemaOrder: false };
  return { value: oddValue(rng), inSchemaOrder: false };
}

/** Writes `values` with both definitions (one long-lived writer each, as a stream does) and compares every outcome. */
export function compareWrites(pair: DefinitionPair, values: readonly { value: unknown; inSchemaOrder: boolean }[], stats: RoundStats): Uint8Array[] {
  let cw = pair.compiled.writer();
  let gw = pair.generic.writer();
  const written: Uint8Array[] = [];
  for (const { value, inSchemaOrder } of values) {
    const c = writeOne((v) => cw.item(v), value);
    const g = writeOne((v) => gw.item(v), value);
    stats.writes++;
    const why = writeDisagreement(c, g, value, inSchemaOrder);
    if (why === undefined) stats.writeAgreements++;
    else {
      stats.disagreements.push({ side: "writer", schema: showSchema(pair.schema), backend: pair.backend, input: show(value), detail: why });
      // Their item counts may differ now (one wrote, one threw): start both over, so that later messages name the same index.
      cw = pair.compiled.writer();
      gw = pair.generic.writer();
    }
    if (g.ok) {
      stats.writesOk++;
      written.push(g.payload);
    }
  }
  if (pair.headerFooter && values.length > 0) {
    // The header of a fresh writer: the frame after the binary marker.
    const { value, inSchemaOrder } = values[0]!;
    const c = writeOne((v) => pair.compiled.writer().header(v), value);
    const g = writeOne((v) => pair.generic.writer().header(v), value);
    stats.writes++;
    const why = writeDisagreement(c, g, value, inSchemaOrder);
    if (why === undefined) stats.writeAgreements++;
    else stats.disagreements.push({ side: "writer", schema: showSchema(pair.schema), backend: pair.backend, input: "header " + show(value), detail: why });
  }
  return written;
}

/** Payloads to read: generic-written ones, mutated ones, msgpackr's bytes for odd or reordered values. */
export function readPayloads(rng: Rng, gen: SchemaGen, written: readonly Uint8Array[], count: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const roll = rng.next();
    if (roll < 0.45 && written.length > 0) out.push(rng.pick(written));
    else if (roll < 0.7 && written.length > 0) out.push(mutateBytes(rng, rng.pick(written)));
    else {
      const { value } = randomValue(rng, gen);
      const bytes = packed(rng.chance(0.5) ? reorderKeys(rng, value) : value);
      if (bytes !== undefined) out.push(rng.chance(0.2) ? mutateBytes(rng, bytes) : bytes);
    }
  }
  return out;
}

export async function compareReads(rng: Rng, pair: DefinitionPair, payloads: readonly Uint8Array[], stats: RoundStats): Promise<void> {
  const chunks = streamOfPayloads(rng, pair, payloads);
  const batches = rng.chance(0.5);
  const c = await readAllOf(pair.compiled, chunks, batches);
  const g = await readAllOf(pair.generic, chunks, batches);
  stats.reads++;
  if (g.items.length > 0) stats.readsWithItems++;
  const why = readDisagreement(c, g);
  if (why === undefined) stats.readAgreements++;
  else {
    const input = payloads.map((p) => hex(p)).join(" | ");
    stats.disagreements.push({ side: "reader", schema: showSchema(pair.schema), backend: pair.backend, input: `${chunks.length} chunk(s), ${batches ? "readItemBatches" : "readItems"}, payloads: ${input}`, detail: why });
  }
}

/** One schema: `writes` values written by both, then `reads` streams of (mostly) `perStream` payloads read by both. */
export async function round(rng: Rng, writes: number, reads: number, perStream: number, stats: RoundStats): Promise<void> {
  const { pair, gen } = randomPair(rng);
  stats.schemas++;
  if (pair.backend !== undefined) stats.compiledSchemas++;
  const values = Array.from({ length: writes }, () => randomValue(rng, gen));
  const written = compareWrites(pair, values, stats);
  for (let i = 0; i < reads; i++) await compareReads(rng, pair, readPayloads(rng, gen, written, 1 + rng.int(perStream)), stats);
}

// ---- the script ----

async function main(): Promise<void> {
  const args = process.argv.slice(2).filter((a) => !a.startsWith("--"));
  if (process.argv.includes("--avoid-known")) setAvoidKnown(true);
  const pairs = Number(args[0] ?? 1_000_000);
  const seed = Number(args[1] ?? Date.now() % 2 ** 31);
  if (!Number.isSafeInteger(pairs) || pairs <= 0 || !Number.isSafeInteger(seed)) throw new Error("usage: node --import tsx bench/fuzz-compiled.ts [pairs] [seed] [--avoid-known]");
  console.log(`fuzz-compiled: ${pairs} pairs, seed ${seed}${avoidKnown ? ", avoiding the known disagreements" : ""}`);
  // Errors are compared by code and message only: no stack traces to capture (a third of the time otherwise).
  Error.stackTraceLimit = 0;
  const rng = new Rng(seed);
  const stats = emptyStats();
  const started = Date.now();
  let lastReport = started;
  // Per schema: 200 values written, 40 streams read (each one pair); a schema is compiled once for many pairs.
  while (stats.writes + stats.reads < pairs) {
    const left = pairs - stats.writes - stats.reads;
    await round(rng, Math.min(200, Math.ceil(left * 0.83)), Math.min(40, Math.max(1, Math.floor(left * 0.17))), 6, stats);
    if (Date.now() - lastReport > 10_000) {
      lastReport = Date.now();
      console.log(`  ${stats.writes + stats.reads} pairs, ${stats.disagreements.length} disagreements, ${((Date.now() - started) / 1000).toFixed(0)} s`);
    }
  }
  const seconds = (Date.now() - started) / 1000;
  console.log(
    `${stats.writes + stats.reads} pairs in ${seconds.toFixed(1)} s over ${stats.schemas} schemas (${stats.compiledSchemas} with a compiled codec):\n` +
      `  writer: ${stats.writeAgreements} of ${stats.writes} agree (${stats.writesOk} written by the generic path)\n` +
      `  reader: ${stats.readAgreements} of ${stats.reads} streams agree (${stats.readsWithItems} with items)`,
  );
  // The first disagreements, one per kind of detail (numbers and bytes blanked), so that one bug does not hide the others.
  const seen = new Map<string, { first: Disagreement; count: number }>();
  for (const d of stats.disagreements) {
    const detail = d.detail
      .replace(/\((decoding to|that does not decode)[^;]*\)/g, "($1 …)")
      .replace(/cannot be (written|encoded)[^;]*/g, "cannot be $1 …")
      .replace(/(differs?|different values|different bytes):.*/, "$1 …")
      .replace(/\d+/g, "#");
    const kind = `${d.side}: ${detail.slice(0, 160)}`;
    const entry = seen.get(kind);
    if (entry === undefined) seen.set(kind, { first: d, count: 1 });
    else entry.count++;
  }
  let shown = 0;
  for (const [kind, { first, count }] of seen) {
    if (shown++ >= 25) break;
    console.log(`\n${count}× ${kind}\n  schema (${first.backend ?? "no plan"}): ${first.schema.slice(0, 600)}\n  input: ${first.input.slice(0, 600)}\n  ${first.detail.slice(0, 800)}`);
  }
  console.log(`\nseed ${seed}: ${stats.disagreements.length} disagreements`);
  process.exitCode = stats.disagreements.length === 0 ? 0 : 1;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();

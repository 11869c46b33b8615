// Items as a discriminated union: narrowing by kind, matching on it, and the kinds a union schema declares.
import { StreamError } from "./errors.js";

/** A discriminator's value: a string (usual) or a number. */
export type KindValue = string | number;

/** The kinds of union `T` under discriminator `D`: `"status" | "token"` for `{ type: "status" } | { type: "token" }`. */
export type KindsOf<T, D extends PropertyKey = "type"> = T extends { readonly [P in D]: infer V } ? Extract<V, KindValue> : never;

/** The member of union `T` whose discriminator `D` is `K`. */
export type OfKind<T, K extends KindValue, D extends PropertyKey = "type"> = Extract<T, { readonly [P in D]: K }>;

/** One handler per kind of `T`, for {@link match}. */
export type KindHandlers<T, R, D extends PropertyKey = "type"> = { [K in KindsOf<T, D>]: (item: OfKind<T, K, D>) => R };

/** What the handlers of {@link match} return: the union of their return types. */
export type HandlerResult<H> = { [K in keyof H]: H[K] extends (...args: never[]) => infer R ? R : never }[keyof H];

/**
 * The item's kind: its discriminator's value (`item.type` by default).
 *
 * @example
 * kindOf({ type: "token", text: "hi" }); // "token"
 */
export function kindOf<T extends object, D extends PropertyKey = "type">(item: T, key?: D): KindsOf<T, D> {
  return (item as Record<PropertyKey, unknown>)[key ?? "type"] as KindsOf<T, D>;
}

/**
 * True when the item is of kind `kind` (its `type`, or the discriminator `key`), narrowing it to that member.
 *
 * @example
 * for await (const ev of r.readItems()) if (isKind(ev, "token")) process.stdout.write(ev.text);
 */
export function isKind<T extends object, const K extends KindsOf<T, D>, D extends PropertyKey = "type">(item: T, kind: K, key?: D): item is OfKind<T, K, D> & T {
  return (item as Record<PropertyKey, unknown>)[key ?? "type"] === kind;
}

/**
 * Calls the handler for the item's kind and returns what it returns. The handlers must cover every kind of the
 * union (the compiler says which is missing), or give `_` for the rest. A kind without a handler at run time (an
 * unvalidated stream) is `VALIDATION`.
 *
 * @example
 * const text = match(ev, { token: (t) => t.text, status: (s) => `[${s.state}]`, _: () => "" });
 */
export function match<T extends object, H extends KindHandlers<T, unknown, D>, D extends PropertyKey = "type">(item: T, handlers: H, key?: D): HandlerResult<H>;
export function match<T extends object, H extends Partial<KindHandlers<T, unknown, D>> & { _: (item: T) => unknown }, D extends PropertyKey = "type">(
  item: T,
  handlers: H,
  key?: D,
): HandlerResult<H>;
export function match(item: object, handlers: object, key?: PropertyKey): unknown {
  const kind = (item as Record<PropertyKey, unknown>)[key ?? "type"];
  const table = handlers as Record<PropertyKey, ((item: object) => unknown) | undefined>;
  const handler = (typeof kind === "string" || typeof kind === "number") && Object.hasOwn(table, kind) ? table[kind] : table["_"];
  if (handler === undefined) {
    throw new StreamError("VALIDATION", `match(): no handler for the kind ${JSON.stringify(kind) ?? String(kind)} (discriminator "${String(key ?? "type")}"), and no "_" handler.`);
  }
  return handler(item);
}

/** The reader option `unknownKinds`: items of a kind this reader does not know are skipped instead of failing validation. */
export interface UnknownKindsOptions {
  /** The discriminator property, e.g. "type". */
  key: string;
  /**
   * The kinds this reader knows. Default: derived from the item schema (see {@link knownKinds}); `OPTIONS` where
   * that is not possible.
   */
  known?: readonly KindValue[] | undefined;
  /** Called for each skipped item with its kind and its decoded value (unvalidated). A callback that throws fails the stream with its error. */
  onSkip?: ((kind: KindValue, raw: unknown) => void) | undefined;
}

const TYPEBOX_KIND = Symbol.for("TypeBox.Kind");

/**
 * The kinds a union schema declares under discriminator `key`, or undefined where they cannot be derived. Supported:
 * TypeBox 0.34 `Type.Union` of `Type.Object`s (and a single object) whose `key` property is a `Type.Literal` or a
 * union of literals; zod 4 `z.discriminatedUnion`, `z.union` of objects and `z.object` with a literal `key`;
 * valibot `v.variant` / `v.union` of `v.object`s with a `v.literal` or `v.picklist` `key`. Not arktype (give
 * `known` yourself).
 *
 * @example
 * knownKinds(Type.Union([Type.Object({ type: Type.Literal("a") }), Type.Object({ type: Type.Literal("b") })]), "type"); // ["a", "b"]
 */
export function knownKinds(schema: unknown, key: string): KindValue[] | undefined {
  const out = new Set<KindValue>();
  return collect(schema, key, out, 0) ? [...out] : undefined;
}

function collect(schema: unknown, key: string, out: Set<KindValue>, depth: number): boolean {
  if ((typeof schema !== "object" && typeof schema !== "function") || schema === null || depth > 16) return false;
  const s = schema as Record<PropertyKey, unknown>;
  const member = (m: unknown) => collect(m, key, out, depth + 1);
  // TypeBox 0.34
  const tb = s[TYPEBOX_KIND];
  if (tb === "Union") return everyOf(s.anyOf, member);
  if (tb === "Object") return literals((s.properties as Record<string, unknown> | undefined)?.[key], out, depth);
  // zod 4
  const zod = s._zod as { propValues?: Record<string, Set<unknown>>; def?: { type?: string; options?: unknown[] } } | undefined;
  if (zod !== undefined && typeof zod === "object") {
    const values = zod.propValues?.[key];
    if (values !== undefined && values.size > 0) return [...values].every((v) => add(v, out));
    return zod.def?.type === "union" && everyOf(zod.def.options, member);
  }
  // valibot
  if (s.kind !== "schema") return false;
  if (s.type === "variant" || s.type === "union") return everyOf(s.options, member);
  return s.type === "object" && typeof s.entries === "object" && s.entries !== null && literals((s.entries as Record<string, unknown>)[key], out, depth);
}

/** A literal (or a union of them, a valibot picklist) of a discriminator property. */
function literals(prop: unknown, out: Set<KindValue>, depth: number): boolean {
  if (typeof prop !== "object" || prop === null || depth > 16) return false;
  const p = prop as Record<PropertyKey, unknown>;
  if (p[TYPEBOX_KIND] === "Literal") return add(p.const, out);
  if (p[TYPEBOX_KIND] === "Union") return everyOf(p.anyOf, (m) => literals(m, out, depth + 1));
  if (p.kind === "schema" && p.type === "literal") return add(p.literal, out);
  if (p.kind === "schema" && p.type === "picklist" && Array.isArray(p.options)) return p.options.every((v) => add(v, out));
  return false;
}

/** True for a non-empty array whose every member passes `test`. */
function everyOf(list: unknown, test: (member: unknown) => boolean): boolean {
  return Array.isArray(list) && list.length > 0 && list.every(test);
}

function add(value: unknown, out: Set<KindValue>): boolean {
  if (typeof value !== "string" && typeof value !== "number") return false;
  out.add(value);
  return true;
}

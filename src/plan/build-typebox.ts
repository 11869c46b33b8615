// TypeBox 0.34 schema → plan: one walk of the schema; a kind the plan does not cover leaves the part uncompiled.
import type { NumberNode, Plan, PlanField, PlanNode } from "./plan.js";

/** TypeBox 0.34's Kind key, a global symbol: no import of TypeBox is needed to read a schema. */
const KIND = Symbol.for("TypeBox.Kind");
/** TypeBox marks optional properties with this symbol. */
const OPTIONAL = Symbol.for("TypeBox.Optional");

/** What the walk needs from the entry that owns TypeBox: a check for leaf kinds, and the format registry. */
export interface TypeBoxPlanOptions {
  /** The schema's own check for a leaf kind the generic codec carries (Date, Uint8Array, TypedArray, BigInt). */
  leafCheck(schema: object): (value: unknown) => boolean;
  /** A registered string format's check, or undefined when none is registered (the part then stays uncompiled). */
  format(name: string): ((value: string) => boolean) | undefined;
  /** Told what the plan does not cover, when it does not (for a message naming it). */
  uncovered?(why: string): void;
}

/** Thrown inside the walk when a schema needs something the plan does not cover. */
class Uncovered {
  constructor(readonly why: string) {}
}

/** Keywords that change what a value may be and that no node checks: a schema holding one stays uncompiled. */
const UNCOVERED_KEYWORDS = ["minProperties", "maxProperties", "uniqueItems", "contains", "minContains", "maxContains", "allOf", "not", "if", "dependentRequired", "dependentSchemas", "unevaluatedProperties", "unevaluatedItems", "propertyNames"];

/** Leaf kinds: the generic codec writes and reads them whole; the schema's own check judges them. */
const LEAVES: ReadonlySet<string> = new Set(["Date", "Uint8Array", "BigInt", "streamtypes:TypedArray"]);

/** Integers are held to ±(2^53 − 1) unless the schema bounds them itself, as the validators hold them (see schema/typebox.ts). */
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/**
 * The plan of a TypeBox 0.34 schema, or undefined when some part of it is not covered (Intersect, Not, a Ref to
 * another schema, unknown keywords…): such a part keeps the generic codec and TypeBox's validator, with the
 * same results, only slower. Covered: Object, Array, Tuple, String, Number, Integer, Boolean, Null, Literal, Union
 * (discriminated or not), Record, Date, Uint8Array, TypedArray, BigInt, Optional, Recursive/This, Unknown and Any.
 *
 * @example
 * typeboxPlan(Type.Object({ id: Type.Integer() }), options)?.root.kind; // "object"
 */
export function typeboxPlan(schema: unknown, options: TypeBoxPlanOptions): Plan | undefined {
  const definitions: PlanNode[] = [];
  const ids = new Map<string, number>();
  try {
    const root = walk(schema, options, definitions, ids);
    return { root, definitions };
  } catch (err) {
    if (!(err instanceof Uncovered)) throw err;
    options.uncovered?.(err.why);
    return undefined;
  }
}

function walk(schema: unknown, options: TypeBoxPlanOptions, definitions: PlanNode[], ids: Map<string, number>): PlanNode {
  if (typeof schema !== "object" || schema === null || !(KIND in schema)) throw new Uncovered("not a TypeBox schema");
  const s = schema as Record<string | symbol, unknown>;
  for (const keyword of UNCOVERED_KEYWORDS) if (s[keyword] !== undefined) throw new Uncovered(`${keyword} (${String(s[KIND])})`);
  const kind = String(s[KIND]);
  // A recursive schema (Type.Recursive) carries an $id that its This nodes point back to.
  if (typeof s.$id === "string" && kind !== "This" && kind !== "Ref") {
    if (ids.has(s.$id)) throw new Uncovered(`the $id ${s.$id} twice`);
    const index = definitions.length;
    definitions.push({ kind: "any" }); // replaced below; a This inside refers to the index
    ids.set(s.$id, index);
    definitions[index] = walkKind(kind, s, options, definitions, ids);
    return { kind: "ref", target: index };
  }
  return walkKind(kind, s, options, definitions, ids);
}

function walkKind(kind: string, s: Record<string | symbol, unknown>, options: TypeBoxPlanOptions, definitions: PlanNode[], ids: Map<string, number>): PlanNode {
  const child = (value: unknown) => walk(value, options, definitions, ids);
  switch (kind) {
    case "Object": {
      const properties = (s.properties ?? {}) as Record<string, unknown>;
      const required = new Set((s.required as string[] | undefined) ?? []);
      const fields: PlanField[] = [];
      for (const key of Object.getOwnPropertyNames(properties)) {
        // An absent key would be read from the prototype by the schema's check (toString, constructor…): not followed.
        if (key in Object.prototype) throw new Uncovered(`a property named ${key}, as Object.prototype has one`);
        const node = child(properties[key]);
        fields.push({ key, node, required: required.has(key) && (properties[key] as Record<symbol, unknown>)[OPTIONAL] !== "Optional" });
      }
      return { kind: "object", fields, extra: extraOf(s.additionalProperties, child) };
    }
    case "Array":
      return { kind: "array", items: child(s.items), minItems: numberOr(s.minItems), maxItems: numberOr(s.maxItems) };
    case "Tuple": {
      const items = (s.items as unknown[] | undefined) ?? [];
      return { kind: "tuple", items: items.map(child) };
    }
    case "String": {
      let format: ((value: string) => boolean) | undefined;
      if (s.format !== undefined) {
        format = options.format(String(s.format));
        if (format === undefined) throw new Uncovered(`the unregistered format ${String(s.format)}`);
      }
      return {
        kind: "string",
        minLength: numberOr(s.minLength),
        maxLength: numberOr(s.maxLength),
        pattern: s.pattern === undefined ? undefined : new RegExp(String(s.pattern)),
        format,
        formatName: format === undefined ? undefined : String(s.format),
      };
    }
    case "Number":
    case "Integer": {
      return numberNode(kind === "Integer", { minimum: numberOr(s.minimum), maximum: numberOr(s.maximum), exclusiveMinimum: numberOr(s.exclusiveMinimum), exclusiveMaximum: numberOr(s.exclusiveMaximum), multipleOf: numberOr(s.multipleOf) });
    }
    case "Boolean":
      return { kind: "boolean" };
    case "Null":
      return { kind: "null" };
    case "Literal": {
      const value = s.const;
      if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") throw new Uncovered("a literal that is not a string, number or boolean");
      return { kind: "literal", value };
    }
    case "Union": {
      const members = ((s.anyOf as unknown[] | undefined) ?? []).map(child);
      if (members.length === 0) throw new Uncovered("an empty union");
      return { kind: "union", members, discriminator: discriminatorOf(members) };
    }
    case "Record": {
      const entries = Object.entries((s.patternProperties ?? {}) as Record<string, unknown>);
      if (entries.length !== 1) throw new Uncovered("a record without exactly one key pattern");
      const [pattern, values] = entries[0]!;
      // TypeBox checks a record's other keys against the record itself when additionalProperties is a schema: not followed.
      if (typeof s.additionalProperties === "object") throw new Uncovered("a record with an additionalProperties schema");
      // Even TypeBox's "any string" pattern `^(.*)$` is tested: it does not match a key with a line break.
      return { kind: "record", pattern: new RegExp(pattern), values: child(values), extra: s.additionalProperties === false ? "deny" : "allow" };
    }
    case "This":
    case "Ref": {
      const target = ids.get(String(s.$ref));
      if (target === undefined) throw new Uncovered(`a reference to ${String(s.$ref)} outside the schema`);
      return { kind: "ref", target };
    }
    case "Unknown":
    case "Any":
      return { kind: "any" };
    default:
      if (LEAVES.has(kind)) return { kind: "leaf", check: options.leafCheck(s), name: kind.replace("streamtypes:", ""), schema: s };
      throw new Uncovered(`the ${kind} kind`);
  }
}

/**
 * A number node with a schema's bounds; an integer without bounds of its own is held to ±(2^53 − 1), as the
 * validators hold it (a larger one then takes the generic path).
 *
 * @example
 * numberNode(true, {}).maximum; // Number.MAX_SAFE_INTEGER
 */
export function numberNode(integer: boolean, bounds: Partial<Omit<NumberNode, "kind" | "integer">>): NumberNode {
  const { minimum, maximum, exclusiveMinimum, exclusiveMaximum, multipleOf } = bounds;
  return {
    kind: "number",
    integer,
    minimum: integer && minimum === undefined && exclusiveMinimum === undefined ? -MAX_SAFE : minimum,
    maximum: integer && maximum === undefined && exclusiveMaximum === undefined ? MAX_SAFE : maximum,
    exclusiveMinimum,
    exclusiveMaximum,
    multipleOf,
  };
}

function extraOf(additional: unknown, child: (value: unknown) => PlanNode): "allow" | "deny" | PlanNode {
  if (additional === undefined || additional === true) return "allow";
  if (additional === false) return "deny";
  return child(additional);
}

function numberOr(value: unknown): number | undefined {
  return typeof value === "number" ? value : undefined;
}

/** The key and values of a discriminated union of objects, when every member has a required literal under one key and the values differ. */
export function discriminatorOf(members: readonly PlanNode[]): { key: string; members: Map<string | number | boolean, number> } | undefined {
  const first = members[0];
  if (first === undefined || first.kind !== "object") return undefined;
  for (const candidate of first.fields) {
    if (!candidate.required || candidate.node.kind !== "literal") continue;
    const byValue = new Map<string | number | boolean, number>();
    const ok = members.every((member, index) => {
      if (member.kind !== "object") return false;
      const field = member.fields.find((f) => f.key === candidate.key);
      if (field === undefined || !field.required || field.node.kind !== "literal" || byValue.has(field.node.value)) return false;
      byValue.set(field.node.value, index);
      return true;
    });
    if (ok) return { key: candidate.key, members: byValue };
  }
  return undefined;
}

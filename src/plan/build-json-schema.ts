// JSON Schema (draft 2020-12 / draft-07, as zod 4, arktype 2 and TypeBox 1 emit it) → plan: one walk; a keyword the plan does not follow leaves the part uncompiled.
import { discriminatorOf, numberNode } from "./build-typebox.js";
import type { Plan, PlanField, PlanNode } from "./plan.js";

/** Thrown inside the walk when a schema needs something the plan does not cover. */
class Uncovered {
  constructor(readonly why: string) {}
}

/** Keywords that say nothing about which values are valid: skipped. */
const ANNOTATIONS: ReadonlySet<string> = new Set(["$schema", "$id", "$anchor", "$comment", "title", "description", "default", "examples", "deprecated", "readOnly", "writeOnly", "contentEncoding", "contentMediaType", "$defs", "definitions"]);

/** Keywords each node kind follows; any other keyword (that is not an annotation) leaves the part uncompiled. */
const FOLLOWED: Readonly<Record<string, ReadonlySet<string>>> = {
  object: new Set(["type", "properties", "required", "additionalProperties", "patternProperties", "propertyNames"]),
  array: new Set(["type", "items", "prefixItems", "additionalItems", "minItems", "maxItems"]),
  string: new Set(["type", "minLength", "maxLength", "pattern", "format"]),
  number: new Set(["type", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"]),
  integer: new Set(["type", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"]),
  boolean: new Set(["type"]),
  null: new Set(["type"]),
};

/**
 * The plan of a JSON Schema, or undefined when some part of it is not covered (allOf, not, if, uniqueItems, a
 * reference outside the schema, an unknown keyword…). The plan gives each value's shape, for writing and reading
 * MessagePack or JSON; its checks are at most as loose as the schema's where it follows a keyword, and a string
 * format is left out (`format` keywords are the library's to check). The library's own validation runs on every
 * value the compiled codec takes (see src/plan/validated-codec.ts), so the plan never decides alone.
 *
 * Covered: type (one or a list), properties, required, additionalProperties, patternProperties (one pattern,
 * without properties), items / prefixItems / draft-07 tuple items, minItems, maxItems, minLength, maxLength,
 * pattern, minimum, maximum, exclusiveMinimum, exclusiveMaximum, multipleOf, const, enum, anyOf, oneOf
 * (dispatched on a const property where every member has one), $ref to "#", "#/$defs/…" or "#/definitions/…"
 * (recursive), `nullable: true`, and `{}` / `true` (any value).
 *
 * @example
 * jsonSchemaPlan({ type: "object", properties: { id: { type: "integer" } }, required: ["id"] })?.root.kind; // "object"
 */
export function jsonSchemaPlan(schema: unknown, options: JsonSchemaPlanOptions = {}): Plan | undefined {
  const walker = new JsonSchemaWalk(schema, options.declaredKeyOrder !== false);
  try {
    const root = walker.walk(schema);
    return { root, definitions: walker.definitions };
  } catch (err) {
    if (err instanceof Uncovered || err instanceof SyntaxError) return undefined;
    throw err;
  }
}

/** Options of {@link jsonSchemaPlan}. */
export interface JsonSchemaPlanOptions {
  /**
   * false when the library lists an object's properties in its own order (arktype sorts them), not as the schema
   * was written: values come in the written order, so a plan in another one would write every value reordered and
   * miss on every payload written in the usual order. Objects of two or more properties then stay uncompiled.
   */
  declaredKeyOrder?: boolean | undefined;
}

class JsonSchemaWalk {
  readonly definitions: PlanNode[] = [];
  /** A schema reached through $ref → its definition's index (set before it is walked, so recursion ends). */
  private readonly targets = new Map<object, number>();

  constructor(
    private readonly root: unknown,
    private readonly declaredKeyOrder: boolean,
  ) {}

  walk(schema: unknown): PlanNode {
    if (schema === true) return { kind: "any" };
    if (typeof schema !== "object" || schema === null || Array.isArray(schema)) throw new Uncovered("a schema that is not an object");
    const s = schema as Record<string, unknown>;
    if (s.$ref !== undefined) return this.reference(s);
    if (s.nullable === true) return union([this.walk({ ...s, nullable: undefined }), { kind: "null" }]);
    if (s.const !== undefined) return this.constant(s, s.const);
    if (s.enum !== undefined) {
      if (!Array.isArray(s.enum) || s.enum.length === 0) throw new Uncovered("an enum that is not a list");
      return union(s.enum.map((value) => this.constant(s, value)));
    }
    const members = s.anyOf ?? s.oneOf;
    if (members !== undefined) {
      if (s.anyOf !== undefined && s.oneOf !== undefined) throw new Uncovered("anyOf and oneOf together");
      if (!Array.isArray(members) || members.length === 0) throw new Uncovered("an empty union");
      this.only(s, new Set(["anyOf", "oneOf", "nullable"]));
      return union(members.map((member) => this.walk(member)));
    }
    const type = s.type;
    if (type === undefined) {
      this.only(s, new Set(["nullable"]));
      return { kind: "any" };
    }
    if (Array.isArray(type)) {
      if (type.length === 0) throw new Uncovered("an empty type list");
      return union(type.map((one) => this.typed(s, one)));
    }
    return this.typed(s, type);
  }

  /** A schema of one `type`, with that type's keywords (a list of types gives each its own node). */
  private typed(s: Record<string, unknown>, type: unknown): PlanNode {
    const followed = typeof type === "string" ? FOLLOWED[type] : undefined;
    if (followed === undefined) throw new Uncovered(`the type ${String(type)}`);
    // Keywords of the other types in a list apply only to values of those types.
    const others = Array.isArray(s.type) ? s.type.flatMap((t) => [...(FOLLOWED[String(t)] ?? [])]) : [];
    this.only(s, new Set([...followed, ...others, "nullable"]));
    switch (type) {
      case "object":
        return this.object(s);
      case "array":
        return this.array(s);
      case "string":
        return {
          kind: "string",
          minLength: count(s.minLength),
          maxLength: count(s.maxLength),
          pattern: typeof s.pattern === "string" ? unicodePattern(s.pattern) : undefined,
          // A format is checked by the library's own validation, which runs on every value (see validated-codec.ts).
          format: undefined,
        };
      case "number":
      case "integer":
        return numberNode(type === "integer", { minimum: bound(s.minimum), maximum: bound(s.maximum), exclusiveMinimum: bound(s.exclusiveMinimum), exclusiveMaximum: bound(s.exclusiveMaximum), multipleOf: bound(s.multipleOf) });
      case "boolean":
        return { kind: "boolean" };
      default:
        return { kind: "null" };
    }
  }

  private object(s: Record<string, unknown>): PlanNode {
    const properties = (s.properties ?? {}) as Record<string, unknown>;
    if (typeof properties !== "object" || properties === null) throw new Uncovered("properties that are not an object");
    if (s.required !== undefined && !Array.isArray(s.required)) throw new Uncovered("required that is not a list");
    const required = new Set((s.required as unknown[] | undefined) ?? []);
    // Any key is a string: a propertyNames of just { type: "string" } says nothing more.
    if (s.propertyNames !== undefined && !isStringType(s.propertyNames)) throw new Uncovered("propertyNames");
    const fields: PlanField[] = [];
    if (!this.declaredKeyOrder && Object.keys(properties).length > 1) throw new Uncovered("properties in the library's order, not the schema's");
    for (const key of Object.keys(properties)) {
      // An absent key would be read from the prototype by the plan's writer (toString, constructor…): not followed.
      if (key in Object.prototype) throw new Uncovered(`a property named ${key}, as Object.prototype has one`);
      fields.push({ key, node: this.walk(properties[key]), required: required.has(key) });
    }
    for (const key of required) if (typeof key !== "string" || !Object.hasOwn(properties, key)) throw new Uncovered("a required key without a property schema");
    const patterns = s.patternProperties === undefined ? [] : Object.entries(s.patternProperties as Record<string, unknown>);
    if (patterns.length === 0) return { kind: "object", fields, extra: this.extra(s.additionalProperties) };
    if (patterns.length !== 1 || fields.length > 0) throw new Uncovered("patternProperties beside properties, or more than one pattern");
    const [pattern, values] = patterns[0]!;
    return { kind: "record", pattern: unicodePattern(pattern), values: this.walk(values), extra: this.extra(s.additionalProperties) };
  }

  private array(s: Record<string, unknown>): PlanNode {
    // A tuple: prefixItems (2020-12) or a list of items (draft-07), with nothing after and every element required.
    const prefix = Array.isArray(s.prefixItems) ? s.prefixItems : Array.isArray(s.items) ? s.items : undefined;
    if (prefix !== undefined) {
      const rest = Array.isArray(s.items) ? s.additionalItems : s.items;
      if (rest !== false || s.minItems !== prefix.length || (s.maxItems !== undefined && s.maxItems !== prefix.length)) throw new Uncovered("a tuple with optional or further elements");
      return { kind: "tuple", items: prefix.map((item) => this.walk(item)) };
    }
    if (s.prefixItems !== undefined || s.additionalItems !== undefined) throw new Uncovered("prefixItems or additionalItems that are not lists");
    return { kind: "array", items: s.items === undefined ? { kind: "any" } : this.walk(s.items), minItems: count(s.minItems), maxItems: count(s.maxItems) };
  }

  private extra(additional: unknown): "allow" | "deny" | PlanNode {
    if (additional === undefined || additional === true) return "allow";
    if (additional === false) return "deny";
    const node = this.walk(additional);
    return node.kind === "any" ? "allow" : node;
  }

  /** A const (or one enum value), under a schema whose `type`, if any, it must match. */
  private constant(s: Record<string, unknown>, value: unknown): PlanNode {
    this.only(s, new Set(["const", "enum", "type", "nullable"]));
    if (value === null) return { kind: "null" };
    if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") throw new Uncovered("a const that is not a string, number, boolean or null");
    const types = s.type === undefined ? undefined : Array.isArray(s.type) ? s.type : [s.type];
    const own = typeof value === "number" ? (Number.isInteger(value) ? ["number", "integer"] : ["number"]) : [typeof value];
    if (types !== undefined && !types.some((t) => own.includes(String(t)))) throw new Uncovered("a const of another type than the schema's");
    return { kind: "literal", value };
  }

  /** A $ref inside this schema: the target's definition, walked once. */
  private reference(s: Record<string, unknown>): PlanNode {
    this.only(s, new Set(["$ref"]));
    const target = this.resolve(String(s.$ref));
    if (typeof target !== "object" || target === null) throw new Uncovered(`the reference ${String(s.$ref)}`);
    let index = this.targets.get(target);
    if (index === undefined) {
      index = this.definitions.length;
      this.definitions.push({ kind: "any" }); // replaced below; a $ref inside points to the index
      this.targets.set(target, index);
      this.definitions[index] = this.walk(target);
    }
    return { kind: "ref", target: index };
  }

  /** "#", "#/$defs/Name" or "#/definitions/Name" (JSON pointer escapes undone); anything else is outside the schema. */
  private resolve(ref: string): unknown {
    if (ref === "#") return this.root;
    const match = /^#\/(\$defs|definitions)\/([^/]+)$/.exec(ref);
    if (match === null) throw new Uncovered(`the reference ${ref}`);
    const defs = (this.root as Record<string, unknown>)[match[1]!] as Record<string, unknown> | undefined;
    const name = decodeURIComponent(match[2]!).replace(/~1/g, "/").replace(/~0/g, "~");
    return defs !== undefined && Object.hasOwn(defs, name) ? defs[name] : undefined;
  }

  /** Refuses a keyword outside `followed` and the annotations (keys starting with "~" are a library's own, and its validation runs). */
  private only(s: Record<string, unknown>, followed: ReadonlySet<string>): void {
    for (const key of Object.keys(s)) {
      if (s[key] === undefined || followed.has(key) || ANNOTATIONS.has(key) || key.startsWith("~")) continue;
      throw new Uncovered(`the keyword ${key}`);
    }
  }
}

function union(members: PlanNode[]): PlanNode {
  return members.length === 1 ? members[0]! : { kind: "union", members, discriminator: discriminatorOf(members) };
}

function isStringType(schema: unknown): boolean {
  return typeof schema === "object" && schema !== null && Object.keys(schema).length === 1 && (schema as { type?: unknown }).type === "string";
}

/** A JSON Schema pattern: ECMA-262 with the `u` flag, as the 2020-12 draft reads it (without, where a library wrote one `u` refuses). */
function unicodePattern(pattern: string): RegExp {
  try {
    return new RegExp(pattern, "u");
  } catch {
    return new RegExp(pattern);
  }
}

function count(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) throw new Uncovered("a count that is not a whole number");
  return value;
}

function bound(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value)) throw new Uncovered("a bound that is not a number (draft-04 exclusive bounds)");
  return value;
}

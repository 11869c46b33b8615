// The schema of a value inside an object (a property's, an array element's), and the shallow "shell" of a TypeBox container.
import type { PathKey } from "./patch.js";

const KIND = Symbol.for("TypeBox.Kind");
const OPTIONAL = Symbol.for("TypeBox.Optional");

type Node = Record<string | symbol, unknown>;

function isNode(x: unknown): x is Node {
  return (typeof x === "object" || typeof x === "function") && x !== null;
}

/**
 * The schema of the value at `key` inside a value of `schema`, or undefined where it cannot be told (a union, a
 * reference, arktype, a library not listed): such a value is then checked with the nearest enclosing value that
 * has one. Supported: TypeBox 0.34 objects, records, arrays and tuples; zod 4 objects, arrays and tuples (through
 * optional/nullable); valibot objects, arrays and tuples (likewise).
 *
 * @example
 * childSchema(Type.Object({ tags: Type.Array(Type.String()) }), "tags"); // the Type.Array(Type.String())
 */
export function childSchema(schema: unknown, key: PathKey): unknown {
  if (!isNode(schema)) return undefined;
  const tb = schema[KIND];
  if (typeof tb === "string") return typeboxChild(schema, tb, key);
  const zod = schema._zod;
  if (isNode(zod) && isNode(zod.def)) return zodChild(zod.def, key);
  if (schema.kind === "schema" && typeof schema.type === "string") return valibotChild(schema, key);
  return undefined;
}

function typeboxChild(s: Node, kind: string, key: PathKey): unknown {
  if (kind === "Object" && typeof key === "string") {
    const props = s.properties as Node | undefined;
    if (props !== undefined && Object.hasOwn(props, key)) return props[key];
    return isNode(s.additionalProperties) ? s.additionalProperties : undefined;
  }
  if (kind === "Record" && typeof key === "string" && isNode(s.patternProperties)) {
    const values = Object.values(s.patternProperties);
    return values.length === 1 ? values[0] : undefined;
  }
  if (kind === "Array" && typeof key === "number") return s.items;
  if (kind === "Tuple" && typeof key === "number" && Array.isArray(s.items)) return s.items[key];
  return undefined;
}

function zodChild(def: Node, key: PathKey): unknown {
  const type = def.type;
  if (type === "optional" || type === "nullable" || type === "default" || type === "readonly") {
    const inner = def.innerType;
    return isNode(inner) && isNode(inner._zod) && isNode(inner._zod.def) ? zodChild(inner._zod.def, key) : undefined;
  }
  if (type === "object" && typeof key === "string" && isNode(def.shape)) return Object.hasOwn(def.shape, key) ? def.shape[key] : undefined;
  if (type === "array" && typeof key === "number") return def.element;
  if (type === "tuple" && typeof key === "number" && Array.isArray(def.items)) return def.items[key];
  return undefined;
}

function valibotChild(s: Node, key: PathKey): unknown {
  if (s.type === "optional" || s.type === "nullable" || s.type === "nullish") return isNode(s.wrapped) ? valibotChild(s.wrapped, key) : undefined;
  if (s.type === "object" && typeof key === "string" && isNode(s.entries)) return Object.hasOwn(s.entries, key) ? s.entries[key] : undefined;
  if (s.type === "array" && typeof key === "number") return s.item;
  if (s.type === "tuple" && typeof key === "number" && Array.isArray(s.items)) return s.items[key];
  return undefined;
}

const UNKNOWN = { [KIND]: "Unknown" };
const OPTIONAL_UNKNOWN = { [KIND]: "Unknown", [OPTIONAL]: "Optional" };

/**
 * For a TypeBox object, array or tuple: the same schema with every property or element accepted as it is, so that
 * checking a container whose parts were checked already costs its own size, not its whole depth. Undefined for
 * anything else (the container is then checked whole).
 *
 * @example
 * shellSchema(Type.Object({ a: Type.Array(Type.Number()) })); // like Type.Object({ a: Type.Unknown() })
 */
export function shellSchema(schema: unknown): unknown {
  if (!isNode(schema)) return undefined;
  const kind = schema[KIND];
  if (kind === "Object" && isNode(schema.properties)) {
    const properties: Node = {};
    for (const [key, prop] of Object.entries(schema.properties)) properties[key] = isNode(prop) && prop[OPTIONAL] === "Optional" ? OPTIONAL_UNKNOWN : UNKNOWN;
    return { ...schema, properties, ...(isNode(schema.additionalProperties) ? { additionalProperties: UNKNOWN } : {}) };
  }
  if (kind === "Array") return { ...schema, items: UNKNOWN };
  if (kind === "Tuple" && Array.isArray(schema.items)) return { ...schema, items: schema.items.map(() => UNKNOWN) };
  return undefined;
}

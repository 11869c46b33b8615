// JSON Schema for a stream's parts: TypeBox schemas as they are (minus TypeBox's symbol keys), Standard Schemas through Standard JSON Schema.
import { StreamError, messageOf, type StreamPart } from "../errors.js";

/** TypedArray()'s Kind (./typed-array.ts, not imported: it imports TypeBox, which streamtypes/standard users do not have). */
const TYPED_ARRAY_KIND = "streamtypes:TypedArray";

/** A JSON Schema document, as a plain JSON object. */
export type JsonSchema = Record<string, unknown>;

/** The JSON Schemas of a stream's parts; `header` and `footer` only when the definition has them. */
export interface StreamJsonSchemas {
  header?: JsonSchema;
  item: JsonSchema;
  footer?: JsonSchema;
}

/** Options of `STREAM.jsonSchema()`. */
export interface JsonSchemaOptions {
  /**
   * The JSON Schema version asked of a Standard Schema library: "draft-2020-12" (default, what OpenAPI 3.1 and
   * 3.2 use), "draft-07" or "openapi-3.0". TypeBox schemas are returned as they are, whatever the target.
   */
  target?: "draft-2020-12" | "draft-07" | "openapi-3.0" | (string & {});
  /**
   * A Standard Schema that transforms has two types: "input" (default) is what the writer takes and what goes on
   * the wire; "output" is what the reader delivers after the transform.
   */
  io?: "input" | "output";
}

const TYPEBOX_KIND = Symbol.for("TypeBox.Kind");
const JSON_TYPES = new Set(["string", "number", "integer", "boolean", "object", "array", "null"]);
const INTEGER_ARRAYS = new Set(["Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array", "Int32Array", "Uint32Array", "BigInt64Array", "BigUint64Array"]);

/**
 * The JSON Schema of one part's schema. `OPTIONS`, naming the part, for a schema that has none: a Standard Schema
 * without `~standard.jsonSchema`, or a TypeBox type JSON cannot describe (`Type.Date`, `Type.Uint8Array`, `Type.BigInt`, …).
 */
export function partJsonSchema(schema: unknown, part: StreamPart, options: JsonSchemaOptions = {}): JsonSchema {
  if (typeof schema === "object" && schema !== null && TYPEBOX_KIND in schema) return typeboxJson(schema, part, "") as JsonSchema;
  const std = (schema as { "~standard"?: { vendor?: unknown; jsonSchema?: Record<string, unknown> } } | null | undefined)?.["~standard"];
  const vendor = typeof std?.vendor === "string" ? std.vendor : "unknown";
  const io = options.io ?? "input";
  const converter = std?.jsonSchema;
  if (typeof converter?.[io] !== "function") {
    throw new StreamError(
      "OPTIONS",
      `The ${part} schema (${vendor}) has no JSON Schema: it does not implement Standard JSON Schema (\`~standard.jsonSchema\`). ` +
        `zod ≥ 4.2 and arktype ≥ 2.1.28 do; for valibot, convert the schema with @valibot/to-json-schema, or give a TypeBox schema.`,
      { part },
    );
  }
  try {
    return (converter[io] as (o: { target: string }) => JsonSchema)({ target: options.target ?? "draft-2020-12" });
  } catch (err) {
    throw new StreamError("OPTIONS", `The ${part} schema (${vendor}) cannot be converted to JSON Schema: ${messageOf(err)}`, {
      part,
      cause: err,
    });
  }
}

/** A deep copy of a TypeBox schema with its symbol keys left out, and the custom TypedArray type as an array of numbers. */
function typeboxJson(node: unknown, part: StreamPart, path: string): unknown {
  if (Array.isArray(node)) return node.map((n, i) => typeboxJson(n, part, `${path}/${i}`));
  if (typeof node !== "object" || node === null) return node;
  const schema = node as Record<PropertyKey, unknown>;
  if (schema[TYPEBOX_KIND] === TYPED_ARRAY_KIND) return typedArrayJson(schema);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(schema)) out[key] = typeboxJson(schema[key], part, `${path}/${key}`);
  // Only a schema object (one with a TypeBox Kind) is judged: under `properties`, "type" may well be a property name.
  if (TYPEBOX_KIND in schema && typeof schema.type === "string" && !JSON_TYPES.has(schema.type)) {
    throw new StreamError(
      "OPTIONS",
      `The ${part} schema has no JSON Schema: the TypeBox type ${schema.type} at ${path || "/"} is not a JSON type. ` +
        `Use a JSON type there (e.g. Type.String() for a date), or TypedArray() from streamtypes for binary data.`,
      { part },
    );
  }
  return out;
}

/**
 * streamtypes' TypedArray() in JSON Schema: an array of numbers (integers for the integer arrays) with its length
 * bounds, marked `x-typedArray` with the class name. MessagePack formats carry it as a typed array (ext 0x74); a JSON
 * codec writes it as `JSON.stringify` does (an object of indices), which this schema does not describe.
 */
function typedArrayJson(schema: Record<PropertyKey, unknown>): JsonSchema {
  const name = String(schema.arrayType);
  const out: JsonSchema = {
    type: "array",
    items: { type: INTEGER_ARRAYS.has(name) ? "integer" : "number" },
    "x-typedArray": name,
    description: `A ${name}: in the binary MessagePack format, a MessagePack typed array (ext 0x74); read as a ${name}.`,
  };
  if (typeof schema.minLength === "number") out.minItems = schema.minLength;
  if (typeof schema.maxLength === "number") out.maxItems = schema.maxLength;
  return out;
}

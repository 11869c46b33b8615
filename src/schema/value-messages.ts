// What a VALIDATION message says where a schema library's own words fall short: integers beyond ±(2^53 − 1), typed arrays.

/**
 * Why an integer field refuses `value`, when the reason is its size: a number outside ±(2^53 − 1), or a bigint
 * (what the decoder gives for int 64). Undefined for any other value.
 *
 * @example
 * unsafeIntegerMessage(2 ** 60); // "integer 1152921504606846976 is outside ±(2^53 − 1), …"
 */
export function unsafeIntegerMessage(value: unknown): string | undefined {
  if (typeof value === "number" && Number.isInteger(value) && !Number.isSafeInteger(value)) {
    return (
      `integer ${value} is outside ±(2^53 − 1), so it is not exactly representable as a JavaScript number ` +
      `(a larger integer on the wire arrives rounded). Declare the field Type.BigInt() and use the msgpack codec ` +
      `to carry it exactly as a bigint, or send it as a string`
    );
  }
  if (typeof value === "bigint") return `integer ${value} arrived as a bigint because it is outside ±(2^53 − 1); declare the field Type.BigInt() to accept it`;
  return undefined;
}

/** The bounds of a TypedArray schema (./typed-array.ts, not imported here: a page that uses none does not bundle it). */
export interface TypedArraySchema {
  arrayType: string;
  minLength?: number;
  maxLength?: number;
}

/**
 * Why a value fails a TypedArray schema: TypeBox itself only says "Expected kind 'streamtypes:TypedArray'".
 *
 * @example
 * typedArrayMessage({ arrayType: "Float32Array" }, [1, 2]); // "expected a Float32Array, got an array"
 */
export function typedArrayMessage(schema: TypedArraySchema, value: unknown): string {
  const want = schema.arrayType;
  // A typed array's toString tag is its class name, also from another realm.
  const got = ArrayBuffer.isView(value) ? Object.prototype.toString.call(value).slice(8, -1) : Array.isArray(value) ? "an array" : value === null ? "null" : typeof value;
  if (got !== want) return `expected a ${want}, got ${got}`;
  const length = (value as Uint8Array).length;
  const bound = length < (schema.minLength ?? 0) ? `at least ${schema.minLength} elements (minLength)` : `at most ${schema.maxLength} elements (maxLength)`;
  return `expected a ${want} of ${bound}, got ${length}`;
}

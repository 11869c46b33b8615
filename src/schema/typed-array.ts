// TypedArray(): a TypeBox schema type for Float32Array and the other typed arrays, checked by a custom Kind.
import { Kind, TypeRegistry, type TSchema } from "@sinclair/typebox";

/** The typed array classes a {@link TypedArray} schema can name, by constructor name. */
export interface TypedArrayTypes {
  Int8Array: Int8Array;
  Uint8Array: Uint8Array;
  Uint8ClampedArray: Uint8ClampedArray;
  Int16Array: Int16Array;
  Uint16Array: Uint16Array;
  Int32Array: Int32Array;
  Uint32Array: Uint32Array;
  Float32Array: Float32Array;
  Float64Array: Float64Array;
  BigInt64Array: BigInt64Array;
  BigUint64Array: BigUint64Array;
}

export type TypedArrayName = keyof TypedArrayTypes;

/** The Kind TypeBox dispatches on; namespaced so that it cannot clash with another library's custom kind. */
export const TYPED_ARRAY_KIND = "streamtypes:TypedArray";

/** Bounds on the number of elements (not bytes). */
export interface TypedArrayOptions {
  minLength?: number | undefined;
  maxLength?: number | undefined;
}

/** A schema that accepts exactly one typed array class. `Static<>` of it is that class. */
export interface TTypedArray<N extends TypedArrayName = TypedArrayName> extends TSchema, TypedArrayOptions {
  [Kind]: typeof TYPED_ARRAY_KIND;
  static: TypedArrayTypes[N];
  arrayType: N;
}

const NAMES: ReadonlySet<string> = new Set<TypedArrayName>([
  "Int8Array",
  "Uint8Array",
  "Uint8ClampedArray",
  "Int16Array",
  "Uint16Array",
  "Int32Array",
  "Uint32Array",
  "Float32Array",
  "Float64Array",
  "BigInt64Array",
  "BigUint64Array",
]);

// %TypedArray%.prototype[Symbol.toStringTag] is the class name, also for arrays from another realm
// (an iframe, a worker's structured clone) where instanceof would say no. Node's Buffer reports "Uint8Array".
const toStringTag = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype), Symbol.toStringTag)!.get!;

function checkTypedArray(schema: TTypedArray, value: unknown): boolean {
  if (!ArrayBuffer.isView(value) || toStringTag.call(value) !== schema.arrayType) return false;
  const length = (value as Uint8Array).length;
  if (schema.minLength !== undefined && length < schema.minLength) return false;
  if (schema.maxLength !== undefined && length > schema.maxLength) return false;
  return true;
}

/**
 * Registers the check with TypeBox's TypeRegistry the first time a schema is made, not at import, so that
 * importing the package has no side effects. TypeCompiler and Value.Check both look the Kind up there.
 */
function ensureRegistered(): void {
  if (!TypeRegistry.Has(TYPED_ARRAY_KIND)) TypeRegistry.Set<TTypedArray>(TYPED_ARRAY_KIND, checkTypedArray);
}

/**
 * A schema for one typed array class. Carry such values with the msgpack codec (the default): it sends them
 * as typed arrays and they arrive as the same class. JSON has no typed arrays, so the json codec cannot carry them.
 *
 * @example
 * const Vector = Type.Object({ id: Type.Integer(), embedding: TypedArray("Float32Array", { minLength: 1024, maxLength: 1024 }) });
 * const STREAM = streamTypes(Vector);
 */
export function TypedArray<N extends TypedArrayName>(arrayType: N, options: TypedArrayOptions = {}): TTypedArray<N> {
  if (!NAMES.has(arrayType)) throw new TypeError(`TypedArray: unknown typed array class ${JSON.stringify(arrayType)}.`);
  for (const key of ["minLength", "maxLength"] as const) {
    const bound = options[key];
    if (bound !== undefined && !(Number.isSafeInteger(bound) && bound >= 0)) {
      throw new TypeError(`TypedArray: ${key} must be a non-negative integer, got ${String(bound)}.`);
    }
  }
  ensureRegistered();
  const schema = { [Kind]: TYPED_ARRAY_KIND, arrayType } as TTypedArray<N>;
  if (options.minLength !== undefined) schema.minLength = options.minLength;
  if (options.maxLength !== undefined) schema.maxLength = options.maxLength;
  return schema;
}

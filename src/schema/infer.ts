// Type-only helpers for a stream definition's static types: which schemas it takes, what a reader delivers, what a writer accepts.
//
// Nothing here exists at run time, and nothing here refers to an optional package: `@sinclair/typebox` (0.34) is a
// dependency of streamtypes, Standard Schema is declared in ./standard-schema.ts. TypeBox 1.x (`typebox`) types are
// NOT referenced: a published .d.ts that imports "typebox" fails to type-check (TS2307) in a project without `typebox`
// unless that project sets skipLibCheck. TypeBox 1.x schemas come in through `typebox1(schema)` from the
// `streamtypes/typebox1` subpath, which returns a `StandardSchemaV1<Static<T>, Static<T>>`: its types are computed in
// the subpath's own .d.ts (only loaded by projects that import it, which have `typebox`), and arrive here through the
// Standard Schema branch.
import type { StandardSchemaV1 } from "./standard-schema.js";

/**
 * A TypeBox 0.34 schema as its types see it, spelt out so that declarations need no `@sinclair/typebox` (which
 * `streamtypes/standard` users do not install): every TSchema has `params` and `static`, and TypeBox's own
 * `Static<T>` is `(T & { params: [] })["static"]`.
 */
export interface TypeBoxSchemaLike {
  params: unknown[];
  static: unknown;
}

/** TypeBox's `Static<S>` without importing TypeBox. */
type TypeBoxStatic<S extends TypeBoxSchemaLike> = (S & { params: [] })["static"];

/**
 * A schema a stream definition accepts: a TypeBox 0.34 schema (`@sinclair/typebox`), or any Standard Schema v1
 * (zod 4, valibot 1, arktype 2, …, and TypeBox 1.x wrapped with `typebox1()` from `streamtypes/typebox1`).
 */
export type SchemaLike = TypeBoxSchemaLike | StandardSchemaV1;

/**
 * A bare TypeBox 1.x schema, recognised by the "~kind" property its types declare (without importing `typebox`).
 * Not a {@link SchemaLike}: it must be wrapped with `typebox1()` from `streamtypes/typebox1`.
 */
export interface BareTypeBox1Schema {
  readonly "~kind": string;
}

/**
 * What a reader delivers for schema `S`: TypeBox 0.34's `Static<S>`, or a Standard Schema's output type (after its
 * transforms; TypeBox 1.x's `Static` for a `typebox1()` wrapper). `never` for anything else.
 *
 * @example
 * type Item = Output<typeof Item>; // z.output<typeof Item>, v.InferOutput<typeof Item>, typeof Item.infer, …
 */
export type Output<S> = S extends TypeBoxSchemaLike
  ? TypeBoxStatic<S>
  : S extends StandardSchemaV1
    ? StandardSchemaV1.InferOutput<S>
    : never;

/**
 * What a writer accepts for schema `S`: TypeBox 0.34's `Static<S>`, or a Standard Schema's input type (before its
 * transforms). `never` for anything else.
 */
export type Input<S> = S extends TypeBoxSchemaLike
  ? TypeBoxStatic<S>
  : S extends StandardSchemaV1
    ? StandardSchemaV1.InferInput<S>
    : never;

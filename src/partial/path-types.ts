// Type-level paths into an object's type: the paths a writer may patch, the type at a path, and the deep partial a reader sees.

/** Depth countdown for the recursive path types (deeper paths are typed loosely). */
type Down = [never, 0, 1, 2, 3, 4, 5, 6, 7];

/**
 * The paths into `T`, as tuples: `[]`, `["title"]`, `["steps", number]`, `["steps", number, "text"]`, … (eight
 * levels; any deeper path, or a `T` that is `unknown`/`any`, is typed as an array of keys).
 */
export type PathOf<T, D extends number = 8> = unknown extends T
  ? readonly (string | number)[]
  : [D] extends [never]
    ? readonly (string | number)[]
    : readonly [] | (NonNullable<T> extends readonly (infer E)[]
        ? readonly [number, ...PathOf<E, Down[D]>]
        : NonNullable<T> extends object
          ? { [K in keyof NonNullable<T> & string]-?: readonly [K, ...PathOf<NonNullable<T>[K], Down[D]>] }[keyof NonNullable<T> & string]
          : never);

/** The type of the value at path `P` in `T` (`unknown` past what {@link PathOf} types). */
export type ValueAt<T, P> = P extends readonly []
  ? T
  : P extends readonly [infer K, ...infer R]
    ? NonNullable<T> extends readonly (infer E)[]
      ? ValueAt<E, R>
      : K extends keyof NonNullable<T>
        ? ValueAt<NonNullable<T>[K], R>
        : unknown
    : unknown;

/** The paths into `T` whose value is a string (what `append` takes). */
export type StringPathOf<T> = unknown extends T ? readonly (string | number)[] : PathsTo<T, PathOf<T>, string>;

/** The paths into `T` whose value is an array (what `push` takes). */
export type ArrayPathOf<T> = unknown extends T ? readonly (string | number)[] : PathsTo<T, PathOf<T>, readonly unknown[]>;

/** The members of the path union `P` whose value in `T` is a `V` (possibly optional). */
type PathsTo<T, P, V> = P extends unknown ? (NonNullable<ValueAt<T, P>> extends V ? P : never) : never;

/** The element type of the array at path `P` in `T` (what `push` takes there). */
export type ElementAt<T, P> = unknown extends T ? unknown : NonNullable<ValueAt<T, P>> extends readonly (infer E)[] ? E : never;

/**
 * `T` with every property, at every depth, possibly missing: the object of an object stream while it is written.
 * Array elements are deep partials too (the last one may be unfinished).
 */
export type DeepPartial<T> = T extends string | number | boolean | bigint | symbol | null | undefined | Date | Uint8Array
  ? T
  : T extends readonly (infer E)[]
    ? DeepPartial<E>[]
    : T extends object
      ? { [K in keyof T]?: DeepPartial<T[K]> }
      : T;

// Standard Schema v1 adapter: any library that implements `~standard` (zod 4, valibot 1, arktype 2, …) behind the Validator interface.
import { StreamError, type ValidationIssue } from "../errors.js";
import { INVALID, type Validator } from "./validator.js";

// The Standard Schema v1 interface (https://standardschema.dev), declared here as types only, so that neither the
// published code nor its .d.ts needs `@standard-schema/spec`. The spec invites copying these types; they are
// structurally identical to `StandardSchemaV1` from `@standard-schema/spec` 1.x (checked in the tests).

/** A schema of any library that implements Standard Schema v1 (zod ≥ 3.24, valibot ≥ 1, arktype ≥ 2, …). */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  readonly "~standard": StandardSchemaV1.Props<Input, Output>;
}

export declare namespace StandardSchemaV1 {
  interface Props<Input = unknown, Output = Input> {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (value: unknown, options?: Options | undefined) => Result<Output> | Promise<Result<Output>>;
    readonly types?: Types<Input, Output> | undefined;
  }
  interface Options {
    readonly libraryOptions?: Record<string, unknown> | undefined;
  }
  type Result<Output> = SuccessResult<Output> | FailureResult;
  interface SuccessResult<Output> {
    readonly value: Output;
    readonly issues?: undefined;
  }
  interface FailureResult {
    readonly issues: ReadonlyArray<Issue>;
  }
  interface Issue {
    readonly message: string;
    readonly path?: ReadonlyArray<PropertyKey | PathSegment> | undefined;
  }
  interface PathSegment {
    readonly key: PropertyKey;
  }
  interface Types<Input = unknown, Output = Input> {
    readonly input: Input;
    readonly output: Output;
  }
  /** What the schema accepts (a writer's argument). */
  type InferInput<Schema extends StandardSchemaV1> = NonNullable<Schema["~standard"]["types"]>["input"];
  /** What the schema delivers after its transforms (a reader's value). */
  type InferOutput<Schema extends StandardSchemaV1> = NonNullable<Schema["~standard"]["types"]>["output"];
}

/**
 * Where an adapter that already has a {@link Validator} for its schema leaves it (for example `typebox1()` from
 * `streamtypes/typebox1`, whose Standard Schema wrapper carries a compiled TypeBox checker). {@link standardValidator}
 * uses it instead of going through `~standard.validate`. A global symbol, so that an ESM and a CJS copy of this
 * library agree on it.
 */
export const VALIDATOR: unique symbol = Symbol.for("streamtypes.validator");

/** True for a value that implements Standard Schema v1: an object or function with a `~standard.validate` function. */
export function isStandardSchema(x: unknown): x is StandardSchemaV1 {
  if ((typeof x !== "object" && typeof x !== "function") || x === null) return false;
  const std = (x as { "~standard"?: unknown })["~standard"];
  return (
    typeof std === "object" &&
    std !== null &&
    (std as { version?: unknown }).version === 1 &&
    typeof (std as { validate?: unknown }).validate === "function"
  );
}

/** Options of {@link standardValidator}. */
export interface StandardValidatorOptions {
  /**
   * Validate `undefined` once at construction, to find an asynchronous schema early (default true). Turn it off
   * for a schema whose transforms must not run on a probe value.
   */
  probe?: boolean;
}

/**
 * A validator for a Standard Schema v1 schema (zod 4, valibot 1, arktype 2, …). `parse` returns the library's
 * output value, so transforms apply; `issues` maps the library's issues to `{ path: "/a/0/b", message }`.
 *
 * Validation is synchronous, value by value as a stream arrives: an asynchronous schema (an async refinement,
 * valibot's `*Async` schemas) is refused with a `StreamError` "OPTIONS", at construction where a probe with
 * `undefined` shows it, else at the first value that reaches the asynchronous part.
 *
 * The integer range is the library's own: zod 4's `z.int()` is held to ±(2^53 − 1); valibot's `v.integer()` and
 * arktype's `"number.integer"` are not (use `v.safeInteger()` / `"number.safe"`).
 *
 * @example
 * const v = standardValidator(z.object({ n: z.string().transform(Number) }));
 * v.parse({ n: "1" }); // { n: 1 }
 * v.parse({ n: 1 }); // INVALID
 * v.issues({ n: 1 }); // [{ path: "/n", message: "Invalid input: expected string, received number" }]
 */
export function standardValidator(schema: StandardSchemaV1, options: StandardValidatorOptions = {}): Validator {
  if (!isStandardSchema(schema)) {
    throw new StreamError("OPTIONS", "standardValidator: the schema does not implement Standard Schema v1 (no `~standard.validate`)");
  }
  const own = (schema as { [VALIDATOR]?: unknown })[VALIDATOR];
  if (isValidator(own)) return own;

  // Read once: some libraries build the `~standard` object in a getter on every access.
  const std = schema["~standard"];
  /** A result, or OPTIONS for a promise of one (an asynchronous schema). */
  const settled = (result: unknown): StandardSchemaV1.Result<unknown> => {
    if (isThenable(result)) {
      // Nothing may be left unhandled: the promise is dropped, so its rejection is swallowed here.
      result.then(undefined, () => {});
      throw asyncSchemaError(std.vendor);
    }
    return result as StandardSchemaV1.Result<unknown>;
  };
  const run = (value: unknown) => settled(std.validate(value));

  if (options.probe !== false) {
    let probe: unknown;
    try {
      probe = std.validate(undefined);
    } catch {
      // A schema that throws on `undefined` is the library's business; the real values decide.
    }
    settled(probe);
  }

  return {
    mode: "standard",
    parse(value) {
      const result = run(value);
      return result.issues ? INVALID : result.value;
    },
    issues(value, max = 8) {
      const result = run(value);
      return result.issues ? toIssues(result.issues, max) : [];
    },
  };
}

/** Standard Schema issues as streamtypes issues: a JSON-pointer-like path ("/" for the root), at most `max`. */
export function toIssues(issues: ReadonlyArray<StandardSchemaV1.Issue>, max = 8): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  for (const issue of issues) {
    if (out.length >= max) break;
    out.push({ path: pointer(issue.path), message: issue.message });
  }
  return out;
}

/** `["a", 0, { key: "b" }]` → "/a/0/b"; "~" and "/" in a key are escaped as in RFC 6901 (and by TypeBox). */
export function pointer(path: StandardSchemaV1.Issue["path"]): string {
  if (!path || path.length === 0) return "/";
  let out = "";
  for (const segment of path) {
    const key = typeof segment === "object" && segment !== null ? segment.key : segment;
    out += "/" + String(key).replace(/~/g, "~0").replace(/\//g, "~1");
  }
  return out;
}

function asyncSchemaError(vendor: string): StreamError {
  return new StreamError(
    "OPTIONS",
    `the ${vendor} schema is asynchronous (e.g. an async refinement or transform, or an *Async schema): ` +
      `streamtypes validates each value synchronously as it arrives, so use a synchronous schema`,
  );
}

function isThenable(x: unknown): x is PromiseLike<unknown> {
  return (typeof x === "object" || typeof x === "function") && x !== null && typeof (x as { then?: unknown }).then === "function";
}

function isValidator(x: unknown): x is Validator {
  return (
    typeof x === "object" &&
    x !== null &&
    typeof (x as Validator).parse === "function" &&
    typeof (x as Validator).issues === "function" &&
    typeof (x as Validator).mode === "string"
  );
}

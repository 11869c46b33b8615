// The schema-checker contract: every schema library (TypeBox compiled or interpreted, Standard Schema) sits behind it.
import type { ValidationIssue } from "../errors.js";

/** Returned by {@link Validator.parse} for a value that does not match. A symbol, so no real value can be it. */
export const INVALID: unique symbol = Symbol.for("streamtypes.invalid");

/** Checks values against one schema. `parse` is the fast path; `issues` runs only to explain a failure. */
export interface Validator {
  /**
   * "compiled" (TypeBox's TypeCompiler), "interpreted" (no code generation: the browser entry's check through the
   * schema's plan, or TypeBox's Value.Check under a Content-Security-Policy that forbids code generation), or
   * "standard" (a Standard Schema library's own check).
   */
  readonly mode: "compiled" | "interpreted" | "standard";
  /** The value to deliver (a Standard Schema may transform it), or {@link INVALID}. Synchronous. */
  parse(value: unknown): unknown;
  /** Why a value fails, for error messages: at most `max` issues (default 8). */
  issues(value: unknown, max?: number): ValidationIssue[];
}

// The VALIDATION errors a writer or reader raises: the part, and the paths and messages the schema library gives.
import { StreamError, describeThrown, partLabel, type StreamPart, type ValidationIssue } from "../errors.js";
import type { Validator } from "./validator.js";

/** `VALIDATION`: a value does not match its schema; names the part and the paths. */
export function invalid(validator: Validator, part: StreamPart, index: number | undefined, value: unknown, what: string): StreamError {
  let issues: ValidationIssue[];
  try {
    issues = validator.issues(value);
  } catch {
    issues = [];
  }
  const list = issues.map((i) => `${i.path}: ${i.message}`).join("; ");
  return new StreamError("VALIDATION", `The ${partLabel(part, index)} ${what}: ${list || "it was rejected by its schema"}.`, {
    part,
    issues,
    index,
  });
}

/** `VALIDATION`: the schema's own check threw (e.g. a recursive schema that recurses too far). */
export function uncheckable(part: StreamPart, index: number | undefined, err: unknown): StreamError {
  return new StreamError("VALIDATION", `The ${partLabel(part, index)} could not be checked against its schema: ${describeThrown(err)}.`, {
    cause: err,
    part,
    index,
  });
}

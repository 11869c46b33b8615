// The checks of a plan's number and string nodes, shared by every closure back end (reader, writer, validator).
import type { NumberNode, StringNode } from "./plan.js";

/**
 * A string node's checks beyond its type.
 *
 * @example
 * stringCheck({ kind: "string", minLength: 2, maxLength: undefined, pattern: undefined, format: undefined })("a"); // false
 */
export function stringCheck(node: StringNode): (s: string) => boolean {
  const { minLength, maxLength, pattern, format } = node;
  return (s) => (minLength === undefined || s.length >= minLength) && (maxLength === undefined || s.length <= maxLength) && (pattern === undefined || pattern.test(s)) && (format === undefined || format(s));
}

/**
 * A number node's checks, type included.
 *
 * @example
 * numberCheck({ kind: "number", integer: true, minimum: 0, maximum: undefined, exclusiveMinimum: undefined, exclusiveMaximum: undefined, multipleOf: undefined })(1.5); // false
 */
export function numberCheck(node: NumberNode): (v: unknown) => boolean {
  const { integer, minimum, maximum, exclusiveMinimum, exclusiveMaximum, multipleOf } = node;
  return (v) =>
    typeof v === "number" &&
    (integer ? Number.isInteger(v) : Number.isFinite(v)) &&
    (minimum === undefined || v >= minimum) &&
    (maximum === undefined || v <= maximum) &&
    (exclusiveMinimum === undefined || v > exclusiveMinimum) &&
    (exclusiveMaximum === undefined || v < exclusiveMaximum) &&
    (multipleOf === undefined || v % multipleOf === 0);
}

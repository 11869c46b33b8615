// What back ends derive from a plan before they run: the MessagePack bytes of keys, and cheap guards for union members.
import type { Plan, PlanNode } from "./plan.js";

const utf8 = new TextEncoder();

/**
 * The MessagePack bytes of a string as writers write it (the smallest header for its UTF-8 length): a property
 * name, or a string literal, compared as bytes by readers and copied by writers.
 *
 * @example
 * planKeyBytes("id"); // Uint8Array [0xa2, 0x69, 0x64]
 */
export function planKeyBytes(key: string): Uint8Array {
  const text = utf8.encode(key);
  const n = text.length;
  const header = n < 0x20 ? [0xa0 | n] : n < 0x100 ? [0xd9, n] : n < 0x10000 ? [0xda, n >> 8, n & 0xff] : [0xdb, n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
  const bytes = new Uint8Array(header.length + n);
  bytes.set(header, 0);
  bytes.set(text, header.length);
  return bytes;
}

/**
 * A JavaScript condition that is false for values `node` surely refuses (a wrong typeof), so that a union tries a
 * member only when it may take the value. Never false for a value the node takes.
 */
export function typeGuard(node: PlanNode, v: string): string {
  switch (node.kind) {
    case "object":
    case "record":
      return `typeof ${v} === "object" && ${v} !== null`;
    case "array":
    case "tuple":
      return `Array.isArray(${v})`;
    case "string":
      return `typeof ${v} === "string"`;
    case "number":
      return `typeof ${v} === "number"`;
    case "boolean":
      return `typeof ${v} === "boolean"`;
    case "null":
      return `${v} === null`;
    default:
      return "true";
  }
}

/**
 * Whether `node` accepts undefined (Unknown, Any, a union with such a member): a required property of such a node
 * must then be present as a key, as the schema's check tests it with `in`.
 *
 * @example
 * acceptsUndefined({ kind: "any" }, plan); // true
 */
export function acceptsUndefined(node: PlanNode, plan: Plan, seen = new Set<number>()): boolean {
  if (node.kind === "any") return true;
  if (node.kind === "union") return node.members.some((m) => acceptsUndefined(m, plan, seen));
  if (node.kind === "ref") {
    if (seen.has(node.target)) return false;
    seen.add(node.target);
    return acceptsUndefined(plan.definitions[node.target]!, plan, seen);
  }
  return false;
}

/** Objects whose extra keys are refused or checked count their own properties as the schema's check does (non-enumerable ones too). */
export function countsOwnNames(extra: "allow" | "deny" | PlanNode): boolean {
  return extra !== "allow";
}

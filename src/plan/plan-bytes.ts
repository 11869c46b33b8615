// What back ends derive from a plan before they run: the MessagePack bytes of keys and literals, and cheap guards for union members.
import { Output } from "../codecs/output.js";
import type { PlanNode } from "./plan.js";
import { writeMapHeader, writeNumber, writeString } from "./msgpack-write.js";

/**
 * The MessagePack bytes of a map header or a literal, written once when a codec is compiled.
 *
 * @example
 * constantBytes({ literal: "a" }); // Uint8Array [0xa1, 0x61]
 */
export function constantBytes(what: { map: number } | { literal: string | number | boolean }): Uint8Array {
  const out = new Output();
  out.reset(new Uint8Array(16), 0, 0);
  if ("map" in what) writeMapHeader(out, what.map);
  else if (typeof what.literal === "string") writeString(out, what.literal);
  else if (typeof what.literal === "number") writeNumber(out, what.literal);
  else out.bytes[out.pos++] = what.literal ? 0xc3 : 0xc2;
  return out.bytes.slice(out.start, out.pos);
}

/** The MessagePack bytes of a property name (a string). */
export function planKeyBytes(key: string): Uint8Array {
  return constantBytes({ literal: key });
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

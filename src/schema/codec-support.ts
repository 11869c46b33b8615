// Which TypeBox schema kinds a codec can carry: a definition whose schema needs one it cannot is refused up front (OPTIONS).
import { StreamError, type StreamPart } from "../errors.js";

/** TypeBox's Kind key, without importing TypeBox (a global symbol). */
const KIND = Symbol.for("TypeBox.Kind");

/** Kinds no codec can carry: values that do not survive a trip through bytes. */
const NEVER: ReadonlySet<string> = new Set(["Function", "Constructor", "Promise", "Symbol", "AsyncIterator", "Iterator"]);
/** Kinds JSON cannot carry, with what to do instead. MessagePack carries them (timestamps, bin, bigint and typed-array extensions). */
const NOT_IN_JSON: Readonly<Record<string, string>> = {
  Date: "send an ISO string (Type.String({ format: 'date-time' })) or a number of milliseconds",
  Uint8Array: "send base64 text",
  BigInt: "send it as a string",
  Undefined: "leave the property out (Type.Optional) or use null",
  Void: "leave the property out (Type.Optional) or use null",
  "streamtypes:TypedArray": "send an array of numbers",
};

/**
 * Throws `OPTIONS` when a TypeBox schema needs a value its codec cannot carry: a Date, Uint8Array, bigint,
 * undefined or typed array in a JSON format, a function or symbol in any. Standard Schemas are not looked into
 * (their structure is the library's own). A union fails only when none of its members can be carried.
 *
 * @example
 * checkCarriable(Type.Object({ at: Type.Date() }), "item", "json"); // throws OPTIONS: "… /at is a Date …"
 */
export function checkCarriable(schema: unknown, part: StreamPart, codec: string): void {
  if (typeof schema !== "object" || schema === null || !(KIND in schema)) return;
  const problem = find(schema as Record<string | symbol, unknown>, codec === "json", "", new Set());
  if (problem === undefined) return;
  const [path, kind, hint] = problem;
  throw new StreamError(
    "OPTIONS",
    `The ${part} schema has ${kind === "Undefined" || kind === "Void" ? "undefined" : `a ${kind.replace("streamtypes:", "")}`} at ${path || "/"}, which the ${codec} codec cannot carry: ${hint}.`,
  );
}

type Problem = [path: string, kind: string, hint: string];

function find(node: Record<string | symbol, unknown>, json: boolean, path: string, seen: Set<object>): Problem | undefined {
  if (seen.has(node)) return undefined;
  seen.add(node);
  const kind = String(node[KIND] ?? "");
  if (NEVER.has(kind)) return [path, kind, "no codec can; send data, not code"];
  if (json && Object.hasOwn(NOT_IN_JSON, kind)) return [path, kind, `${NOT_IN_JSON[kind]}, or use the msgpack codec`];
  const child = (value: unknown, at: string) => (isSchema(value) ? find(value, json, at, seen) : undefined);
  if (kind === "Union") {
    const members = (node.anyOf as unknown[] | undefined) ?? [];
    const problems = members.map((member) => child(member, path));
    return members.length > 0 && problems.every((p) => p !== undefined) ? problems[0] : undefined;
  }
  // The subschemas in the order they are searched, each with the path a value under it has.
  const children: [unknown, string][] = [];
  for (const [key, value] of Object.entries((node.properties as Record<string, unknown> | undefined) ?? {})) children.push([value, `${path}/${key}`]);
  const items = node.items;
  if (Array.isArray(items)) items.forEach((item, i) => children.push([item, `${path}/${i}`]));
  else children.push([items, `${path}/*`]);
  for (const value of [node.additionalProperties, node.not, ...Object.values((node.patternProperties as Record<string, unknown> | undefined) ?? {})]) children.push([value, `${path}/*`]);
  for (const member of (node.allOf as unknown[] | undefined) ?? []) children.push([member, path]);
  for (const [value, at] of children) {
    const problem = child(value, at);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

function isSchema(value: unknown): value is Record<string | symbol, unknown> {
  return typeof value === "object" && value !== null && KIND in value;
}

// Patches: the items of an object stream (set, append, push, close at a path), their wire schema, and paths as text.
import type { StandardSchemaV1 } from "../schema/standard-schema.js";

/** A step into a value: a property name, or an array index. */
export type PathKey = string | number;

/** Where a patch applies: the keys from the root; `[]` is the root itself. */
export type Path = readonly PathKey[];

/**
 * One change to the object being written. `done: true` says the value written is finished (the reader validates
 * it at once); an open value is finished by a later `close` at its path or at an enclosing one.
 */
export type Patch =
  /** Puts `value` at `path` (a new property, the root, or an open value replaced). */
  | { readonly op: "set"; readonly path: Path; readonly value: unknown; readonly done?: boolean }
  /** Appends `text` to the open string at `path`. */
  | { readonly op: "append"; readonly path: Path; readonly text: string; readonly done?: boolean }
  /** Adds `value` at the end of the open array at `path`; it is then at `[...path, length - 1]`. */
  | { readonly op: "push"; readonly path: Path; readonly value: unknown; readonly done?: boolean }
  /** Finishes the open value at `path` and every open value inside it. */
  | { readonly op: "close"; readonly path: Path };

/** The patch operations, for checks and tools. */
export const PATCH_OPS: ReadonlySet<string> = new Set(["set", "append", "push", "close"]);

/** The largest path a patch may have: deeper values are refused (and the codecs refuse deeper nesting anyway). */
export const MAX_PATH_LENGTH = 64;

/**
 * What is wrong with a patch's shape, or undefined when it is a patch. Only its shape: whether it fits the object
 * so far is the assembler's question.
 */
export function patchProblem(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return "a patch is an object with op and path";
  const p = value as Record<string, unknown>;
  if (typeof p.op !== "string" || !PATCH_OPS.has(p.op)) return 'op must be "set", "append", "push" or "close"';
  if (!Array.isArray(p.path)) return "path must be an array of keys";
  if (p.path.length > MAX_PATH_LENGTH) return `path is longer than ${MAX_PATH_LENGTH} keys`;
  for (const key of p.path) {
    if (typeof key !== "string" && !(typeof key === "number" && Number.isSafeInteger(key) && key >= 0)) return "each key of path must be a string or a non-negative integer";
  }
  if (p.done !== undefined && typeof p.done !== "boolean") return "done must be a boolean";
  if (p.op === "append" && typeof p.text !== "string") return "append needs text, a string";
  if ((p.op === "set" || p.op === "push") && !("value" in p)) return `${p.op} needs a value`;
  return undefined;
}

/**
 * The item schema of every object stream: a Standard Schema (so that every entry validates it, TypeBox installed or
 * not) that checks a patch's shape.
 */
export const PatchSchema: StandardSchemaV1<Patch, Patch> = {
  "~standard": {
    version: 1,
    vendor: "streamtypes",
    validate(value: unknown) {
      const problem = patchProblem(value);
      return problem === undefined ? { value: value as Patch } : { issues: [{ message: problem }] };
    },
    // Standard JSON Schema, so that an object stream's jsonSchema() (OpenAPI, other languages) describes its items.
    jsonSchema: { input: patchJsonSchema, output: patchJsonSchema },
  } as StandardSchemaV1.Props<Patch, Patch>,
};

/** The JSON Schema of a patch (the same for every target: it uses nothing draft-specific). */
function patchJsonSchema(): Record<string, unknown> {
  const path = { type: "array", items: { anyOf: [{ type: "string" }, { type: "integer", minimum: 0 }] }, maxItems: MAX_PATH_LENGTH };
  const done = { type: "boolean" };
  const shape = (op: string, props: Record<string, unknown>, required: string[]) => ({
    type: "object",
    properties: { op: { const: op }, path, ...props },
    required: ["op", "path", ...required],
  });
  return {
    anyOf: [
      shape("set", { value: {}, done }, ["value"]),
      shape("append", { text: { type: "string" }, done }, ["text"]),
      shape("push", { value: {}, done }, ["value"]),
      shape("close", {}, []),
    ],
  };
}

/** The type of {@link PatchSchema}. */
export type PatchSchemaType = typeof PatchSchema;

/** Characters never shown raw: C0/C1 controls, line and paragraph separators, and the bidirectional controls. */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Text from the stream with its control and bidi characters escaped (`\u202e`), safe in a message or a terminal. */
export function escapeText(text: string): string {
  return text.replace(UNSAFE, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
}

/**
 * A path as a JSON pointer for messages, escaped: `["ingredients", 2, "name"]` → "/ingredients/2/name"; the root
 * is "/". Long keys are cut.
 *
 * @example
 * pathText(["a/b", 0]); // "/a~1b/0"
 */
export function pathText(path: Path): string {
  if (path.length === 0) return "/";
  let out = "";
  for (const key of path) {
    const text = String(key);
    out += "/" + escapeText(text.length > 64 ? text.slice(0, 64) + "…" : text).replace(/~/g, "~0").replace(/\//g, "~1");
  }
  return out;
}

/**
 * A patch as one line for tools (`streamtypes inspect`), escaped, or undefined for a value that is not a patch:
 * `set /title "Pan" …`, `append /title "cakes" ✓`, `push /steps "Mix" ✓`, `close /ingredients`. "✓" marks a value
 * finished by the patch, "…" one left open.
 *
 * @example
 * describePatch({ op: "append", path: ["title"], text: "cakes", done: true }); // 'append /title "cakes" ✓'
 */
export function describePatch(value: unknown): string | undefined {
  if (patchProblem(value) !== undefined) return undefined;
  const p = value as Patch;
  if (p.op === "close") return `close ${pathText(p.path)}`;
  const shown = p.op === "append" ? p.text : p.value;
  let text: string;
  try {
    text = JSON.stringify(shown) ?? String(shown);
  } catch {
    text = String(shown); // a bigint, or a cycle: what msgpack carries and JSON does not
  }
  if (text.length > 80) text = text.slice(0, 80) + "…";
  return `${p.op} ${pathText(p.path)} ${escapeText(text)} ${p.done === true ? "✓" : "…"}`;
}

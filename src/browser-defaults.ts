// The defaults the browser entries give a definition: a format value (binary MessagePack, read-only, for streamTypes()), and their validators.
import { msgpackReadOnly } from "./codecs/msgpack-read-only.js";
import type { EntryDefaults } from "./define.js";
import { StreamError } from "./errors.js";
import { binaryReadOnly } from "./formats/binary.js";
import { chooseValidator } from "./schema/choose.js";
import type { Validator } from "./schema/validator.js";

/** A browser entry's validators: TypeBox schemas through `typebox` (the entry's own answer), Standard Schemas through their library. */
const validatorsWith = (typebox: (schema: never) => Validator) => (schema: unknown) => chooseValidator(schema, typebox);

/**
 * The defaults of readerTypes() in a browser entry: no format unless one is given, as a value. Separate from
 * {@link binaryDefaults}, and called with `@__PURE__`, so that a page that never reads binary bundles no MessagePack.
 *
 * @example
 * namedDefaults(typeboxInterpreted).validatorFor(Type.Object({ n: Type.Number() })).mode; // "interpreted"
 */
export function namedDefaults(typebox: (schema: never) => Validator): EntryDefaults {
  return { format: refuseNames, validatorFor: validatorsWith(typebox) };
}

/**
 * The defaults of streamTypes() in a browser entry: the binary framing with MessagePack, read-only (no frame
 * encoder: nothing in a browser entry writes), and `planFor`, the entry's walk of a schema for compiled readers.
 *
 * @example
 * binaryDefaults(typeboxInterpreted).format({}).name; // "binary"
 */
export function binaryDefaults(typebox: (schema: never) => Validator, planFor?: EntryDefaults["planFor"]): EntryDefaults {
  return {
    format: (options) => (Object.keys(options).some((k) => k === "framing" || k === "codec" || k === "compat") ? refuseNames(options) : binaryReadOnly(msgpackReadOnly())),
    validatorFor: validatorsWith(typebox),
    planFor,
  };
}

/** The browser entries have no string options, so that a page bundles only the format it imports. */
function refuseNames(options: object): never {
  if ("framing" in options || "codec" in options || "compat" in options) {
    throw new StreamError("OPTIONS", 'The browser entries take a format value, not strings: { format: sse() } instead of { framing: "sse" }.');
  }
  throw new StreamError("OPTIONS", "readerTypes() needs a format: { format: binary(msgpackReadOnly()) }, sse(), ndjson() or truss().");
}

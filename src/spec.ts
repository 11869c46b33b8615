// The resolved definition a stream's writers and readers share: its format, its validators and its limits.
import { StreamError, type StreamPart } from "./errors.js";
import type { Codec, SchemaCodec } from "./codecs/codec.js";
import type { Format } from "./format.js";
import type { Plan } from "./plan/plan.js";
import { DEFAULT_MAX_FRAME_BYTES, MAX_PAYLOAD_LENGTH } from "./protocol.js";
import { checkCarriable } from "./schema/codec-support.js";
import type { Validator } from "./schema/validator.js";

/** What a definition resolves to: everything a writer or reader needs, with the options already checked. */
export interface StreamSpec {
  readonly format: Format;
  readonly maxFrameBytes: number;
  readonly hasHeader: boolean;
  readonly hasFooter: boolean;
  /** Undefined where the part has no schema, or with `validate: false`. */
  readonly validators: { readonly [P in StreamPart]: Validator | undefined };
  /** The schemas as given (undefined where the part has none), for what is derived from them (known item kinds). */
  readonly schemas: { readonly [P in StreamPart]: unknown };
  /**
   * The format's codec compiled from each part's schema, with the schema's checks fused in (see src/plan/);
   * undefined where the schema has no plan, the codec no back end, or validation is off. What it does not take
   * goes through the codec and validator above, with the same results.
   */
  readonly compiled: { readonly [P in StreamPart]: SchemaCodec | undefined };
}

/** The options a definition resolves from, after an entry has chosen the format. */
export interface SpecOptions {
  readonly format: Format;
  readonly validate?: boolean | undefined;
  readonly maxFrameBytes?: number | undefined;
  /** The entry's walk of a schema into a plan (TypeBox in the main and browser entries), for compiled codecs. */
  readonly planFor?: ((schema: unknown) => Plan | undefined) | undefined;
  /** The entry's back ends for a plan, given the part's validator: the codec's own `compile` when not given (reading entries). */
  readonly compile?: ((codec: Codec, plan: Plan, validator: Validator) => SchemaCodec | undefined) | undefined;
}

/**
 * Resolves a definition: checks the limits and builds one validator per schema with `validatorFor` (the entry's
 * choice: compiled TypeBox in the main entry, interpreted in the browser, a Standard Schema's own check).
 */
export function resolveSpec(
  schemas: { readonly [P in StreamPart]: unknown },
  options: SpecOptions,
  validatorFor: (schema: unknown) => Validator,
): StreamSpec {
  const maxFrameBytes = checkLimit("maxFrameBytes", options.maxFrameBytes) ?? DEFAULT_MAX_FRAME_BYTES;
  if (maxFrameBytes > MAX_PAYLOAD_LENGTH) {
    throw new StreamError("OPTIONS", `maxFrameBytes cannot exceed ${MAX_PAYLOAD_LENGTH}, the largest length a frame header holds.`);
  }
  for (const part of ["item", "header", "footer"] as const) checkCarriable(schemas[part], part, options.format.codec.name);
  const validate = options.validate !== false;
  const check = (schema: unknown) => (validate && schema !== undefined ? validatorFor(schema) : undefined);
  const codec = options.format.codec;
  const validators = { item: check(schemas.item), header: check(schemas.header), footer: check(schemas.footer) };
  const compile = (part: StreamPart): SchemaCodec | undefined => {
    const schema = schemas[part];
    if (!validate || schema === undefined || options.planFor === undefined) return undefined;
    const plan = options.planFor(schema);
    if (plan === undefined) return undefined;
    if (options.compile !== undefined) return options.compile(codec, plan, validators[part]!);
    // A plan whose schema's validator must still run needs the writing entries' back ends (compileForWriting), which wrap it.
    return plan.validateAfter === true ? undefined : codec.compile?.(plan);
  };
  return {
    format: options.format,
    maxFrameBytes,
    hasHeader: schemas.header !== undefined,
    hasFooter: schemas.footer !== undefined,
    validators,
    schemas: { item: schemas.item, header: schemas.header, footer: schemas.footer },
    compiled: { item: compile("item"), header: compile("header"), footer: compile("footer") },
  };
}

/**
 * A positive integer limit from the options, or undefined when not given.
 *
 * @example
 * checkLimit("maxItems", 10); // 10
 * checkLimit("maxItems", -1); // throws StreamError OPTIONS
 */
export function checkLimit(name: string, value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new StreamError("OPTIONS", `${name} must be a positive integer, got ${String(value)}.`);
  }
  return value;
}

// A frame's value through its codec and schema: what the reader delivers for each part, or SKIPPED for an item of an unknown kind.
import { MISS } from "../codecs/codec.js";
import { StreamError, type StreamPart } from "../errors.js";
import type { Frame, FrameDecoder } from "../format.js";
import { knownKinds, type KindValue, type UnknownKindsOptions } from "../kinds.js";
import { invalid, uncheckable } from "../schema/validation-errors.js";
import { INVALID } from "../schema/validator.js";
import type { StreamSpec } from "../spec.js";
import { undecodable } from "./messages.js";

/** The resolved `unknownKinds` reader option. */
export interface KindFilter {
  readonly key: string;
  readonly known: ReadonlySet<unknown>;
  readonly onSkip: ((kind: KindValue, raw: unknown) => void) | undefined;
}

/** Resolves the `unknownKinds` reader option: `known` as given, or derived from the item schema. */
export function kindFilter(options: UnknownKindsOptions, itemSchema: unknown): KindFilter {
  if (typeof options !== "object" || options === null || typeof options.key !== "string" || options.key === "") {
    throw new StreamError("OPTIONS", 'unknownKinds needs the discriminator property: { key: "type" }.');
  }
  const known = options.known ?? knownKinds(itemSchema, options.key);
  if (known === undefined) {
    throw new StreamError(
      "OPTIONS",
      `unknownKinds: the kinds cannot be derived from the item schema (a union of objects whose "${options.key}" is a literal, in TypeBox, zod or valibot); give them: known: ["a", "b"].`,
    );
  }
  if (!Array.isArray(known) || known.length === 0) throw new StreamError("OPTIONS", "unknownKinds.known must be a non-empty array of kinds.");
  return { key: options.key, known: new Set(known), onSkip: options.onSkip };
}

/** What decode() returns for an item of an unknown kind, skipped under the `unknownKinds` option. */
export const SKIPPED: unique symbol = Symbol("skipped");

/**
 * Turns frames and decoded payloads into the values a reader delivers: the codec's value, checked by the part's
 * schema (VALIDATION when it fails, FORMAT when it does not decode), with the `unknownKinds` option applied.
 *
 * @example
 * const values = new PartValues(spec, decoder, undefined);
 * values.accept({ words: ["hi"] }, "item", 0); // the item, as its schema's parse gives it
 */
export class PartValues {
  /** Items of unknown kinds skipped so far (the `unknownKinds` option). */
  skipped = 0;

  constructor(
    private readonly spec: StreamSpec,
    private readonly decoder: FrameDecoder,
    private readonly kindFilter: KindFilter | undefined,
  ) {}

  /** A frame's value through the format's codec, then its schema: what the reader delivers. */
  decode(frame: Frame, part: StreamPart, index: number | undefined): unknown {
    const compiled = this.spec.compiled[part];
    if (compiled?.read !== undefined && this.decoder.checkedValue !== undefined) {
      const checked = this.decoder.checkedValue(frame, compiled);
      if (checked !== MISS) return checked;
    }
    let value: unknown;
    try {
      value = this.decoder.value(frame);
    } catch (err) {
      throw err instanceof StreamError ? err : undecodable(part, index, this.decoder.payloadSize(frame), this.spec.format.codec.name, err);
    }
    return this.accept(value, part, index);
  }

  /** A decoded value through its schema: what the reader delivers, or SKIPPED (an unknown kind). Throws VALIDATION. */
  accept(value: unknown, part: StreamPart, index: number | undefined): unknown {
    const validator = this.spec.validators[part];
    if (validator === undefined) return this.kindFilter !== undefined && part === "item" && this.skips(value) ? SKIPPED : value;
    let parsed: unknown;
    try {
      parsed = validator.parse(value);
    } catch (err) {
      // The codec bounds depth and rejects cycles, so this is a last line of defence, e.g. for a schema whose own check recurses too far.
      throw err instanceof StreamError ? err : uncheckable(part, index, err);
    }
    if (parsed === INVALID) {
      // Only a value that fails is looked at for its kind: the option costs nothing on the valid path.
      if (this.kindFilter !== undefined && part === "item" && this.skips(value)) return SKIPPED;
      throw invalid(validator, part, index, value, "does not match its schema");
    }
    return parsed;
  }

  /** True for an item whose discriminator is a kind this reader does not know: counted and reported, then skipped. */
  private skips(value: unknown): boolean {
    const filter = this.kindFilter!;
    if (typeof value !== "object" || value === null) return false;
    const kind = (value as Record<string, unknown>)[filter.key];
    if ((typeof kind !== "string" && typeof kind !== "number") || filter.known.has(kind)) return false;
    this.skipped++;
    filter.onSkip?.(kind, value);
    return true;
  }
}

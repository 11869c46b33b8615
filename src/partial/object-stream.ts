// Object streams: one object streamed as patches (its items) and sent whole at the end (its footer), for showing a model's structured output as it is written.
import { ReaderTypes, StreamTypes, type DefinitionOptions, type EntryDefaults } from "../define.js";
import type { ReaderOptions } from "../reader/reader.js";
import type { Input, SchemaLike } from "../schema/infer.js";
import type { StreamSource } from "../sources/source.js";
import { ObjectWriter, type PatchFrameWriter } from "./object-writer.js";
import { PartChecks } from "./part-checks.js";
import { PartialObject } from "./partial-object.js";
import { PatchSchema, type PatchSchemaType } from "./patch.js";
import { withPartials, type ObjectReader } from "./read-partials.js";

/** The checks of the values inside the object, or none with `validate: false`. */
function partChecks(schema: unknown, options: DefinitionOptions, defaults: EntryDefaults): PartChecks | undefined {
  return options.validate === false ? undefined : new PartChecks(schema, defaults.validatorFor);
}

/**
 * An object stream's definition: items are patches, the footer is the whole object. `reader()` and `fetch()` give
 * readers with `readPartials()`; `objectWriter()` writes patches typed by the schema's paths.
 */
export class ObjectStream<S extends SchemaLike> extends StreamTypes<PatchSchemaType, undefined, S> {
  /** @internal */
  private readonly checks: PartChecks | undefined;

  /** @internal Object streams come from `objectStream(Schema)`. */
  constructor(schema: S, options: DefinitionOptions, defaults: EntryDefaults) {
    super(PatchSchema, undefined, schema, options, defaults);
    this.checks = partChecks(schema, options, defaults);
  }

  override reader(source: StreamSource, options?: ReaderOptions): ObjectReader<S> {
    return withPartials(super.reader(source, options), this.checks);
  }

  override fetch(input: string | URL | Request, init?: RequestInit, options?: ReaderOptions): ObjectReader<S> {
    return withPartials(super.fetch(input, init, options), this.checks);
  }

  /**
   * Writes the object as patches with `writer` (a producer's, or a new one): typed paths, a model's JSON text
   * (`json()`), or whole partial objects (`partial()`), then `finish()`.
   *
   * @example
   * app.get("/recipe", () => RECIPE.toResponse(async function* (w) {
   *   const o = RECIPE.objectWriter(w);
   *   for await (const token of model.stream(prompt)) yield* o.json(token);
   *   yield* o.finish();
   * }));
   */
  objectWriter(writer: PatchFrameWriter = this.writer() as PatchFrameWriter): ObjectWriter<Input<S>> {
    return new ObjectWriter(writer, this.checks);
  }

  /** An empty object to apply patches to by hand (what readPartials() and usePartialObject() use), checking as they do. */
  partialObject(): PartialObject {
    return new PartialObject(this.checks);
  }
}

/** The reading half of an object stream, for `streamtypes/browser`. */
export class ObjectReaderTypes<S extends SchemaLike> extends ReaderTypes<PatchSchemaType, undefined, S> {
  /** @internal */
  private readonly checks: PartChecks | undefined;

  /** @internal Object streams come from `objectStream(Schema)`. */
  constructor(schema: S, options: DefinitionOptions, defaults: EntryDefaults) {
    super(PatchSchema, undefined, schema, options, defaults);
    this.checks = partChecks(schema, options, defaults);
  }

  override reader(source: StreamSource, options?: ReaderOptions): ObjectReader<S> {
    return withPartials(super.reader(source, options), this.checks);
  }

  override fetch(input: string | URL | Request, init?: RequestInit, options?: ReaderOptions): ObjectReader<S> {
    return withPartials(super.fetch(input, init, options), this.checks);
  }

  /** An empty object to apply patches to by hand, checking as readPartials() does. */
  partialObject(): PartialObject {
    return new PartialObject(this.checks);
  }
}

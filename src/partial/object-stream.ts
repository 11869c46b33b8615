// Object streams: one object streamed as patches (its items) and sent whole at the end (its footer), for showing a model's structured output as it is written.
import type { DefinitionOptions, EntryDefaults, ReaderTypes, StreamTypes } from "../define.js";
import type { ReaderOptions } from "../reader/reader.js";
import type { Input, SchemaLike } from "../schema/infer.js";
import type { StreamSource } from "../sources/source.js";
import { ObjectWriter, type PatchFrameWriter } from "./object-writer.js";
import { PartChecks } from "./part-checks.js";
import { PartialObject } from "./partial-object.js";
import { PatchSchema, type PatchSchemaType } from "./patch.js";
import { withPartials, type ObjectReader } from "./read-partials.js";

/** What an object stream's definition adds for reading: readers with `readPartials()`, and bare partial objects. */
export interface ObjectReading<S extends SchemaLike> {
  /** A new reader over one stream's bytes, with `readPartials()`. */
  reader(source: StreamSource, options?: ReaderOptions): ObjectReader<S>;
  /** Fetches a stream and reads it (see `ReaderTypes.fetch`), with `readPartials()`. */
  fetch(input: string | URL | Request, init?: RequestInit, options?: ReaderOptions): ObjectReader<S>;
  /** An empty object to apply patches to by hand (what readPartials() and usePartialObject() use), checking as they do. */
  partialObject(): PartialObject;
}

/**
 * The reading half of an object stream: `objectStream()` of `streamtypes/browser`. (ObjectReading comes first: its
 * `reader()` and `fetch()` are the signatures a call picks.)
 */
export type ObjectReaderTypes<S extends SchemaLike> = ObjectReading<S> & ReaderTypes<PatchSchemaType, undefined, S>;

/**
 * An object stream's definition: items are patches, the footer is the whole object. `reader()` and `fetch()` give
 * readers with `readPartials()`; `objectWriter()` writes patches typed by the schema's paths.
 */
export type ObjectStream<S extends SchemaLike> = ObjectReading<S> &
  StreamTypes<PatchSchemaType, undefined, S> & {
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
    objectWriter(writer?: PatchFrameWriter): ObjectWriter<Input<S>>;
  };

/**
 * Makes a definition of patches (item) and `schema` (footer) an object stream: `make` is the entry's class
 * (`StreamTypes`, or `ReaderTypes` in the browser entry), whose `reader()` and `fetch()` are wrapped.
 */
export function defineObjectStream<S extends SchemaLike, T extends ReaderTypes<PatchSchemaType, undefined, S>>(
  make: (item: PatchSchemaType) => T,
  schema: S,
  options: DefinitionOptions,
  defaults: EntryDefaults,
): ObjectReading<S> & T {
  const types = make(PatchSchema);
  const checks = options.validate === false ? undefined : new PartChecks(schema, defaults.validatorFor);
  const reader = types.reader.bind(types);
  const fetch = types.fetch.bind(types);
  const reading: ObjectReading<S> = {
    reader: (source, readerOptions) => withPartials(reader(source, readerOptions), checks),
    fetch: (input, init, readerOptions) => withPartials(fetch(input, init, readerOptions), checks),
    partialObject: () => new PartialObject(checks),
  };
  const writing = {
    objectWriter: (writer?: PatchFrameWriter) => new ObjectWriter(writer ?? ((types as unknown as StreamTypes<PatchSchemaType, undefined, S>).writer() as PatchFrameWriter), checks),
  };
  return Object.assign(types, reading, "writer" in types ? writing : {});
}
